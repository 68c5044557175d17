import { SseError } from "@modelcontextprotocol/client"
import { classifyAddress } from "../auth/index.ts"
import type { RemoteServer, StdioServer } from "../config/index.ts"
import { AgentError, AuthRequiredError, McpConnectError } from "../util/errors.ts"
import { ApiKeyRequiredError } from "./error-classes.ts"
import { isApiKeyServer } from "./doctor-auth.ts"
import { checkNetwork } from "./doctor-net.ts"
import { classify } from "./classify.ts"

// Why a server did not connect, in words that say what to do next. The same checks
// `agent mcp doctor` runs (doctor-net.ts for DNS, TCP and TLS; doctor-auth.ts for a 401
// without OAuth), called after a failed connect so `list`, `call`, `tools` and `run`
// report "nothing listens on 127.0.0.1:9" instead of the fetch layer's words.

/** Per probe; the connect already failed, so this only pays for the explanation. */
const PROBE_MS = 5_000

/**
 * A better error for a failed connect, or undefined to keep the original. Never throws:
 * a probe that fails itself leaves the connect's own error in place.
 */
export async function explainConnectFailure(
  server: RemoteServer | StdioServer,
  e: unknown,
  signal: AbortSignal,
  connectTimeoutMs: number,
): Promise<AgentError | undefined> {
  if (signal.aborted || server.transport === "stdio") return undefined
  const f = classify(e)
  if (f.kind === "timeout" || f.kind === "forbidden" || f.kind === "session_id" || f.kind === "protocol")
    return undefined
  // Our own refusals (plain http to another host, a bad URL) already say what to do.
  if (e instanceof AgentError && !(e instanceof AuthRequiredError)) return undefined
  const timeoutMs = Math.min(PROBE_MS, connectTimeoutMs)
  // The legacy SSE fallback reports the status of its GET in its own error class.
  const status =
    f.kind === "http" ? f.status : SseError.isInstance(e) && typeof e.code === "number" ? e.code : undefined
  try {
    const url = new URL(server.url)
    if (f.kind === "auth") return await explain401(server, url, e, timeoutMs, signal)
    if (status !== undefined) return httpStatusError(url, status, e)
    // Below HTTP (no status, no auth): DNS, TCP and TLS, exactly as doctor checks them.
    const net = await checkNetwork(url, timeoutMs)
    const broken = net.findings.find((x) => x.severity === "error")
    if (broken)
      return new McpConnectError(broken.message, { cause: e, ...(broken.hint && { hint: broken.hint }) })
  } catch (probe: unknown) {
    void probe // the probe is best effort: the connect's own error stands
  }
  return undefined
}

/**
 * 404 and 5xx are the answer. 400/405/406 are how MCP servers refuse a probe of the wrong era
 * or transport, and a refused redirect (T08) already names where it pointed: those stay.
 */
function httpStatusError(url: URL, status: number, e: unknown): AgentError | undefined {
  if (status !== 404 && status < 500) return undefined
  return new McpConnectError(`${url.href} answered HTTP ${status}`, {
    cause: e,
    hint:
      status === 404
        ? "no MCP endpoint at this path: check the URL (servers usually answer on /mcp, legacy ones on /sse)"
        : "the server failed; try again later or tell its operator",
  })
}

/** One more request to read the 401's challenge, then doctor's check for OAuth metadata. */
async function explain401(
  server: RemoteServer,
  url: URL,
  e: unknown,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<AgentError | undefined> {
  const res = await fetch(url, {
    method: server.transport === "sse" ? "GET" : "POST",
    headers: {
      ...server.headers,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    },
    ...(server.transport !== "sse" && { body: JSON.stringify({ jsonrpc: "2.0", id: 0, method: "ping" }) }),
    redirect: "manual",
    signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
  })
  await res.body?.cancel()
  if (res.status !== 401) return undefined
  const host = url.hostname.replace(/^\[|\]$/g, "")
  const key = await isApiKeyServer(url, res, host === "localhost" || classifyAddress(host) === "loopback")
  return key ? new ApiKeyRequiredError(key.message, { cause: e, hint: key.hint }) : undefined
}
