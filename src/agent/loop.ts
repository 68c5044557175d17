// The agent loop (docs/design.md §9): our own turns on top of the provider's LanguageModel. One model
// call per turn; the tool calls of a turn run concurrently; results (errors and refusals
// included) go back to the model; limits end the run with a reason, never with a throw.
import type {
  LanguageModelV4,
  LanguageModelV4FunctionTool,
  LanguageModelV4Message,
  LanguageModelV4Prompt,
} from "@ai-sdk/provider"
import { ExitCode, TimeoutError } from "../util/errors.ts"
import { type Builtin, type CallOutcome, executeCall } from "./calls.ts"
import type {
  ExitReason,
  Refusal,
  RunEvent,
  RunReport,
  ServerStatus,
  SkippedTool,
  ToolCallRecord,
  ToolDefinitions,
  ToolSearchChoice,
  Usage,
} from "./events.ts"
import type { Permissions } from "./permissions.ts"
import { CACHE_BREAKPOINT, type ProviderName, markLastForCache, schemaFlavor } from "./providers.ts"
import { ReplayMismatchError } from "./record.ts"
import {
  SEARCH_TOOL,
  TOOL_BUDGET_SHARE,
  contextWindow,
  createToolSearch,
  type ToolSearch,
} from "./tool-search.ts"
import { specTokens, tokenCounter } from "./budget.ts"
import { LOAD_SKILL, createSkillTool, type SkillSource } from "./skills.ts"
import { READ_TOOL_OUTPUT, createSpill } from "./spill.ts"
import { prepareTools, type PreparedTools, type ToolSource } from "./tools.ts"
import { runTurn, type TurnOptions, type TurnOutput } from "./turn.ts"

export const DEFAULT_MAX_TURNS = 25
export const DEFAULT_MAX_TOOL_OUTPUT_TOKENS = 25_000

export interface RunOptions {
  model: LanguageModelV4
  /** `provider:model` as the user named it, for reports. */
  modelName?: string
  /** Which schema rules apply; defaults to the one matching model.provider. */
  provider?: ProviderName
  tools: ToolSource
  /** Skills the servers offer (SEP-2640): named to the model in a load_skill tool, read only when it calls it. */
  skills?: SkillSource
  prompt: string
  /** Conversation before `prompt` (an MCP prompt's messages, attached resources); an empty `prompt` then adds nothing. */
  context?: LanguageModelV4Message[]
  system?: string
  /** Past this many tokens of tool definitions the model gets search_tools instead (default: toolSearchShare of its context). */
  toolBudgetTokens?: number
  /** Share of the model's context the definitions may take before search turns on (default TOOL_BUDGET_SHARE). */
  toolSearchShare?: number
  /** --no-tool-search: always send every definition. */
  isToolSearchOff?: boolean
  maxTurns?: number
  timeoutMs?: number
  /**
   * performance.now() when the whole run began (the CLI's start, before servers connected):
   * the report's durationMs counts from it, and phases.startupMs is the time until runAgent.
   */
  startedAt?: number
  maxOutputTokens?: number
  /** Anthropic prompt caching of the system prompt and tool definitions (default on; --no-prompt-cache). */
  promptCache?: boolean
  /** Per-provider request options for every turn (modelOptions() in providers.ts). */
  providerOptions?: TurnOptions["providerOptions"]
  maxToolOutputTokens?: number
  /** Per-server tool output limits (config `maxOutputTokens`), by server name. */
  serverMaxToolOutputTokens?: Record<string, number>
  /** The run's directory: results past the limit are saved there (spill.ts); without it they are cut. */
  spillDir?: string
  toolTimeoutMs?: number
  signal?: AbortSignal
  permissions: Permissions
  /** --strict-permissions: a refused call ends the run (exit 3) instead of informing the model. */
  isStrictPermissions?: boolean
  /** The run may use cached lists (not --no-cache): the report says whether it did (toolCache). */
  isToolCacheOn?: boolean
  /** Server statuses for the init event and the report. */
  servers?: ServerStatus[]
  onEvent?: (e: RunEvent) => void
}

