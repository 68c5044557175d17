import { SdkError, SdkErrorCode, type FetchLike } from "@modelcontextprotocol/client"
import { McpConnectError } from "../util/errors.ts"
import { InvalidSessionIdError } from "./error-classes.ts"

// The remote URL and fetch guards every HTTP/SSE connection goes through (T07).

const LOOPBACK = /^(localhost|.*\.localhost|127(\.\d{1,3}){3}|\[::1\])$/i

/** T07: plain http:// only to loopback unless the user allowed it. */
export function remoteUrl(raw: string, allowInsecureHttp: boolean): URL {
  let url: URL
  try {
    url = new URL(raw)
  } catch (e: unknown) {
    throw new McpConnectError(`invalid server URL`, { cause: e })
  }
  if (url.protocol === "https:") return url
  if (url.protocol !== "http:")
    throw new McpConnectError(`unsupported URL scheme ${url.protocol} (use https://)`)
  if (LOOPBACK.test(url.hostname) || allowInsecureHttp) return url
  throw new McpConnectError(
    `refusing plain http:// to ${url.host}: requests and tokens would travel unencrypted`,
    {
      hint: "use https://, or pass --allow-insecure-http if this network is trusted",
    },
  )
}

const VISIBLE_ASCII = /^[\x21-\x7e]+$/

/** T06: the per-message cap, as on stdio (stdio.ts MAX_MESSAGE_BYTES). */
export const MAX_HTTP_MESSAGE_BYTES = 16 * 1024 * 1024

export interface FetchGuard {
  /** The server's name, for the error message. */
  name?: string
  /** Bytes per JSON body or SSE event; default 16 MB. */
  limit?: number
  /** A body or event went over the limit: `reason` ("sent a message larger than …") for the connection's failure. */
  onOversize?: (reason: string) => void
}

/**
 * T07: a session id must be visible ASCII; anything else could smuggle bytes into our headers.
 * T06: no response body is buffered without bound: an SSE event, or any other body (JSON,
 * error text), over the limit errors the stream there, and the rest is never downloaded.
 */
export function guardedFetch(base: FetchLike = fetch, guard: FetchGuard = {}): FetchLike {
  const limit = guard.limit ?? MAX_HTTP_MESSAGE_BYTES
  const reason = `sent a message larger than the ${limit >= 1048576 ? `${limit / 1048576} MB` : `${limit} byte`} limit`
  const fail = () => {
    guard.onOversize?.(reason)
    return new SdkError(
      SdkErrorCode.ConnectionClosed,
      guard.name ? `server "${guard.name}" ${reason}` : `the server ${reason}`,
    )
  }
  return async (input, init) => {
    const res = await base(input, init)
    const sid = res.headers.get("mcp-session-id")
    if (sid !== null && !VISIBLE_ASCII.test(sid)) {
      await res.body?.cancel().catch((e: unknown) => void e)
      throw new InvalidSessionIdError()
    }
    // Redirects keep their url/type for the SDK's redirect handling; their bodies are discarded.
    if (!res.body || (res.status >= 300 && res.status < 400)) return res
    const isEvents =
      (res.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase() === "text/event-stream"
    if (!isEvents && Number(res.headers.get("content-length") ?? 0) > limit) {
      await res.body.cancel().catch((e: unknown) => void e)
      throw fail()
    }
    const body = res.body.pipeThrough(isEvents ? eventCap(limit, fail) : totalCap(limit, fail))
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers })
  }
}

function totalCap(limit: number, fail: () => Error): TransformStream<Uint8Array, Uint8Array> {
  let total = 0
  return new TransformStream({
    transform(chunk, controller) {
      total += chunk.byteLength
      if (total > limit) controller.error(fail())
      else controller.enqueue(chunk)
    },
  })
}

/** Counts the bytes since the last event boundary (a blank line) and errors past the limit. */
function eventCap(limit: number, fail: () => Error): TransformStream<Uint8Array, Uint8Array> {
  let run = 0 // bytes of the current event
  let hasContent = false // the current line has a byte other than CR
  return new TransformStream({
    transform(chunk, controller) {
      for (let i = 0; i < chunk.length; ) {
        const nl = chunk.indexOf(10, i)
        const end = nl === -1 ? chunk.length : nl
        if (end - i > 1 || (end - i === 1 && chunk[i] !== 13)) hasContent = true
        run += end - i
        if (nl !== -1) {
          if (hasContent) run++
          else run = 0 // a blank line: the event ended
          hasContent = false
        }
        if (run > limit) {
          controller.error(fail())
          return
        }
        i = end + 1
      }
      controller.enqueue(chunk)
    },
  })
}
