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
export async function explainConnectFailure(server: RemoteServer | StdioServer, e: unknown, signal: AbortSignal, connectTimeoutMs: number): Promise<AgentError | undefined> {
  if (signal.aborted || server.transport === "stdio") return undefined
  const f = classify(e)
  if (f.kind === "timeout" || f.kind === "forbidden" || f.kind === "session_id" || f.kind === "protocol") return undefined
  // Our own refusals (plain http to another host, a bad URL) already say what to do.
  if (e instanceof AgentError && !(e instanceof AuthRequiredError)) return undefined
  const timeoutMs = Math.min(PROBE_MS, connectTimeoutMs)
  try {
    const url = new URL(server.url)
    const net = await checkNetwork(url, timeoutMs)
    const broken = net.findings.find((x) => x.severity === "error")
    if (broken) return new McpConnectError(broken.message, { cause: e, ...(broken.hint && { hint: broken.hint }) })
    const res = await fetch(url, {
      method: "POST",
      headers: { ...server.headers, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 0, method: "ping" }),
      redirect: "manual",
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
    })
    await res.body?.cancel()
    if (res.status === 401) {
      const key = await isApiKeyServer(url, res, net.isLoopback)
      return key ? new ApiKeyRequiredError(key.message, { cause: e, hint: key.hint }) : undefined
    }
    // 400/405/406 are how MCP servers refuse a bare probe; anything else at this URL is the answer.
    if (res.status === 404 || res.status >= 500 || (res.status >= 300 && res.status < 400)) {
      const where = res.status >= 300 && res.status < 400 ? ` (redirects to ${res.headers.get("location") ?? "nowhere"})` : ""
      return new McpConnectError(`${url.href} answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}${where}`, {
        cause: e,
        hint: res.status === 404 ? "no MCP endpoint at this path: check the URL (servers usually answer on /mcp, legacy ones on /sse)" : "the server failed; try again later or tell its operator",
      })
    }
  } catch (probe: unknown) {
    void probe // the probe is best effort: the connect's own error stands
  }
  return undefined
}