export interface RunResult {
  text: string
  turns: number
  toolCalls: ToolCallRecord[]
  refusals: Refusal[]
  usage: Usage
  exitReason: ExitReason
  error?: string
  skippedTools: SkippedTool[]
  durationMs: number
  /** The full conversation, as sent to the model (plus its last answer). */
  messages: LanguageModelV4Prompt
  report: RunReport
}

const EXIT_CODES: Record<ExitReason, number> = {
  completed: ExitCode.ok,
  max_turns: ExitCode.failure,
  model_error: ExitCode.failure,
  replay_mismatch: ExitCode.failure,
  startup_error: ExitCode.failure, // the error's own code goes in the report (startupReport)
  refused: ExitCode.approval,
  timeout: ExitCode.timeout,
  interrupted: ExitCode.interrupted,
}

export function exitCodeFor(reason: ExitReason): number {
  return EXIT_CODES[reason]
}

export async function runAgent(o: RunOptions): Promise<RunResult> {
  const started = performance.now()
  const emit = o.onEvent ?? (() => {})
  const flavor = o.provider ?? schemaFlavor(o.model.provider)
  let prepared = prepareTools(await o.tools.list(), flavor)
  const { signal, dispose } = runSignal(o.signal, o.timeoutMs)
  const modelName = o.modelName ?? `${o.model.provider}:${o.model.modelId}`
  let { search, toolSearch, toolDefinitions } = await chooseToolSearch(prepared, o)
  const listed = o.skills ? await o.skills.list() : undefined
  const skillTool = listed && o.skills ? createSkillTool(listed.skills, o.skills) : undefined
  emit({
    type: "init",
    model: modelName,
    servers: o.servers ?? [],
    tools: prepared.specs.map((t) => t.name),
    skippedTools: prepared.skipped,
    ...(toolSearch && { toolSearch }),
    ...(skillTool && { skills: skillTool.ids }),
  })
  if (toolSearch) emit({ type: "warning", message: `tool search on: ${toolSearch.reason}` })
  // After init: stream-json starts with it.
  for (const message of listed?.warnings ?? []) emit({ type: "warning", message })
  const builtins = new Map<string, Builtin>()
  const spill = createSpill({
    dir: o.spillDir,
    maxTokens: o.maxToolOutputTokens ?? DEFAULT_MAX_TOOL_OUTPUT_TOKENS,
    perServer: o.serverMaxToolOutputTokens,
  })
  builtins.set(READ_TOOL_OUTPUT, (args) => spill.read(args))
  const searchBuiltin: Builtin = (args) => search!.run(args)
  if (search) builtins.set(SEARCH_TOOL, searchBuiltin)
  if (skillTool)
    builtins.set(LOAD_SKILL, (args, c) =>
      skillTool.run(args, {
        ...c,
        ...(o.toolTimeoutMs !== undefined && { timeoutMs: o.toolTimeoutMs }),
        maxTokens: o.maxToolOutputTokens ?? DEFAULT_MAX_TOOL_OUTPUT_TOKENS,
      }),
    )
  const isCached = o.promptCache !== false
  // read_tool_output joins after the cache breakpoint, once something spilled: the cached prefix stays valid.
  const offered = (): LanguageModelV4FunctionTool[] => [
    ...markLastForCache(
      [...(search ? search.specs() : prepared.specs), ...(skillTool ? [skillTool.spec] : [])],
      isCached,
    ),
    ...(spill.isUsed() ? [spill.spec] : []),
  ]

  const messages: LanguageModelV4Prompt = [
    ...(o.system
      ? [
          {
            role: "system" as const,
            content: o.system,
            ...(isCached && { providerOptions: CACHE_BREAKPOINT }),
          },
        ]
      : []),
    ...(o.context ?? []),
    ...(o.prompt || !o.context?.length
      ? [{ role: "user" as const, content: [{ type: "text" as const, text: o.prompt }] }]
      : []),
  ]
  const maxTurns = o.maxTurns ?? DEFAULT_MAX_TURNS
  const toolCalls: ToolCallRecord[] = []
  const refusals: Refusal[] = []
  const usage: Usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 }
  let servers = o.servers ?? []
  // Cached lists (ToolSource.settle): checked against the live servers before any tool runs.
  let toolCache: { used: boolean; changed: string[] } | undefined
  const settle = async () => {
    if (!o.tools.settle || toolCache) return
    const live = await o.tools.settle().catch((e: unknown) => {
      throw new SettleError(e)
    })
    toolCache = { used: true, changed: live.changed }
    if (live.servers) servers = live.servers
    if (live.changed.length === 0) return
    // A changed list is used at once: the calls of this turn and every later request see it.
    prepared = prepareTools(await o.tools.list(), flavor)
    ;({ search, toolSearch } = await chooseToolSearch(prepared, o))
    if (search) builtins.set(SEARCH_TOOL, searchBuiltin)
    else builtins.delete(SEARCH_TOOL)
    emit({
      type: "warning",
      message: `tool lists changed since they were cached (${live.changed.join(", ")}); using the live lists`,
    })
  }
  let text = ""
  let turns = 0
  let exitReason: ExitReason = "completed"
  let error: string | undefined
  try {
    while (true) {
      if (turns >= maxTurns) {
        exitReason = "max_turns"
        error = `stopped after ${maxTurns} turns (--max-turns) with tool calls still pending`
        break
      }
      turns++
      const turn = turns
      emit({ type: "turn", turn })
      const out: TurnOutput = await runTurn({
        model: o.model,
        prompt: messages,
        tools: offered(),
        maxOutputTokens: o.maxOutputTokens,
        providerOptions: o.providerOptions,
        signal,
        onText: (delta) => emit({ type: "text", turn, delta }),
        onRetry: (message) => emit({ type: "warning", message }),
      })
      addUsage(usage, out.usage)
      emit({ type: "usage", turn, finishReason: out.finishReason, usage: out.usage })
      text = out.text
      if (out.toolCalls.length === 0) {
        messages.push(assistantMessage(out, []))
        break
      }
      await settle()
      if (turns >= maxTurns) {
        messages.push(assistantMessage(out, []))
        continue
      }
      const ctx = {
        tools: o.tools,
        prepared,
        builtins,
        permissions: o.permissions,
        signal,
        turn,
        emit,
        toolTimeoutMs: o.toolTimeoutMs,
        maxToolOutputTokens: o.maxToolOutputTokens ?? DEFAULT_MAX_TOOL_OUTPUT_TOKENS,
        spill,
      }
      // Parallel tool calls run concurrently (one turn may ask for several).
      const outcomes = await Promise.all(out.toolCalls.map((c) => executeCall(c, ctx)))
      messages.push(assistantMessage(out, outcomes), { role: "tool", content: outcomes.map((r) => r.part) })
      for (const r of outcomes) {
        toolCalls.push(r.record)
        if (r.refusal) refusals.push(r.refusal)
      }
      if (o.isStrictPermissions && refusals.length > 0) {
        exitReason = "refused"
        error = refusals[0]!.reason
        break
      }
    }
    await settle()
  } catch (e: unknown) {
    if (e instanceof SettleError) throw e.cause
    ;({ exitReason, error } = classify(e, signal, o.signal))
  } finally {
    dispose()
  }
  const ended = performance.now()
  const startedAt = o.startedAt ?? started
  const durationMs = Math.round(ended - startedAt)
  // Floors, so startupMs + agentMs never exceeds durationMs.
  const phases = { startupMs: Math.floor(started - startedAt), agentMs: Math.floor(ended - started) }
  const report: RunReport = {
    type: "result",
    exitReason,
    exitCode: exitCodeFor(exitReason),
    result: text,
    model: modelName,
    turns,
    durationMs,
    phases,
    usage,
    toolCalls,
    refusals,
    servers,
    skippedTools: prepared.skipped,
    toolDefinitions,
    ...(toolSearch && { toolSearch }),
    ...(skillTool && { skills: skillTool.loads() }),
    ...(spill.records().length > 0 && { spills: spill.records() }),
    ...((toolCache || o.isToolCacheOn) && { toolCache: toolCache ?? { used: false, changed: [] } }),
    ...(error === undefined ? {} : { error }),
  }
  emit(report)
  return {
    text,
    turns,
    toolCalls,
    refusals,
    usage,
    exitReason,
    error,
    skippedTools: prepared.skipped,
    durationMs,
    messages,
    report,
  }
}

