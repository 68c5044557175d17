// Every command that takes --output json, on the compiled binary: on success and on failure,
// stdout is exactly one JSON document (JSON.parse of the whole of it) of the documented shape
// (tests/helpers/json-shapes.ts; docs/json-output.md's examples are checked against the same schemas),
// and a failure's human error is on stderr.
import { afterAll, beforeAll, describe, expect, it } from "bun:test"
import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import type * as v from "valibot"
import { startupReport } from "../../src/agent/report.ts"
import { fakeModel, type FakeModel } from "../fixtures/model/server.ts"
import { startStatelessServer } from "../fixtures/servers/http-stateless.ts"
import { startTaskServer } from "../fixtures/servers/http-tasks.ts"
import { BUN, ROOT, runCli, type CliResult } from "../helpers/cli.ts"
import { DaemonDown, ErrorDoc, JSON_COMMANDS, shapeIssues, type JsonCommand } from "../helpers/json-shapes.ts"
import { refusedPort, type HeldPort } from "../helpers/ports.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"
import { startRegistry } from "../fixtures/registry/server.ts"

const BASIC = join(ROOT, "tests/fixtures/servers/stdio-basic.ts")
const SKILLS = join(ROOT, "tests/fixtures/servers/stdio-skills.ts")

interface Env {
  t: TmpDir
  /** mcp.json with the stdio fixture as `basic` */
  file: string
  missing: string
  /** A URL nothing listens on (held, so nothing else can start listening there). */
  dead: string
  /** A stateless HTTP MCP server that needs no sign-in. */
  remote: string
  /** mcp.json with two skills fixtures: `docs` (honest) and `bad` (hostile). */
  skills: string
  /** A Claude Code config with one server, to import. */
  claude: string
  model: FakeModel
  /** mcp.json with the task fixture (http-tasks.ts) as `api`. */
  tasks: string
  /** A finished task of `api` (api/<id>), and one that runs until cancelled. */
  done: string
  running: string
  /** The fixture MCP registry, and an mcp.json with a server installed from it. */
  registry: string
  fromRegistry: string
  /** A tasks.jsonl for agent run --batch with one task (and results.jsonl beside it with its report). */
  batchTasks: string
}

interface Case {
  command: JsonCommand
  ok: (e: Env) => string[]
  fail: (e: Env) => string[]
  failCode: number
  /** The failure's document when it is the command's own (default: the error document). */
  failShape?: v.GenericSchema
  okCode?: number
  env?: (e: Env) => Record<string, string>
  failEnv?: Record<string, string>
  before?: (e: Env) => Promise<void>
  check?: (failed: unknown) => void
}

