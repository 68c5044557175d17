// The CLI's side of OpenTelemetry (docs/telemetry.md): read the OTEL_* variables (the only
// place that does), and load the exporter only when they ask for traces. `agent run` (and a
// batch, one task span per task: telemetry.startRun({ parent, taskId })) use it.
import pkg from "../../../package.json" with { type: "json" }
import { type Telemetry, startTelemetry, telemetryConfig } from "../../telemetry/index.ts"
import type { Log } from "../../util/log.ts"
import { escapeTerminal } from "../../util/text.ts"

declare const AGENT_VERSION: string | undefined

/** How long the exit waits for the collector at most: an unreachable one never holds a run up longer. */
export const TELEMETRY_FLUSH_MS = 2_000

export function openTelemetry(env: Record<string, string | undefined>, log: Log): Promise<Telemetry> {
  return startTelemetry(telemetryConfig(env), {
    warn: (m) => log.warn(escapeTerminal(`telemetry: ${m}`)),
    version: typeof AGENT_VERSION === "string" ? AGENT_VERSION : pkg.version,
  })
}
