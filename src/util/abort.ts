// Ctrl-C for commands that hold resources (MCP connections, stdio children). main.ts owns the
// SIGINT handler; a running command registers here to cancel and clean up first (S03), then
// returns 130 itself. A second Ctrl-C finds no handler left and exits at once.

type Handler = () => void

// Process-wide on purpose: SIGINT is process-wide, and only one command runs per process.
const handlers = new Set<Handler>()

/** Runs `fn` on the next Ctrl-C instead of exiting; returns a function that unregisters it. */
export function onInterrupt(fn: Handler): () => void {
  handlers.add(fn)
  return () => void handlers.delete(fn)
}

/** Called by main.ts on SIGINT: true when a command took over (each handler runs once). */
export function runInterruptHandlers(): boolean {
  if (handlers.size === 0) return false
  const list = [...handlers]
  handlers.clear()
  for (const fn of list) fn()
  return true
}

/**
 * Takes the handlers registered so far out of the process-wide set and returns a function that
 * runs them: a command that goes on in the background (a serve session inside the daemon) keeps
 * its own Ctrl-C, so the next command's Ctrl-C does not end it.
 */
export function takeInterruptHandlers(): () => void {
  const list = [...handlers]
  handlers.clear()
  return () => {
    for (const fn of list.splice(0)) fn()
  }
}

/** An AbortSignal that fires on Ctrl-C, for one command's lifetime (`using`). */
export function interruptSignal(): { signal: AbortSignal; isInterrupted: () => boolean } & Disposable {
  const controller = new AbortController()
  const off = onInterrupt(() => controller.abort(new Error("interrupted")))
  return { signal: controller.signal, isInterrupted: () => controller.signal.aborted, [Symbol.dispose]: off }
}
