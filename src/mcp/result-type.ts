import type { JSONRPCMessage, Transport } from "@modelcontextprotocol/client"

// 2026-07-28 (SEP-2322): a result without `resultType` is a complete result. The SDK's 2026-07-28
// codec (2.4.0) refuses one instead ("missing required resultType"), so a tool call that
// succeeded on the server failed here. Until an SDK release follows the spec, every incoming
// result object without the field gets `resultType: "complete"` before the SDK decodes it. The
// 2025 codec drops the field, so older sessions see no change; `input_required` results, errors,
// requests and notifications pass untouched.

/**
 * Every `onmessage` set on the transport from now on (the SDK's at connect, and any wrapper
 * installed later that chains to the one it read) sees results with `resultType`; call it
 * before `client.connect`. Reading the property gives the wrapped handler, so chaining stays
 * finite and the fill is applied at most once per message that lacks the field.
 */
export function completeResultType<T extends Transport>(transport: T): T {
  let handler: Transport["onmessage"]
  Object.defineProperty(transport, "onmessage", {
    configurable: true,
    enumerable: true,
    get: () => handler,
    set: (h: Transport["onmessage"]) => {
      handler = h && ((message, extra) => h(withResultType(message), extra))
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
