import { describe, expect, it } from "bun:test"
import { Client } from "@modelcontextprotocol/client"
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { ensureBinary } from "../helpers/binary.ts"
import { agentEnv, runCli } from "../helpers/cli.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { BASIC, stdioConfig, textOf } from "../serve/helpers.ts"

// `agent mcp export --proxy` on the compiled binary: the entry it writes into a Cursor file is a
// command that really runs: the SDK client starts it exactly as Cursor would and reaches the
// stdio fixture server through `agent mcp proxy`.
describe("compiled binary: agent mcp export --proxy", () => {
  it("writes a Cursor entry whose command runs agent mcp proxy against the server", async () => {
    const agent = await ensureBinary()
    await using t = await tmpdir()
    const cfg = await stdioConfig(t, { one: BASIC })
    const file = join(t.path, "cursor", "mcp.json")
    const r = await runCli(
      ["mcp", "export", "--to", "cursor", "--proxy", "--file", file, "--mcp", cfg, "--mcp-only", "--yes"],
      { home: t.home, cwd: t.path, binary: true },
    )
    expect(r.code).toBe(0)
    const entry = JSON.parse(await readFile(file, "utf8")).mcpServers.one
    expect(entry).toEqual({ command: agent, args: ["mcp", "proxy", "one", "--mcp", cfg] })
    const transport = new StdioClientTransport({
      command: entry.command,
      args: entry.args,
      env: agentEnv(t.home),
      cwd: t.path,
      stderr: "pipe",
    })
    const client = new Client({ name: "cursor-stand-in", version: "1.0.0" }, {})
    await client.connect(transport)
    try {
      expect(textOf(await client.callTool({ name: "echo", arguments: { text: "exported" } }))).toBe(
        "exported",
      )
    } finally {
      await client.close()
    }
  }, 90_000)
})
