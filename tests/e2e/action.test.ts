// action.yml: its structure (inputs used are declared, no `${{ }}` inside a `run:` body), and
// scripts/action-run.sh, its run step, run as a runner would: env from the inputs, RUNNER_TEMP
// and GITHUB_OUTPUT, against the compiled dist/agent, the fake model and a real stdio server.
import { afterAll, beforeAll, describe, expect, it } from "bun:test"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import * as v from "valibot"
import { parse } from "yaml"
import pkg from "../../package.json"
import { RunReport } from "../../src/agent/events.ts"
import { perTaskModel } from "../fixtures/model/per-task.ts"
import { fakeModel } from "../fixtures/model/server.ts"
import { ensureBinary } from "../helpers/binary.ts"
import { BUN, ROOT } from "../helpers/cli.ts"
import { type TmpDir, tmpdir } from "../helpers/tmp.ts"

const ACTION_TEXT = readFileSync(join(ROOT, "action.yml"), "utf8")
const RUN_SCRIPT = join(ROOT, "scripts/action-run.sh")
const BASIC = join(ROOT, "tests/fixtures/servers/stdio-basic.ts")
const AGENT_SERVER = join(ROOT, "tests/fixtures/servers/stdio-agent.ts")

interface Step {
  name?: string
  id?: string
  shell?: string
  run?: string
  uses?: string
  if?: string
  env?: Record<string, string>
  with?: Record<string, string>
}
interface Action {
  name: string
  description: string
  inputs: Record<string, { description: string; required?: boolean; default?: string }>
  outputs: Record<string, { value: string }>
  runs: { using: string; steps: Step[] }
}

describe("action.yml", () => {
  const action = parse(ACTION_TEXT) as Action

  it("is a composite action with the inputs and outputs docs/ci.md documents", () => {
    expect(action.name).toBeString()
    expect(action.description).toBeString()
    expect(action.runs.using).toBe("composite")
    for (const i of [
      "version",
      "download-url",
      "prompt",
      "model",
      "mcp-config",
      "mcp-json",
      "output",
      "approve-env",
      "args",
      "continue-on-error",
      "upload-report",
      "artifact-name",
    ])
      expect(action.inputs[i]?.description, i).toBeString()
    // One of prompt, batch and merge: action-run.sh checks that exactly one is given.
    for (const i of ["prompt", "batch", "merge"]) expect(action.inputs[i]!.required).toBe(false)
    expect(action.inputs.output!.default).toBe("json")
    expect(action.inputs.version!.default).toBe(pkg.version) // bump it with package.json
    expect(Object.keys(action.outputs).sort()).toEqual(["exit-code", "report", "result"])
    for (const s of action.runs.steps) if (s.run) expect(s.shell, s.name).toBe("bash")
    expect(action.runs.steps.some((s) => s.uses === "actions/upload-artifact@v4")).toBe(true)
  })

  it("uses only declared inputs, and no run: body interpolates an expression (script injection)", () => {
    const used = [...ACTION_TEXT.matchAll(/\$\{\{[^}]*?\binputs\.([A-Za-z0-9_-]+)/g)].map((m) => m[1]!)
    expect(used.length).toBeGreaterThan(5)
    for (const name of used) expect(Object.keys(action.inputs), name).toContain(name)
    for (const s of action.runs.steps) if (s.run) expect(s.run, s.name).not.toContain("${{")
  })

  it("maps every INPUT_* variable action-run.sh reads", () => {
    const read = new Set([...readFileSync(RUN_SCRIPT, "utf8").matchAll(/\bINPUT_[A-Z_]+/g)].map((m) => m[0]))
    const runStep = action.runs.steps.find((s) => s.id === "run")!
    expect(runStep.run).toContain("scripts/action-run.sh")
    expect(Object.keys(runStep.env ?? {}).sort()).toEqual([...read].sort())
    for (const value of Object.values(runStep.env ?? {}))
      expect(value).toMatch(/^\$\{\{ inputs\.[a-z-]+ \}\}$/)
  })
})

let tmp: TmpDir
let agent: string
beforeAll(async () => {
  tmp = await tmpdir()
  agent = await ensureBinary()
})
afterAll(async () => {
  await tmp?.[Symbol.asyncDispose]()
})

/** Runs scripts/action-run.sh as the action's step would, in a fresh RUNNER_TEMP. */
async function runStep(inputs: Record<string, string>, env: Record<string, string>, label: string) {
  const runnerTemp = join(tmp.path, label)
  const outputFile = join(runnerTemp, "github_output")
  await tmp.write(`${label}/github_output`, "")
  const proc = Bun.spawn(["bash", RUN_SCRIPT], {
    cwd: tmp.path,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: tmp.path,
      AGENTRT_HOME: tmp.home,
      AGENT_BIN: agent,
      RUNNER_TEMP: runnerTemp,
      GITHUB_OUTPUT: outputFile,
      GITHUB_JOB: "review",
      ...Object.fromEntries(
        Object.entries(inputs).map(([k, val]) => [`INPUT_${k.toUpperCase().replaceAll("-", "_")}`, val]),
      ),
      ...env,
    },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  })
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  return { code, stdout, stderr, runnerTemp, outputs: parseOutputs(readFileSync(outputFile, "utf8")) }
}