const CASES: Case[] = [
  {
    command: "agent config validate",
    ok: (e) => ["config", "validate", "--mcp", e.file],
    fail: (e) => ["config", "validate", "--mcp", e.missing],
    failCode: 2,
    failShape: JSON_COMMANDS["agent config validate"],
  },
  {
    command: "agent config path",
    ok: (e) => ["config", "path", "--mcp", e.file],
    fail: () => ["config", "path", "--mcp-only"],
    failCode: 2,
  },
  {
    command: "agent config show",
    ok: (e) => ["config", "show", "--mcp", e.file],
    fail: (e) => ["config", "show", "--mcp", e.missing],
    failCode: 2,
  },
  {
    command: "agent env list",
    ok: (e) => ["env", "list", "--mcp", e.file],
    fail: (e) => ["env", "list", "--mcp", e.missing],
    failCode: 2,
  },
  {
    command: "agent install",
    ok: (e) => ["install", "memory", "--yes", "--mcp", join(e.t.path, "installed.json")],
    fail: () => ["install", "no-such-server", "--yes"],
    failCode: 2,
  },
  {
    command: "agent install --link",
    ok: () => ["install", "--link", "memory"],
    fail: () => ["install", "--link", "no-such-server"],
    failCode: 2,
  },
  {
    command: "agent install --register",
    ok: () => ["install", "--register", "--dry-run"],
    fail: () => ["install", "--register", "--unregister"],
    failCode: 2,
  },
  // A list names the servers that did not connect; the ad hoc one must, so that is exit 5.
  {
    command: "agent mcp list",
    ok: (e) => ["mcp", "list", "--mcp", e.file],
    fail: (e) => ["mcp", "list", "--url", e.dead],
    failCode: 5,
    failShape: JSON_COMMANDS["agent mcp list"],
  },
  {
    command: "agent mcp get",
    ok: (e) => ["mcp", "get", "basic", "--mcp", e.file],
    fail: (e) => ["mcp", "get", "--url", e.dead],
    failCode: 5,
  },
  {
    command: "agent mcp tools",
    ok: (e) => ["mcp", "tools", "basic", "--mcp", e.file],
    fail: (e) => ["mcp", "tools", "--url", e.dead],
    failCode: 5,
  },
  {
    command: "agent mcp call",
    ok: (e) => ["mcp", "call", "basic", "echo", "--arg", "text=hi", "--mcp", e.file],
    fail: (e) => ["mcp", "call", "echo", "--arg", "text=hi", "--url", e.dead],
    failCode: 5,
  },
  {
    command: "agent mcp call --task --detach",
    ok: (e) => ["mcp", "call", "api", "report", "--arg", "topic=x", "--task", "--detach", "--mcp", e.tasks],
    // A stdio server's tasks end with the process: refused.
    fail: (e) => ["mcp", "call", "basic", "echo", "--arg", "text=hi", "--task", "--detach", "--mcp", e.file],
    failCode: 2,
  },
  {
    command: "agent mcp tasks",
    ok: (e) => ["mcp", "tasks", "api", "--mcp", e.tasks],
    fail: (e) => ["mcp", "tasks", "--url", e.dead],
    failCode: 5,
  },
  {
    command: "agent mcp task get",
    ok: (e) => ["mcp", "task", "get", e.done, "--mcp", e.tasks],
    fail: (e) => ["mcp", "task", "get", "no-slash", "--mcp", e.tasks],
    failCode: 2,
  },
  {
    command: "agent mcp task wait",
    ok: (e) => ["mcp", "task", "wait", e.done, "--mcp", e.tasks],
    fail: (e) => ["mcp", "task", "wait", "api/no-such-task", "--mcp", e.tasks],
    failCode: 1,
  },
  {
    command: "agent mcp task result",
    ok: (e) => ["mcp", "task", "result", e.done, "--mcp", e.tasks],
    fail: (e) => ["mcp", "task", "result", "nowhere/x", "--mcp", e.tasks],
    failCode: 2,
  },
  {
    command: "agent mcp task cancel",
    ok: (e) => ["mcp", "task", "cancel", e.running, "--mcp", e.tasks],
    fail: (e) => ["mcp", "task", "cancel", "api/x", "--url", e.dead],
    failCode: 2,
  },
  {
    command: "agent mcp prompts",
    ok: (e) => ["mcp", "prompts", "--mcp", e.file],
    fail: (e) => ["mcp", "prompts", "--url", e.dead],
    failCode: 5,
  },
  {
    command: "agent mcp prompt",
    ok: (e) => ["mcp", "prompt", "basic", "greet", "--arg", "name=Ada", "--mcp", e.file],
    fail: (e) => ["mcp", "prompt", "basic", "nope", "--mcp", e.file],
    failCode: 2,
  },
  {
    command: "agent mcp resources",
    ok: (e) => ["mcp", "resources", "--mcp", e.file],
    fail: (e) => ["mcp", "resources", "--url", e.dead],
    failCode: 5,
  },
  {
    command: "agent mcp read",
    ok: (e) => ["mcp", "read", "basic", "fixture://readme", "--mcp", e.file],
    fail: (e) => ["mcp", "read", "fixture://readme", "--url", e.dead],
    failCode: 5,
  },
  {
    command: "agent mcp skills",
    ok: (e) => ["mcp", "skills", "--mcp", e.skills],
    fail: (e) => ["mcp", "skills", "--url", e.dead],
    failCode: 5,
  },
  // A skill whose SKILL.md fails its digest check is refused: exit 1, the error document.
  {
    command: "agent mcp skill",
    ok: (e) => ["mcp", "skill", "docs", "pdf-processing", "--mcp", e.skills],
    fail: (e) => ["mcp", "skill", "bad", "tampered", "--mcp", e.skills],
    failCode: 1,
  },
  // The doctor's report is the document either way; a broken server is exit 1.
  {
    command: "agent mcp doctor",
    ok: (e) => ["mcp", "doctor", "basic", "--mcp", e.file],
    fail: (e) => ["mcp", "doctor", "--url", e.dead],
    failCode: 1,
    failShape: JSON_COMMANDS["agent mcp doctor"],
  },
  {
    command: "agent mcp lock",
    ok: (e) => ["mcp", "lock", "--mcp", e.file],
    // After the first run wrote mcp.lock, the lock forgets one tool ("added") and remembers
    // another's description differently ("tool-changed", field "description").
    before: async (e) => {
      const path = join(e.t.path, "mcp.lock")
      const lock = JSON.parse(await readFile(path, "utf8")) as {
        servers: {
          basic: { tools: Record<string, { description?: string; descriptionHash?: string; hash?: string }> }
        }
      }
      const tools = lock.servers.basic.tools
      delete tools.echo
      const other = Object.keys(tools)[0]!
      tools[other] = {
        ...tools[other],
        description: "what the lock remembered",
        descriptionHash: "0",
        hash: "0",
      }
      await writeFile(path, JSON.stringify(lock))
    },
    fail: (e) => ["mcp", "lock", "--mcp", e.file],
    failCode: 3,
    failShape: JSON_COMMANDS["agent mcp lock"],
    check: (doc) =>
      expect(doc).toMatchObject({
        written: false,
        changes: expect.arrayContaining([
          { server: "basic", tool: "echo", kind: "added", after: expect.any(String) },
          expect.objectContaining({ server: "basic", kind: "tool-changed", field: "description" }),
        ]),
        error: { code: "approval", exitCode: 3 },
      }),
  },
  {
    command: "agent mcp catalog",
    ok: () => ["mcp", "catalog", "git"],
    fail: () => ["mcp", "catalog"],
    failCode: 2,
    failEnv: { AGENTRT_HOME: "relative/home" },
  },
  {
    command: "agent mcp search",
    ok: (e) => ["mcp", "search", "weather", "--registry", e.registry],
    fail: (e) => ["mcp", "search", "weather", "--registry", e.dead],
    failCode: 5,
    failEnv: { AGENTRT_REGISTRY_RETRY_MS: "1" },
  },
  {
    command: "agent mcp outdated",
    ok: (e) => ["mcp", "outdated", "--mcp", e.fromRegistry],
    fail: (e) => ["mcp", "outdated", "--mcp", e.missing],
    failCode: 2,
  },
  {
    command: "agent mcp update",
    ok: (e) => ["mcp", "update", "notes", "--mcp", e.fromRegistry],
    fail: (e) => ["mcp", "update", "nope", "--mcp", e.fromRegistry],
    failCode: 2,
  },
  {
    command: "agent mcp import",
    ok: (e) => ["mcp", "import", "--from", "claude", e.claude, "--dry-run"],
    fail: () => ["mcp", "import", "--from", "nope"],
    failCode: 2,
  },
  {
    command: "agent mcp export",
    ok: (e) => [
      "mcp",
      "export",
      "--to",
      "cursor",
      "--file",
      `${e.claude}.cursor.json`,
      "--mcp",
      e.claude,
      "--dry-run",
    ],
    fail: (e) => ["mcp", "export", "--to", "cursor", "--only", "nope", "--mcp", e.claude],
    failCode: 2,
  },
  {
    command: "agent mcp auth",
    ok: (e) => ["mcp", "auth", "--url", e.remote],
    fail: (e) => ["mcp", "auth", "--url", e.dead],
    failCode: 5,
  },
  {
    command: "agent mcp auth --status",
    ok: (e) => ["mcp", "auth", "--status", "--mcp", e.claude],
    fail: (e) => ["mcp", "auth", "--status", "nope", "--mcp", e.claude],
    failCode: 2,
  },
  {
    command: "agent mcp logout",
    ok: (e) => ["mcp", "logout", "gh", "--mcp", e.claude],
    fail: (e) => ["mcp", "logout", "gh", "--mcp", e.missing],
    failCode: 2,
  },
  // A run that fails before the model still prints its report: exitReason startup_error.
  {
    command: "agent run",
    ok: (e) => ["run", "--mcp", e.file, "-m", "anthropic:claude-sonnet-4-5", "--yes", "say hi"],
    env: (e) => ({ ANTHROPIC_API_KEY: "test-key", ANTHROPIC_BASE_URL: e.model.anthropicBaseUrl }),
    fail: (e) => ["run", "--mcp", e.missing, "-m", "anthropic:claude-sonnet-4-5", "say hi"],
    failCode: 2,
    failShape: JSON_COMMANDS["agent run"],
    check: (doc) =>
      expect(doc).toMatchObject({
        exitReason: "startup_error",
        exitCode: 2,
        turns: 0,
        error: expect.stringContaining("does not exist"),
      }),
  },
  // One task answered by the model; a bad tasks line is exit 2 (the error document).
  {
    command: "agent run --batch",
    ok: (e) => [
      "run",
      "--batch",
      e.batchTasks,
      "--results",
      join(e.t.path, "batch.jsonl"),
      "--mcp",
      e.file,
      "-m",
      "anthropic:claude-sonnet-4-5",
    ],
    // Called for the ok and the fail run; the fail run never reaches the model, so one turn is left over.
    env: (e) => (
      e.model.push({ text: "hi" }),
      { ANTHROPIC_API_KEY: "test-key", ANTHROPIC_BASE_URL: e.model.anthropicBaseUrl }
    ),
    check: (doc) => expect(doc).toMatchObject({ error: { exitCode: 2 } }),
    fail: (e) => ["run", "--batch", e.file, "--results", join(e.t.path, "batch.jsonl"), "--mcp", e.file],
    failCode: 2,
  },
  {
    command: "agent report merge",
    ok: (e) => ["report", "merge", e.batchTasks.replace("batch-tasks.jsonl", "results.jsonl")],
    fail: (e) => ["report", "merge", e.missing],
    failCode: 2,
  },
  // Last: while this daemon runs, the commands above would go through it.
  {
    command: "agent daemon start",
    ok: () => ["daemon", "start", "--exit-after", "2m"],
    fail: () => ["daemon", "start", "--idle-timeout", "soon"],
    failCode: 2,
  },
  {
    command: "agent daemon status",
    ok: () => ["daemon", "status"],
    fail: () => ["daemon", "status"],
    failEnv: { AGENTRT_HOME: "/nonexistent/agentrt-json-output" },
    failCode: 5,
    failShape: DaemonDown,
  },
  {
    command: "agent daemon stop",
    ok: () => ["daemon", "stop"],
    fail: () => ["daemon", "stop", "--now"],
    failCode: 2,
  },
]

