import { describe, expect, it } from "bun:test"
import { startAuthServer } from "../fixtures/oauth/as.ts"
import { runCli } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"

// A `required: true` server that needs sign-in is an authentication problem, exit 4
// (docs/design.md §10), not an unavailable server (5): `agent run`, `agent mcp get` and `agent mcp list
// [--strict]`, non-interactive against the OAuth fixture, all stop at once and name the command
// that signs in. A required server that is down for another reason still makes it 5.
const agentIn = (t: TmpDir, file: string) => (args: string[]) =>
  runCli([...args, "--mcp", file, "--no-interactive"], {
    home: t.home,
    cwd: t.path,
    binary: true,
    env: { ANTHROPIC_API_KEY: "unused" },
  })

describe("compiled binary: a required server that needs sign-in", () => {
  it("agent run, mcp get and mcp list (--strict) exit 4 at once and name agent mcp auth", async () => {
    await using as = await startAuthServer()
    await using t = await tmpdir()
    const agent = agentIn(
      t,
      await t.write("mcp.json", { mcpServers: { fx: { type: "http", url: as.url, required: true } } }),
    )
    // "At once": it exits 4 by itself (a wait for sign-in would end in runCli's kill) and
    // never starts one (no /authorize, checked below).
    const run = await agent(["run", "-m", "anthropic:claude-test", "hello"])
    expect(run.code).toBe(4)
    expect(run.stderr).toContain("required server fx needs sign-in")
    expect(run.stderr).toContain("agent mcp auth fx")
    const get = await agent(["mcp", "get", "fx"])
    expect(get.code).toBe(4)
    expect(get.stderr).toContain("agent mcp auth fx")
    for (const flags of [[], ["--strict"]]) {
      const list = await agent(["mcp", "list", ...flags])
      expect(list.code).toBe(4)
      expect(list.stderr).toContain("agent mcp auth fx")
    }
    expect(as.requests.some((q) => q.path === "/authorize")).toBe(false)
  }, 60_000)

  it("exit 5 when another required server is down too", async () => {
    await using as = await startAuthServer()
    await using t = await tmpdir()
    const agent = agentIn(
      t,
      await t.write("mcp.json", {
        mcpServers: {
          fx: { type: "http", url: as.url, required: true },
          dead: { command: "/nonexistent/agentrt-no-such-server", required: true },
        },
      }),
    )
    const run = await agent(["run", "-m", "anthropic:claude-test", "hello"])
    expect(run.code).toBe(5)
    expect(run.stderr).toContain("required server fx, dead did not connect")
    expect((await agent(["mcp", "list", "--strict"])).code).toBe(5)
  }, 60_000)
})
