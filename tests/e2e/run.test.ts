// `agent run` on the compiled binary, against the model-provider fixture (Anthropic wire format)
// and real MCP fixture servers: multi-turn runs, parallel calls, errors, refusals, limits, every
// output format checked against the documented schemas, and each exit code.
import { describe, expect, it } from "bun:test"
import { fakeModel } from "../fixtures/model/server.ts"
import { LONG_TOOL } from "../fixtures/servers/stdio-agent.ts"
import { BUN, runCli } from "../helpers/cli.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { AGENT_SERVER, config, events, modelEnv, report, run } from "./run-helpers.ts"

const MODEL = ["-m", "anthropic:claude-test"]

describe("compiled binary: agent run", () => {
  it("runs turns with parallel calls, a tool error, a refusal, a $ref schema and a 70-character tool name (stream-json)", async () => {
    await using t = await tmpdir()
    const file = await config(t)
    const listed = await runCli(["mcp", "tools", "srv", "--mcp", file, "-o", "json"], {
      home: t.home,
      cwd: t.path,
      binary: true,
    })
    const long = listed
      .json<{ tools: { name: string; tool: string }[] }>()
      .tools.find((x) => x.tool === LONG_TOOL)!.name
    expect(long.length).toBeLessThanOrEqual(64)
    await using srv = await fakeModel([
      {
        text: "Working. ",
        toolCalls: [
          { name: "srv__slow", args: { ms: 600 } },
          { name: "srv__slow", args: { ms: 600 } },
          { name: "srv__fail" },
          { name: "srv__env_dump" },
        ],
      },
      {
        toolCalls: [
          { name: "srv__route", args: { from: { lat: 0, lon: 0 }, to: { lat: 3, lon: 4 } } },
          { name: long, args: { id: "42" } },
        ],
      },
      { text: "All done." },
    ])
    const r = await run(
      t,
      [
        "--mcp",
        file,
        ...MODEL,
        "--allow",
        "srv__*",
        "--deny",
        "srv__env_dump",
        "-o",
        "stream-json",
        "do the work",
      ],
      modelEnv(srv),
    )
    expect(r.code).toBe(0)
    const list = events(r)
    expect(list[0]).toMatchObject({
      type: "init",
      model: "anthropic:claude-test",
      servers: [{ name: "srv", status: "connected", transport: "stdio" }],
    })
    const init = list[0] as Extract<(typeof list)[0], { type: "init" }>
    expect(init.tools).toContain(long)
    // Parallel: both slow calls started before either finished.
    const slowUse = list.flatMap((e, i) => (e.type === "tool_use" && e.name === "srv__slow" ? [i] : []))
    const slowDone = list.flatMap((e, i) => (e.type === "tool_result" && e.name === "srv__slow" ? [i] : []))
    expect(Math.max(...slowUse)).toBeLessThan(Math.min(...slowDone))
    const res = list.at(-1) as Extract<(typeof list)[0], { type: "result" }>
    expect(res).toMatchObject({ exitReason: "completed", exitCode: 0, result: "All done.", turns: 3 })
    expect(res.toolCalls.map((c) => [c.tool, c.isError, c.isRefused])).toEqual([
      ["slow", false, false],
      ["slow", false, false],
      ["fail", true, false],
      ["env_dump", true, true],
      ["route", false, false],
      [LONG_TOOL, false, false],
    ])
    expect(res.toolCalls[0]!.bytes).toBeGreaterThan(0)
    expect(res.refusals).toEqual([
      expect.objectContaining({ name: "srv__env_dump", reason: expect.stringContaining("--deny") }),
    ])
    expect(res.usage.totalTokens).toBeGreaterThan(0)
    const results = list.filter((e) => e.type === "tool_result")
    // durationMs is measured around each call: the stream's tool_result carries the same number,
    // and no call outlasts the whole run.
    for (const c of res.toolCalls) {
      expect(results.find((e) => e.id === c.id)?.durationMs).toBe(c.durationMs)
      expect(c.durationMs).toBeLessThanOrEqual(res.durationMs)
    }
    expect(results.find((e) => e.name === "srv__route")!.content).toBe("5")
    expect(results.find((e) => e.name === long)!.content).toBe("record 42")
    // The model saw the $ref schema dereferenced.
    const sent = (
      srv.requests[0]!.body.tools as { name: string; input_schema: Record<string, unknown> }[]
    ).find((x) => x.name === "srv__route")!
    expect(JSON.stringify(sent.input_schema)).not.toContain("$ref")
  }, 60_000)

  it("text output streams the answer to stdout and tool activity to stderr", async () => {
    await using t = await tmpdir()
    await using srv = await fakeModel([
      { toolCalls: [{ name: "srv__echo", args: { text: "hi" } }] },
      { text: "The echo said hi." },
    ])
    const r = await run(t, ["--mcp", await config(t), ...MODEL, "--yes", "go"], modelEnv(srv))
    expect(r.code).toBe(0)
    expect(r.stdout).toBe("The echo said hi.\n")
    expect(r.stderr).toContain("→ srv__echo")
    expect(r.stderr).toMatch(/← srv__echo ok \d+ ms/)
  }, 30_000)

  it("exit 1 at --max-turns, 124 at --timeout 3s, 3 for a refusal under --strict-permissions (json reports)", async () => {
    await using t = await tmpdir()
    const file = await config(t)
    await using srv = await fakeModel([{ toolCalls: [{ name: "srv__echo", args: { text: "a" } }] }])
    const turns = await run(
      t,
      ["--mcp", file, ...MODEL, "--yes", "--max-turns", "1", "-o", "json", "loop"],
      modelEnv(srv),
    )
    expect(turns.code).toBe(1)
    expect(report(turns)).toMatchObject({ exitReason: "max_turns", turns: 1 })

    // Its own model: --timeout counts from the start (server start-up included), so the deadline
    // may come before or after the model hands out the slow call; either way it ends the run.
    await using slowModel = await fakeModel([{ toolCalls: [{ name: "srv__slow", args: { ms: 20_000 } }] }])
    const slow = await run(
      t,
      ["--mcp", file, ...MODEL, "--yes", "--timeout", "3s", "-o", "json", "wait"],
      modelEnv(slowModel),
    )
    expect(slow.code).toBe(124)
    // The 20 s call never finished: --timeout ended the run, not the tool.
    expect(report(slow)).toMatchObject({
      exitReason: "timeout",
      error: expect.stringContaining("--timeout"),
      toolCalls: [],
    })

    srv.push({ toolCalls: [{ name: "srv__echo", args: { text: "b" } }] })
    const strict = await run(
      t,
      ["--mcp", file, ...MODEL, "--strict-permissions", "-o", "json", "try"],
      modelEnv(srv),
    )
    expect(strict.code).toBe(3)
    expect(report(strict)).toMatchObject({ exitReason: "refused", refusals: [{ name: "srv__echo" }] })
  }, 60_000)

  it("exit 2 for bad flags and a missing key, 5 when a required server is down", async () => {
    await using t = await tmpdir()
    const file = await config(t)
    const bad = await run(t, ["--mcp", file, ...MODEL, "--timeout", "soon", "x"], { ANTHROPIC_API_KEY: "k" })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain("--timeout must be a duration such as 500ms, 30s, 2m")
    const key = await run(t, ["--mcp", file, ...MODEL, "x"])
    expect(key.code).toBe(2)
    expect(key.stderr).toContain("ANTHROPIC_API_KEY is not set")
    const down = await config(t, {
      srv: { command: BUN, args: [AGENT_SERVER] },
      gone: { command: "/nonexistent/server", required: true },
    })
    const r = await run(t, ["--mcp", down, ...MODEL, "x"], { ANTHROPIC_API_KEY: "k" })
    expect(r.code).toBe(5)
    expect(r.stderr).toContain("required server gone")
  }, 60_000)

  it("uses the config file's model when --model and AGENT_MODEL are absent", async () => {
    await using t = await tmpdir()
    await using srv = await fakeModel([{ text: "from config" }])
    const file = await t.write("mcp.json", { model: "anthropic:claude-from-config", mcpServers: {} })
    const r = await run(t, ["--mcp", file, "-o", "json", "hi"], modelEnv(srv))
    expect(r.stderr).not.toContain("unknown")
    expect(report(r)).toMatchObject({ model: "anthropic:claude-from-config", result: "from config" })
    expect(srv.requests[0]!.body.model).toBe("claude-from-config")
  }, 30_000)
})
