import { describe, expect, it } from "bun:test"
import { join } from "node:path"
import { BUN, ROOT, runCli } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"

// `agent mcp revoke NAME` on the compiled binary: a project server (.mcp.json, from the
// repository) trusted with `agent mcp approve` is refused again from the next run on.
const BASIC = join(ROOT, "tests/fixtures/servers/stdio-basic.ts")
const agent = (t: TmpDir, args: string[]) => runCli(args, { home: t.home, cwd: t.path, binary: true })
const statuses = async (t: TmpDir) =>
  Object.fromEntries(
    (await agent(t, ["mcp", "list", "-o", "json"]))
      .json<{ servers: { name: string; status: string }[] }>()
      .servers.map((s) => [s.name, s.status]),
  )

describe("compiled binary: agent mcp revoke", () => {
  it("withdraws trust from one project server: it is not started again until approved again", async () => {
    await using t = await tmpdir({
      files: {
        ".mcp.json": {
          mcpServers: { proj: { command: BUN, args: [BASIC] }, other: { command: BUN, args: [BASIC] } },
        },
      },
    })
    expect((await agent(t, ["mcp", "approve", "proj", "--yes"])).code).toBe(0)
    expect((await agent(t, ["mcp", "approve", "other", "--yes"])).code).toBe(0)
    expect(await statuses(t)).toEqual({ proj: "connected", other: "connected" })

    const revoke = await agent(t, ["mcp", "revoke", "proj"])
    expect(revoke.code).toBe(0)
    expect(revoke.stdout).toBe('revoked trust in 1 project server called "proj"\n')

    expect(await statuses(t)).toEqual({ proj: "needs_approval", other: "connected" })
    const list = await agent(t, ["mcp", "list"])
    expect(list.stdout).toMatch(/^proj +stdio +- +needs-approval/m)
    expect(list.stderr).toContain("agent mcp approve proj") // the command that approves
    const call = await agent(t, ["mcp", "call", "proj", "echo", "--arg", "text=hi"])
    expect(call.code).toBe(3)
    expect(call.stderr).toContain('project server "proj"')
    expect(call.stderr).toContain("is not yet trusted")
    expect(call.stdout).toBe("")
    expect((await agent(t, ["config", "validate"])).code).toBe(3)

    expect((await agent(t, ["mcp", "approve", "proj", "--yes"])).code).toBe(0)
    expect(await statuses(t)).toEqual({ proj: "connected", other: "connected" })
  }, 60_000)

  it("a name with no trust to revoke is an error that says nothing changed (exit 2)", async () => {
    await using t = await tmpdir({
      files: { ".mcp.json": { mcpServers: { proj: { command: "node", args: ["srv.js"] } } } },
    })
    const r = await agent(t, ["mcp", "revoke", "proj"])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('no trusted project server is called "proj"')
    expect(r.stderr).toContain("nothing was changed")
    expect(r.stdout).toBe("")
  })
})
