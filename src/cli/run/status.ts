import type { RunEvent } from "../../agent/index.ts"
import { escapeTerminal } from "../../util/text.ts"
import { FRAMES, realClock, type Clock } from "../shared/call-progress.ts"

// `agent run` at a terminal, text mode: one status line on stderr saying what the run waits for
// ("waiting for the model (3s)", "model streaming (2s)", "running fs__read (4s)"), shown once a
// state has lasted about a second and updated each second. It is erased before anything else
// is written and while a question is on screen, so it never mixes with output or prompts. While
// the answer streams onto the same terminal the text itself is the sign of life: no line then.

export const SHOW_AFTER_MS = 1000
const TICK_MS = 250

export interface RunStatus {
  onEvent(e: RunEvent): void
  /** Wraps a writer sink: the line is erased before each write (and tracks an open text line). */
  before(kind: "stdout" | "stderr", text: string): void
  /** While a question is asked: erased and not drawn. */
  pause(): void
  resume(): void
  stop(): void
}

export interface RunStatusOptions {
  write: (s: string) => void
  columns?: number
  /** stdout is the same terminal: a partial answer line must not be overdrawn. */
  isStdoutTty: boolean
  clock?: Clock
}

export function runStatus(opts: RunStatusOptions): RunStatus {
  const clock = opts.clock ?? realClock
  const tools = new Map<string, { name: string; since: number }>()
  let model: { label: string; since: number } | undefined
  let isDrawn = false
  let isLineOpen = false
  let paused = 0
  let isStopped = false
  let frame = 0
  let timer: unknown
  const erase = () => {
    if (isDrawn) opts.write("\r\x1b[2K")
    isDrawn = false
  }
  const text = (now: number): string | undefined => {
    const secs = (since: number) => `${Math.floor((now - since) / 1000)}s`
    const running = [...tools.values()].sort((a, b) => a.since - b.since)
    const first = running[0]
    if (first) {
      if (now - first.since < SHOW_AFTER_MS) return undefined
      return `running ${first.name} (${secs(first.since)})${running.length > 1 ? ` +${running.length - 1} more` : ""}`
    }
    if (!model || now - model.since < SHOW_AFTER_MS) return undefined
    if (model.label === "model streaming" && opts.isStdoutTty) return undefined
    return `${model.label} (${secs(model.since)})`
  }
  const tick = () => {
    timer = undefined
    if (isStopped) return
    const t = paused > 0 || (isLineOpen && opts.isStdoutTty) ? undefined : text(clock.now())
    if (t === undefined) erase()
    else {
      const line = escapeTerminal(`${FRAMES[frame++ % FRAMES.length]} ${t}`)
      opts.write(`\r\x1b[2K${[...line].slice(0, Math.max(10, (opts.columns || 80) - 1)).join("")}`)
      isDrawn = true
    }
    if (tools.size > 0 || model) timer = clock.setTimeout(tick, TICK_MS)
  }
  const schedule = () => {
    if (timer === undefined && !isStopped) timer = clock.setTimeout(tick, TICK_MS)
  }
  return {
    onEvent(e) {
      const now = clock.now()
      switch (e.type) {
        case "turn":
          model = { label: "waiting for the model", since: now }
          break
        case "text":
          if (model?.label !== "model streaming") model = { label: "model streaming", since: now }
          break
        case "tool_use":
          model = undefined
          tools.set(e.id, { name: e.name, since: now })
          break
        case "tool_result":
          tools.delete(e.id)
          break
        case "usage":
          model = undefined
          break
        case "result":
          this.stop()
          return
        default:
          return
      }
      schedule()
    },
    before(kind, s) {
      erase()
      if (kind === "stdout" && s) isLineOpen = !s.endsWith("\n")
    },
    pause() {
      paused++
      erase()
    },
    resume() {
      paused = Math.max(0, paused - 1)
      schedule()
    },
    stop() {
      isStopped = true
      if (timer !== undefined) clock.clearTimeout(timer)
      timer = undefined
      erase()
    },
  }
}
