// The batch domain without the binary: the tasks file, the shard arithmetic (every task in exactly
// one shard, for every shard count), {{vars}}, task file names, the results file (one line per
// append, a torn last line cut off on resume) and the merged summary.
import { describe, expect, it } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { fillVars, parseShard, parseTasks, runPool, shardTasks, taskFileName } from "../../src/agent/batch.ts"
import { mergeResults } from "../../src/agent/batch-merge.ts"
import { openResults, parseResults, resumeResults, type TaskReport } from "../../src/agent/batch-results.ts"
import { startupReport } from "../../src/agent/report.ts"
import { shardFrom } from "../../src/cli/run/batch.ts"
import { ConfigError, UsageError } from "../../src/util/errors.ts"
import { tmpdir } from "../helpers/tmp.ts"

const report = (id: string, exitCode = 0, tokens = 10): TaskReport => ({
  id,
  ...startupReport({ exitReason: "startup_error", exitCode, error: "x", model: "m", startedAt: 0 }),
  ...(exitCode === 0 && { exitReason: "completed", error: undefined }),
  usage: { inputTokens: tokens, outputTokens: 1, totalTokens: tokens + 1 },
  durationMs: 100,
})

describe("shards", () => {
  it("cover every task exactly once, for every count and every task count", () => {
    for (let total = 0; total <= 40; total++) {
      const list = Array.from({ length: total }, (_, i) => i)
      for (let count = 1; count <= 9; count++) {
        const seen = Array.from({ length: count }, (_, k) => shardTasks(list, { index: k + 1, count })).flat()
        expect(seen.sort((a, b) => a - b)).toEqual(list)
      }
    }
  })

  it("take every N-th task from the I-th (1-based)", () => {
    expect(shardTasks([0, 1, 2, 3, 4, 5, 6], parseShard("2/3"))).toEqual([1, 4])
    expect(shardTasks([0, 1, 2], parseShard("1/1"))).toEqual([0, 1, 2])
    for (const bad of ["0/3", "4/3", "1/0", "a/b", "2", "-1/3"])
      expect(() => parseShard(bad)).toThrow(UsageError)
  })

  it("auto reads GitLab (1-based) and Kubernetes (0-based, with a count) variables", () => {
    expect(shardFrom("auto", { CI_NODE_INDEX: "3", CI_NODE_TOTAL: "4" })).toEqual({ index: 3, count: 4 })
    expect(shardFrom("auto", { JOB_COMPLETION_INDEX: "0", AGENT_SHARD_TOTAL: "5" })).toEqual({
      index: 1,
      count: 5,
    })
    expect(shardFrom("auto/5", { JOB_COMPLETION_INDEX: "4" })).toEqual({ index: 5, count: 5 })
    expect(() => shardFrom("auto", { JOB_COMPLETION_INDEX: "1" })).toThrow(/shard count/)
    expect(() => shardFrom("auto/2", { JOB_COMPLETION_INDEX: "2" })).toThrow(UsageError)
    expect(() => shardFrom("auto", {})).toThrow(/no shard variables/)
    expect(shardFrom("2/7", { CI_NODE_INDEX: "1", CI_NODE_TOTAL: "2" })).toEqual({ index: 2, count: 7 })
  })
})

