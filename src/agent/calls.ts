// One tool call from the model: validate its arguments, ask permission, call the tool, turn the
// result into what the model sees. Nothing here throws for a tool's own failure: errors and
// refusals go back to the model as results (only an abort of the whole run propagates).
import type { LanguageModelV4ToolResultPart } from "@ai-sdk/provider"
import * as v from "valibot"
import { isAgentError } from "../util/errors.ts"
import type { EventOf, Refusal, ToolCallRecord } from "./events.ts"
import { decide, type Permissions } from "./permissions.ts"
import { type PreparedTools, type ToolSource, resultText, toolOutput } from "./tools.ts"
import type { TurnCall } from "./turn.ts"
import type { Spill } from "./spill.ts"

export interface CallContext {
  tools: ToolSource
  prepared: PreparedTools
  permissions: Permissions
  maxToolOutputTokens: number
  /** Past the limit, save the whole result and send the head (spill.ts); without it, results are cut. */
  spill?: Spill
  toolTimeoutMs?: number
  signal: AbortSignal
  turn: number
  /** Tools the agent answers itself (search_tools, load_skill), by model-facing name. */
  builtins?: Map<string, Builtin>
  emit(e: EventOf<"tool_use"> | EventOf<"tool_result">): void
}

export type Builtin = (
  args: Record<string, unknown>,
  ctx: { turn: number; signal: AbortSignal },
) => { text: string; isError: boolean } | Promise<{ text: string; isError: boolean }>

export interface CallOutcome {
  record: ToolCallRecord
  refusal?: Refusal
  part: LanguageModelV4ToolResultPart
  /** The parsed arguments, for the assistant message that carried the call. */
  args: Record<string, unknown>
}

const Args = v.record(v.string(), v.unknown())

export function parseArgs(
  input: string,
): { ok: true; args: Record<string, unknown> } | { ok: false; error: string } {
  if (input.trim() === "") return { ok: true, args: {} }
  let parsed: unknown
  try {
    parsed = JSON.parse(input)
  } catch {
    return { ok: false, error: `the arguments are not valid JSON: ${input.slice(0, 200)}` }
  }
  const r = v.safeParse(Args, parsed)
  return r.success
    ? { ok: true, args: r.output }
    : { ok: false, error: "the arguments must be a JSON object" }
}

export async function executeCall(call: TurnCall, ctx: CallContext): Promise<CallOutcome> {
  const target = ctx.prepared.byModelName.get(call.name)
  const parsed = parseArgs(call.input)
  const args = parsed.ok ? parsed.args : {}
  ctx.emit({
    type: "tool_use",
    turn: ctx.turn,
    id: call.id,
    name: call.name,
    server: target?.server,
    tool: target?.tool.name,
    input: parsed.ok ? args : call.input,
  })
  const base = {
    id: call.id,
    name: call.name,
    server: target?.server,
    tool: target?.tool.name,
    turn: ctx.turn,
  }
  let task: ToolCallRecord["task"]
  const finish = (
    text: string,
    kind: "ok" | "error" | "refused",
    started: number,
    extra: { bytes?: number; isTruncated?: boolean } = {},
  ): CallOutcome => {
    const record: ToolCallRecord = {
      ...base,
      durationMs: Math.round(performance.now() - started),
      bytes: extra.bytes ?? Buffer.byteLength(text),
      isError: kind !== "ok",
      isRefused: kind === "refused",
      isTruncated: extra.isTruncated ?? false,
      ...(task && { task }),
    }
    ctx.emit({
      type: "tool_result",
      turn: ctx.turn,
      id: call.id,
      name: call.name,
      isError: record.isError,
      isRefused: record.isRefused,
      isTruncated: record.isTruncated,
      durationMs: record.durationMs,
      bytes: record.bytes,
      content: text,
    })
    const part: LanguageModelV4ToolResultPart = {
      type: "tool-result",
      toolCallId: call.id,
      toolName: call.name,
      output: toolOutput(text, kind),
    }
    const refusal =
      kind === "refused" ? { id: call.id, name: call.name, turn: ctx.turn, reason: text } : undefined
    return { record, part, args, ...(refusal ? { refusal } : {}) }
  }
  const t0 = performance.now()
  if (!parsed.ok) return finish(parsed.error, "error", t0)
  const builtin = target ? undefined : ctx.builtins?.get(call.name)
  if (builtin) {
    const out = await builtin(args, { turn: ctx.turn, signal: ctx.signal })
    return finish(out.text, out.isError ? "error" : "ok", t0)
  }
  if (!target) return finish(`unknown tool ${call.name}`, "error", t0)
  const refused = await decide(ctx.permissions, target, args, ctx.signal)
  if (refused !== undefined) return finish(refused, "refused", t0)
  const started = performance.now()
  try {
    // Tools that support tasks run as tasks (taskSupport optional or required): polled until they
    // end, within the run's --timeout; the report keeps each task's id and last status.
    const result = await ctx.tools.call(target.name, args, {
      signal: ctx.signal,
      timeoutMs: ctx.toolTimeoutMs,
      task: "prefer",
      onTask: (_server, t) => {
        task = { id: t.taskId, status: t.status }
      },
    })
    const out = ctx.spill ? ctx.spill.limit(result, base) : resultText(result, ctx.maxToolOutputTokens)
    return finish(out.text, result.isError ? "error" : "ok", started, out)
  } catch (e: unknown) {
    // The run is being stopped: let the loop report timeout/interrupted rather than a tool error.
    if (ctx.signal.aborted) throw e
    return finish(`tool call failed: ${errorText(e)}`, "error", started)
  }
}

function errorText(e: unknown): string {
  if (isAgentError(e)) return e.hint ? `${e.message} (${e.hint})` : e.message
  return e instanceof Error ? e.message : String(e)
}
