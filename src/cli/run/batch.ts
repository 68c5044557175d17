// `agent run --batch tasks.jsonl` (docs/runs.md "Batch runs"): the servers connect once; each task
// is its own agent loop (own signal, own tool source, own model or recording) on the shared
// manager, at most --concurrency at a time. Each finished task's report, plus its id, becomes
// one line of --results (or stdout); the exit code is 0 when every task succeeded, 1 when any
// failed, and the usual codes when the batch cannot start (a bad tasks file is 2, naming the line).
import { mkdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import type { LanguageModelV4 } from "@ai-sdk/provider"
import {
  DEFAULT_CONCURRENCY,
  createPermissions,
  fillVars,
  formatSummary,
  isBatchOk,
  managerSkillSource,
  managerToolSource,
  openResults,
  parseShard,
  parseTasks,
  resumeResults,
  runAgent,
  runPool,
  shardTasks,
  startupReport,
  summarize,
  taskFileName,
  type BatchTask,
  type ServerStatus,
  type Shard,
  type TaskReport,
} from "../../agent/index.ts"
import type { ElicitHandler, SamplingHandler, ServerState } from "../../mcp/index.ts"
import { ConfigError, ExitCode, InterruptedError, UsageError, isAgentError } from "../../util/errors.ts"
import type { RunTrace, Telemetry } from "../../telemetry/index.ts"
import { runSecrets } from "../../util/secrets.ts"
import { escapeJsonText, escapeTerminal } from "../../util/text.ts"
import { keyValues, repeated } from "../shared/context.ts"
import { millis, missingError, missingRequired, withServers, type Session } from "../shared/connect.ts"
import { enforceLock } from "../shared/lock-check.ts"
import { printJson, printRaw, writeStdout } from "../shared/output.ts"
import { batchProgress } from "./batch-progress.ts"
import { buildContext } from "./context.ts"

export const batchArgs = {
  batch: {
    type: "string",
    valueHint: "FILE",
    description: 'Run every task of a JSONL file ({"id","prompt"} per line) on one set of servers',
  },
  results: {
    type: "string",
    valueHint: "FILE",
    description: "--batch: append each task's JSON report here as it finishes (default: stdout)",
  },
  resume: { type: "boolean", description: "--batch: skip the ids already in --results" },
  concurrency: {
    type: "string",
    valueHint: "N",
    description: `--batch: tasks at a time (default ${DEFAULT_CONCURRENCY})`,
  },
  shard: {
    type: "string",
    valueHint: "I/N|auto",
    description:
      "--batch: run every N-th task from the I-th (1-based); auto reads CI_NODE_INDEX/CI_NODE_TOTAL or JOB_COMPLETION_INDEX",
  },
} as const

export interface BatchFlags {
  batch?: string
  results?: string
  resume?: boolean
  concurrency?: string
  shard?: string
  output?: string
  quiet?: boolean
  model?: string
  "base-url"?: string
  record?: string
  replay?: string
  prompt?: string
  system?: string
  yes?: boolean
  skills?: boolean
  "strict-permissions"?: boolean
  timeout?: string
  "allow-sampling"?: boolean
  elicit?: string
  locked?: boolean
  [key: string]: unknown
}

/** What index.ts lends the batch (it owns these for single runs; passed in to keep imports one-way). */
export interface BatchDeps {
  chooseModel(
    args: { model?: string; "base-url"?: string; record?: string; replay?: string },
    s: Session,
  ): Promise<{ model: LanguageModelV4; modelName: string }>
  serverStatus(s: ServerState): ServerStatus
  /** Sampling and elicitation handlers; `live.model` is set once the first task's model exists. */
  handlers: { sample: SamplingHandler; elicit: ElicitHandler }
  live: { model?: LanguageModelV4; signal?: AbortSignal }
  limits: Record<string, number | undefined>
  connectFlags: Record<string, unknown>
  interruptGraceMs: number
  /** OpenTelemetry (a no-op unless an OTLP endpoint is set): a span for the batch, one per task under it. */
  telemetry: Telemetry
}

export async function runBatch(
  args: BatchFlags,
  rawArgs: string[],
  positional: string | undefined,
  deps: BatchDeps,
): Promise<number> {
  const plan = planBatch(args, positional)
  const started = performance.now()
  const earlier = plan.results && args.resume ? resumeResults(plan.results) : []
  const doneIds = new Set(earlier.map((r) => r.id))
  const todo = plan.tasks.filter((t) => !doneIds.has(t.id))
  const shardIds = new Set(plan.tasks.map((t) => t.id))
  const reports: { report: TaskReport; file: string }[] = earlier
    .filter((r) => shardIds.has(r.id))
    .map((report) => ({ report, file: plan.results ?? "-" }))
  const serialize = (r: TaskReport) => escapeJsonText(JSON.stringify(r, runSecrets.replacer))
  const sink = plan.results
    ? openResults(plan.results, serialize)
    : { append: (r: TaskReport) => writeStdout(`${serialize(r)}\n`), close: () => {} }
  if (plan.recordDir) mkdirSync(plan.recordDir, { recursive: true })
  const sessionFlags = { ...deps.connectFlags, quiet: args.quiet }
  const trace = deps.telemetry.startRun({
    startedAt: started,
    attributes: { "agentrt.batch.tasks": todo.length },
  })
  try {
    return Number(
      (await withServers(
        sessionFlags,
        rawArgs,
        { ...deps.handlers, interruptGraceMs: deps.interruptGraceMs, onState: trace.onServerState },
        async (s) => {
          await enforceLock(s, args as Parameters<typeof enforceLock>[1], rawArgs)
          const down = missingRequired(s.states)
          if (down.length > 0) throw missingError(down, "required server")
          const servers = s.states.map(deps.serverStatus)
          await checkModel(todo, args, plan, s, deps)
          const progress = args.quiet
            ? undefined
            : batchProgress({
                total: todo.length,
                skipped: plan.tasks.length - todo.length,
                isTty: Boolean(process.stderr.isTTY),
                write: (t) => process.stderr.write(t),
              })
          const counts = { done: 0, failed: 0, running: 0 }
          let interrupted = 0
          const runOne = async (task: BatchTask) => {
            counts.running++
            progress?.update({ ...counts })
            const report = await runTask(task, s, servers, args, rawArgs, plan, deps, trace)
            counts.running--
            // An interrupted task did not finish: it is not written, so --resume runs it again.
            if (report.exitReason === "interrupted") interrupted++
            else {
              sink.append(report)
              reports.push({ report, file: plan.results ?? "-" })
              counts.done++
              if (report.exitCode !== 0) counts.failed++
            }
            progress?.update({ ...counts })
          }
          try {
            await runPool(todo, plan.concurrency, runOne, s.signal)
          } finally {
            progress?.stop()
          }
          if (s.signal.aborted || interrupted > 0) throw new InterruptedError()
          return finish(reports, plan, args, performance.now() - started)
        },
      )) ?? 0,
    )
  } catch (e: unknown) {
    trace.end({
      exitCode: isAgentError(e) ? e.exitCode : ExitCode.failure,
      error: e instanceof Error ? e.message : String(e),
    })
    throw e
  } finally {
    trace.end()
    sink.close()
  }
}

interface BatchPlan {
  tasks: BatchTask[]
  results?: string
  concurrency: number
  recordDir?: string
  replayDir?: string
  shard?: Shard
}

/** Flags and the tasks file, checked before any server starts (all usage errors, exit 2). */
function planBatch(args: BatchFlags, positional: string | undefined): BatchPlan {
  const file = args.batch!
  if (positional !== undefined)
    throw new UsageError("--batch takes its prompts from the tasks file, not the command line", {
      hint: 'put the prompt in each line: {"id": "…", "prompt": "…"}',
    })
  if (args.output === "stream-json")
    throw new UsageError("--batch writes one report per task; use --output json or text")
  if (args.output === "json" && !args.results)
    throw new UsageError("--batch --output json prints the summary; the reports need --results FILE")
  if (args.resume && !args.results)
    throw new UsageError("--resume needs --results FILE (the ids already there are skipped)")
  const concurrency = positive(args.concurrency, "--concurrency") ?? DEFAULT_CONCURRENCY
  const shard = args.shard === undefined ? undefined : shardFrom(args.shard, process.env)
  let text: string
  try {
    text = readFileSync(file, "utf8")
  } catch (e: unknown) {
    throw new ConfigError(`cannot read the tasks file ${file}`, { cause: e, file })
  }
  return {
    tasks: shardTasks(parseTasks(text, file), shard),
    ...(args.results && { results: args.results }),
    concurrency,
    ...(args.record && { recordDir: args.record }),
    ...(args.replay && { replayDir: args.replay }),
    ...(shard && { shard }),
  }
}

/**
 * --shard I/N, or auto: GitLab's CI_NODE_INDEX/CI_NODE_TOTAL (1-based), Kubernetes'
 * JOB_COMPLETION_INDEX (0-based) with the count from `auto/N` or AGENT_SHARD_TOTAL.
 */
export function shardFrom(raw: string, env: Record<string, string | undefined>): Shard {
  const auto = /^auto(?:\/(\d+))?$/.exec(raw.trim())
  if (!auto) return parseShard(raw)
  const k8s = env.JOB_COMPLETION_INDEX
  if (k8s !== undefined && k8s !== "") {
    const total = auto[1] ?? env.AGENT_SHARD_TOTAL
    if (!total)
      throw new UsageError("--shard auto found JOB_COMPLETION_INDEX but not the shard count", {
        hint: "pass --shard auto/N (N = the Job's completions) or set AGENT_SHARD_TOTAL",
      })
    if (!/^\d+$/.test(k8s))
      throw new UsageError(`JOB_COMPLETION_INDEX is not a number: "${escapeTerminal(k8s)}"`)
    return parseShard(`${Number(k8s) + 1}/${total}`, "--shard auto (JOB_COMPLETION_INDEX)")
  }
  const index = env.CI_NODE_INDEX
  const total = env.CI_NODE_TOTAL
  if (index && total) return parseShard(`${index}/${auto[1] ?? total}`, "--shard auto (CI_NODE_INDEX)")
  throw new UsageError("--shard auto found no shard variables", {
    hint: "set by a GitLab `parallel:` job (CI_NODE_INDEX, CI_NODE_TOTAL) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX); else pass --shard I/N",
  })
}

async function runTask(
  task: BatchTask,
  s: Session,
  servers: ServerStatus[],
  args: BatchFlags,
  rawArgs: string[],
  plan: BatchPlan,
  deps: BatchDeps,
  batchTrace: RunTrace,
): Promise<TaskReport> {
  const startedAt = performance.now()
  const trace = deps.telemetry.startRun({ startedAt, parent: batchTrace, taskId: task.id })
  const perTask = (dir: string | undefined) => dir && join(dir, taskFileName(task.id))
  let modelName = task.model ?? args.model ?? ""
  try {
    const chosen = await deps.chooseModel(
      {
        model: task.model ?? args.model,
        "base-url": args["base-url"],
        record: perTask(plan.recordDir),
        replay: perTask(plan.replayDir),
      },
      s,
    )
    modelName = chosen.modelName
    deps.live.model ??= chosen.model
    deps.live.signal ??= s.signal
    const context = await buildContext(s, {
      prompt: args.prompt,
      args: { ...(keyValues(rawArgs, (raw) => raw) as Record<string, string>), ...task.vars },
      attach: [...repeated(rawArgs, "attach"), ...(task.attach ?? [])],
    })
    const autoApprove = Object.fromEntries(s.states.map((x) => [x.name, x.entry.server.autoApprove ?? []]))
    const prompt = fillVars(task.prompt, task.vars)
    trace.recordPrompt(prompt, args.system)
    const result = await runAgent({
      model: chosen.model,
      modelName,
      tools: trace.tools(managerToolSource(s.manager)),
      onEvent: trace.onEvent,
      ...(args.skills !== false && { skills: managerSkillSource(s.manager) }),
      prompt,
      context,
      system: args.system,
      ...deps.limits,
      timeoutMs: millis(args.timeout, "--timeout"),
      startedAt,
      signal: s.signal,
      // No terminal questions in a batch: what no rule allows is refused, and the model told why.
      permissions: createPermissions({
        allow: repeated(rawArgs, "allow"),
        deny: repeated(rawArgs, "deny"),
        autoApprove,
        isYes: Boolean(args.yes),
      }),
      isStrictPermissions: Boolean(args["strict-permissions"]),
      servers,
    })
    return { id: task.id, ...result.report }
  } catch (e: unknown) {
    // A task that cannot start (no key, a bad --attach, a missing recording) fails alone.
    const report = startupReport({
      exitReason: s.signal.aborted ? "interrupted" : "startup_error",
      exitCode: isAgentError(e) ? e.exitCode : ExitCode.failure,
      error: e instanceof Error ? e.message : String(e),
      model: modelName,
      startedAt,
      servers,
    })
    trace.onEvent(report)
    return { id: task.id, ...report }
  } finally {
    trace.end()
  }
}

/**
 * A batch whose tasks would all fail the same way (no model named, no key) does not start: exit 2
 * as for a single run. Only the default model is checked; a task's own `model` fails that task.
 */
async function checkModel(
  todo: BatchTask[],
  args: BatchFlags,
  plan: BatchPlan,
  s: Session,
  deps: BatchDeps,
): Promise<void> {
  if (plan.replayDir || todo.every((t) => t.model !== undefined)) return
  const chosen = await deps.chooseModel({ model: args.model, "base-url": args["base-url"] }, s)
  deps.live.model ??= chosen.model
  deps.live.signal ??= s.signal
}

/** The summary of this batch's tasks (earlier runs' included under --resume); exit 0 or 1. */
function finish(
  reports: { report: TaskReport; file: string }[],
  plan: BatchPlan,
  args: BatchFlags,
  durationMs: number,
): number {
  const summary = summarize(reports, {
    files: [plan.results ?? "-"],
    expectedIds: plan.tasks.map((t) => t.id),
  })
  if (args.output === "json") printJson({ ...summary, wallMs: Math.round(durationMs) })
  else if (plan.results) printRaw(formatSummary(summary))
  else if (!args.quiet) process.stderr.write(`${formatSummary(summary)}\n`)
  return isBatchOk(summary) ? ExitCode.ok : ExitCode.failure
}

function positive(raw: string | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag} must be a positive whole number, got "${escapeTerminal(raw)}"`)
  return n
}
