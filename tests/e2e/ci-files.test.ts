// The CI files no engine runs here: the Dockerfile (no Docker on this machine) and the example
// pipelines, checked for the structure that matters, and every shell script, linted.
//
// Linters. shellcheck comes from Debian (.ci/run installs it); under CI=true these tests run
// even without it, and so fail, rather than skip. hadolint cannot be installed here: it is a
// Haskell binary that Debian 12 does not package, and the npm packages for it download the binary
// at install time, which fails where only the npm and Debian registries are reachable. In its
// place: dockerfile-utils' validator (pure TypeScript, the one behind VS Code's Dockerfile
// support: unknown instructions, bad arguments and flags, duplicate ENTRYPOINT/CMD…), shellcheck
// over the RUN commands (hadolint's SC rules), and the structural checks below for the DL rules
// that matter here (pinned base image, non-root USER, exec-form ENTRYPOINT, no ADD or curl).
import { describe, expect, it } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { validate } from "dockerfile-utils"
import { parse } from "yaml"
import pkg from "../../package.json"
import { ROOT } from "../helpers/cli.ts"

const read = (rel: string) => readFileSync(join(ROOT, rel), "utf8")
const needShellcheck = Bun.which("shellcheck") === null && process.env.CI !== "true"

/** shellcheck's findings as text ("" when clean); `stdin` lints that text instead of the files. */
function shellcheck(args: string[], stdin?: string): string {
  if (Bun.which("shellcheck") === null)
    throw new Error("shellcheck is not installed (apt-get install shellcheck; .ci/run does)")
  const r = Bun.spawnSync(["shellcheck", "--format=gcc", ...args], {
    cwd: ROOT,
    ...(stdin !== undefined && { stdin: Buffer.from(stdin) }),
  })
  const out = r.stdout.toString() + r.stderr.toString()
  return r.exitCode === 0 ? out : out || `shellcheck exited ${r.exitCode}`
}

/** Every shell script in the repo: *.sh, and files in .ci/ and scripts/ with a sh or bash shebang. */
function shellScripts(): string[] {
  const files = [...new Bun.Glob("{.ci,scripts,tests}/**/*").scanSync({ cwd: ROOT, dot: true })]
  const isShell = (f: string) =>
    f.endsWith(".sh") || (!f.startsWith("tests/") && /^#!.*\b(ba|da)?sh\b/.test(read(f).slice(0, 100)))
  return files.filter((f) => !f.includes("node_modules/") && isShell(f)).sort()
}

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
    const froms = ins
      .filter((i) => i.op === "FROM")
      .map((i) => i.args.replace(/--platform=\S+\s+/, "").split(/\s+/)[0]!)
    expect(froms.length).toBeGreaterThan(0)
    for (const image of froms) expect(image).toMatch(/^alpine:3\.\d+(\.\d+)?$/)
  })

  it("installs the musl C++ runtime and copies the musl builds build.ts makes", () => {
    expect(finalStage.find((i) => i.op === "RUN")?.args).toMatch(/apk add --no-cache .*libstdc\+\+.*libgcc/)
    const copied = ins
      .filter((i) => i.op === "COPY" && !i.args.startsWith("--from"))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1))
    expect(copied.sort()).toEqual(["dist/agent-linux-arm64-musl", "dist/agent-linux-x64-musl"])
    for (const target of ["bun-linux-x64-musl", "bun-linux-arm64-musl"])
      expect(read("build.ts")).toContain(`"${target}",`)
    // .dockerignore lets exactly those in.
    const allowed = read(".dockerignore")
      .split("\n")
      .filter((l) => l.startsWith("!"))
      .map((l) => l.slice(1))
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

  it("passes dockerfile-utils' validator, which does flag a broken Dockerfile", () => {
    const problems = (text: string) =>
      validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`)
    expect(problems(read("Dockerfile"))).toEqual([])
    expect(problems("FROM alpine:3.22\nCOPY one-argument\n")).toEqual([
      "line 2: COPY requires at least two arguments",
    ])
  })

  it.skipIf(needShellcheck)("has shellcheck-clean RUN commands (/bin/sh: Alpine's busybox ash)", () => {
    const runs = ins.filter((i) => i.op === "RUN" && !i.args.startsWith("["))
    expect(runs.length).toBeGreaterThan(0)
    for (const run of runs)
      expect({ run: run.args, findings: shellcheck(["--shell=sh", "-"], `${run.args}\n`) }).toEqual({
        run: run.args,
        findings: "",
      })
  })
})

describe("shell scripts", () => {
  it.skipIf(needShellcheck)("are all shellcheck-clean, each in its shebang's dialect", () => {
    const scripts = shellScripts()
    for (const known of [
      ".ci/run",
      "scripts/install.sh",
      "scripts/action-run.sh",
      "scripts/verify-release.sh",
      "scripts/smoke-binary.sh",
      "tests/fixtures/oauth/browser.sh",
    ])
      expect(scripts).toContain(known)
    expect(shellcheck(scripts)).toBe("")
    // The lint is live: a known finding (SC2086, an unquoted expansion) is reported.
    expect(shellcheck(["--shell=sh", "-"], "rm $1\n")).toContain("SC2086")
  })
})

describe("examples/ci", () => {
  const actionInputs = Object.keys((parse(read("action.yml")) as { inputs: Record<string, unknown> }).inputs)

  it("github-actions.yml: a matrix of jobs, each running the action with declared inputs", () => {
    const wf = parse(read("examples/ci/github-actions.yml")) as {
      on: unknown
      jobs: Record<
        string,
        {
          "runs-on": string
          strategy: { "fail-fast": boolean; matrix: { task: { name: string; prompt: string }[] } }
          steps: Record<string, unknown>[]
        }
      >
    }
    expect(wf.on).toBeDefined()
    const job = Object.values(wf.jobs)[0]!
    expect(job["runs-on"]).toBeString()
    expect(job.strategy["fail-fast"]).toBe(false)
    expect(job.strategy.matrix.task.length).toBeGreaterThan(1)
    for (const t of job.strategy.matrix.task)
      expect(t).toEqual({ name: expect.any(String), prompt: expect.any(String) })
    const step = job.steps.find((s) => String(s.uses).startsWith("agentrt/agentrt@"))!
    expect(step.uses).toBe(`agentrt/agentrt@v${pkg.version}`)
    const inputs = step.with as Record<string, string>
    for (const k of Object.keys(inputs)) expect(actionInputs).toContain(k)
    expect(inputs.prompt).toBe("${{ matrix.task.prompt }}")
    expect(inputs["artifact-name"]).toContain("${{ matrix.task.name }}") // unique per job
    for (const s of job.steps) if (s.run) expect(String(s.run)).not.toContain("${{")
  })

  it("gitlab-ci.yml: a parallel:matrix job in the pinned image that keeps the JSON report", () => {
    const ci = parse(read("examples/ci/gitlab-ci.yml")) as Record<
      string,
      {
        image: { name: string; entrypoint: string[] }
        parallel: { matrix: Record<string, string>[] }
        script: string[]
        artifacts: { when: string; paths: string[] }
      }
    >
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