/** The live servers could not be checked (settle rejected): the run ends with that error, not a model error. */
class SettleError extends Error {
  constructor(override readonly cause: unknown) {
    super("settle failed")
  }
}

async function chooseToolSearch(
  prepared: PreparedTools,
  o: RunOptions,
): Promise<{ search?: ToolSearch; toolSearch?: ToolSearchChoice; toolDefinitions: ToolDefinitions }> {
  const provider = o.provider ?? schemaFlavor(o.model.provider)
  const counter = await tokenCounter(provider)
  const definitionTokens = specTokens(prepared.specs, provider, counter)
  const toolDefinitions = { tokens: definitionTokens, tools: prepared.specs.length, method: counter.method }
  if (o.isToolSearchOff) return { toolDefinitions }
  const share = o.toolSearchShare ?? TOOL_BUDGET_SHARE
  const window = contextWindow(provider, o.model.modelId)
  const budgetTokens = o.toolBudgetTokens ?? Math.floor(window * share)
  if (definitionTokens <= budgetTokens) return { toolDefinitions }
  const budget =
    o.toolBudgetTokens !== undefined
      ? `--tool-budget ${budgetTokens}`
      : `${budgetTokens} tokens, ${Math.round(share * 100)}% of the model's ${window}-token context`
  const reason = `the ${prepared.specs.length} tool definitions take ≈${definitionTokens} tokens, more than ${budget}; the model gets search_tools instead`
  return {
    search: createToolSearch(prepared.specs),
    toolSearch: { definitionTokens, budgetTokens, reason },
    toolDefinitions,
  }
}

