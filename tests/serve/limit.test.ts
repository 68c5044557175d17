import { describe, expect, it } from "bun:test"
import { statSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { dirname, join } from "node:path"
import { FIXTURES, connectStdio, stdioConfig, textOf } from "./helpers.ts"
import { lineOf, linesText } from "../fixtures/servers/stdio-spill.ts"
import { tmpdir } from "../helpers/tmp.ts"

// Tool output limits for `agent mcp serve` (issue 14, docs/serve.md "Large tool results"): off by
// default; with --max-tool-output a result past the limit is saved under the state dir and the
// client gets the head, the note and a read_tool_output tool (listed once something was saved).

const SPILL = join(FIXTURES, "stdio-spill.ts")

async function waitFor(what: string, check: () => boolean, budgetMs = 15_000) {
  // A budget so a missing notification fails with a message instead of hanging (not a timing assertion).
  for (const end = Date.now() + budgetMs; Date.now() < end; await Bun.sleep(50)) if (check()) return
  throw new Error(`never happened: ${what}`)
}

describe("agent mcp serve --max-tool-output (stdio, SDK client)", () => {
  it("cuts a big result to the head and the note, saves it 0600, and read_tool_output reads a range", async () => {
    await using t = await tmpdir()
    const cfg = await stdioConfig(t, { big: SPILL })
    await using c = await connectStdio(t, ["mcp", "serve", "--mcp", cfg, "--max-tool-output", "1000"])
    let changed = 0
    c.client.setNotificationHandler("notifications/tools/list_changed", () => void changed++)
    const before = (await c.client.listTools()).tools.map((x) => x.name)
    expect(before).toContain("big__lines")
    expect(before).not.toContain("read_tool_output")

    // Under the limit: whole, nothing listed.
    expect(textOf(await c.client.callTool({ name: "big__small", arguments: {} }))).toBe("a few words")

    const r = await c.client.callTool({ name: "big__lines", arguments: { mb: 0.25 } })
    const text = textOf(r)
    const whole = linesText(0.25)
    expect(text.startsWith(`${lineOf(1)}\n${lineOf(2)}\n`)).toBe(true)
    expect(text.length).toBeLessThan(1000 * 4 + 1000)
    expect(text).toContain(`this tool result is ${whole.length} characters`)
    expect(text).toContain("over the 1000-token limit")
    expect(text).toContain('read_tool_output {"id":"out1"')
    const path = /saved in (\S+\.txt)\./.exec(text)?.[1]
    expect(path).toBeDefined()
    expect(path!.startsWith(join(t.home, "state", "serve"))).toBe(true)
    expect(await readFile(path!, "utf8")).toBe(whole)
    expect(statSync(path!).mode & 0o777).toBe(0o600)
    expect(statSync(dirname(path!)).mode & 0o777).toBe(0o700)

    await waitFor("tools/list_changed reached the client", () => changed > 0)
    const after = (await c.client.listTools()).tools
    const read = after.find((x) => x.name === "read_tool_output")
    expect(read?.inputSchema.required).toEqual(["id"])

    const range = await c.client.callTool({
      name: "read_tool_output",
      arguments: { id: "out1", startLine: 100, endLine: 102 },
    })
    expect(range.isError).toBeFalsy()
    expect(
      textOf(range).startsWith(`${lineOf(100)}\n${lineOf(101)}\n${lineOf(102)}\n\n[agent: characters`),
    ).toBe(true)
    const missing = await c.client.callTool({ name: "read_tool_output", arguments: { id: "out9" } })
    expect(missing.isError).toBe(true)
    expect(textOf(missing)).toContain("saved: out1")
  }, 60_000)

  it("without the flag the result is whole and there is no read_tool_output", async () => {
    await using t = await tmpdir()
    const cfg = await stdioConfig(t, { big: SPILL })
    await using c = await connectStdio(t, ["mcp", "serve", "--mcp", cfg])
    const r = await c.client.callTool({ name: "big__lines", arguments: { mb: 0.25 } })
    expect(textOf(r)).toBe(linesText(0.25))
    expect((await c.client.listTools()).tools.map((x) => x.name)).not.toContain("read_tool_output")
  }, 60_000)
})
