// Tool naming (docs/design.md §5, P02) and the line splitter's memory bound (T06), without servers.
import { describe, expect, it } from "bun:test"
import { LineSplitter } from "../../src/mcp/lines.ts"
import { namespaceTools } from "../../src/mcp/tools.ts"
import type { Tool } from "../../src/mcp/types.ts"

const tool = (name: string, description?: string): Tool =>
  ({ name, description, inputSchema: { type: "object" } }) as Tool

describe("namespaceTools", () => {
  it("names tools server__tool, sanitised to [A-Za-z0-9_-]", () => {
    const { tools, mapBack } = namespaceTools([
      { server: "git.hub", tools: [tool("repos/list"), tool("añadir"), tool("ok-1")] },
    ])
    expect(tools.map((t) => t.name)).toEqual(["git_hub__a_adir", "git_hub__ok-1", "git_hub__repos_list"])
    expect(mapBack("git_hub__repos_list")).toEqual({ server: "git.hub", tool: "repos/list" })
    expect(mapBack("git_hub__a_adir")).toEqual({ server: "git.hub", tool: "añadir" })
    for (const t of tools) expect(t.name).toMatch(/^[A-Za-z0-9_-]{1,64}$/)
  })

  it("keeps the same tool name from two servers apart (no shadowing)", () => {
    const { tools, mapBack } = namespaceTools([
      { server: "b", tools: [tool("search")] },
      { server: "a", tools: [tool("search")] },
    ])
    expect(tools.map((t) => t.name)).toEqual(["a__search", "b__search"])
    expect(mapBack("b__search")).toEqual({ server: "b", tool: "search" })
  })

  it("resolves collisions after sanitising deterministically, whatever the input order", () => {
    const one = namespaceTools([{ server: "s", tools: [tool("a/b"), tool("a_b"), tool("a.b")] }])
    const two = namespaceTools([{ server: "s", tools: [tool("a.b"), tool("a_b"), tool("a/b")] }])
    expect(one.tools.map((t) => [t.name, t.tool.name])).toEqual(two.tools.map((t) => [t.name, t.tool.name]))
    expect(new Set(one.tools.map((t) => t.name)).size).toBe(3)
    for (const t of one.tools) expect(one.mapBack(t.name)).toEqual({ server: "s", tool: t.tool.name })
  })

  it("cuts names over 64 chars with a hash that keeps them unique", () => {
    const long = "x".repeat(70)
    const { tools, mapBack } = namespaceTools([
      { server: "srv", tools: [tool(`${long}_1`), tool(`${long}_2`)] },
    ])
    expect(tools.every((t) => t.name.length <= 64)).toBe(true)
    expect(new Set(tools.map((t) => t.name)).size).toBe(2)
    expect(mapBack(tools[1]!.name)).toEqual({ server: "srv", tool: `${long}_2` })
    expect(namespaceTools([{ server: "srv", tools: [tool(`${long}_2`)] }]).tools[0]!.name).toBe(
      tools[1]!.name,
    )
  })

  it("applies excludeTools and includeTools", () => {
    const { tools } = namespaceTools([
      { server: "a", tools: [tool("x"), tool("y"), tool("z")], excludeTools: ["y"] },
      { server: "b", tools: [tool("x"), tool("y")], includeTools: ["y"] },
    ])
    expect(tools.map((t) => t.name)).toEqual(["a__x", "a__z", "b__y"])
  })

  it("keeps names and descriptions raw in the data (the CLI escapes when printing, P01)", () => {
    const evil = "\x1b]52;c;aGk=\x07\u202e"
    const { tools } = namespaceTools([{ server: "s", tools: [tool(`t${evil}`, `d${evil}`)] }])
    expect(tools[0]!.tool.name).toBe(`t${evil}`)
    expect(tools[0]!.tool.description).toBe(`d${evil}`)
    expect(tools[0]!.name).toMatch(/^[A-Za-z0-9_-]+$/)
  })
})

describe("LineSplitter", () => {
  it("discards a 200 MB line as it streams, reports it once, and reads the next line", () => {
    const lines: string[] = []
    let oversize = 0
    const split = new LineSplitter(
      16 * 1024 * 1024,
      (l) => void lines.push(l.toString()),
      () => void oversize++,
    )
    split.push(Buffer.from('{"a":1}\n{"b":'))
    const chunk = Buffer.alloc(64 * 1024, "x")
    for (let i = 0; i < 3200; i++) split.push(chunk)
    expect((split as unknown as { size: number }).size).toBe(0) // nothing of the giant line is held
    split.push(Buffer.from('"}\n{"c":3}\n'))
    expect(oversize).toBe(1)
    expect(lines).toEqual(['{"a":1}', '{"c":3}'])
  })

  it("joins a line split across many chunks", () => {
    const lines: string[] = []
    const split = new LineSplitter(
      100,
      (l) => void lines.push(l.toString()),
      () => {},
    )
    for (const c of '{"x":"hello"}\n{"y"'.split("")) split.push(Buffer.from(c))
    split.push(Buffer.from(":2}\n"))
    expect(lines).toEqual(['{"x":"hello"}', '{"y":2}'])
  })
})
