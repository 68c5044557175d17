// The progress throttle on a fake clock: at a terminal one line rewritten (≤ 10 redraws a
// second, erased at the end); without one at most one line a second, the latest state winning.
import { describe, expect, it } from "bun:test"
import { callProgress, throttled } from "../../src/cli/shared/call-progress.ts"
import { fakeClock } from "../helpers/fake-clock.ts"

describe("throttled", () => {
  it("emits the first value at once, then the latest value once per interval", () => {
    const { clock, advance } = fakeClock()
    const seen: number[] = []
    const t = throttled(1000, clock, (v: number) => seen.push(v))
    for (let i = 1; i <= 30; i++) {
      t.push(i)
      advance(100) // 30 updates over 3 s
    }
    // 1 at t=0, then whatever was latest at t=1000, 2000, 3000.
    expect(seen).toEqual([1, 10, 20, 30])
  })

  it("cancel drops the pending value and clears the timer", () => {
    const { clock, advance, pending } = fakeClock()
    const seen: string[] = []
    const t = throttled(1000, clock, (v: string) => seen.push(v))
    t.push("a")
    t.push("b")
    expect(pending()).toBe(1)
    t.cancel()
    expect(pending()).toBe(0)
    advance(5000)
    t.push("c")
    expect(seen).toEqual(["a"])
  })
})

describe("callProgress", () => {
  it("without a terminal prints at most one line a second", () => {
    const { clock, advance } = fakeClock()
    let out = ""
    const p = callProgress("local", { write: (s) => (out += s), isTty: false, clock })
    for (let i = 1; i <= 30; i++) {
      p.update({ progress: i * 100, total: 3000, message: `tick ${i}` })
      advance(100)
    }
    p.done()
    expect(out).toBe("[local] 3% tick 1\n[local] 33% tick 10\n[local] 67% tick 20\n[local] 100% tick 30\n")
  })

  it("at a terminal rewrites one line (escaped, cut to the width) and erases it at the end", () => {
    const { clock, advance } = fakeClock()
    const writes: string[] = []
    const p = callProgress("local", { write: (s) => writes.push(s), isTty: true, columns: 30, clock })
    for (let i = 1; i <= 30; i++) {
      p.update({ progress: i, total: 30, message: `step \x1b[31m${i} with a long message that overflows` })
      advance(50) // 20 updates a second, drawn at most 10 times a second
    }
    p.done()
    const draws = writes.slice(0, -1)
    expect(draws.length).toBeLessThanOrEqual(16)
    expect(draws.length).toBeGreaterThanOrEqual(10)
    for (const d of draws) {
      expect(d.startsWith("\r\x1b[2K")).toBe(true)
      expect(d).not.toContain("\n")
      expect(d.slice(4)).not.toContain("\x1b")
      expect([...d.slice("\r\x1b[2K".length)].length).toBeLessThanOrEqual(29)
    }
    expect(draws[0]).toContain("[local] 3% step \\x1b[31m1")
    expect(writes.at(-1)).toBe("\r\x1b[2K")
  })

  it("a call with no progress writes nothing, not even the erase", () => {
    const writes: string[] = []
    const p = callProgress("local", { write: (s) => writes.push(s), isTty: true, clock: fakeClock().clock })
    p.done()
    expect(writes).toEqual([])
  })
})
