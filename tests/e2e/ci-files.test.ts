// The CI files no engine runs here: the Dockerfile (no Docker on this machine) and the example
// pipelines, checked for the structure that matters. hadolint is used when installed.
import { describe, expect, it } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { parse } from "yaml"
import pkg from "../../package.json"
import { ROOT } from "../helpers/cli.ts"

const read = (rel: string) => readFileSync(join(ROOT, rel), "utf8")

/** Dockerfile instructions with continuation lines joined and comments dropped. */
function instructions(text: string): { op: string; args: string }[] {
  return text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => ({ op: l.split(/\s+/)[0]!.toUpperCase(), args: l.slice(l.indexOf(" ") + 1).trim() }))
}

describe("Dockerfile", () => {
  const ins = instructions(read("Dockerfile"))
  const finalStage = ins.slice(ins.findLastIndex((i) => i.op === "FROM"))

  it("starts from a version-pinned Alpine, never latest", () => {
    const froms = ins.filter((i) => i.op === "FROM").map((i) => i.args.replace(/--platform=\S+\s+/, "").split(/\s+/)[0]!)
    expect(froms.length).toBeGreaterThan(0)
    for (const image of froms) expect(image).toMatch(/^alpine:3\.\d+(\.\d+)?$/)
  })

  it("installs the musl C++ runtime and copies the musl builds build.ts makes", () => {
    expect(finalStage.find((i) => i.op === "RUN")?.args).toMatch(/apk add --no-cache .*libstdc\+\+.*libgcc/)
    const copied = ins.filter((i) => i.op === "COPY" && !i.args.startsWith("--from")).flatMap((i) => i.args.split(/\s+/).slice(0, -1))
    expect(copied.sort()).toEqual(["dist/agent-linux-arm64-musl", "dist/agent-linux-x64-musl"])
    expect(read("build.ts")).toContain('"bun-linux-x64-musl", "bun-linux-arm64-musl"')
    // .dockerignore lets exactly those in.
    const allowed = read(".dockerignore").split("\n").filter((l) => l.startsWith("!")).map((l) => l.slice(1))
    expect(allowed.sort()).toEqual(copied.sort())
    expect(finalStage.some((i) => i.op === "COPY" && i.args.endsWith("/usr/local/bin/agent"))).toBe(true)
  })

  it("runs as a non-root user with an exec-form entrypoint, and adds nothing from a URL", () => {
    const user = finalStage.filter((i) => i.op === "USER").at(-1)?.args
    expect(user).toBeDefined()
    expect(["root", "0", "0:0"]).not.toContain(user!)
    expect(JSON.parse(finalStage.find((i) => i.op === "ENTRYPOINT")!.args)).toEqual(["agent"])
    expect(ins.filter((i) => i.op === "ADD")).toEqual([])
    for (const i of ins) expect(i.args).not.toMatch(/\b(curl|wget)\b.*https?:/)
  })

  it.skipIf(!Bun.which("hadolint"))("passes hadolint", () => {
    const r = Bun.spawnSync(["hadolint", join(ROOT, "Dockerfile")])
    expect(r.stdout.toString()).toBe("")
    expect(r.exitCode).toBe(0)
  })
})

describe("examples/ci", () => {
  const actionInputs = Object.keys((parse(read("action.yml")) as { inputs: Record<string, unknown> }).inputs)

  it("github-actions.yml: a matrix of jobs, each running the action with declared inputs", () => {
    const wf = parse(read("examples/ci/github-actions.yml")) as {
      on: unknown
      jobs: Record<string, { "runs-on": string; strategy: { "fail-fast": boolean; matrix: { task: { name: string; prompt: string }[] } }; steps: Record<string, unknown>[] }>
    }
    expect(wf.on).toBeDefined()
    const job = Object.values(wf.jobs)[0]!
    expect(job["runs-on"]).toBeString()
    expect(job.strategy["fail-fast"]).toBe(false)
    expect(job.strategy.matrix.task.length).toBeGreaterThan(1)
    for (const t of job.strategy.matrix.task) expect(t).toEqual({ name: expect.any(String), prompt: expect.any(String) })
    const step = job.steps.find((s) => String(s.uses).startsWith("agentrt/agentrt@"))!
    expect(step.uses).toBe(`agentrt/agentrt@v${pkg.version}`)
    const inputs = step.with as Record<string, string>
    for (const k of Object.keys(inputs)) expect(actionInputs).toContain(k)
    expect(inputs.prompt).toBe("${{ matrix.task.prompt }}")
    expect(inputs["artifact-name"]).toContain("${{ matrix.task.name }}") // unique per job
    for (const s of job.steps) if (s.run) expect(String(s.run)).not.toContain("${{")
  })

  it("gitlab-ci.yml: a parallel:matrix job in the pinned image that keeps the JSON report", () => {
    const ci = parse(read("examples/ci/gitlab-ci.yml")) as Record<string, {
      image: { name: string; entrypoint: string[] }
      parallel: { matrix: Record<string, string>[] }
      script: string[]
      artifacts: { when: string; paths: string[] }
    }>
    const job = ci.agent!
    expect(job.image.name).toEndWith(`:${pkg.version}`)
    expect(job.image.entrypoint).toEqual([""])
    expect(job.parallel.matrix.length).toBeGreaterThan(1)
    for (const m of job.parallel.matrix) expect(Object.keys(m).sort()).toEqual(["PROMPT", "TASK"])
    const run = job.script.find((l) => l.includes("agent run"))!
    expect(run).toContain("--output json")
    expect(run).toContain('"$PROMPT"')
    expect(job.artifacts.when).toBe("always")
    expect(job.artifacts.paths).toEqual(["agent-report-$TASK.json"])
  })
})