function assistantMessage(out: TurnOutput, outcomes: CallOutcome[]): LanguageModelV4Message {
  return {
    role: "assistant",
    content: [
      ...(out.text ? [{ type: "text" as const, text: out.text }] : []),
      ...out.toolCalls.map((c, i) => ({
        type: "tool-call" as const,
        toolCallId: c.id,
        toolName: c.name,
        input: outcomes[i]?.args ?? {},
      })),
    ],
  }
}

function addUsage(total: Usage, u: Usage) {
  total.inputTokens += u.inputTokens
  total.outputTokens += u.outputTokens
  total.totalTokens += u.totalTokens
  for (const k of ["cacheReadTokens", "cacheWriteTokens", "reasoningTokens"] as const)
    if (u[k] !== undefined) total[k] = (total[k] ?? 0) + u[k]
}

/** One signal for the whole run: the caller's (Ctrl-C) or --timeout, whichever fires first. */
function runSignal(outer: AbortSignal | undefined, timeoutMs: number | undefined) {
  const ac = new AbortController()
  const onAbort = () => ac.abort(outer?.reason)
  outer?.addEventListener("abort", onAbort, { once: true })
  if (outer?.aborted) onAbort()
  const timer = timeoutMs
    ? setTimeout(
        () => ac.abort(new TimeoutError(`run timed out after ${timeoutMs} ms (--timeout)`)),
        timeoutMs,
      )
    : undefined
  return {
    signal: ac.signal,
    dispose: () => {
      clearTimeout(timer)
      outer?.removeEventListener("abort", onAbort)
    },
  }
}

function classify(
  e: unknown,
  signal: AbortSignal,
  outer: AbortSignal | undefined,
): { exitReason: ExitReason; error: string } {
  if (e instanceof ReplayMismatchError) return { exitReason: "replay_mismatch", error: e.message }
  if (signal.aborted) {
    if (signal.reason instanceof TimeoutError) return { exitReason: "timeout", error: signal.reason.message }
    if (outer?.aborted) return { exitReason: "interrupted", error: "interrupted" }
  }
  return {
    exitReason: "model_error",
    error: `model request failed: ${e instanceof Error ? e.message : String(e)}`,
  }
}
