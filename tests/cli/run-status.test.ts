// The `agent run` status line on a fake clock: shown after about a second in one state, updated
// each second, erased before output and while a question is asked, never over a streaming answer.
import { describe, expect, it } from "bun:test"
import type { RunEvent } from "../../src/agent/index.ts"
import { runStatus } from "../../src/cli/run/status.ts"
import { fakeClock } from "../helpers/fake-clock.ts"

const ERASE = "\r\x1b[2K"

function setup(isStdoutTty = true) {
  const { clock, advance } = fakeClock()
  const writes: string[] = []
  const status = runStatus({ write: (s) => writes.push(s), isStdoutTty, clock })
  const shown = () => writes.filter((w) => w.length > ERASE.length).map((w) => w.slice(ERASE.length + 2))
  return { status, advance, writes, shown }
}

const ev = (e: Record<string, unknown>) => e as unknown as RunEvent

describe("run status line", () => {
  it("shows a running tool after a second, counting seconds, and erases it before the result line", () => {
    const { status, advance, writes, shown } = setup()
    status.onEvent(ev({ type: "tool_use", turn: 1, id: "a", name: "srv__slow", input: {} }))
    advance(900)
    expect(writes).toEqual([])
    advance(2200)
    expect(shown()).toContain("running srv__slow (1s)")
    expect(shown()).toContain("running srv__slow (3s)")
    expect(shown().every((l) => l.startsWith("running srv__slow ("))).toBe(true)
    status.before("stderr", "← srv__slow ok")
    expect(writes.at(-1)).toBe(ERASE)
    status.onEvent(ev({ type: "tool_result", turn: 1, id: "a", name: "srv__slow" }))
    const n = writes.length
    advance(5000)
    expect(writes.length).toBe(n) // nothing runs and no turn started: nothing to show
  })

  it("says it waits for the model; no line over an answer streaming onto the same terminal", () => {
    const { status, advance, shown } = setup(true)
    status.onEvent(ev({ type: "turn", turn: 1 }))
    advance(1300)
    expect(new Set(shown())).toEqual(new Set(["waiting for the model (1s)"]))
    const n = shown().length
    status.before("stdout", "Hello")
    status.onEvent(ev({ type: "text", turn: 1, delta: "Hello" }))
    advance(3000)
    expect(shown()).toHaveLength(n)
  })

  it("shows the streaming state when the answer goes elsewhere (stdout not the terminal)", () => {
    const { status, advance, shown } = setup(false)
    status.onEvent(ev({ type: "turn", turn: 1 }))
    status.onEvent(ev({ type: "text", turn: 1, delta: "Hel" }))
    advance(2100)
    expect(shown()).toContain("model streaming (2s)")
  })

  it("is erased and not drawn while a question is asked, and gone for good at the result", () => {
    const { status, advance, writes, shown } = setup()
    status.onEvent(ev({ type: "tool_use", turn: 1, id: "a", name: "srv__x", input: {} }))
    advance(1100)
    expect(shown()).toEqual(["running srv__x (1s)"])
    status.pause()
    expect(writes.at(-1)).toBe(ERASE)
    advance(3000)
    expect(shown()).toEqual(["running srv__x (1s)"])
    status.resume()
    advance(300)
    expect(shown().at(-1)).toBe("running srv__x (4s)")
    status.onEvent(ev({ type: "result" }))
    expect(writes.at(-1)).toBe(ERASE)
    advance(5000)
    expect(writes.at(-1)).toBe(ERASE)
  })
})
