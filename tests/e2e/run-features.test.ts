// `agent run` on the compiled binary: record then replay (tools called for real), replay drift,
// tool search over 300 tools, sampling and elicitation without a terminal, --prompt/--attach,
// and Ctrl-C mid-run (final report, exit 130, no orphan stdio server).
import { describe, expect, it } from "bun:test"
import { join } from "node:path"
import { fakeModel } from "../fixtures/model/server.ts"
import { ensureBinary } from "../helpers/binary.ts"
import { BUN } from "../helpers/cli.ts"
import { tmpdir } from "../helpers/tmp.ts"
import {
  AGENT_SERVER,
  MANY_TOOLS,
  collect,
  config,
  descendants,
  events,
  isAlive,
  modelEnv,
  report,
  run,
} from "./run-helpers.ts"

const MODEL = ["-m", "anthropic:claude-test"]

describe("compiled binary: agent run features", () => {
  it("records a run, replays it without a key (tools run again), and reports drift as exit 1 with a diff", async () => {
    await using t = await tmpdir()
    const file = await config(t)
    const rec = join(t.path, "run.jsonl")
    await using srv = await fakeModel([
      { toolCalls: [{ name: "srv__add", args: { a: 2, b: 3 } }] },
      { text: "2 + 3 = 5" },
    ])
    const first = await run(
      t,
      ["--mcp", file, ...MODEL, "--yes", "-o", "json", "--record", rec, "add 2 and 3"],
      modelEnv(srv),
    )
    expect(report(first)).toMatchObject({ exitReason: "completed", result: "2 + 3 = 5" })
    const again = await run(t, ["--mcp", file, "--yes", "-o", "stream-json", "--replay", rec, "add 2 and 3"])
    expect(again.code).toBe(0)
    const list = events(again)
    expect(list.find((e) => e.type === "tool_result")).toMatchObject({
      name: "srv__add",
      content: "5",
      isError: false,
    })
    expect(list.at(-1)).toMatchObject({ result: "2 + 3 = 5" })
    expect(srv.requests).toHaveLength(2)
    const drift = await run(t, ["--mcp", file, "--yes", "-o", "json", "--replay", rec, "add 2 and 4"])
    expect(drift.code).toBe(1)
    const doc = report(drift)
    expect(doc.exitReason).toBe("replay_mismatch")
    expect(doc.error).toContain("differs from the recording")
    expect(doc.error).toContain("add 2 and 4")
  }, 60_000)

  it("offers search_tools instead of 300 definitions past --tool-budget; found tools are callable next turn", async () => {
    await using t = await tmpdir()
    const file = await config(t, { many: { command: BUN, args: [MANY_TOOLS], env: { TOOLS: "300" } } })
    await using srv = await fakeModel([
      { toolCalls: [{ name: "search_tools", args: { query: "tool_00042" } }] },
      { toolCalls: [{ name: "many__tool_00042" }] },
      { text: "called it" },
    ])
    const r = await run(
      t,
      ["--mcp", file, ...MODEL, "--yes", "--tool-budget", "2000", "-o", "stream-json", "use tool 42"],
      modelEnv(srv),
    )
    expect(r.code).toBe(0)
    const list = events(r)
    const init = list[0] as Extract<(typeof list)[0], { type: "init" }>
    expect(init.tools).toHaveLength(300)
    expect(init.toolSearch!.definitionTokens).toBeGreaterThan(2000)
    const offered = (i: number) => (srv.requests[i]!.body.tools as { name: string }[]).map((x) => x.name)
    expect(offered(0)).toEqual(["search_tools"])
    expect(offered(1)).toEqual(["search_tools", "many__tool_00042"])
    const found = list.find((e) => e.type === "tool_result" && e.name === "search_tools") as {
      content: string
    }
    expect(JSON.parse(found.content).tools[0]).toMatchObject({
      name: "many__tool_00042",
      description: "Tool number 42",
    })
    expect(list.find((e) => e.type === "tool_result" && e.name === "many__tool_00042")).toMatchObject({
      content: "called tool_00042",
    })
    // Under the default budget (10% of a 200k context) the 300 small definitions are sent as they are.
    srv.push({ text: "plain" })
    const plain = await run(t, ["--mcp", file, ...MODEL, "-o", "json", "hi"], modelEnv(srv))
    expect(report(plain).result).toBe("plain")
    expect(offered(3)).toHaveLength(300)
  }, 60_000)

  it("answers sampling through the run's model with --allow-sampling, refuses it without; declines elicitation without a terminal", async () => {
    await using t = await tmpdir()
    const file = await config(t)
    await using srv = await fakeModel([
      { toolCalls: [{ name: "srv__sample", args: { question: "capital of France?" } }] },
      { text: "Paris" }, // the sampling request
      { text: "The server heard Paris." },
    ])
    const ok = await run(
      t,
      ["--mcp", file, ...MODEL, "--yes", "--allow-sampling", "-o", "stream-json", "ask"],
      modelEnv(srv),
    )
    expect(ok.code).toBe(0)
    const result = events(ok).find((e) => e.type === "tool_result") as { content: string; isError: boolean }
    expect(result.isError).toBe(false)
    // 2025 servers get the result itself; 2026-07-28 ones an input response wrapping it.
    const got = JSON.parse(result.content) as { result?: unknown }
    expect(got.result ?? got).toMatchObject({
      role: "assistant",
      content: { type: "text", text: "Paris" },
      model: "claude-test",
    })
    expect(JSON.stringify(srv.requests[1]!.body.messages)).toContain("capital of France?")
    expect(srv.requests[1]!.body.tools).toBeUndefined()

    srv.push(
      { toolCalls: [{ name: "srv__sample", args: { question: "again?" } }, { name: "srv__ask_user" }] },
      { text: "refused" },
    )
    const no = await run(t, ["--mcp", file, ...MODEL, "--yes", "-o", "stream-json", "ask"], modelEnv(srv))
    expect(no.code).toBe(0)
    const list = events(no)
    expect(list.find((e) => e.type === "tool_result" && e.name === "srv__sample")).toMatchObject({
      isError: true,
      content: expect.stringContaining("--allow-sampling"),
    })
    expect(list.find((e) => e.type === "tool_result" && e.name === "srv__ask_user")).toMatchObject({
      content: expect.stringContaining('"action":"decline"'),
    })
    expect(list.filter((e) => e.type === "warning").map((e) => (e as { message: string }).message)).toEqual([
      expect.stringContaining("sampling request from srv refused"),
      expect.stringContaining("elicitation from srv declined"),
    ])
  }, 60_000)

  it("starts from an MCP prompt (--prompt SERVER/NAME --arg) with an attached resource (--attach SERVER:URI)", async () => {
    await using t = await tmpdir()
    await using srv = await fakeModel([{ text: "Hello back." }])
    const r = await run(
      t,
      [
        "--mcp",
        await config(t),
        ...MODEL,
        "--prompt",
        "srv/greet",
        "--arg",
        "name=Ada",
        "--attach",
        "srv:fixture://readme",
        "-o",
        "json",
      ],
      modelEnv(srv),
    )
    expect(report(r).result).toBe("Hello back.")
    const sent = JSON.stringify(srv.requests[0]!.body.messages)
    expect(sent).toContain("Hello, Ada!")
    expect(sent).toContain("Attached resource fixture://readme")
    expect(sent).toContain("# Fixture")
    const missing = await run(t, ["--mcp", await config(t), ...MODEL, "--prompt", "srv/greet"], modelEnv(srv))
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("--arg name=")
  }, 30_000)

  it("Ctrl-C mid-run: the final result says interrupted, exit 130, and the stdio server is gone", async () => {
    await using t = await tmpdir()
    const pidFile = join(t.path, "server.pid")
    const file = await config(t, { srv: { command: BUN, args: [AGENT_SERVER], env: { PID_FILE: pidFile } } })
    await using srv = await fakeModel([{ toolCalls: [{ name: "srv__slow", args: { ms: 30_000 } }] }])
    await using proc = Bun.spawn(
      [await ensureBinary(), "run", "--mcp", file, ...MODEL, "--yes", "-o", "stream-json", "wait"],
      {
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          AGENTRT_HOME: t.home,
          HOME: t.path,
          ...modelEnv(srv),
        },
        cwd: t.path,
        stdout: "pipe",
        stderr: "pipe",
      },
    )
    const out = collect(proc.stdout)
    const deadline = Date.now() + 15_000
    while (!out.text.includes('"tool_use"') && Date.now() < deadline) await Bun.sleep(20)
    await Bun.sleep(200)
    const serverPid = Number(await Bun.file(pidFile).text())
    expect(isAlive(serverPid)).toBe(true)
    const children = descendants(proc.pid)
    proc.kill("SIGINT")
    expect(await proc.exited).toBe(130)
    await out.done
    const last = JSON.parse(out.text.trimEnd().split("\n").at(-1)!)
    expect(last).toMatchObject({ type: "result", exitReason: "interrupted", exitCode: 130, toolCalls: [] })
    expect(isAlive(serverPid)).toBe(false)
    expect(children.filter(isAlive)).toEqual([])
  }, 30_000)
})
