import { randomBytes } from "node:crypto"
import { join } from "node:path"
import type { LanguageModelV4 } from "@ai-sdk/provider"
import {
  OUTPUT_FORMATS,
  createModel,
  modelOptions,
  createPermissions,
  createWriter,
  loadRecording,
  managerSkillSource,
  managerToolSource,
  recordingModel,
  replayModel,
  resolveModelSpec,
  runAgent,
  sampleWithModel,
  schemaFlavor,
  startupReport,
  type RunEvent,
  type RunOutputFormat,
  type ServerStatus,
  type ToolSource,
} from "../../agent/index.ts"
import { splitPatterns, type ElicitHandler, type SamplingHandler, type ServerState } from "../../mcp/index.ts"
import type { Config } from "../../config/index.ts"
import { cachedStart, saveLists, type CacheRun } from "./cached.ts"
import {
  ApprovalRequiredError,
  ExitCode,
  FailureError,
  InterruptedError,
  TimeoutError,
  UsageError,
  isAgentError,
} from "../../util/errors.ts"
import { escapeTerminal } from "../../util/text.ts"
import type { ParsedArgs } from "citty"
import { command } from "../command.ts"
import { keyValues, repeated } from "../shared/context.ts"
import { createContext } from "../shared/context.ts"
import { TELEMETRY_FLUSH_MS, openTelemetry } from "../shared/telemetry.ts"
import type { RunTrace } from "../../telemetry/index.ts"
import {
  connectArgs,
  millis,
  missingError,
  missingRequired,
  positionals,
  withServers,
  type Session,
} from "../shared/connect.ts"
import { enforceLock, lockArgs } from "../shared/lock-check.ts"
import { writeStdout } from "../shared/output.ts"
import { shownUrl } from "../shared/present.ts"
import { buildContext } from "./context.ts"
import { elicitHandler, elicitMode, type ElicitMode } from "../shared/elicit-prompt.ts"
import { ask } from "../shared/prompt.ts"
import { warmRequest } from "../shared/warm.ts"
import { createQueue } from "../shared/queue.ts"
import { runStatus, type RunStatus } from "./status.ts"
import { batchArgs, runBatch } from "./batch.ts"
import { samplingApprover, toolAsker } from "./prompts.ts"

// `agent run [PROMPT | -]` (docs/design.md §9): config → servers → manager → ToolSource → runAgent →
// writer. The exit code is the report's (0 done, 1 failed/turn limit, 3 refused under
// --strict-permissions, 124 timeout, 130 Ctrl-C); 2 for bad flags or a missing key, 5 when a
// `required` server is down (4 when it only needs sign-in). At a terminal, tool calls that no rule allows are asked about;
// without one they are refused (and the model told why).

/** After Ctrl-C the loop has this long to stop its tool calls and emit the final report. */
const INTERRUPT_GRACE_MS = 3000

