// The progress of `agent run --batch` on stderr: at a terminal one line redrawn in place; in a CI
// log (not a terminal) a plain line every `logEveryMs`, so the log stays short but shows life;
// always a last line at the end. -q silences it (the caller passes no progress then).

export interface BatchCounts {
  done: number
  failed: number
  running: number
}

export interface BatchProgress {
  update(counts: BatchCounts): void
  stop(): void
}

export interface ProgressOptions {
  /** Tasks this run will start (after --shard and --resume). */
  total: number
  /** Tasks --resume skipped (shown, not counted in the rate). */
  skipped: number
  isTty: boolean
  write: (s: string) => void
  now?: () => number
  /** How often a line is written when not at a terminal (default 15 s). */
  logEveryMs?: number
}

const REDRAW_MS = 250

export function batchProgress(o: ProgressOptions): BatchProgress {
  const now = o.now ?? (() => performance.now())
  const started = now()
  let counts: BatchCounts = { done: 0, failed: 0, running: 0 }
  const line = () => progressLine(counts, o.total, o.skipped, now() - started)
  const timer = setInterval(
    () => (o.isTty ? o.write(`\r\x1b[2K${line()}`) : o.write(`${line()}\n`)),
    o.isTty ? REDRAW_MS : (o.logEveryMs ?? 15_000),
  )
  timer.unref?.()
  return {
    update: (c) => void (counts = c),
    stop() {
      clearInterval(timer)
      o.write(o.isTty ? `\r\x1b[2K${line()}\n` : `${line()}\n`)
    },
  }
}

/** "batch: 37/200 done (1 failed), 8 running, 3.1 tasks/s, ETA 53s" */
export function progressLine(c: BatchCounts, total: number, skipped: number, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? c.done / (elapsedMs / 1000) : 0
  const left = total - c.done
  const eta = rate > 0 && left > 0 ? `, ETA ${duration(left / rate)}` : ""
  const resumed = skipped > 0 ? ` (+${skipped} from an earlier run)` : ""
  return `batch: ${c.done}/${total} done${resumed}, ${c.failed} failed, ${c.running} running, ${rate.toFixed(1)} tasks/s${eta}`
}

function duration(seconds: number): string {
  const s = Math.ceil(seconds)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`
}
