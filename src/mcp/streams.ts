import {
  OAuthError,
  ProtocolError,
  SdkError,
  SdkHttpError,
  SseError,
  UnauthorizedError,
  type Client,
  type JSONRPCMessage,
  type SSEClientTransport,
  type StreamableHTTPClientTransport,
} from "@modelcontextprotocol/client"
import { AgentError } from "../util/errors.ts"
import type { Log } from "../util/log.ts"
import { InvalidSessionIdError } from "./error-classes.ts"

// How a remote connection notices a server that went away in the middle of a call, and how it
// says goodbye when we are done. docs/design.md §5; for users, docs/remote.md (sessions and dead servers).
//
// The SDK rejects every pending request when a transport closes (onclose), but two transports
// never close on their own when the server dies:
// - legacy HTTP+SSE: the EventSource just retries the GET stream, and a new stream would be a
//   new session (the old POST endpoint is gone with the old stream), so the calls waiting for
//   their answers on the dead stream would wait for their timeout;
// - 2026-07-28 Streamable HTTP: each request has its own response stream; when it breaks, the
//   SDK drops that request silently (no onRequestStreamEnd from the protocol layer).
// Both are turned into a closed connection here, so pending calls fail at once.

type Id = string | number

/** How long closing waits for the DELETE that ends a session: never holds the exit longer. */
export const SESSION_DELETE_MS = 100

/**
 * Streamable HTTP, session era: the DELETE with Mcp-Session-Id that ends the session (2025-11-25
 * "Session Management"), bounded by SESSION_DELETE_MS. The transport close that follows aborts it
 * if the server has not answered: a server that never answers cannot hold us.
 */
export async function endSession(transport: StreamableHTTPClientTransport, log: Log): Promise<void> {
  if (transport.sessionId === undefined) return
  let timer: ReturnType<typeof setTimeout> | undefined
  const deleted = transport.terminateSession().then(
    () => log.debug("session ended (DELETE)"),
    // 405 is success for the SDK; 404 (already expired), an abort or a dead server all leave
    // nothing to clean up on our side.
    (e: unknown) => log.debug(`session DELETE: ${e instanceof Error ? e.message : String(e)}`),
  )
  await Promise.race([deleted, new Promise<void>((r) => (timer = setTimeout(r, SESSION_DELETE_MS)))])
  clearTimeout(timer)
}

/**
 * Legacy HTTP+SSE: the answers to pending calls travel on the GET stream; when it breaks under
 * them they are lost (see above), so `cut` closes the connection. With no call pending, the
 * EventSource's own reconnect goes on as before (a proxy that drops idle streams).
 */
export function watchLegacyStream(transport: SSEClientTransport, cut: (reason: string) => void): void {
  const pending = new Set<Id>()
  const send = transport.send.bind(transport)
  transport.send = async (message) => {
    if ("method" in message && "id" in message && message.id !== undefined) pending.add(message.id)
    // A cancelled request (timeout, Ctrl-C) will get no answer: it is no longer waiting for one.
    else if ("method" in message && message.method === "notifications/cancelled")
      pending.delete((message.params as { requestId?: Id } | undefined)?.requestId ?? "")
    try {
      return await send(message)
    } catch (e: unknown) {
      if ("id" in message && message.id !== undefined && message.id !== null) pending.delete(message.id)
      throw e
    }
  }
  const deliver = transport.onmessage
  transport.onmessage = (message) => {
    if ("id" in message && !("method" in message) && message.id !== undefined && message.id !== null)
      pending.delete(message.id)
    deliver?.(message)
  }
  const report = transport.onerror
  transport.onerror = (e) => {
    report?.(e)
    if (SseError.isInstance(e) && pending.size > 0) cut("broke its event stream")
  }
}

/** 2025 sessions: how long an answer may still arrive elsewhere after its own stream ended. */
const LEGACY_GRACE_MS = 300

type Request = Extract<JSONRPCMessage, { method: string; id: string | number }>

