// P09 on the compiled binary: a server offers `bomb`, whose 3 KB input schema doubles at each of
// 32 `$defs` levels (four billion nodes if inlined naively). `agent run` leaves that one tool
// out with a reason naming it (stderr and the report), offers the others and finishes the run
// under its --timeout; `agent mcp doctor` reports the tool for every model provider.
import { describe, expect, it } from "bun:test"
import { fakeModel } from "../fixtures/model/server.ts"
import { BUN, runCli } from "../helpers/cli.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { AGENT_SERVER, config, modelEnv, report, run } from "./run-helpers.ts"

const MODEL = ["-m", "anthropic:claude-test"]
const BOMB = { srv: { command: BUN, args: [AGENT_SERVER], env: { SCHEMA_BOMB: "1" } } }
const REASON = "input schema is too large once its $refs are inlined (over 10000 objects and arrays)"

describe("compiled binary: a tool schema over the inlining budget (P09)", () => {
  it("agent run leaves out only that tool, says so on stderr and in the report, and the run goes on", async () => {
    await using t = await tmpdir()
    const file = await config(t, BOMB)
    await using srv = await fakeModel([
      { toolCalls: [{ name: "srv__echo", args: { text: "still here" } }] },
      { text: "done" },
      { text: "again" },
      { text: "streamed" },
    ])

    const json = await run(
      t,
      ["--mcp", file, ...MODEL, "--yes", "--timeout", "20s", "-o", "json", "echo something"],
      modelEnv(srv),
    )
    const doc = report(json)
    expect(json.code).toBe(0)
    expect(doc).toMatchObject({ exitReason: "completed", result: "done" })
    expect(doc.skippedTools).toEqual([{ name: "srv__bomb", reason: REASON }])
    const offered = (srv.requests[0]!.body.tools as { name: string }[]).map((x) => x.name)
    expect(offered).toContain("srv__echo")
    expect(offered).not.toContain("srv__bomb")

    const text = await run(t, ["--mcp", file, ...MODEL, "--yes", "say again"], modelEnv(srv))
    expect(text.code).toBe(0)
    expect(text.stdout).toBe("again\n")
    expect(text.stderr).toContain(`tool srv__bomb left out: ${REASON}`)
    // Said once: init carries the skipped tools, and no separate warning event repeats it.
    expect(text.stderr.split("srv__bomb left out").length).toBe(2)

    // stream-json: the first event is init (a warning before it broke consumers that wait for init).
    const stream = await run(
      t,
      ["--mcp", file, ...MODEL, "--yes", "-o", "stream-json", "once more"],
      modelEnv(srv),
    )
    expect(stream.code).toBe(0)
    const first = JSON.parse(stream.stdout.split("\n")[0]!)
    expect(first).toMatchObject({ type: "init", skippedTools: [{ name: "srv__bomb", reason: REASON }] })
  }, 60_000)

  it("agent mcp doctor reports the tool as left out for each provider and keeps checking the rest", async () => {
    await using t = await tmpdir()
    const file = await config(t, BOMB)
    const r = await runCli(["mcp", "doctor", "srv", "--mcp", file, "-o", "json"], {
      home: t.home,
      cwd: t.path,
      binary: true,
      timeoutMs: 60_000,
    })
    expect(r.code).toBe(0) // a left-out tool is a warning, not a broken server
    const findings = r.json<{
      servers: { name: string; findings: { check: string; severity: string; message: string }[] }[]
    }>().servers[0]!.findings
    const bomb = findings.filter((f) => f.message.includes("tool bomb"))
    expect(bomb.map((f) => f.check).sort()).toEqual([
      "tools.schema.anthropic",
      "tools.schema.bedrock",
      "tools.schema.google",
      "tools.schema.openai",
    ])
    for (const f of bomb)
      expect(f).toMatchObject({
        severity: "warn",
        message: expect.stringContaining(`would be left out: ${REASON}`),
      })
    expect(findings.map((f) => f.check)).toContain("connect.mcp")
  }, 60_000)
})