const runArgs = {
  ...connectArgs,
  ...lockArgs,
  task: {
    type: "positional",
    required: false,
    valueHint: "PROMPT",
    description: "The task; `-` or nothing with piped stdin reads it from stdin",
  },
  model: {
    type: "string",
    alias: "m",
    valueHint: "PROVIDER:MODEL",
    description: 'e.g. anthropic:claude-sonnet-4-5 (default: $AGENT_MODEL, then the config\'s "model")',
  },
  "base-url": {
    type: "string",
    valueHint: "URL",
    description: "Provider endpoint (required for openai-compatible)",
  },
  system: { type: "string", valueHint: "TEXT", description: "System prompt" },
  "max-turns": {
    type: "string",
    valueHint: "N",
    description: "Stop after N model turns (default 25; exit 1)",
  },
  timeout: {
    type: "string",
    valueHint: "DURATION",
    description:
      "Stop the whole run, servers' start-up included, after this long: 30s, 2m, 500ms (bare number = ms; exit 124)",
  },
  "tool-timeout": {
    type: "string",
    valueHint: "DURATION",
    description: "Per tool call idle timeout, reset by progress (e.g. 60s)",
  },
  "max-output-tokens": { type: "string", valueHint: "N", description: "Cap on each model response" },
  "reasoning-effort": {
    type: "string",
    valueHint: "LEVEL",
    description: "low, medium or high: how hard a reasoning model thinks (openai: models)",
  },
  "prompt-cache": {
    type: "boolean",
    negativeDescription:
      "Do not mark the system prompt and tool definitions for Anthropic prompt caching (on by default)",
  },
  "max-tool-output": {
    type: "string",
    valueHint: "TOKENS",
    description:
      "Tool results past this many tokens (≈4 chars each) are saved to the run's directory; the model gets the head and read_tool_output (default 25000; a server's maxOutputTokens, then $AGENTRT_MAX_TOOL_OUTPUT, apply first)",
  },
  "tool-budget": {
    type: "string",
    valueHint: "TOKENS",
    description:
      "Past this many tokens of tool definitions the model gets a search_tools tool instead (default: 10% of its context)",
  },
  "tool-search": {
    type: "boolean",
    negativeDescription: "Always send every tool definition, however many tokens they take",
  },
  "tool-search-share": {
    type: "string",
    valueHint: "PERCENT",
    description:
      "Turn tool search on past this share of the model's context (default 10; docs/context-budget.md)",
  },
  tools: {
    type: "string",
    valueHint: "GLOBS",
    description: "Offer only these tools: comma-separated server__tool or server:tool globs (repeatable)",
  },
  "exclude-tools": {
    type: "string",
    valueHint: "GLOBS",
    description: "Never offer these tools (same globs; beats --tools and the config's includeTools)",
  },
  prompt: {
    type: "string",
    valueHint: "SERVER/NAME",
    description: "Start from an MCP prompt's messages (its arguments with --arg)",
  },
  arg: { type: "string", valueHint: "KEY=VALUE", description: "An argument for --prompt (repeatable)" },
  attach: {
    type: "string",
    valueHint: "SERVER:URI",
    description: "Add an MCP resource to the context (repeatable)",
  },
  skills: {
    type: "boolean",
    negativeDescription:
      "Offer the model no skills (by default it is offered a load_skill tool naming the servers' skills)",
  },
  cache: {
    type: "boolean",
    negativeDescription:
      "Neither start from nor save the servers' cached tool lists (by default a run with a valid cache sends its first model request while the servers connect)",
  },
  "allow-sampling": {
    type: "boolean",
    description: "Let servers' sampling requests be answered by the run's model without asking",
  },
  allow: {
    type: "string",
    valueHint: "PATTERN",
    description: "Allow tools matching server__tool (`*` wildcard; repeatable)",
  },
  deny: {
    type: "string",
    valueHint: "PATTERN",
    description: "Refuse tools matching server__tool (repeatable; beats --allow)",
  },
  yes: {
    type: "boolean",
    alias: "y",
    description: "Allow every tool no --deny rule refuses (at a terminal, the others are asked about)",
  },
  "strict-permissions": {
    type: "boolean",
    description: "A refused tool call ends the run with exit 3 instead of telling the model",
  },
  output: {
    type: "string",
    alias: "o",
    valueHint: "text|json|stream-json",
    description: "text (default), one JSON report, or one JSON event per line",
  },
  record: {
    type: "string",
    valueHint: "FILE",
    description: "Save the model side of the run as JSONL (--batch: a folder, one FILE per task id)",
  },
  replay: {
    type: "string",
    valueHint: "FILE",
    description:
      "Answer from a recording instead of the provider (no key needed); tools run for real (--batch: a folder)",
  },
  ...batchArgs,
} as const
type RunFlags = ParsedArgs<typeof runArgs>

