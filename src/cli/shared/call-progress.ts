import { escapeTerminal } from "../../util/text.ts"

// Progress of one tool call on stderr (`agent mcp call`). At a terminal: one line rewritten in
// place (`\r`, erase line, spinner frame, `NN% message` cut to the width), at most 10 redraws a
// second, erased when the call ends. Without a terminal (CI logs): at most one line a second,
// the first at once and then the latest state once the second has passed; the state still
// pending when the call ends is dropped, since the result (or the error) follows at once.

export const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
export const TTY_INTERVAL_MS = 100
export const LINE_INTERVAL_MS = 1000

/** The clock the throttle reads; tests pass a fake one. */
export interface Clock {
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms)
    t.unref() // a pending redraw never keeps the process alive
    return t
  },
  clearTimeout: (h) => clearTimeout(h as Timer),
}

export interface Progress {
  progress: number
  total?: number
  message?: string
}

export interface CallProgress {
  update(p: Progress): void
  /** Drops what is pending and erases the terminal line; safe to call twice. */
  done(): void
}

export interface CallProgressOptions {
  write: (s: string) => void
  isTty: boolean
  columns?: number
  clock?: Clock
}

export function callProgress(label: string, opts: CallProgressOptions): CallProgress {
  const clock = opts.clock ?? realClock
  const interval = opts.isTty ? TTY_INTERVAL_MS : LINE_INTERVAL_MS
  let frame = 0
  let isDrawn = false
  const render = (p: Progress): string => {
    const text = progressText(label, p)
    if (!opts.isTty) return `${text}\n`
    isDrawn = true
    const line = `${FRAMES[frame++ % FRAMES.length]} ${text}`
    return `\r\x1b[2K${[...line].slice(0, Math.max(10, (opts.columns || 80) - 1)).join("")}`
  }
  const throttle = throttled(interval, clock, (p: Progress) => opts.write(render(p)))
  return {
    update: throttle.push,
    done() {
      throttle.cancel()
      if (isDrawn) opts.write("\r\x1b[2K")
      isDrawn = false
    },
  }
}

/** `[server] 45% message` (or the raw count without a total), escaped: a server supplies the message. */
export function progressText(label: string, p: Progress): string {
  const amount = p.total ? `${Math.min(100, Math.round((p.progress / p.total) * 100))}%` : `${p.progress}`
  return escapeTerminal(`[${label}] ${amount}${p.message ? ` ${p.message}` : ""}`)
}

/**
 * Calls emit with the first value at once, then at most once per interval with the latest
 * value (last state wins); values between two emits are dropped.
 */
export function throttled<T>(
  interval: number,
  clock: Clock,
  emit: (value: T) => void,
): { push(value: T): void; cancel(): void } {
  let last: number | undefined
  let pending: { value: T } | undefined
  let timer: unknown
  let isCancelled = false
  const flush = () => {
    timer = undefined
    if (!pending || isCancelled) return
    const { value } = pending
    pending = undefined
    last = clock.now()
    emit(value)
  }
  return {
    push(value) {
      if (isCancelled) return
      pending = { value }
      if (timer !== undefined) return
      const wait = last === undefined ? 0 : last + interval - clock.now()
      if (wait <= 0) flush()
      else timer = clock.setTimeout(flush, wait)
    },
    cancel() {
      isCancelled = true
      pending = undefined
      if (timer !== undefined) clock.clearTimeout(timer)
      timer = undefined
    },
  }
}
