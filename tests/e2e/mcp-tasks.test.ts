// MCP tasks on the compiled binary: the reference server-everything's simulate-research-query
// (taskSupport "required") from `agent mcp call` and from `agent run`; --task --detach, then
// `agent mcp tasks` and `agent mcp task get|wait|result|cancel` from later processes; Ctrl-C
// mid-task sends tasks/cancel. Fixture: http-tasks.ts (v1 SDK experimental tasks, 2025-11-25).
import { describe, expect, it } from "bun:test"
import { statSync } from "node:fs"
import { readdir } from "node:fs/promises"
import { join } from "node:path"
import { fakeModel } from "../fixtures/model/server.ts"
import { startTaskServer } from "../fixtures/servers/http-tasks.ts"
import { startExtTaskServer } from "../fixtures/servers/http-tasks-ext.ts"
import { ensureBinary } from "../helpers/binary.ts"
import { BUN, ROOT, runCli } from "../helpers/cli.ts"
import { collect } from "../helpers/processes.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"
import { modelEnv, report, run } from "./run-helpers.ts"

const EVERYTHING = join(ROOT, "node_modules/@modelcontextprotocol/server-everything/dist/index.js")

const agent = (t: TmpDir, args: string[]) =>
  runCli(args, { home: t.home, cwd: t.path, binary: true, timeoutMs: 40_000 })

const everything = (t: TmpDir) =>
  t.write("mcp.json", { mcpServers: { everything: { command: BUN, args: [EVERYTHING, "stdio"] } } })

describe("compiled binary: server-everything's task tool", () => {
  it("agent mcp call runs simulate-research-query as a task: status on stderr, the report on stdout", async () => {
    await using t = await tmpdir()
    const file = await everything(t)
    const r = await agent(t, [
      "mcp",
      "call",
      "everything",
      "simulate-research-query",
      "--arg",
      "topic=python",
      "--arg",
      "ambiguous=true",
      "--elicit",
      "decline",
      "--mcp",
      file,
    ])
    expect(r.stderr).not.toContain("requires task augmentation")
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("# Research Report: python")
    expect(r.stdout).toContain("User declined")
    expect(r.stderr).toMatch(/^everything: task \w+: working/m)
    expect(r.stderr).toMatch(/task \w+: input_required/)
    expect(r.stderr).toMatch(/task \w+: completed/)
  }, 60_000)

  it("agent run calls it as a task; the report records the task's id and final status", async () => {
    await using t = await tmpdir()
    const file = await everything(t)
    await using model = await fakeModel([
      { toolCalls: [{ name: "everything__simulate-research-query", args: { topic: "moths" } }] },
      { text: "researched" },
    ])
    const r = await run(
      t,
      ["--mcp", file, "-m", "anthropic:claude-test", "--yes", "-o", "json", "research moths"],
      modelEnv(model),
      60_000,
    )
    const doc = report(r)
    expect(doc).toMatchObject({ exitReason: "completed", result: "researched" })
    expect(doc.toolCalls).toHaveLength(1)
    expect(doc.toolCalls[0]).toMatchObject({
      tool: "simulate-research-query",
      isError: false,
      task: { id: expect.stringMatching(/\w+/), status: "completed" },
    })
    // What the model was sent is the report, not a task handle.
    const sent = JSON.stringify(model.requests.at(-1))
    expect(sent).toContain("Research Report: moths")
  }, 60_000)
})

describe("compiled binary: agent run and a task that outlasts --timeout", () => {
  it("the deadline cancels the task on the server; the run exits 124", async () => {
    await using t = await tmpdir()
    await using srv = await startTaskServer()
    const file = await t.write("mcp.json", { mcpServers: { api: { url: srv.url } } })
    await using model = await fakeModel([
      { toolCalls: [{ name: "api__forever", args: {} }] },
      { text: "never" },
    ])
    const r = await run(
      t,
      ["--mcp", file, "-m", "anthropic:claude-test", "--yes", "-o", "json", "--timeout", "2s", "go"],
      modelEnv(model),
      60_000,
    )
    expect(r.code).toBe(124)
    expect(report(r).exitReason).toBe("timeout")
    expect(srv.events).toEqual([expect.stringMatching(/^cancelled \w+$/)])
  }, 60_000)
})

