import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/client"
import { errorText, finding, type Finding } from "./doctor-types.ts"

// Which MCP transports a URL answers, asked with raw HTTP so each era is seen on its own
// (the manager's negotiation hides what it fell back from): stateless 2026-07-28
// (`server/discover`), session-based Streamable HTTP (initialize → Mcp-Session-Id) and the
// deprecated HTTP+SSE (GET → `endpoint` event). Then how sessions end: an unknown session id
// should get 404 (TR Session Management), DELETE should end a session.

const MODERN = "2026-07-28"
const BOGUS_SESSION = "agentrt-doctor-unknown-session"
const CLIENT_INFO = { name: "agentrt-doctor", version: "1" }

export interface ProbeResult {
  findings: Finding[]
  /** The first 401 seen, for the auth chain. */
  challenge?: Response
  hasAnswered: boolean
}

interface Rpc {
  status: number
  headers: Headers
  message?: Record<string, unknown>
}

export async function probeTransports(
  url: URL,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<ProbeResult> {
  const findings: Finding[] = []
  let challenge: Response | undefined
  const post = async (body: object, extra: Record<string, string> = {}) => {
    const res = await fetch(url, {
      method: "POST",
      headers: {
        ...headers,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        ...extra,
      },
      body: JSON.stringify(body),
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    })
    if (res.status === 401 && !challenge)
      challenge = new Response(null, { status: 401, headers: Object.fromEntries(res.headers.entries()) })
    return readRpc(res)
  }
  const stateless = await attempt("transport.stateless", () => probeStateless(post))
  const session = await attempt("transport.session", () => probeSession(post, url, headers, timeoutMs))
  const sse = await attempt("transport.sse", () => probeSse(url, headers, timeoutMs))
  findings.push(...stateless, ...session, ...sse)
  const hasAnswered = findings.some((f) => f.check.startsWith("transport.") && f.severity === "ok")
  if (!hasAnswered && !challenge) {
    findings.push(
      finding(
        "transport",
        "error",
        "no MCP transport answered at this URL",
        "check the URL's path (often /mcp, or /sse for old servers), and that this is an MCP server",
      ),
    )
  }
  return { findings, hasAnswered, ...(challenge && { challenge }) }
}

async function attempt(check: string, run: () => Promise<Finding[]>): Promise<Finding[]> {
  try {
    return await run()
  } catch (e: unknown) {
    return [finding(check, "info", `${label(check)}: no answer (${errorText(e)})`)]
  }
}

function label(check: string): string {
  return (
    {
      "transport.stateless": `stateless ${MODERN}`,
      "transport.session": "session-based Streamable HTTP",
      "transport.sse": "legacy HTTP+SSE",
    }[check] ?? check
  )
}

type Post = (body: object, extra?: Record<string, string>) => Promise<Rpc>

async function probeStateless(post: Post): Promise<Finding[]> {
  const meta = {
    "io.modelcontextprotocol/protocolVersion": MODERN,
    "io.modelcontextprotocol/clientInfo": CLIENT_INFO,
    "io.modelcontextprotocol/clientCapabilities": {},
  }
  const r = await post(
    { jsonrpc: "2.0", id: "doctor-discover", method: "server/discover", params: { _meta: meta } },
    { "mcp-method": "server/discover", "mcp-protocol-version": MODERN },
  )
  const result = r.message?.result as { supportedVersions?: unknown } | undefined
  if (r.status === 200 && result && Array.isArray(result.supportedVersions)) {
    return [
      finding(
        "transport.stateless",
        "ok",
        `stateless ${MODERN} answered server/discover (versions: ${result.supportedVersions.join(", ")})`,
      ),
    ]
  }
  return [finding("transport.stateless", "info", `stateless ${MODERN}: refused (${refusal(r)})`)]
}

async function probeSession(
  post: Post,
  url: URL,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<Finding[]> {
  const params = { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: CLIENT_INFO }
  const r = await post({ jsonrpc: "2.0", id: "doctor-init", method: "initialize", params })
  const result = r.message?.result as { protocolVersion?: string } | undefined
  if (r.status !== 200 || !result)
    return [finding("transport.session", "info", `session-based Streamable HTTP: refused (${refusal(r)})`)]
  const sid = r.headers.get("mcp-session-id")
  const version = result.protocolVersion ?? "unknown"
  if (!sid)
    return [
      finding(
        "transport.session",
        "ok",
        `Streamable HTTP initialize answered: protocol ${version}, no Mcp-Session-Id (stateless)`,
      ),
    ]
  const findings = [
    finding(
      "transport.session",
      "ok",
      `Streamable HTTP initialize answered: protocol ${version}, Mcp-Session-Id issued`,
    ),
  ]
  const versioned = { "mcp-protocol-version": version }
  const bogus = await post(
    { jsonrpc: "2.0", id: "doctor-ping", method: "ping" },
    { ...versioned, "mcp-session-id": BOGUS_SESSION },
  )
  findings.push(
    bogus.status === 404
      ? finding(
          "session.expiry",
          "ok",
          "an unknown or expired session id gets 404, so clients know to initialise again",
        )
      : finding(
          "session.expiry",
          "warn",
          `an unknown session id got ${refusal(bogus)}, not 404`,
          "the spec asks for 404: with anything else a client cannot tell a dead session from a bad request and will not re-initialise",
        ),
  )
  const del = await fetch(url, {
    method: "DELETE",
    headers: { ...headers, ...versioned, "mcp-session-id": sid },
    redirect: "manual",
    signal: AbortSignal.timeout(timeoutMs),
  })
  await del.body?.cancel()
  if (del.ok) findings.push(finding("session.delete", "ok", `DELETE ends a session (HTTP ${del.status})`))
  else if (del.status === 405)
    findings.push(
      finding(
        "session.delete",
        "info",
        "DELETE is not supported (405): sessions end only when the server expires them",
      ),
    )
  else
    findings.push(
      finding(
        "session.delete",
        "warn",
        `DELETE of a live session got HTTP ${del.status}`,
        "expected 200/204, or 405 when clients may not end sessions",
      ),
    )
  return findings
}

async function probeSse(url: URL, headers: Record<string, string>, timeoutMs: number): Promise<Finding[]> {
  const abort = new AbortController()
  const timer = setTimeout(() => abort.abort(), timeoutMs)
  try {
    const res = await fetch(url, {
      headers: { ...headers, accept: "text/event-stream" },
      redirect: "manual",
      signal: abort.signal,
    })
    if (res.status !== 200 || !res.headers.get("content-type")?.includes("text/event-stream") || !res.body) {
      await res.body?.cancel()
      return [finding("transport.sse", "info", `legacy HTTP+SSE: refused (HTTP ${res.status})`)]
    }
    const endpoint = await firstEvent(res.body, "endpoint")
    if (endpoint === undefined)
      return [finding("transport.sse", "info", "legacy HTTP+SSE: a stream opened but sent no endpoint event")]
    const target = new URL(endpoint, url)
    if (target.origin !== url.origin) {
      return [
        finding(
          "transport.sse",
          "error",
          `legacy HTTP+SSE: the endpoint event names another origin (${target.origin})`,
          "agent refuses this (T08): messages would go to a different server",
        ),
      ]
    }
    return [
      finding(
        "transport.sse",
        "ok",
        `legacy HTTP+SSE answered: endpoint ${target.pathname} (deprecated transport)`,
        "fine for now; newer servers speak Streamable HTTP",
      ),
    ]
  } finally {
    clearTimeout(timer)
    abort.abort()
  }
}

function refusal(r: Rpc): string {
  const error = r.message?.error as { message?: string } | undefined
  return `HTTP ${r.status}${error?.message ? `: ${error.message.slice(0, 120)}` : ""}`
}

/** The first JSON-RPC response in a JSON or SSE body. */
async function readRpc(res: Response): Promise<Rpc> {
  const base = { status: res.status, headers: res.headers }
  const type = res.headers.get("content-type") ?? ""
  if (!res.body) return base
  if (type.includes("text/event-stream")) {
    const data = await firstEvent(res.body, "message", (d) => d.includes('"id"'))
    return { ...base, ...(data !== undefined && { message: parseObject(data) }) }
  }
  const text = await res.text()
  return { ...base, ...(type.includes("json") && { message: parseObject(text) }) }
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text)
    return typeof v === "object" && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined
  } catch {
    return undefined // not JSON: reported as a refusal with its status
  }
}

/** Reads SSE events until one named `name` (whose data passes `accept`) arrives; cancels the stream. */
async function firstEvent(
  body: ReadableStream<Uint8Array>,
  name: string,
  accept: (data: string) => boolean = () => true,
): Promise<string | undefined> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let buffer = ""
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return undefined
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n")
      let end: number
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const lines = block.split("\n")
        const event =
          lines
            .find((l) => l.startsWith("event:"))
            ?.slice(6)
            .trim() ?? "message"
        const data = lines
          .filter((l) => l.startsWith("data:"))
          .map((l) => l.slice(5).replace(/^ /, ""))
          .join("\n")
        if (event === name && accept(data)) return data
      }
      if (buffer.length > 1_000_000) return undefined
    }
  } finally {
    await reader.cancel().catch((e: unknown) => void e) // the stream may already be closed
  }
}
