// `agent run --batch` and `agent report merge` on the compiled binary, with the per-task model
// fixture (it counts model requests per task id and notices a tool result from another task)
// and the real stdio agent fixture server shared by every task: 200 tasks killed with SIGKILL
// mid-batch and resumed (no finished task lost, rerun or torn), shards that cover every task
// exactly once and their merge (text and JSON), per-task record/replay without a key, and the
// errors a batch that cannot start ends with.
import { describe, expect, it } from "bun:test"
import { appendFileSync, existsSync, readFileSync, readdirSync } from "node:fs"
import { join } from "node:path"
import * as v from "valibot"
import { RunReport } from "../../src/agent/events.ts"
import { perTaskModel, type PerTaskModel } from "../fixtures/model/per-task.ts"
import { ensureBinary } from "../helpers/binary.ts"
import { runCli } from "../helpers/cli.ts"
import { descendants } from "../helpers/processes.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"
import { config, run } from "./run-helpers.ts"

const MODEL = ["-m", "anthropic:claude-test", "--yes"]

const env = (m: PerTaskModel) => ({ ANTHROPIC_API_KEY: "test-key", ANTHROPIC_BASE_URL: m.anthropicBaseUrl })

/** `count` tasks t000…; the ids in `failing` start with "fail" (the fixture answers them with a 400). */
function tasks(count: number, failing: number[] = []): { id: string; prompt: string }[] {
  return Array.from({ length: count }, (_, i) => {
    const id = `${failing.includes(i) ? "fail" : "t"}${String(i).padStart(3, "0")}`
    return { id, prompt: `task:${id} echo your id` }
  })
}

const jsonl = (list: object[]) => `${list.map((x) => JSON.stringify(x)).join("\n")}\n`

/** Every line of a results file, each a RunReport plus its id (a torn line fails the parse). */
function results(file: string): (RunReport & { id: string })[] {
  const text = readFileSync(file, "utf8")
  expect(text.endsWith("\n")).toBe(true)
  return text
    .trimEnd()
    .split("\n")
    .map((l) => {
      const doc = JSON.parse(l) as RunReport & { id: string }
      const { id, ...report } = doc
      expect(typeof id).toBe("string")
      expect(v.safeParse(RunReport, report).issues).toBeUndefined()
      return doc
    })
}

async function setup(t: TmpDir, list: object[]) {
  return { mcp: await config(t), tasksFile: await t.write("tasks.jsonl", jsonl(list)) }
}

