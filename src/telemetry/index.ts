// OpenTelemetry traces (docs/telemetry.md, docs/design.md §13): off unless an OTLP endpoint is
// set. This file is all a run loads when it is off: the config check and a no-op trace. The
// exporter and the span code come in through a dynamic import only when traces are on, so
// `--version` and a run without telemetry pay nothing for them.
import type { TelemetryConfig } from "./config.ts"
import type { RunTrace, StartRunOptions, TracedTools } from "./trace.ts"

export { telemetryConfig, type TelemetryConfig } from "./config.ts"
export type { RunTrace, StartRunOptions, TracedTools } from "./trace.ts"

export interface Telemetry {
  /** A span for one run, or for one batch task (`parent`: the batch's trace, `taskId`). */
  startRun(o?: StartRunOptions): RunTrace
  /** Sends every finished span; waits at most `timeoutMs` for the collector (never throws). */
  shutdown(timeoutMs?: number): Promise<void>
}

/** What a run does with tracing off: nothing, at no cost. */
export const NO_TRACE: RunTrace = {
  traceparent: "",
  spanContext: undefined,
  onEvent() {},
  onServerState() {},
  recordPrompt() {},
  tools: <T extends TracedTools>(source: T) => source,
  end() {},
}

export const NO_TELEMETRY: Telemetry = {
  startRun: () => NO_TRACE,
  shutdown: async () => {},
}

/**
 * The exporter for `config` (telemetryConfig's answer; undefined → NO_TELEMETRY). `warn` gets
 * the configuration's problems and, at most once, an unreachable collector.
 */
export async function startTelemetry(
  config: TelemetryConfig | undefined,
  opts: { warn(message: string): void; version: string; fetch?: typeof fetch },
): Promise<Telemetry> {
  if (!config) return NO_TELEMETRY
  for (const w of config.warnings) opts.warn(w)
  if (!config.url) return NO_TELEMETRY
  const [{ createExporter }, { startRun }] = await Promise.all([import("./otlp.ts"), import("./trace.ts")])
  const exporter = createExporter(config, {
    warn: opts.warn,
    scope: { name: "agentrt", version: opts.version },
    ...(opts.fetch && { fetch: opts.fetch }),
  })
  return {
    startRun: (o = {}) => startRun(exporter, config, o),
    shutdown: (timeoutMs) => exporter.flush(timeoutMs),
  }
}