export default command({
  name: "run",
  description: "Run an agent on a prompt with the configured MCP servers' tools",
  args: runArgs,
  examples: [
    'agent run --mcp mcp.json --model anthropic:claude-sonnet-4-5 --allow "fs__*" "summarise README.md"',
    "echo 'list open issues' | agent run -o stream-json --yes",
    "agent run --replay run.jsonl --yes 'same prompt as recorded'",
    "agent run --mcp mcp.json --tools 'github:*_issue*,fs__read_*' --exclude-tools 'github:delete_*' --yes 'triage'",
    "agent run --mcp mcp.json --tool-search-share 5 -o json 'find the right tool'   # or --no-tool-search",
    "agent run --mcp mcp.example.json --prompt everything/args-prompt --arg city=Paris --timeout 2m",
    "agent run -m openai:o4-mini --reasoning-effort high 'plan the migration'",
    "# -m bedrock:…  without keys in AWS_*, uses the AWS credential chain (AWS_PROFILE, SSO, web identity in CI)",
    "# -o json prints one report even when the run fails before the model (exitReason startup_error)",
    "# OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 also sends an OpenTelemetry trace of the run",
    "agent run --batch tasks.jsonl --results out.jsonl --concurrency 8 --yes",
    "agent run --batch tasks.jsonl --results out.jsonl --resume --yes   # after a kill: only the missing ids",
    "agent run --batch tasks.jsonl --shard 2/4 --results out-2.jsonl --replay recordings/ --yes",
  ],
  async run({ args, rawArgs }) {
    if (args.batch !== undefined) return batch(args, rawArgs)
    // --timeout and durationMs count from here: config, approvals and server start-up included.
    const startedAt = performance.now()
    const format = (args.output ?? "text") as RunOutputFormat
    if (!OUTPUT_FORMATS.includes(format))
      throw new UsageError(
        `--output must be one of ${OUTPUT_FORMATS.join(", ")}, got "${escapeTerminal(format)}"`,
      )
    const status = statusFor(format, args)
    const sinks = {
      stdout: (s: string) => (status?.before("stdout", s), writeStdout(s)),
      stderr: (l: string) => (status?.before("stderr", l), process.stderr.write(`${l}\n`)),
    }
    const writer = createWriter(format, sinks, {
      isVerbose: Boolean(args.verbose),
      isQuiet: Boolean(args.quiet),
    })
    // Off (and not even loaded) unless OTEL_EXPORTER_OTLP_ENDPOINT is set: docs/telemetry.md.
    const telemetry = await openTelemetry(process.env, args)
    const trace = telemetry.startRun({ startedAt })
    const run: RunState = {
      startedAt,
      isReported: false,
      status,
      trace,
      onEvent: (e: RunEvent) =>
        void ((run.isReported ||= e.type === "result"),
        status?.onEvent(e),
        writer.onEvent(e),
        trace.onEvent(e)),
    }
    const deadline = runDeadline(args.timeout)
    try {
      return await runWith(args, rawArgs, format, run, deadline.signal)
    } catch (e: unknown) {
      // json and stream-json still end with one report: the error's, with its exit code.
      const err =
        deadline.signal.aborted && !(e instanceof InterruptedError) ? (deadline.signal.reason as unknown) : e
      if (format !== "text" && !run.isReported) run.onEvent(failedReport(err, run, args.model))
      trace.end({
        exitCode: isAgentError(err) ? err.exitCode : ExitCode.failure,
        error: err instanceof Error ? err.message : String(err),
      })
      throw err
    } finally {
      status?.stop()
      deadline.dispose()
      trace.end()
      await telemetry.shutdown(TELEMETRY_FLUSH_MS)
    }
  },
})

