import { describe, expect, it } from "bun:test"
import { closest, didYouMean, editDistance } from "../../src/util/suggest.ts"

describe("editDistance", () => {
  it("counts a swap of neighbours as one edit, like a person would", () => {
    expect(editDistance("lsit", "list")).toBe(1)
    expect(editDistance("ouptut", "output")).toBe(1)
    expect(editDistance("modle", "model")).toBe(1)
    expect(editDistance("everythng", "everything")).toBe(1)
    expect(editDistance("", "abc")).toBe(3)
    expect(editDistance("kitten", "sitting")).toBe(3)
  })
})

describe("closest", () => {
  it("suggests a near name and nothing for an unrelated one", () => {
    expect(closest("mpc", ["mcp", "output", "debug"])).toBe("mcp")
    expect(closest("ech", ["add", "echo", "slow"])).toBe("echo")
    expect(closest("yaml", ["text", "json"])).toBeUndefined()
    expect(closest("x", ["o", "q"], 0)).toBeUndefined()
  })

  it("ignores case and keeps the first of equally close names", () => {
    expect(closest("LIST", ["list", "lost"])).toBe("list")
    expect(closest("lst", ["list", "last"])).toBe("list")
  })

  it("formats the suggestion, or says nothing", () => {
    expect(didYouMean("ouptut", ["output"], (s) => `--${s}`)).toBe(" (did you mean --output?)")
    expect(didYouMean("zzz", ["output"])).toBe("")
  })
})