describe("compiled binary: detached tasks, collected later", () => {
  it("--task --detach prints a handle; tasks lists it; task get, wait and result work from new processes", async () => {
    await using t = await tmpdir()
    await using srv = await startTaskServer()
    const file = await t.write("mcp.json", { mcpServers: { api: { url: srv.url } } })
    const started = await agent(t, [
      "mcp",
      "call",
      "api",
      "report",
      "--arg",
      "topic=owls",
      "--task",
      "--detach",
      "--mcp",
      file,
    ])
    expect(started.code).toBe(0)
    const handle = started.stdout.trim()
    expect(handle).toMatch(/^api\/\w+$/)
    // Kept in the state dir, 0600.
    const dir = join(t.home, "state", "tasks")
    const files = await readdir(dir)
    expect(files).toHaveLength(1)
    expect(statSync(join(dir, files[0]!)).mode & 0o777).toBe(0o600)

    const listed = (await agent(t, ["mcp", "tasks", "--output", "json"])).json<{
      tasks: { handle: string; tool: string }[]
    }>()
    expect(listed.tasks).toEqual([expect.objectContaining({ handle, tool: "report" })])

    const waited = await agent(t, ["mcp", "task", "wait", handle, "--mcp", file])
    expect(waited.code).toBe(0)
    expect(waited.stdout).toBe("report on owls\n")
    expect(waited.stderr).toMatch(/completed/)

    const got = (await agent(t, ["mcp", "task", "get", handle, "--mcp", file, "--output", "json"])).json()
    expect(got).toMatchObject({ handle, server: "api", status: "completed" })
    const result = await agent(t, ["mcp", "task", "result", handle, "--mcp", file, "--output", "json"])
    expect(result.json()).toMatchObject({ content: [{ type: "text", text: "report on owls" }] })

    const live = (await agent(t, ["mcp", "tasks", "api", "--mcp", file, "--output", "json"])).json<{
      tasks: { handle: string; status: string }[]
    }>()
    expect(live.tasks).toContainEqual(expect.objectContaining({ handle, status: "completed" }))
  }, 60_000)

  it("task cancel sends tasks/cancel; a later wait reports the cancelled task as a failure (exit 1)", async () => {
    await using t = await tmpdir()
    await using srv = await startTaskServer()
    const file = await t.write("mcp.json", { mcpServers: { api: { url: srv.url } } })
    const handle = (
      await agent(t, ["mcp", "call", "api", "forever", "--task", "--detach", "--mcp", file])
    ).stdout.trim()
    const taskId = handle.slice("api/".length)
    const cancelled = await agent(t, ["mcp", "task", "cancel", handle, "--mcp", file])
    expect(cancelled.code).toBe(0)
    expect(cancelled.stdout).toContain("cancelled")
    expect(srv.events).toContain(`cancelled ${taskId}`)
    const waited = await agent(t, ["mcp", "task", "wait", handle, "--mcp", file])
    expect(waited.code).toBe(1)
    expect(waited.stderr).toContain("was cancelled")
  }, 60_000)

  it("refuses --detach for a stdio server (its tasks end with the process) and without --task", async () => {
    await using t = await tmpdir()
    const file = await everything(t)
    const r = await agent(t, [
      "mcp",
      "call",
      "everything",
      "simulate-research-query",
      "--arg",
      "topic=x",
      "--task",
      "--detach",
      "--mcp",
      file,
    ])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("stdio server")
    const bare = await agent(t, [
      "mcp",
      "call",
      "everything",
      "echo",
      "--arg",
      "message=x",
      "--detach",
      "--mcp",
      file,
    ])
    expect(bare.code).toBe(2)
    expect(bare.stderr).toContain("--detach needs --task")
  }, 60_000)

  it("Ctrl-C while following a task cancels it on the server and exits 130", async () => {
    await using t = await tmpdir()
    await using srv = await startTaskServer()
    const file = await t.write("mcp.json", { mcpServers: { api: { url: srv.url } } })
    const proc = Bun.spawn([await ensureBinary(), "mcp", "call", "api", "forever", "--mcp", file], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", AGENTRT_HOME: t.home, HOME: t.path, NO_COLOR: "1" },
      cwd: t.path,
      stdout: "pipe",
      stderr: "pipe",
    })
    try {
      const stderr = collect(proc.stderr)
      const deadline = Date.now() + 15_000
      while (!stderr.text.includes("still going") && Date.now() < deadline && proc.exitCode === null)
        await Bun.sleep(20)
      const taskId = /task (\w+): working/.exec(stderr.text)?.[1]
      expect(taskId).toBeDefined()
      proc.kill("SIGINT")
      expect(await proc.exited).toBe(130)
      expect(srv.events).toContain(`cancelled ${taskId}`)
    } finally {
      proc.kill("SIGKILL") // no-op once it has exited
    }
  }, 60_000)
})

describe("compiled binary: the 2026-07-28 tasks extension", () => {
  it("a call the server turns into a task is followed; --detach and task wait work across processes", async () => {
    await using t = await tmpdir()
    await using srv = await startExtTaskServer()
    const file = await t.write("mcp.json", { mcpServers: { ext: { url: srv.url } } })
    const direct = await agent(t, ["mcp", "call", "ext", "report", "--arg", "topic=voles", "--mcp", file])
    expect(direct.code).toBe(0)
    expect(direct.stdout).toBe("report on voles\n")
    expect(direct.stderr).toMatch(/^ext: task [\w-]+: working/m)
    expect(direct.stderr).toMatch(/^ext: task [\w-]+: completed/m)

    const handle = (
      await agent(t, ["mcp", "call", "ext", "choose", "--task", "--detach", "--mcp", file])
    ).stdout.trim()
    expect(handle).toMatch(/^ext\/[\w-]+$/)
    const waited = await agent(t, ["mcp", "task", "wait", handle, "--elicit", "defaults", "--mcp", file])
    expect(waited.code).toBe(0)
    expect(waited.stdout).toBe("picked teal\n") // the form's default, sent with tasks/update
  }, 60_000)
})

describe("compiled binary: a task through the daemon", () => {
  it("a warm mcp call runs a task-required tool as a task on the held server, as a cold call does", async () => {
    await using t = await tmpdir()
    const file = await everything(t)
    const args = [
      "mcp",
      "call",
      "everything",
      "simulate-research-query",
      "--arg",
      "topic=rust",
      "--mcp",
      file,
    ]
    const start = await agent(t, ["daemon", "start"])
    expect(start.code).toBe(0)
    try {
      const warm = await agent(t, args)
      expect(warm.stderr).not.toContain("requires task augmentation")
      expect(warm.code).toBe(0)
      expect(warm.stdout).toContain("# Research Report: rust")
      expect(warm.stderr).toMatch(/task \w+: completed/)
      const status = (await agent(t, ["daemon", "status", "-o", "json"])).json<{
        servers: { name: string; calls: number }[]
      }>()
      // Held by the daemon: the task went through it, not through a cold server of its own.
      expect(status.servers.find((s) => s.name === "everything")?.calls).toBeGreaterThan(0)
    } finally {
      await agent(t, ["daemon", "stop"])
    }
  }, 90_000)
})