/** `--batch`: the same flags, the servers once, one agent loop per task (./batch.ts). */
async function batch(args: RunFlags, rawArgs: string[]): Promise<number> {
  const format = args.output ?? "text"
  if (!OUTPUT_FORMATS.includes(format as RunOutputFormat))
    throw new UsageError(
      `--output must be one of ${OUTPUT_FORMATS.join(", ")}, got "${escapeTerminal(format)}"`,
    )
  const live: { model?: LanguageModelV4; signal?: AbortSignal } = {}
  const warn = (e: RunEvent) =>
    void (e.type === "warning" && process.stderr.write(`warning: ${escapeTerminal(e.message)}\n`))
  // Off (and not even loaded) unless OTEL_EXPORTER_OTLP_ENDPOINT is set: docs/telemetry.md.
  const telemetry = await openTelemetry(process.env, args)
  try {
    return await runBatch(args, rawArgs, positionals(args._, rawArgs)[0], {
      telemetry,
      chooseModel: (a, session) => chooseModel(a, session.ctx.env, session.config),
      serverStatus,
      live,
      handlers: serverRequests(
        live,
        warn,
        undefined,
        Boolean(args["allow-sampling"]),
        elicitMode(args.elicit),
      ),
      limits: {
        maxTurns: count(args["max-turns"], "--max-turns"),
        toolTimeoutMs: millis(args["tool-timeout"], "--tool-timeout"),
        maxOutputTokens: count(args["max-output-tokens"], "--max-output-tokens"),
        maxToolOutputTokens: count(args["max-tool-output"], "--max-tool-output"),
        toolBudgetTokens: count(args["tool-budget"], "--tool-budget"),
      },
      connectFlags: { ...args, output: format === "text" ? "text" : "json", timeout: undefined },
      interruptGraceMs: INTERRUPT_GRACE_MS,
    })
  } finally {
    await telemetry.shutdown(TELEMETRY_FLUSH_MS)
  }
}

/** The status line: text mode, stderr a terminal, not -q (never in json or stream-json). */
function statusFor(format: RunOutputFormat, args: RunFlags): RunStatus | undefined {
  if (format !== "text" || !process.stderr.isTTY) return undefined
  if (args.quiet) return undefined
  return runStatus({
    write: (s) => process.stderr.write(s),
    columns: process.stderr.columns,
    isStdoutTty: Boolean(process.stdout.isTTY),
  })
}

interface RunState {
  startedAt: number
  isReported: boolean
  onEvent: (e: RunEvent) => void
  /** The terminal status line (text mode at a terminal), paused while a question is asked. */
  status?: RunStatus
  /** What the servers did, once they connected (for a report the run ends with before the loop). */
  servers?: ServerStatus[]
  /** The run's trace (a no-op unless telemetry is on). */
  trace: RunTrace
}