describe("tasks file", () => {
  it("parses tasks with optional vars, model and attach; blank lines are skipped", () => {
    const text =
      '{"id":"a","prompt":"p"}\n\n{"id":"b","prompt":"q {{x}}","vars":{"x":"1"},"model":"openai:gpt","attach":["s:u"]}\n'
    expect(parseTasks(text, "t.jsonl").map((t) => t.id)).toEqual(["a", "b"])
  })

  it("names the bad line: not JSON, a wrong field, an unknown field, a repeated id", () => {
    const cases: [string, RegExp][] = [
      ['{"id":"a","prompt":"p"}\n{oops', /t\.jsonl:2: not a JSON line/],
      ['{"id":"","prompt":"p"}', /t\.jsonl:1: id: id must be a non-empty string/],
      ['{"id":"a"}', /t\.jsonl:1: prompt/],
      ['{"id":"a","prompt":"p","extra":1}', /t\.jsonl:1: extra/],
      ['{"id":"a","prompt":"p"}\n{"id":"a","prompt":"q"}', /t\.jsonl:2: id "a" is already used on line 1/],
    ]
    for (const [text, message] of cases) {
      expect(() => parseTasks(text, "t.jsonl")).toThrow(ConfigError)
      expect(() => parseTasks(text, "t.jsonl")).toThrow(message)
    }
  })

  it("fills {{name}} from vars and leaves unknown placeholders as written", () => {
    expect(fillVars("fix {{ repo }}#{{n}} {{other}}", { repo: "a/b", n: "7" })).toBe("fix a/b#7 {{other}}")
    expect(fillVars("{{x}}", undefined)).toBe("{{x}}")
  })

  it("turns any id into one safe file name", () => {
    expect(taskFileName("issue-12_a")).toBe("issue-12_a.jsonl")
    expect(taskFileName("../../etc/passwd")).toBe("%2E%2E%2F%2E%2E%2Fetc%2Fpasswd.jsonl")
    expect(taskFileName("é")).toBe("%C3%A9.jsonl")
  })

  it("runs at most `concurrency` items at once and starts none after the signal aborts", async () => {
    let running = 0
    let peak = 0
    const ac = new AbortController()
    const started: number[] = []
    await runPool(
      Array.from({ length: 20 }, (_, i) => i),
      3,
      async (i) => {
        started.push(i)
        peak = Math.max(peak, ++running)
        await Bun.sleep(1)
        running--
        if (i === 9) ac.abort()
      },
      ac.signal,
    )
    expect(peak).toBe(3)
    expect(started.length).toBeLessThan(20)
  })
})

describe("results file", () => {
  it("appends one line per report and resumes past a torn last line", async () => {
    await using t = await tmpdir()
    const file = join(t.path, "out.jsonl")
    const out = openResults(file)
    out.append(report("a"))
    out.append(report("b", 1))
    out.close()
    expect(readFileSync(file, "utf8").split("\n")).toHaveLength(3)
    await t.write("out.jsonl", `${readFileSync(file, "utf8")}{"id":"c","ty`)
    expect(resumeResults(file).map((r) => r.id)).toEqual(["a", "b"])
    expect(readFileSync(file, "utf8").endsWith("}\n")).toBe(true)
    expect(parseResults(readFileSync(file, "utf8"), file).isTorn).toBe(false)
    expect(resumeResults(join(t.path, "none.jsonl"))).toEqual([])
  })

  it("rejects a bad line that is not the last (not a torn write)", () => {
    expect(() => parseResults('{"id":"a"\n{"id":"b","exitCode":0}\n', "r.jsonl")).toThrow(/r\.jsonl:1/)
    expect(() => parseResults('{"nope":1}\n', "r.jsonl")).toThrow(/not a task report/)
  })
})

describe("merge", () => {
  it("counts, lists failures by id, sums tokens and durations; the last report of an id counts", () => {
    const line = (r: TaskReport) => `${JSON.stringify(r)}\n`
    const s = mergeResults(
      [
        { file: "1.jsonl", text: line(report("a")) + line(report("b", 1)) },
        { file: "2.jsonl", text: `${line(report("c", 124))}${line(report("b"))}{"id":"torn` },
      ],
      ["a", "b", "c", "d"],
    )
    expect([s.tasks, s.succeeded, s.failed]).toEqual([3, 2, 1])
    expect(s.failures).toEqual([
      { id: "c", exitReason: "startup_error", exitCode: 124, error: "x", file: "2.jsonl" },
    ])
    expect(s.missing).toEqual(["d"])
    expect(s.duplicates).toEqual(["b"])
    expect(s.tornLines).toBe(1)
    expect(s.usage).toEqual({ inputTokens: 30, outputTokens: 3, totalTokens: 33 })
    expect(s.durationMs).toEqual({ total: 300, mean: 100, p50: 100, p95: 100, max: 100 })
  })
})

describe("the daemon", () => {
  it("leaves a batch to run cold (its shard variables and kill semantics are the process's own)", async () => {
    const { isWarmCommand } = await import("../../src/cli/shared/daemon-client.ts")
    expect(isWarmCommand(["run", "hello"])).toBe(true)
    expect(isWarmCommand(["run", "--batch", "tasks.jsonl"])).toBe(false)
    expect(isWarmCommand(["run", "--batch=tasks.jsonl", "--shard", "auto"])).toBe(false)
  })
})
