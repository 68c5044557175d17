// SEP-414 on HTTP: the trace context in a request's _meta is also sent as headers, and only a
// well-formed one (tests/e2e/telemetry.test.ts checks it end to end against a real server).
import { describe, expect, it } from "bun:test"
import { traceContextOf, traceHeaders } from "../../src/mcp/trace-headers.ts"

const TP = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
const call = (meta: Record<string, unknown>) =>
  JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "t", _meta: meta } })

describe("traceHeaders", () => {
  it("copies traceparent and tracestate from _meta into the request's headers, keeping the others", async () => {
    const seen: Headers[] = []
    const f = traceHeaders(async (_input, init) => {
      seen.push(new Headers(init?.headers))
      return new Response("{}")
    })
    await f("http://127.0.0.1/mcp", {
      method: "POST",
      headers: { authorization: "Bearer x", "content-type": "application/json" },
      body: call({ traceparent: TP, tracestate: "vendor=1", progressToken: 3 }),
    })
    expect(seen[0]!.get("traceparent")).toBe(TP)
    expect(seen[0]!.get("tracestate")).toBe("vendor=1")
    expect(seen[0]!.get("authorization")).toBe("Bearer x")
  })

  it("adds nothing to a request without a trace context, or with a malformed one", async () => {
    const seen: Headers[] = []
    const f = traceHeaders(async (_input, init) => {
      seen.push(new Headers(init?.headers))
      return new Response("{}")
    })
    for (const body of [
      call({ progressToken: 1 }),
      call({ traceparent: "00-abc\r\nx-injected: 1" }),
      call({ traceparent: TP.toUpperCase() }),
      '{"traceparent": broken',
    ])
      await f("http://127.0.0.1/mcp", { method: "POST", body })
    expect(seen.map((h) => [h.get("traceparent"), h.get("x-injected")])).toEqual([
      [null, null],
      [null, null],
      [null, null],
      [null, null],
    ])
    expect(traceContextOf(call({ traceparent: TP, tracestate: "bad\nstate" }))).toEqual({ traceparent: TP })
  })
})