async function runWith(
  args: RunFlags,
  rawArgs: string[],
  format: RunOutputFormat,
  run: RunState,
  deadline: AbortSignal,
): Promise<number | void> {
  const task = positionals(args._, rawArgs)[0]
  const prompt = args.prompt !== undefined && task === undefined ? "" : await readPrompt(task)
  const limits = {
    maxTurns: count(args["max-turns"], "--max-turns"),
    toolTimeoutMs: millis(args["tool-timeout"], "--tool-timeout"),
    maxOutputTokens: count(args["max-output-tokens"], "--max-output-tokens"),
    maxToolOutputTokens: count(args["max-tool-output"], "--max-tool-output"),
    toolBudgetTokens: count(args["tool-budget"], "--tool-budget"),
    ...toolSearchFlags(args),
  }
  const only = {
    tools: splitPatterns(repeated(rawArgs, "tools")),
    excludeTools: splitPatterns(repeated(rawArgs, "exclude-tools")),
  }
  // The connection flags mean what they mean for `agent mcp`; --timeout here is the run's (the deadline).
  const connectFlags = { ...args, output: format === "text" ? "text" : "json", timeout: undefined }
  const isInteractive = createContext(connectFlags).isInteractive
  const queue = isInteractive ? createQueue(pausing(run.status)) : undefined
  // Server requests can arrive as soon as servers connect; the model exists only once the run starts.
  const live: { model?: LanguageModelV4; signal?: AbortSignal } = {}
  const handlers = serverRequests(
    live,
    run.onEvent,
    queue,
    Boolean(args["allow-sampling"]),
    elicitMode(args.elicit),
  )
  const isSkillsOn = args.skills !== false
  const isCacheOn = args.cache !== false
  const agent = (a: {
    model: LanguageModelV4
    modelName: string
    tools: ToolSource
    skills?: ReturnType<typeof managerSkillSource>
    context?: Awaited<ReturnType<typeof buildContext>>
    autoApprove: Record<string, string[]>
    outputs: ReturnType<typeof outputLimits>
    servers: ServerStatus[]
    signal: AbortSignal
  }) => {
    const rules = {
      allow: repeated(rawArgs, "allow"),
      deny: repeated(rawArgs, "deny"),
      autoApprove: a.autoApprove,
      isYes: Boolean(args.yes),
    }
    run.trace.recordPrompt(prompt, args.system)
    const tools = run.trace.tools(a.tools)
    if (a.tools.settle) tools.settle = a.tools.settle.bind(a.tools)
    return runAgent({
      model: a.model,
      modelName: a.modelName,
      tools,
      ...(a.skills && { skills: a.skills }),
      prompt,
      ...(a.context && { context: a.context }),
      system: args.system,
      ...limits,
      promptCache: args["prompt-cache"] !== false,
      ...modelOptions(schemaFlavor(a.model.provider), { reasoningEffort: args["reasoning-effort"] }),
      ...a.outputs,
      startedAt: run.startedAt,
      // s.signal carries Ctrl-C and the --timeout deadline: the loop reports either as its exit reason.
      signal: a.signal,
      permissions: createPermissions({ ...rules, ...(queue && { ask: toolAsker(queue) }) }),
      isStrictPermissions: Boolean(args["strict-permissions"]),
      servers: a.servers,
      isToolCacheOn: isCacheOn,
      onEvent: run.onEvent,
    })
  }
  // Cached lists (cached.ts): never with --locked (compared live, before the model sees a tool),
  // nor when the first request needs a server (--prompt, --attach).
  const canStartEarly =
    isCacheOn && !args.locked && args.prompt === undefined && repeated(rawArgs, "attach").length === 0
  let early: { cache: CacheRun; result: Promise<Awaited<ReturnType<typeof runAgent>>> } | undefined
  return withServers(
    connectFlags,
    rawArgs,
    {
      ...handlers,
      interruptGraceMs: INTERRUPT_GRACE_MS,
      signal: deadline,
      onState: run.trace.onServerState,
      ...(canStartEarly && {
        beforeConnect: (pre) => {
          const cache = cachedStart(pre.ctx.paths.stateDir, pre.resolutions, {
            isSkillsOn,
            only,
            status: (s) => s.states.map(serverStatus),
          })
          if (!cache) return
          run.servers = cache.servers
          let sent!: () => void
          const isSent = new Promise<void>((r) => (sent = r))
          const result = (async () => {
            const chosen = await chooseModel(args, pre.ctx.env, pre.config)
            const { modelName } = chosen
            const model = onFirstRequest(chosen.model, sent)
            Object.assign(live, { model, signal: pre.signal })
            const autoApprove = Object.fromEntries(
              pre.resolutions.map((r) => [r.entry.name, r.entry.server.autoApprove ?? []]),
            )
            return agent({
              model,
              modelName,
              tools: cache.tools,
              autoApprove,
              outputs: outputLimits(
                pre.ctx,
                pre.resolutions.map((r) => r.entry),
                limits.maxToolOutputTokens,
              ),
              servers: cache.servers,
              signal: pre.signal,
            })
          })()
          result.catch(() => {}) // awaited by the session body; unobserved only when connecting failed
          early = { cache, result }
          // The servers start once the first request is on its way (or the run could not send it).
          return Promise.race([
            isSent,
            result.then(
              () => {},
              () => {},
            ),
          ])
        },
      }),
    },
    async (s) => {
      run.servers = s.states.map(serverStatus)
      try {
        await enforceLock(s, args, rawArgs) // --locked: exit 3 before the model sees a changed tool
        const down = missingRequired(s.states)
        if (down.length > 0) throw missingError(down, "required server")
      } catch (e: unknown) {
        early?.cache.fail(e)
        throw e
      }
      // Refreshed for the next run while this one goes on (not with --no-cache).
      const saving = isCacheOn ? saveLists(s, isSkillsOn) : Promise.resolve()
      if (early) {
        early.cache.ready(s)
        const result = await early.result
        await saving
        return result.report.exitCode
      }
      const { model, modelName } = await chooseModel(args, s.ctx.env, s.config)
      Object.assign(live, { model, signal: s.signal })
      const context = await buildContext(s, {
        prompt: args.prompt,
        args: keyValues(rawArgs, (raw) => raw) as Record<string, string>,
        attach: repeated(rawArgs, "attach"),
      })
      const result = await agent({
        model,
        modelName,
        tools: managerToolSource(s.manager, only),
        ...(isSkillsOn && { skills: managerSkillSource(s.manager) }),
        context,
        autoApprove: Object.fromEntries(s.states.map((x) => [x.name, x.entry.server.autoApprove ?? []])),
        outputs: outputLimits(
          s.ctx,
          s.states.map((x) => x.entry),
          limits.maxToolOutputTokens,
        ),
        servers: run.servers,
        signal: s.signal,
      })
      await saving
      return result.report.exitCode
    },
  )
}

