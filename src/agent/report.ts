// The report of a run that ended before the agent loop began (docs/design.md §9): `--output json`
// and `stream-json` still print one RunReport, so CI reads the same shape whether the model ran
// or a config error, a missing approval, a server that never came up or --timeout stopped it first.
import type { ExitReason, RunReport, ServerStatus } from "./events.ts"

export interface StartupFailure {
  exitReason: Extract<ExitReason, "startup_error" | "timeout" | "interrupted">
  exitCode: number
  error: string
  /** `provider:model` when it was known, else "". */
  model: string
  /** performance.now() at the command's start. */
  startedAt: number
  servers?: ServerStatus[]
}

export function startupReport(f: StartupFailure): RunReport {
  const durationMs = Math.round(performance.now() - f.startedAt)
  return {
    type: "result",
    exitReason: f.exitReason,
    exitCode: f.exitCode,
    result: "",
    model: f.model,
    turns: 0,
    durationMs,
    phases: { startupMs: durationMs, agentMs: 0 },
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
    toolCalls: [],
    refusals: [],
    servers: f.servers ?? [],
    skippedTools: [],
    error: f.error,
  }
}