describe("compiled binary: agent run --batch", () => {
  it("survives a SIGKILL mid-batch: --resume runs only the unfinished tasks, each exactly once", async () => {
    await using t = await tmpdir()
    await using m = await perTaskModel({ delayMs: 15 })
    const list = tasks(200)
    const { mcp, tasksFile } = await setup(t, list)
    const out = join(t.path, "out.jsonl")
    const args = ["run", "--batch", tasksFile, "--mcp", mcp, ...MODEL, "--concurrency", "8", "--results", out]
    const proc = Bun.spawn([await ensureBinary(), ...args], {
      cwd: t.path,
      env: { PATH: process.env.PATH!, HOME: t.path, AGENTRT_HOME: t.home, NO_COLOR: "1", ...env(m) },
      stdout: "ignore",
      stderr: "pipe",
    })
    const lines = () => (existsSync(out) ? readFileSync(out, "utf8").split("\n").length - 1 : 0)
    while (lines() < 40 && proc.exitCode === null) await Bun.sleep(5)
    const children = descendants(proc.pid)
    proc.kill("SIGKILL")
    await proc.exited
    for (const pid of children) process.kill(pid, "SIGKILL") // the stdio server lost its parent
    const before = results(out)
    expect(before.length).toBeGreaterThanOrEqual(40)
    expect(before.length).toBeLessThan(200) // the kill came mid-batch
    const finished = new Set(before.map((r) => r.id))
    expect(finished.size).toBe(before.length)
    m.reset()

    const resumed = await run(t, [...args.slice(1), "--resume"], env(m), 120_000)
    expect(resumed.stderr).toContain("batch: ")
    expect(resumed.code).toBe(0)
    const after = results(out)
    expect(after.map((r) => r.id).sort()).toEqual(list.map((x) => x.id).sort()) // each once, none lost
    expect(after.every((r) => r.exitCode === 0 && r.result === `done ${r.id}`)).toBe(true)
    // No finished task reached the model again; every unfinished one ran in full (2 turns).
    for (const id of finished) expect(m.requests.get(id)).toBeUndefined()
    for (const x of list.filter((x) => !finished.has(x.id))) expect(m.requests.get(x.id)).toBe(2)
    expect(m.mixed).toEqual([]) // 8 tasks at a time on one server: no tool result crossed tasks
    expect(resumed.stdout).toContain("200 tasks: 200 succeeded, 0 failed")
  }, 180_000)

  it("stops on Ctrl-C with exit 130: finished tasks kept, running ones left for --resume", async () => {
    await using t = await tmpdir()
    await using m = await perTaskModel({ delayMs: 30 })
    const list = tasks(60)
    const { mcp, tasksFile } = await setup(t, list)
    const out = join(t.path, "out.jsonl")
    const args = ["run", "--batch", tasksFile, "--mcp", mcp, ...MODEL, "--concurrency", "4", "--results", out]
    const proc = Bun.spawn([await ensureBinary(), ...args], {
      cwd: t.path,
      env: { PATH: process.env.PATH!, HOME: t.path, AGENTRT_HOME: t.home, NO_COLOR: "1", ...env(m) },
      stdout: "pipe",
      stderr: "pipe",
    })
    const lines = () => (existsSync(out) ? readFileSync(out, "utf8").split("\n").length - 1 : 0)
    while (lines() < 8 && proc.exitCode === null) await Bun.sleep(5)
    proc.kill("SIGINT")
    expect(await proc.exited).toBe(130)
    const before = results(out)
    expect(before.length).toBeLessThan(60)
    expect(before.every((r) => r.exitReason === "completed")).toBe(true) // no "interrupted" line
    const finished = new Set(before.map((r) => r.id))
    m.reset()
    const resumed = await run(t, [...args.slice(1), "--resume"], env(m), 60_000)
    expect(resumed.code).toBe(0)
    expect(
      results(out)
        .map((r) => r.id)
        .sort(),
    ).toEqual(list.map((x) => x.id).sort())
    for (const id of finished) expect(m.requests.get(id)).toBeUndefined()
  }, 120_000)

  it("cancels one task's tool call on its --timeout while the others finish", async () => {
    await using t = await tmpdir()
    await using m = await perTaskModel()
    const list = [...tasks(6), { id: "slow1", prompt: "task:slow1 wait" }]
    const { mcp, tasksFile } = await setup(t, list)
    const r = await run(
      t,
      ["--batch", tasksFile, "--mcp", mcp, ...MODEL, "--timeout", "10s", "--results", "out.jsonl"],
      env(m),
      60_000,
    )
    expect(r.code).toBe(1)
    const byId = new Map(results(join(t.path, "out.jsonl")).map((x) => [x.id, x]))
    expect(byId.get("slow1")).toMatchObject({ exitReason: "timeout", exitCode: 124 })
    for (const x of tasks(6))
      expect(byId.get(x.id)).toMatchObject({ exitReason: "completed", result: `done ${x.id}` })
    expect(m.mixed).toEqual([])
  }, 60_000)

  it("without --results writes each report as a line on stdout and the summary on stderr", async () => {
    await using t = await tmpdir()
    await using m = await perTaskModel()
    const { mcp, tasksFile } = await setup(t, tasks(3, [1]))
    const r = await run(t, ["--batch", tasksFile, "--mcp", mcp, ...MODEL], env(m), 60_000)
    expect(r.code).toBe(1)
    const lines = r.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as { id: string; exitCode: number })
    expect(lines.map((l) => [l.id, l.exitCode]).sort()).toEqual([
      ["fail001", 1],
      ["t000", 0],
      ["t002", 0],
    ])
    expect(r.stderr).toContain("3 tasks: 2 succeeded, 1 failed")
    expect(r.stderr).toContain("failed fail001: model_error (exit 1)")
    const quiet = await run(t, ["--batch", tasksFile, "--mcp", mcp, ...MODEL, "-q"], env(m), 60_000)
    expect(quiet.stderr).toBe("")
  }, 60_000)

  it("splits a batch into shards that cover every task once; report merge sums them (text and JSON)", async () => {
    await using t = await tmpdir()
    await using m = await perTaskModel()
    const list = tasks(23, [4, 17])
    const { mcp, tasksFile } = await setup(t, list)
    const files: string[] = []
    for (const i of [1, 2, 3]) {
      const file = join(t.path, `out-${i}.jsonl`)
      files.push(file)
      const r = await run(
        t,
        ["--batch", tasksFile, "--mcp", mcp, ...MODEL, "--shard", `${i}/3`, "--results", file, "-o", "json"],
        env(m),
        60_000,
      )
      const doc = r.json<{ tasks: number; failed: number }>()
      // Shard i holds the tasks at positions i-1, i+2, …; failing tasks 4 (shard 2) and 17 (shard 3).
      expect(doc.tasks).toBe(list.filter((_, k) => k % 3 === i - 1).length)
      expect(r.code).toBe(i === 1 ? 0 : 1)
      expect(doc.failed).toBe(i === 1 ? 0 : 1)
    }
    const ids = files.flatMap((f) => results(f).map((r) => r.id))
    expect(ids.sort()).toEqual(list.map((x) => x.id).sort())
    for (const x of list) expect(m.requests.get(x.id)).toBe(x.id.startsWith("fail") ? 1 : 2)

    const text = await reportMerge(t, [...files])
    expect(text.code).toBe(1)
    expect(text.stdout).toContain("23 tasks: 21 succeeded, 2 failed")
    expect(text.stdout).toContain("failed fail004: model_error (exit 1)")
    expect(text.stdout).toContain("failed fail017: model_error (exit 1)")
    const json = await reportMerge(t, [...files, "--output", "json", "--tasks", tasksFile])
    const doc = json.json<{
      type: string
      tasks: number
      succeeded: number
      failed: number
      failures: { id: string; exitReason: string; error?: string }[]
      missing: string[]
      usage: { inputTokens: number; totalTokens: number }
      toolCalls: number
      durationMs: { total: number; max: number }
    }>()
    const all = files.flatMap(results)
    expect(doc.type).toBe("batch_summary")
    expect([doc.tasks, doc.succeeded, doc.failed]).toEqual([23, 21, 2])
    expect(doc.failures.map((f) => f.id).sort()).toEqual(["fail004", "fail017"])
    expect(doc.failures[0]!.error).toContain("scripted failure")
    expect(doc.missing).toEqual([])
    expect(doc.usage.totalTokens).toBe(all.reduce((n, r) => n + r.usage.totalTokens, 0))
    expect(doc.toolCalls).toBe(21)
    expect(doc.durationMs.total).toBe(all.reduce((n, r) => n + r.durationMs, 0))
    // A shard's file left out: its tasks are missing, and the merge fails.
    const partial = await reportMerge(t, [files[0]!, files[1]!, "--tasks", tasksFile, "-o", "json"])
    expect(partial.code).toBe(1)
    expect(partial.json<{ missing: string[] }>().missing.sort()).toEqual(
      list
        .filter((_, k) => k % 3 === 2)
        .map((x) => x.id)
        .sort(),
    )
  }, 120_000)

  it("--shard auto takes GitLab's CI_NODE_INDEX/CI_NODE_TOTAL and Kubernetes' JOB_COMPLETION_INDEX", async () => {
    await using t = await tmpdir()
    await using m = await perTaskModel()
    const list = tasks(7)
    const { mcp, tasksFile } = await setup(t, list)
    const shardIds = async (name: string, extra: Record<string, string>, shard = "auto") => {
      const file = join(t.path, `${name}.jsonl`)
      const r = await run(
        t,
        ["--batch", tasksFile, "--mcp", mcp, ...MODEL, "--shard", shard, "--results", file],
        { ...env(m), ...extra },
        60_000,
      )
      expect(r.code).toBe(0)
      return results(file)
        .map((x) => x.id)
        .sort()
    }
    // GitLab: 1-based index; Kubernetes: 0-based index.
    expect(await shardIds("gitlab", { CI_NODE_INDEX: "2", CI_NODE_TOTAL: "3" })).toEqual(["t001", "t004"])
    expect(await shardIds("k8s", { JOB_COMPLETION_INDEX: "0", AGENT_SHARD_TOTAL: "3" })).toEqual([
      "t000",
      "t003",
      "t006",
    ])
    expect(await shardIds("k8s-n", { JOB_COMPLETION_INDEX: "2" }, "auto/3")).toEqual(["t002", "t005"])
    const none = await run(t, ["--batch", tasksFile, "--mcp", mcp, ...MODEL, "--shard", "auto"], env(m))
    expect(none.code).toBe(2)
    expect(none.stderr).toContain("--shard auto found no shard variables")
  }, 120_000)

  it("records each task to its own file and replays the batch without a key or a model server", async () => {
    await using t = await tmpdir()
    const list = [...tasks(5), { id: "a/b c", prompt: "task:{{who}} with vars", vars: { who: "weird" } }]
    const { mcp, tasksFile } = await setup(t, list)
    const rec = join(t.path, "recordings")
    {
      await using m = await perTaskModel()
      const r = await run(
        t,
        ["--batch", tasksFile, "--mcp", mcp, ...MODEL, "--record", rec, "--results", "rec.jsonl"],
        env(m),
        60_000,
      )
      expect(r.code).toBe(0)
      expect(m.requests.get("weird")).toBe(2) // {{who}} filled from the task's vars
    }
    expect(readdirSync(rec).sort()).toEqual([
      "a%2Fb%20c.jsonl",
      "t000.jsonl",
      "t001.jsonl",
      "t002.jsonl",
      "t003.jsonl",
      "t004.jsonl",
    ])
    const r = await run(t, [
      "--batch",
      tasksFile,
      "--mcp",
      mcp,
      "--yes",
      "--replay",
      rec,
      "--results",
      "replay.jsonl",
    ])
    expect(r.code).toBe(0)
    const replayed = results(join(t.path, "replay.jsonl"))
    expect(replayed.map((x) => x.result).sort()).toEqual(
      ["done t000", "done t001", "done t002", "done t003", "done t004", "done weird"].sort(),
    )
  }, 120_000)

  it("resumes after a torn last line: the partial line is cut off and its task runs again", async () => {
    await using t = await tmpdir()
    await using m = await perTaskModel()
    const list = tasks(4)
    const { mcp, tasksFile } = await setup(t, list)
    const out = join(t.path, "out.jsonl")
    const args = ["--batch", tasksFile, "--mcp", mcp, ...MODEL, "--results", out]
    expect((await run(t, [...args, "--shard", "1/2"], env(m), 60_000)).code).toBe(0)
    appendFileSync(out, '{"id":"t001","type":"result","exitRea')
    m.reset()
    const r = await run(t, [...args, "--resume"], env(m), 60_000)
    expect(r.code).toBe(0)
    expect(
      results(out)
        .map((x) => x.id)
        .sort(),
    ).toEqual(["t000", "t001", "t002", "t003"])
    expect([...m.requests.keys()].sort()).toEqual(["t001", "t003"])
  }, 120_000)

  it("refuses a batch that cannot start: a bad line (exit 2, named), a duplicate id, bad flags", async () => {
    await using t = await tmpdir()
    const mcp = await config(t)
    const bad = await t.write("bad.jsonl", `${jsonl(tasks(2))}{"id": "x", "prompt": 3}\n`)
    const cases: [string[], string][] = [
      [["--batch", bad], "bad.jsonl:3: prompt"],
      [["--batch", await t.write("dup.jsonl", jsonl([...tasks(2), ...tasks(1)]))], 'dup.jsonl:3: id "t000"'],
      [["--batch", await t.write("nojson.jsonl", "{nope\n")], "nojson.jsonl:1: not a JSON line"],
      [["--batch", bad, "--shard", "4/3"], "--shard takes I/N"],
      [["--batch", bad, "--resume"], "--resume needs --results"],
      [["--batch", bad, "--concurrency", "0"], "--concurrency must be a positive whole number"],
      [["--batch", bad, "prompt text"], "--batch takes its prompts from the tasks file"],
    ]
    // No key for the default model: every task would fail alike, so the batch does not start.
    const tasksFile = await t.write("ok.jsonl", jsonl(tasks(2)))
    const noKey = await run(t, ["--batch", tasksFile, "--mcp", mcp, ...MODEL, "--results", "out.jsonl"])
    expect(noKey.code).toBe(2)
    expect(noKey.stderr).toContain("ANTHROPIC_API_KEY")
    for (const [args, message] of cases) {
      const r = await run(t, [...args, "--mcp", mcp, ...MODEL])
      expect({ args, code: r.code }).toEqual({ args, code: 2 })
      expect(r.stderr).toContain(message)
    }
  }, 60_000)
})

function reportMerge(t: TmpDir, args: string[]) {
  return runCli(["report", "merge", ...args], { home: t.home, cwd: t.path, binary: true })
}
