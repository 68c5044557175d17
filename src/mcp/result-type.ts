import type { JSONRPCMessage, Transport } from "@modelcontextprotocol/client"

// 2026-07-28 (SEP-2322): a result without `resultType` is a complete result. The SDK's 2026-07-28
// codec (2.4.0) refuses one instead ("missing required resultType"), so a tool call that
// succeeded on the server failed here. Until an SDK release follows the spec, every incoming
// result object without the field gets `resultType: "complete"` before the SDK decodes it. The
// 2025 codec drops the field, so older sessions see no change; `input_required` results, errors,
// requests and notifications pass untouched.

/** Wraps the transport's `onmessage` (set by the SDK at connect), so call it before `client.connect`. */
export function completeResultType<T extends Transport>(transport: T): T {
  let handler: Transport["onmessage"]
  const wrapped: Transport["onmessage"] = (message, extra) => handler?.(withResultType(message), extra)
  Object.defineProperty(transport, "onmessage", {
    configurable: true,
    enumerable: true,
    get: () => (handler ? wrapped : undefined),
    set: (h: Transport["onmessage"]) => {
      handler = h
    },
  })
  return transport
}

export function withResultType(message: JSONRPCMessage): JSONRPCMessage {
  if (!("result" in message)) return message
  const r: unknown = message.result
  if (typeof r !== "object" || r === null || Array.isArray(r) || "resultType" in r) return message
  return { ...message, result: { ...r, resultType: "complete" } } as JSONRPCMessage
}