/** GITHUB_OUTPUT's format: `name=value` lines and `name<<DELIM` … `DELIM` blocks. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.split("\n")
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([\w-]+)<<(.+)$/.exec(lines[i]!)
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1)
      expect(end).toBeGreaterThan(i)
      out[heredoc[1]!] = lines.slice(i + 1, end).join("\n")
      i = end
    } else if (lines[i]!.includes("="))
      out[lines[i]!.slice(0, lines[i]!.indexOf("="))] = lines[i]!.slice(lines[i]!.indexOf("=") + 1)
  }
  return out
}

const config = JSON.stringify({
  mcpServers: { local: { command: BUN, args: [BASIC], env: { TOKEN: "${MY_TOKEN}" } } },
})

describe("scripts/action-run.sh", () => {
  it("runs the prompt from stdin with a secret config, saves the report and sets multi-line outputs", async () => {
    await using srv = await fakeModel([
      { toolCalls: [{ name: "local__echo", args: { text: "hey" } }] },
      { text: "line one\nline two\nAGENTRT_EOF_x" },
    ])
    const prompt = `review "this" $(touch ${join(tmp.path, "pwned")}) \`id\` 'quoted'`
    const r = await runStep(
      {
        prompt,
        model: "anthropic:claude-test",
        "mcp-json": config,
        "approve-env": "MY_TOKEN,\nOTHER",
        args: "--allow\nlocal__*",
      },
      { ANTHROPIC_API_KEY: "k", ANTHROPIC_BASE_URL: srv.anthropicBaseUrl, MY_TOKEN: "t0k" },
      "ok",
    )
    expect(r.stderr).not.toContain("::error")
    expect(r.code).toBe(0)
    expect(existsSync(join(tmp.path, "pwned"))).toBe(false)
    expect(JSON.stringify(srv.requests[0]!.body)).toContain(JSON.stringify(prompt).slice(1, -1))
    const report = JSON.parse(readFileSync(join(r.runnerTemp, "agent-report.json"), "utf8")) as RunReport
    expect(v.safeParse(RunReport, report).issues).toBeUndefined()
    expect(report).toMatchObject({ exitCode: 0, toolCalls: [{ server: "local", tool: "echo" }] })
    expect(r.stdout.trim()).toBe(readFileSync(join(r.runnerTemp, "agent-report.json"), "utf8").trim())
    expect(r.outputs).toMatchObject({
      "exit-code": "0",
      result: "line one\nline two\nAGENTRT_EOF_x",
      report: join(r.runnerTemp, "agent-report.json"),
    })
    expect(r.outputs["artifact-name"]).toMatch(/^agent-report-review-[0-9a-f]{8}$/)
    expect(readdirSync(r.runnerTemp).filter((f) => f.startsWith("agentrt-mcp"))).toEqual([]) // the secret is gone
  }, 30_000)

  it("fails the step with agent's exit code, or not with continue-on-error; stream-json keeps the report", async () => {
    const turns = [{ toolCalls: [{ name: "local__echo", args: { text: "a" } }] }]
    await using srv = await fakeModel([...turns, ...turns])
    const inputs = {
      prompt: "loop",
      model: "anthropic:claude-test",
      "mcp-json": config,
      "approve-env": "MY_TOKEN",
      args: "--yes --max-turns 1",
    }
    const env = { ANTHROPIC_API_KEY: "k", ANTHROPIC_BASE_URL: srv.anthropicBaseUrl, MY_TOKEN: "t" }
    const failed = await runStep(inputs, env, "fail")
    expect(failed.code).toBe(1)
    expect(failed.stderr).toContain("::error title=agentrt::agent exited 1")
    expect(failed.outputs["exit-code"]).toBe("1")
    const kept = await runStep(
      { ...inputs, output: "stream-json", "continue-on-error": "true", "artifact-name": "mine" },
      env,
      "kept",
    )
    expect(kept.code).toBe(0)
    expect(kept.outputs).toMatchObject({ "exit-code": "1", "artifact-name": "mine" })
    const report = JSON.parse(readFileSync(join(kept.runnerTemp, "agent-report.json"), "utf8")) as RunReport
    expect(report).toMatchObject({ type: "result", exitCode: 1, exitReason: "max_turns" })
    expect(readFileSync(join(kept.runnerTemp, "agent-events.jsonl"), "utf8")).toContain('"type":"init"')
  }, 30_000)

  it("refuses bad inputs with exit 2 before running anything", async () => {
    const badName = await runStep({ prompt: "x", "approve-env": "OK, $(id)" }, {}, "bad-name")
    expect(badName.code).toBe(2)
    expect(badName.stderr).toContain("approve-env: not a variable name: $(id)")
    const badOutput = await runStep({ prompt: "x", output: "yaml" }, {}, "bad-output")
    expect(badOutput.code).toBe(2)
    const noPrompt = await runStep({ prompt: "" }, {}, "no-prompt")
    expect(noPrompt.stderr).toContain("give exactly one of the prompt, batch and merge inputs")
    const both = await runStep({ prompt: "x", batch: "tasks.jsonl" }, {}, "both")
    expect(both.code).toBe(2)
    expect(both.stderr).toContain("give exactly one of the prompt, batch and merge inputs")
  })

  it("runs a sharded batch (batch input) and merges the shards' results (merge input)", async () => {
    await using m = await perTaskModel()
    const tasks = ["a1", "a2", "fail3", "a4", "a5"].map((id) => JSON.stringify({ id, prompt: `task:${id}` }))
    await tmp.write("tasks.jsonl", `${tasks.join("\n")}\n`)
    const env = { ANTHROPIC_API_KEY: "k", ANTHROPIC_BASE_URL: m.anthropicBaseUrl }
    const mcp = JSON.stringify({ mcpServers: { srv: { command: BUN, args: [AGENT_SERVER] } } })
    for (const i of [1, 2]) {
      const inputs = {
        batch: "tasks.jsonl",
        model: "anthropic:claude-test",
        "mcp-json": mcp,
        args: `--shard ${i}/2 --yes`,
        "continue-on-error": "true",
      }
      const step = await runStep(inputs, env, `shard-${i}`)
      expect({ code: step.code, stderr: step.stderr }).toEqual({ code: 0, stderr: expect.any(String) })
      expect(step.outputs.report).toBe(join(step.runnerTemp, "agent-results.jsonl"))
      expect(step.outputs.result).toBe(
        i === 1 ? "3 tasks: 2 succeeded, 1 failed" : "2 tasks: 2 succeeded, 0 failed",
      )
      expect(step.outputs["exit-code"]).toBe(i === 1 ? "1" : "0")
    }
    const merged = await runStep(
      { merge: "shard-*/agent-results.jsonl", args: "--tasks tasks.jsonl" },
      {},
      "merge",
    )
    expect(merged.code).toBe(1) // fail3 failed: the merge job fails the workflow
    expect(merged.outputs.result).toBe("5 tasks: 4 succeeded, 1 failed")
    const summary = JSON.parse(readFileSync(merged.outputs.report!, "utf8")) as { failures: { id: string }[] }
    expect(summary.failures.map((f) => f.id)).toEqual(["fail3"])
    const none = await runStep({ merge: "nothing-*.jsonl" }, {}, "merge-none")
    expect(none.code).toBe(2)
    expect(none.stderr).toContain("merge: no file matches")
  }, 60_000)
})
