// A lean OTLP/HTTP JSON trace exporter (docs/telemetry.md): spans are kept in memory and POSTed
// as one ExportTraceServiceRequest when a batch fills, a few seconds after the first span, and
// at exit (bounded). Hand-written instead of the OpenTelemetry SDK: see docs/performance.md for
// the size that saves. A collector that cannot be reached costs one warning, never the run.
import type { TelemetryConfig } from "./config.ts"

export type AttrValue = string | number | boolean | string[]
export type Attrs = Record<string, AttrValue | undefined>

/** OTLP SpanKind numbers. */
export const SpanKind = { internal: 1, server: 2, client: 3 } as const

export interface SpanContext {
  traceId: string
  spanId: string
  traceState?: string
}

export interface SpanData extends SpanContext {
  parentSpanId?: string
  name: string
  kind: number
  startNs: bigint
  endNs?: bigint
  attributes: Attrs
  events: { name: string; timeNs: bigint; attributes: Attrs }[]
  status?: { code: 1 | 2; message?: string }
}

const BATCH = 256
const DELAY_MS = 5_000
const SEND_TIMEOUT_MS = 5_000

/** Wall-clock nanoseconds for a performance.now() reading (ms, fractional). */
export function nanos(perfMs: number = performance.now()): bigint {
  const ms = performance.timeOrigin + perfMs
  return BigInt(Math.floor(ms)) * 1_000_000n + BigInt(Math.round((ms % 1) * 1_000_000))
}

export function randomHex(bytes: number): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes))
  let s = ""
  for (const x of b) s += x.toString(16).padStart(2, "0")
  return /^0+$/.test(s) ? randomHex(bytes) : s
}

export interface Exporter {
  add(span: SpanData): void
  /** Sends what is buffered; waits at most `timeoutMs` for the collector. */
  flush(timeoutMs?: number): Promise<void>
}

export function createExporter(
  config: TelemetryConfig,
  opts: { warn(message: string): void; scope: { name: string; version: string }; fetch?: typeof fetch },
): Exporter {
  const send = opts.fetch ?? fetch
  let buffer: SpanData[] = []
  let timer: ReturnType<typeof setTimeout> | undefined
  const pending = new Set<Promise<void>>()
  let hasWarned = false
  const where = safeOrigin(config.url)
  // One warning per run: the run goes on, and so do later exports (the collector may come back).
  const warnOnce = (why: string) => {
    if (hasWarned) return
    hasWarned = true
    opts.warn(`could not export traces to ${where}: ${why}; the run goes on without them`)
  }

  const post = async (spans: SpanData[], timeoutMs: number) => {
    try {
      const res = await send(config.url, {
        method: "POST",
        headers: { ...config.headers, "content-type": "application/json" },
        body: JSON.stringify(encode(spans, config.resource, opts.scope)),
        signal: AbortSignal.timeout(timeoutMs),
      })
      await res.body?.cancel().catch((e: unknown) => void e) // the answer carries nothing we use
      if (!res.ok) throw new Error(`HTTP ${res.status}`)
    } catch (e: unknown) {
      warnOnce(e instanceof Error && e.name === "TimeoutError" ? "no answer in time" : describe(e))
    }
  }
  const drain = (timeoutMs: number) => {
    clearTimeout(timer)
    timer = undefined
    if (buffer.length === 0) return
    const spans = buffer
    buffer = []
    const p = post(spans, timeoutMs).finally(() => pending.delete(p))
    pending.add(p)
  }
  return {
    add(span) {
      buffer.push(span)
      if (buffer.length >= BATCH) drain(SEND_TIMEOUT_MS)
      else if (!timer) {
        timer = setTimeout(() => drain(SEND_TIMEOUT_MS), DELAY_MS)
        timer.unref?.()
      }
    },
    async flush(timeoutMs = 2_000) {
      drain(timeoutMs)
      if (pending.size === 0) return
      // Bounded: an earlier batch still waiting on a silent collector does not hold the exit up either.
      let timer: ReturnType<typeof setTimeout> | undefined
      const isDone = await Promise.race([
        Promise.all([...pending]).then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), timeoutMs)
        }),
      ])
      clearTimeout(timer)
      if (!isDone) warnOnce("no answer in time")
    },
  }
}

function safeOrigin(url: string): string {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}${u.pathname}` // never the query or user info (they may hold a key)
  } catch {
    return "the OTLP endpoint"
  }
}

function describe(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code
  if (code === "ECONNREFUSED" || code === "ConnectionRefused") return "connection refused"
  return e instanceof Error ? e.message.split("\n")[0]!.slice(0, 200) : String(e)
}

/** The OTLP/JSON ExportTraceServiceRequest (ids in hex, times as decimal strings). */
export function encode(
  spans: SpanData[],
  resource: Record<string, string>,
  scope: { name: string; version: string },
) {
  return {
    resourceSpans: [
      {
        resource: { attributes: attributes(resource) },
        scopeSpans: [
          {
            scope,
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.traceState && { traceState: s.traceState }),
              ...(s.parentSpanId && { parentSpanId: s.parentSpanId }),
              name: s.name,
              kind: s.kind,
              startTimeUnixNano: String(s.startNs),
              endTimeUnixNano: String(s.endNs ?? s.startNs),
              attributes: attributes(s.attributes),
              ...(s.events.length > 0 && {
                events: s.events.map((e) => ({
                  name: e.name,
                  timeUnixNano: String(e.timeNs),
                  attributes: attributes(e.attributes),
                })),
              }),
              status: s.status ?? { code: 0 },
            })),
          },
        ],
      },
    ],
  }
}

function attributes(attrs: Attrs) {
  return Object.entries(attrs).flatMap(([key, v]) => (v === undefined ? [] : [{ key, value: anyValue(v) }]))
}

function anyValue(v: AttrValue): Record<string, unknown> {
  if (Array.isArray(v)) return { arrayValue: { values: v.map((x) => ({ stringValue: x })) } }
  if (typeof v === "boolean") return { boolValue: v }
  if (typeof v === "number") return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v }
  return { stringValue: v }
}
