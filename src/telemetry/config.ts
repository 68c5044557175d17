// Which traces to send where, from the standard OTEL_* variables (the CLI passes the environment
// in; nothing here reads process.env). Pure and cheap: the CLI calls it on every `agent run`, and
// only a non-undefined answer loads the exporter (src/telemetry/index.ts).

export interface TelemetryConfig {
  /** Where spans are POSTed: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as given, else OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces. */
  url: string
  /** OTEL_EXPORTER_OTLP_TRACES_HEADERS, else OTEL_EXPORTER_OTLP_HEADERS (`k=v,k2=v2`, values percent-decoded). */
  headers: Record<string, string>
  /** service.name and the other resource attributes (OTEL_SERVICE_NAME wins over OTEL_RESOURCE_ATTRIBUTES). */
  resource: Record<string, string>
  /** OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true: prompts, answers, tool arguments and results go into spans. */
  isCapturingContent: boolean
  /** A `TRACEPARENT` the caller handed down (a CI job's own trace): the run's span joins it. */
  parent?: { traceId: string; spanId: string; traceState?: string }
  /** What did not parse, for one warning each (never a header value). */
  warnings: string[]
}

const TRACEPARENT_RE = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/

/** undefined: telemetry is off (no endpoint, OTEL_SDK_DISABLED=true, or OTEL_TRACES_EXPORTER=none). */
export function telemetryConfig(env: Record<string, string | undefined>): TelemetryConfig | undefined {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim()
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim()
  if (!traces && !base) return undefined
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return undefined
  const exporters = (env.OTEL_TRACES_EXPORTER ?? "otlp").split(",").map((s) => s.trim().toLowerCase())
  if (exporters.includes("none")) return undefined
  const warnings: string[] = []
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL)?.trim()
  if (protocol === "grpc")
    warnings.push("OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported; sending OTLP/HTTP (JSON) instead")
  const url = traces || `${base!.replace(/\/+$/, "")}/v1/traces`
  if (!/^https?:\/\/[^/]/i.test(url)) {
    warnings.push(`the OTLP endpoint is not an http(s) URL; traces are off`)
    return { url: "", headers: {}, resource: {}, isCapturingContent: false, warnings }
  }
  const resource: Record<string, string> = {
    "service.name": "agent",
    ...parsePairs(env.OTEL_RESOURCE_ATTRIBUTES, "OTEL_RESOURCE_ATTRIBUTES", warnings),
  }
  const service = env.OTEL_SERVICE_NAME?.trim()
  if (service) resource["service.name"] = service
  const parent = parseTraceparent(env.TRACEPARENT, env.TRACESTATE)
  return {
    url,
    headers: parsePairs(
      env.OTEL_EXPORTER_OTLP_TRACES_HEADERS ?? env.OTEL_EXPORTER_OTLP_HEADERS,
      "OTEL_EXPORTER_OTLP_HEADERS",
      warnings,
    ),
    resource,
    isCapturingContent:
      env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT?.trim().toLowerCase() === "true",
    ...(parent && { parent }),
    warnings,
  }
}

/** `k=v,k2=v2` (W3C baggage-like, values percent-encoded) as the OTel spec reads its list variables. */
export function parsePairs(
  raw: string | undefined,
  name: string,
  warnings: string[],
): Record<string, string> {
  const out: Record<string, string> = {}
  if (!raw?.trim()) return out
  for (const item of raw.split(",")) {
    if (!item.trim()) continue
    const eq = item.indexOf("=")
    const key = eq > 0 ? item.slice(0, eq).trim() : ""
    if (!key) {
      warnings.push(`${name}: an entry without "key=" was ignored`)
      continue
    }
    try {
      out[key] = decodeURIComponent(item.slice(eq + 1).trim())
    } catch {
      warnings.push(`${name}: the value of "${key}" is not valid percent-encoding and was ignored`)
    }
  }
  return out
}

export function parseTraceparent(
  raw: string | undefined,
  state?: string,
): { traceId: string; spanId: string; traceState?: string } | undefined {
  const m = TRACEPARENT_RE.exec(raw?.trim().toLowerCase() ?? "")
  if (!m || /^0+$/.test(m[1]!) || /^0+$/.test(m[2]!)) return undefined
  const traceState = state?.trim()
  return { traceId: m[1]!, spanId: m[2]!, ...(traceState && { traceState }) }
}
