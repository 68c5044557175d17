// SEP-414 on HTTP: a request whose `_meta` carries a W3C trace context (the telemetry's tool
// spans put it there) also sends it as `traceparent`/`tracestate` headers, so an HTTP server's
// own instrumentation (which reads headers, not bodies) joins the run's trace. Only values in
// the W3C shapes are copied: a header never carries anything else from a message body.
import type { FetchLike } from "@modelcontextprotocol/client"

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/
const TRACESTATE = /^[\x21-\x7e][\x20-\x7e]{0,511}$/ // printable ASCII, the W3C length bound

export function traceHeaders(base: FetchLike): FetchLike {
  return (input, init) => {
    const body = init?.body
    // Cheap for the common case: most bodies carry no trace context at all.
    if (typeof body !== "string" || !body.includes('"traceparent"')) return base(input, init)
    const ctx = traceContextOf(body)
    if (!ctx) return base(input, init)
    const headers = new Headers(init?.headers)
    headers.set("traceparent", ctx.traceparent)
    if (ctx.tracestate) headers.set("tracestate", ctx.tracestate)
    return base(input, { ...init, headers })
  }
}

export function traceContextOf(body: string): { traceparent: string; tracestate?: string } | undefined {
  let msg: unknown
  try {
    msg = JSON.parse(body)
  } catch {
    return undefined
  }
  const meta = (msg as { params?: { _meta?: Record<string, unknown> } } | null)?.params?._meta
  const traceparent = meta?.traceparent
  if (typeof traceparent !== "string" || !TRACEPARENT.test(traceparent)) return undefined
  const tracestate = meta?.tracestate
  return {
    traceparent,
    ...(typeof tracestate === "string" && TRACESTATE.test(tracestate) && { tracestate }),
  }
}