/** stdout as exactly one JSON document: JSON.parse of all of it. */
function document(r: CliResult): unknown {
  try {
    return JSON.parse(r.stdout)
  } catch {
    throw new Error(
      `stdout is not one JSON document (exit ${r.code})\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`,
    )
  }
}

describe("compiled binary: --output json on success and on failure", () => {
  let e: Env
  const cleanup: (AsyncDisposable | Disposable)[] = []
  beforeAll(async () => {
    const t = await tmpdir()
    const remote = await startStatelessServer()
    const dead: HeldPort = refusedPort()
    const model = await fakeModel([{ text: "hi" }])
    const taskServer = await startTaskServer()
    const registry = await startRegistry()
    cleanup.push(t, remote, dead, model, taskServer, registry)
    const tasks = await t.write("tasks.json", { mcpServers: { api: { url: taskServer.url } } })
    const detach = async (tool: string) =>
      (
        await runCli(["mcp", "call", "api", tool, "--arg", "topic=x", "--task", "--detach", "--mcp", tasks], {
          home: t.home,
          cwd: t.path,
          binary: true,
          timeoutMs: 40_000,
        })
      ).stdout.trim()
    e = {
      t,
      file: await t.write("mcp.json", { mcpServers: { basic: { command: BUN, args: [BASIC] } } }),
      missing: join(t.path, "missing.json"),
      dead: `${dead.url}/mcp`,
      remote: remote.url,
      registry: registry.url,
      fromRegistry: await t.write("from-registry.json", {
        mcpServers: {
          notes: {
            type: "sse",
            url: "https://notes.example.com/sse",
            headers: { "X-API-Key": "${X_API_KEY}" },
            registry: { url: registry.url, name: "io.github.example/notes", version: "0.3.0", type: "sse" },
          },
        },
      }),
      skills: await t.write("skills.json", {
        mcpServers: {
          docs: { command: BUN, args: [SKILLS] },
          bad: { command: BUN, args: [SKILLS], env: { SKILLS_MODE: "hostile" } },
        },
      }),
      claude: await t.write("claude.json", {
        mcpServers: { gh: { url: "https://example.com/mcp", headers: { Authorization: "Bearer ${TOKEN}" } } },
      }),
      model,
      tasks,
      done: await detach("report"),
      running: await detach("forever"),
      batchTasks: await t.write("batch-tasks.jsonl", '{"id":"t1","prompt":"say hi"}\n'),
    }
    await t.write(
      "results.jsonl",
      `${JSON.stringify({ id: "t1", ...startupReport({ exitReason: "startup_error", exitCode: 0, error: "", model: "m", startedAt: 0 }), exitReason: "completed" })}\n`,
    )
  })
  afterAll(async () => {
    for (const c of cleanup.reverse()) {
      if (Symbol.asyncDispose in c) await c[Symbol.asyncDispose]()
      else c[Symbol.dispose]()
    }
  })

  const agent = (args: string[], env: Record<string, string> = {}) =>
    runCli([...args, "--output", "json"], {
      home: e.t.home,
      cwd: e.t.path,
      env,
      binary: true,
      timeoutMs: 40_000,
    })

  it("covers every command the shapes list", () => {
    const tested: string[] = CASES.map((c) => c.command)
    expect(tested.sort()).toEqual(Object.keys(JSON_COMMANDS).sort())
  })

  for (const c of CASES) {
    it(`${c.command}`, async () => {
      const ok = await agent(c.ok(e), c.env?.(e))
      expect({ code: ok.code, stderr: ok.stderr }).toMatchObject({ code: c.okCode ?? 0 })
      expect(shapeIssues(JSON_COMMANDS[c.command], document(ok))).toEqual([])

      await c.before?.(e)
      const failed = await agent(c.fail(e), { ...c.env?.(e), ...c.failEnv })
      expect(failed.code).toBe(c.failCode)
      const doc = document(failed)
      expect(shapeIssues(c.failShape ?? ErrorDoc, doc)).toEqual([])
      if (!c.failShape) expect(doc).toMatchObject({ error: { exitCode: c.failCode } })
      c.check?.(doc)
      // The human error, as without --output json.
      expect(failed.stderr).toMatch(/error/i)
    }, 60_000)
  }
})
