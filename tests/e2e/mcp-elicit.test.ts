import { describe, expect, it } from "bun:test"
import { join } from "node:path"
import { BUN, ROOT, runCli, runCliTty } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"

// A server's elicitation request during the `agent mcp` commands, on the compiled binary: the
// fixture tool `ask_user` asks for a form (name, color, count, agree, all with defaults) and
// returns the answer it got. At a terminal the form is asked; without one it is declined, unless
// --elicit defaults accepts it with the schema's defaults (SEP-1034).
const BASIC = join(ROOT, "tests/fixtures/servers/stdio-basic.ts")

async function setup(t: TmpDir) {
  const file = await t.write("mcp.json", { mcpServers: { local: { command: BUN, args: [BASIC] } } })
  return (args: string[]) =>
    runCli(["mcp", ...args, "--mcp", file], { home: t.home, cwd: t.path, binary: true, timeoutMs: 30_000 })
}

const answerOf = (stdout: string) =>
  (JSON.parse(stdout) as { answer: { action: string; content?: Record<string, unknown> } }).answer

describe("compiled binary: elicitation in agent mcp", () => {
  it("declines without a terminal, and says how to accept the defaults instead", async () => {
    await using t = await tmpdir()
    const agent = await setup(t)
    const r = await agent(["call", "local", "ask_user"])
    expect(r.code).toBe(0)
    expect(answerOf(r.stdout)).toMatchObject({ action: "decline" })
    expect(r.stderr).toContain("elicitation from local declined: no terminal to ask; --elicit defaults")
  }, 30_000)

  it("--elicit defaults accepts the form with the schema's defaults; --elicit decline declines", async () => {
    await using t = await tmpdir()
    const agent = await setup(t)
    const accepted = await agent(["call", "local", "ask_user", "--elicit", "defaults"])
    expect(accepted.code).toBe(0)
    expect(answerOf(accepted.stdout)).toEqual({
      action: "accept",
      content: { name: "Ada", color: "green", count: 3, agree: true },
    })
    expect(accepted.stderr).not.toContain("declined")
    const declined = await agent(["call", "local", "ask_user", "--elicit", "decline"])
    expect(answerOf(declined.stdout)).toMatchObject({ action: "decline" })
    expect(declined.stderr).toContain("declined: --elicit decline")
  }, 30_000)

  it("refuses an unknown --elicit mode with exit 2 before connecting", async () => {
    await using t = await tmpdir()
    const r = await (await setup(t))(["call", "local", "ask_user", "--elicit", "always"])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--elicit must be one of: ask, decline, defaults (got "always")')
  }, 30_000)

  it("asks the form at a terminal, field by field (Enter keeps a default), the same prompt as agent run", async () => {
    await using t = await tmpdir()
    const file = await t.write("mcp.json", { mcpServers: { local: { command: BUN, args: [BASIC] } } })
    const input = ["y", "Grace", "", "5", "n"]
    const r = await runCliTty(["mcp", "call", "local", "ask_user", "--mcp", file], {
      home: t.home,
      cwd: t.path,
      binary: true,
      input,
      timeoutMs: 30_000,
    })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Server "local" asks: Tell me about yourself')
    expect(r.stdout).toMatch(
      /"answer":\{"action":"accept","content":\{"name":"Grace","color":"green","count":5,"agree":false\}\}/,
    )
  }, 40_000)

  it("asks again when the answer to y/n/c is something else (a typo does not decline)", async () => {
    await using t = await tmpdir()
    const file = await t.write("mcp.json", { mcpServers: { local: { command: BUN, args: [BASIC] } } })
    const input = ["yse", "y", "", "", "", ""]
    const r = await runCliTty(["mcp", "call", "local", "ask_user", "--mcp", file], {
      home: t.home,
      cwd: t.path,
      binary: true,
      input,
      timeoutMs: 30_000,
    })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("Please answer y or n or c:")
    expect(r.stdout).toMatch(
      /"answer":\{"action":"accept","content":\{"name":"Ada","color":"green","count":3,"agree":true\}\}/,
    )
  }, 40_000)
})