/**
 * Tool output limits: --max-tool-output for every server, else each server's maxOutputTokens,
 * else $AGENTRT_MAX_TOOL_OUTPUT (CI), else the loop's 25000. Results past the limit are saved
 * under <stateDir>/runs/<run id>/ (created on the first one; docs/runs.md).
 */
function outputLimits(
  ctx: Session["ctx"],
  entries: { name: string; server: { maxOutputTokens?: number } }[],
  flag: number | undefined,
) {
  const env = count(ctx.env.AGENTRT_MAX_TOOL_OUTPUT, "AGENTRT_MAX_TOOL_OUTPUT")
  const perServer: Record<string, number> = {}
  for (const x of entries)
    if (x.server.maxOutputTokens !== undefined) perServer[x.name] = x.server.maxOutputTokens
  const runId = `${new Date().toISOString().replace(/[-:]|\.\d+/g, "")}-${randomBytes(3).toString("hex")}`
  return {
    maxToolOutputTokens: flag ?? env,
    ...(flag === undefined && { serverMaxToolOutputTokens: perServer }),
    spillDir: join(ctx.paths.stateDir, "runs", runId),
  }
}

/** The model, calling `sent` once its first request has been handed to the network. */
function onFirstRequest(model: LanguageModelV4, sent: () => void): LanguageModelV4 {
  const doStream: LanguageModelV4["doStream"] = (options) => {
    const response = model.doStream(options)
    setTimeout(sent, 0) // after the provider's fetch has been issued
    return response
  }
  // A proxy, not a copy: getters and methods run on the provider's own object (private fields).
  return new Proxy(model, {
    get(target, prop) {
      if (prop === "doStream") return doStream
      const value: unknown = Reflect.get(target, prop, target)
      return typeof value === "function" ? value.bind(target) : value
    },
  })
}

/** The terminal asker, with the status line erased while the question is on screen. */
function pausing(status: RunStatus | undefined): (question: string) => Promise<string> {
  return async (question) => {
    status?.pause()
    try {
      return await ask(question)
    } finally {
      status?.resume()
    }
  }
}

/** --timeout as a signal that aborts with a TimeoutError once the whole run has taken that long. */
function runDeadline(raw: string | undefined): { signal: AbortSignal; dispose: () => void } {
  const ms = millis(raw, "--timeout")
  const ac = new AbortController()
  const timer =
    ms === undefined
      ? undefined
      : setTimeout(
          () =>
            ac.abort(
              new TimeoutError(`run timed out after ${ms} ms (--timeout)`, {
                hint: "raise --timeout; it covers the whole run, servers' start-up included",
              }),
            ),
          ms,
        )
  return { signal: ac.signal, dispose: () => clearTimeout(timer) }
}

/** The report of a run that ended before (or without) the agent loop's own report. */
function failedReport(e: unknown, run: RunState, model: string | undefined) {
  const exitReason =
    e instanceof TimeoutError ? "timeout" : e instanceof InterruptedError ? "interrupted" : "startup_error"
  const exitCode = isAgentError(e) ? e.exitCode : ExitCode.failure
  const error = e instanceof Error ? e.message : String(e)
  return startupReport({
    exitReason,
    exitCode,
    error,
    model: model ?? "",
    startedAt: run.startedAt,
    ...(run.servers && { servers: run.servers }),
  })
}

