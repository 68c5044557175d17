// `agent run` as a black box: the fake model over ANTHROPIC_BASE_URL, a real stdio MCP server.
import { describe, expect, it } from "bun:test"
import { join } from "node:path"
import * as v from "valibot"
import { RunEvent } from "../../src/agent/index.ts"
import { RunReport } from "../../src/agent/events.ts"
import { fakeModel } from "../fixtures/model/server.ts"
import { BUN, ROOT, runCli } from "../helpers/cli.ts"
import { tmpdir } from "../helpers/tmp.ts"

const BASIC = join(ROOT, "tests/fixtures/servers/stdio-basic.ts")

describe("agent run", () => {
  it("streams json events and runs allowed tools (exit 0)", async () => {
    await using tmp = await tmpdir()
    const file = await tmp.write("mcp.json", { mcpServers: { local: { command: BUN, args: [BASIC] } } })
    await using srv = await fakeModel([
      { toolCalls: [{ name: "local__echo", args: { text: "hey" } }] },
      { text: "said hey" },
    ])
    const env = { ANTHROPIC_API_KEY: "k", ANTHROPIC_BASE_URL: srv.anthropicBaseUrl }
    const r = await runCli(
      [
        "run",
        "--mcp",
        file,
        "-m",
        "anthropic:claude-test",
        "--allow",
        "local__*",
        "-o",
        "stream-json",
        "say hey",
      ],
      { home: tmp.home, cwd: tmp.path, env },
    )
    expect(r.code).toBe(0)
    const events = r.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as RunEvent)
    for (const e of events) expect(v.safeParse(RunEvent, e).issues).toBeUndefined()
    expect(events[0]).toMatchObject({ type: "init", servers: [{ name: "local", status: "connected" }] })
    expect(events.at(-1)).toMatchObject({
      type: "result",
      result: "said hey",
      exitCode: 0,
      toolCalls: [{ server: "local", tool: "echo" }],
    })
  }, 30_000)

  it("records, then replays without a key; an unlisted tool is refused (json report)", async () => {
    await using tmp = await tmpdir()
    const file = await tmp.write("mcp.json", { mcpServers: { local: { command: BUN, args: [BASIC] } } })
    const rec = join(tmp.path, "run.jsonl")
    await using srv = await fakeModel([
      { toolCalls: [{ name: "local__echo", args: { text: "x" } }] },
      { text: "done" },
    ])
    const env = { ANTHROPIC_API_KEY: "k", ANTHROPIC_BASE_URL: srv.anthropicBaseUrl }
    const first = await runCli(
      ["run", "--mcp", file, "-m", "anthropic:claude-test", "-o", "json", "--record", rec, "go"],
      { home: tmp.home, cwd: tmp.path, env },
    )
    expect(first.code).toBe(0)
    const report = first.json<RunReport>()
    expect(v.safeParse(RunReport, report).issues).toBeUndefined()
    expect(report.refusals[0]!.reason).toContain("--allow local__echo")
    const again = await runCli(["run", "--mcp", file, "-o", "json", "--replay", rec, "go"], {
      home: tmp.home,
      cwd: tmp.path,
    })
    expect(again.code).toBe(0)
    expect(again.json<RunReport>().result).toBe("done")
    expect(srv.requests).toHaveLength(2)
  }, 30_000)

  it("exits 2 naming the variable when the key is missing", async () => {
    await using tmp = await tmpdir()
    const r = await runCli(["run", "-m", "openai:gpt-5", "hi"], { home: tmp.home, cwd: tmp.path })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("OPENAI_API_KEY is not set")
  }, 30_000)
})
