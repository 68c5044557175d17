// limitToolResult and readRange without I/O: what `agent mcp serve` would call (the e2e side is
// tests/e2e/run-spill.test.ts).
import { describe, expect, it } from "bun:test"
import { limitToolResult, readRange } from "../../src/agent/spill.ts"

const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`).join("\n")

describe("limitToolResult", () => {
  it("passes a result under the limit through untouched, with no plan", () => {
    const result = { content: [{ type: "text" as const, text: "short" }] }
    const r = limitToolResult(result, { maxTokens: 10, id: "out1", dir: "/run" })
    expect(r).toEqual({ result, text: "short", bytes: 5 })
  })

  it("over the limit: head at a line end, a note, a plan with the whole text; the result keeps isError", () => {
    const full = lines(100) // 791 characters
    const r = limitToolResult(
      { content: [{ type: "text", text: full }], isError: true },
      { maxTokens: 25, id: "out3", dir: "/run" },
    )
    expect(r.spill).toMatchObject({
      id: "out3",
      text: { path: "/run/out3.txt", data: full },
      items: [],
      chars: full.length,
      limitTokens: 25,
    })
    const head = full.slice(0, r.spill!.headChars)
    expect(head.endsWith("\n")).toBe(true)
    expect(head.length).toBeLessThanOrEqual(100)
    expect(r.text.startsWith(`${head}\n[agent: this tool result is ${full.length} characters`)).toBe(true)
    expect(r.result).toEqual({ content: [{ type: "text", text: r.text }], isError: true })
  })

  it("counts binary items by their base64 and plans one file each", () => {
    const data = Buffer.alloc(300, 1).toString("base64") // 400 characters
    const r = limitToolResult(
      {
        content: [
          { type: "text", text: "hi" },
          { type: "image", data, mimeType: "image/jpeg" },
        ],
      },
      { maxTokens: 50, id: "out1", dir: "/run" },
    )
    expect(r.spill!.estimatedTokens).toBe(Math.ceil((r.spill!.chars + 400) / 4))
    expect(r.spill!.items.map((i) => [i.path, i.mimeType, i.data.length])).toEqual([
      ["/run/out1-1.jpg", "image/jpeg", 300],
    ])
    expect(r.text).not.toContain(data)
    expect(r.text).toContain("[image: image/jpeg, 300 bytes, saved to /run/out1-1.jpg]")
  })
})

describe("readRange", () => {
  const full = lines(10)
  it("reads by characters, capped at the limit, saying where to go on", () => {
    expect(readRange(full, "out1", { offset: 0, limit: 6 }, 1000).text).toBe(
      `line 1\n\n[agent: characters 0–6 of ${full.length}; more from {"id":"out1","offset":6}]`,
    )
    expect(readRange(full, "out1", {}, 4).text.startsWith("line\n\n[agent: characters 0–4")).toBe(true)
  })
  it("reads lines (1-based, inclusive) and refuses mixed or reversed ranges", () => {
    expect(readRange(full, "o", { startLine: 9, endLine: 10 }, 1000).text).toBe(
      `line 9\nline 10\n\n[agent: characters ${full.length - 14}–${full.length} of ${full.length}; the end]`,
    )
    expect(readRange(full, "o", { startLine: 2, endLine: 2 }, 1000).text.startsWith("line 2\n\n")).toBe(true)
    expect(readRange(full, "o", { startLine: 3, endLine: 2 }, 1000).isError).toBe(true)
    expect(readRange(full, "o", { startLine: 1, offset: 2 }, 1000).isError).toBe(true)
    expect(readRange(full, "o", { offset: full.length + 5 }, 1000).isError).toBe(true)
  })
})