/**
 * Streamable HTTP: a request's response stream that ends (or fails to open) without an answer.
 * 2026-07-28 (changelog, major change 9, SEP-2575): "A broken response stream loses the in-flight
 * request; clients MUST re-issue it as a new request with a new request ID". Done once; a second
 * break means the server is gone: `cut` closes the connection and every pending call fails now.
 * 2025 sessions resume a stream with Last-Event-ID instead (the reconnection scheduler bounds
 * that); a stream that cannot be resumed lost its answer, so the connection is cut at once.
 * Installed after connect, when the era is known and the protocol layer has set onmessage.
 */
export function watchRequestStreams(
  transport: StreamableHTTPClientTransport,
  client: Client,
  cut: (reason: string) => void,
  log: Log,
): void {
  const isModern = client.getProtocolEra() === "modern"
  // Wire id → the id the protocol layer knows; `answered` once the response arrived.
  const inflight = new Map<Id, { id: Id; answered: boolean }>()
  let reissues = 0
  const deliver = transport.onmessage
  transport.onmessage = (message) => {
    if ("id" in message && !("method" in message) && message.id !== undefined && message.id !== null) {
      const entry = inflight.get(message.id)
      if (entry) {
        entry.answered = true
        if (entry.id !== message.id) message = { ...message, id: entry.id }
      }
    }
    deliver?.(message)
  }
  const send = transport.send.bind(transport)
  type Options = Parameters<typeof send>[1]

  async function sendWatched(message: Request, options: Options, isReissue: boolean): Promise<void> {
    const wireId = isReissue ? `${message.id}~reissued-${++reissues}` : message.id
    const entry = { id: message.id, answered: false }
    inflight.set(wireId, entry)
    /** The request is lost: true when it is to be re-issued; otherwise the connection is cut (or it was answered). */
    const lost = () => {
      inflight.delete(wireId)
      if (options?.requestSignal?.aborted || entry.answered) return false
      if (!isModern || isReissue) {
        cut(
          isReissue
            ? "stopped answering (the request was re-issued once)"
            : "ended a call's stream without its answer",
        )
        return false
      }
      log.debug(`the response stream of ${message.method} broke before its answer; re-issuing it once`)
      return true
    }
    const onLost = () => {
      if (lost()) sendWatched(message, options, true).catch((e: unknown) => void e) // a failure cut the connection
    }
    const onRequestStreamEnd = () => {
      options?.onRequestStreamEnd?.()
      if (isModern || entry.answered) return onLost()
      // 2025: a server that (against the spec) moves the answer to its GET stream gets a moment.
      setTimeout(onLost, LEGACY_GRACE_MS).unref?.()
    }
    try {
      await send(isReissue ? { ...message, id: wireId } : message, { ...options, onRequestStreamEnd })
      if (entry.answered) inflight.delete(wireId) // a JSON answer: no stream end will follow
    } catch (e: unknown) {
      if (!isBrokenStream(e) || !lost()) {
        inflight.delete(wireId)
        throw e
      }
      return sendWatched(message, options, true)
    }
  }

  transport.send = (message, options) => {
    const isRequest = "method" in message && "id" in message && message.id !== undefined
    // subscriptions/listen has its own end-of-stream handling in the SDK.
    if (!isRequest || message.method === "subscriptions/listen") return send(message, options)
    return sendWatched(message as Request, options, false)
  }
}

/**
 * A POST that failed below HTTP: the connection was refused or reset, or the body broke off.
 * Not an HTTP status, a sign-in, a protocol answer or a limit of ours (those are typed).
 */
function isBrokenStream(e: unknown): boolean {
  if (e instanceof AgentError || e instanceof InvalidSessionIdError) return false
  return !(
    SdkError.isInstance(e) ||
    SdkHttpError.isInstance(e) ||
    ProtocolError.isInstance(e) ||
    UnauthorizedError.isInstance(e) ||
    OAuthError.isInstance(e) ||
    (e instanceof Error && e.name === "AbortError")
  )
}
