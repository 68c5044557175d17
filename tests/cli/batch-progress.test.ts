// The batch progress line on stderr: counts, rate and ETA from a given clock; at a terminal the
// line is redrawn in place, in a log it is a plain line; stop() always writes the last state.
import { describe, expect, it } from "bun:test"
import { batchProgress, progressLine } from "../../src/cli/run/batch-progress.ts"

describe("batch progress", () => {
  it("shows done, failed, running, the rate and the time left", () => {
    expect(progressLine({ done: 50, failed: 2, running: 8 }, 200, 0, 25_000)).toBe(
      "batch: 50/200 done, 2 failed, 8 running, 2.0 tasks/s, ETA 1m15s",
    )
    expect(progressLine({ done: 0, failed: 0, running: 4 }, 10, 5, 1000)).toBe(
      "batch: 0/10 done (+5 from an earlier run), 0 failed, 4 running, 0.0 tasks/s",
    )
    expect(progressLine({ done: 10, failed: 0, running: 0 }, 10, 0, 4000)).toBe(
      "batch: 10/10 done, 0 failed, 0 running, 2.5 tasks/s",
    )
    expect(progressLine({ done: 1, failed: 0, running: 1 }, 20_000, 0, 1000)).toContain("ETA 5h33m")
  })

  it("ends with the last state: redrawn at a terminal, a plain line in a log", () => {
    let now = 0
    const tty: string[] = []
    const p = batchProgress({ total: 4, skipped: 0, isTty: true, write: (s) => tty.push(s), now: () => now })
    now = 2000
    p.update({ done: 4, failed: 1, running: 0 })
    p.stop()
    expect(tty.at(-1)).toBe("\r\x1b[2Kbatch: 4/4 done, 1 failed, 0 running, 2.0 tasks/s\n")
    const log: string[] = []
    const q = batchProgress({ total: 4, skipped: 0, isTty: false, write: (s) => log.push(s), now: () => now })
    q.update({ done: 1, failed: 0, running: 3 })
    q.stop()
    expect(log).toEqual(["batch: 1/4 done, 0 failed, 3 running, 0.0 tasks/s\n"])
  })
})
