import { describe, expect, it } from "bun:test"
import { configFilter, matchesGlob, runFilter, splitPatterns } from "../../src/mcp/filters.ts"
import { filteredTools, namespaceTools } from "../../src/mcp/tools.ts"

const tool = (name: string) => ({ name, inputSchema: { type: "object" as const } })

describe("tool filters", () => {
  it("matches whole names with * and ?, everything else literal", () => {
    expect(matchesGlob("delete_file", "delete_*")).toBe(true)
    expect(matchesGlob("undelete_file", "delete_*")).toBe(false)
    expect(matchesGlob("get1", "get?")).toBe(true)
    expect(matchesGlob("get12", "get?")).toBe(false)
    expect(matchesGlob("a.b", "a.b")).toBe(true)
    expect(matchesGlob("axb", "a.b")).toBe(false)
  })

  it("names the rule: excludeTools with its pattern beats includeTools", () => {
    const f = { includeTools: ["read_*", "delete_one"], excludeTools: ["delete_*"] }
    expect(configFilter("read_file", f)).toBeUndefined()
    expect(configFilter("delete_one", f)).toEqual({ by: "excludeTools", pattern: "delete_*" })
    expect(configFilter("write_file", f)).toEqual({ by: "includeTools" })
  })

  it("filters namespaced tools by glob and lists the hidden ones with their rule", () => {
    const servers = [
      { server: "fs", tools: [tool("read_a"), tool("read_b"), tool("rm")], excludeTools: ["r?"] },
      { server: "gh", tools: [tool("issues"), tool("pulls")], includeTools: ["pull*"] },
    ]
    expect(namespaceTools(servers).tools.map((t) => t.name)).toEqual([
      "fs__read_a",
      "fs__read_b",
      "gh__pulls",
    ])
    expect(filteredTools(servers).map((t) => [t.server, t.tool.name, t.filtered])).toEqual([
      ["fs", "rm", { by: "excludeTools", pattern: "r?" }],
      ["gh", "issues", { by: "includeTools" }],
    ])
  })

  it("reads --tools/--exclude-tools as server__tool, server:tool or a bare tool glob", () => {
    const run = { tools: splitPatterns(["fs:read_*, gh__pulls"]), excludeTools: ["*:read_b"] }
    expect(runFilter("fs", "read_a", run)).toBeUndefined()
    expect(runFilter("gh", "pulls", run)).toBeUndefined()
    expect(runFilter("fs", "read_b", run)).toEqual({ by: "--exclude-tools", pattern: "*:read_b" })
    expect(runFilter("gh", "issues", run)).toEqual({ by: "--tools" })
    expect(runFilter("x", "rm", { tools: [], excludeTools: ["rm"] })).toEqual({
      by: "--exclude-tools",
      pattern: "rm",
    })
    // a tool name with characters the model's name replaces: the shown name matches too
    expect(runFilter("w", "get.page", { tools: ["w__get_page"], excludeTools: [] })).toBeUndefined()
  })
})
