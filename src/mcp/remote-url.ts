import type { FetchLike } from "@modelcontextprotocol/client"
import { McpConnectError } from "../util/errors.ts"
import { InvalidSessionIdError } from "./failures.ts"

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
  if (url.protocol !== "http:") throw new McpConnectError(`unsupported URL scheme ${url.protocol} (use https://)`)
  if (LOOPBACK.test(url.hostname) || allowInsecureHttp) return url
  throw new McpConnectError(`refusing plain http:// to ${url.host}: requests and tokens would travel unencrypted`, {
    hint: "use https://, or pass --allow-insecure-http if this network is trusted",
  })
}

const VISIBLE_ASCII = /^[\x21-\x7e]+$/

/** T07: a session id must be visible ASCII; anything else could smuggle bytes into our headers. */
export function guardedFetch(base: FetchLike = fetch): FetchLike {
  return async (input, init) => {
    const res = await base(input, init)
    const sid = res.headers.get("mcp-session-id")
    if (sid !== null && !VISIBLE_ASCII.test(sid)) {
      await res.body?.cancel().catch((e: unknown) => void e)
      throw new InvalidSessionIdError()
    }
    return res
  }
}
