// The CLI's side of OpenTelemetry (docs/telemetry.md): read the OTEL_* variables (the only
// place that does), and load the exporter only when they ask for traces. `agent run` (and a
// batch, one task span per task: telemetry.startRun({ parent, taskId })) use it.
import pkg from "../../../package.json" with { type: "json" }
import { type Telemetry, startTelemetry, telemetryConfig } from "../../telemetry/index.ts"
import { createLog } from "../../util/log.ts"
import { escapeTerminal } from "../../util/text.ts"

declare const AGENT_VERSION: string | undefined

/** How long the exit waits for the collector at most: an unreachable one never holds a run up longer. */
export const TELEMETRY_FLUSH_MS = 2_000

/**
 * `flags`: -q silences the warnings, as it does every warning (the level rule of createContext,
 * without its checks: a bad flag or AGENTRT_HOME is the command's error to report, not ours).
 */
export function openTelemetry(
  env: Record<string, string | undefined>,
  flags: { debug?: boolean; verbose?: boolean; quiet?: boolean },
): Promise<Telemetry> {
  const log = createLog(flags.debug || (flags.verbose && !flags.quiet) ? 4 : flags.quiet ? 0 : 3)
  return startTelemetry(telemetryConfig(env), {
    warn: (m) => log.warn(escapeTerminal(`telemetry: ${m}`)),
    version: typeof AGENT_VERSION === "string" ? AGENT_VERSION : pkg.version,
  })
}