/** Sampling through the run's model (asked at a terminal, else only with --allow-sampling); elicitation per --elicit. */
function serverRequests(
  live: { model?: LanguageModelV4; signal?: AbortSignal },
  emit: (e: RunEvent) => void,
  queue: ReturnType<typeof createQueue> | undefined,
  isSamplingAllowed: boolean,
  mode: ElicitMode,
) {
  const approve = queue ? samplingApprover(queue) : undefined
  const sample: SamplingHandler = async (server, request) => {
    const { model, signal } = live
    if (!model || !signal) throw new FailureError("sampling is only answered once the run has started")
    const isApproved = isSamplingAllowed || (approve ? await approve(server, request, signal) : false)
    if (!isApproved) {
      const why = approve
        ? "the user refused it"
        : "no terminal to ask; pass --allow-sampling to let the model answer"
      emit({ type: "warning", message: `sampling request from ${server} refused: ${why}` })
      throw new ApprovalRequiredError(`sampling refused: ${why}`)
    }
    return sampleWithModel(model, request, signal)
  }
  const warn = (message: string) => emit({ type: "warning", message })
  // The form is asked only once the run has started (live.signal), like sampling.
  const elicit: ElicitHandler = async (server, request) =>
    elicitHandler(mode, {
      ...(queue && live.signal && { queue }),
      signal: live.signal ?? new AbortController().signal,
      warn,
    })(server, request)
  return { sample, elicit }
}

async function chooseModel(
  args: { model?: string; "base-url"?: string; record?: string; replay?: string },
  env: Record<string, string | undefined>,
  config: Config | undefined,
): Promise<{ model: LanguageModelV4; modelName: string }> {
  if (args.replay) {
    const rec = await loadRecording(args.replay)
    return { model: replayModel(rec), modelName: `${schemaFlavor(rec.provider)}:${rec.modelId}` }
  }
  const spec = resolveModelSpec(args.model, env, config?.model)
  const created = await createModel(spec, { baseUrl: args["base-url"], env })
  const model = args.record ? await recordingModel(created.model, args.record) : created.model
  return { model, modelName: spec }
}

async function readPrompt(arg: string | undefined): Promise<string> {
  if (arg !== undefined && arg !== "-") return arg
  if (arg === undefined && process.stdin.isTTY) {
    throw new UsageError("no prompt", { hint: 'agent run "what to do", or pipe it: echo "…" | agent run -' })
  }
  const warm = warmRequest()
  const text = (warm ? await warm.readStdin() : await new Response(Bun.stdin.stream()).text()).trim()
  if (!text) throw new UsageError("the prompt on stdin is empty")
  return text
}

/** --no-tool-search, --tool-search-share PERCENT (a share of the model's context, 1–100). */
function toolSearchFlags(args: RunFlags): { isToolSearchOff?: boolean; toolSearchShare?: number } {
  const raw = args["tool-search-share"]
  const share = raw === undefined ? undefined : Number(raw.replace(/%$/, ""))
  if (share !== undefined && !(share > 0 && share <= 100))
    throw new UsageError(
      `--tool-search-share must be a percentage above 0 and at most 100, got "${escapeTerminal(raw!)}"`,
    )
  return {
    ...(args["tool-search"] === false && { isToolSearchOff: true }),
    ...(share !== undefined && { toolSearchShare: share / 100 }),
  }
}

function count(raw: string | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag} must be a positive whole number, got "${escapeTerminal(raw)}"`)
  return n
}

function serverStatus(s: ServerState): ServerStatus {
  return {
    name: s.name,
    status: s.status,
    ...(s.status === "connected" ? { transport: s.transport, tools: s.counts.tools } : {}),
    ...(s.status === "failed"
      ? { error: s.error }
      : s.status === "needs_approval" || s.status === "blocked"
        ? { error: s.reason }
        : s.status === "needs_auth"
          ? { error: `needs sign-in: ${shownUrl(s.url)}` }
          : {}),
  }
}
