import {
  SdkError,
  SdkErrorCode,
  SSEClientTransport,
  StreamableHTTPClientTransport,
  type FetchLike,
  type PriorDiscovery,
  type ReconnectionScheduler,
} from "@modelcontextprotocol/client"
import type { RemoteServer, StdioServer } from "../config/index.ts"
import { McpConnectError } from "../util/errors.ts"
import { closeClient, connectOptions, type Broken, type ConnectContext, type Connection } from "./attempt.ts"
import { classify, reasonOf } from "./classify.ts"
import { createClient } from "./handlers.ts"
import { StdioTransport } from "./stdio.ts"
import { connectWithAuth } from "./connect-auth.ts"
import type { Spawned } from "./spawn.ts"
import { guardedFetch, remoteUrl } from "./remote-url.ts"
import { trackNotifications } from "./sends.ts"
import { traceHeaders } from "./trace-headers.ts"
import { endSession, watchLegacyStream, watchRequestStreams } from "./streams.ts"
import { completeResultType } from "./result-type.ts"
import { acceptTaskResults } from "./tasks.ts"

// One server's connection: stdio, Streamable HTTP (2026-07-28 stateless first, 2025 session
// fallback inside the SDK's "auto" negotiation) or legacy HTTP+SSE, plus the `auto` rule
// (Streamable HTTP, then legacy SSE when the first POST gets 404/405). docs/design.md §5.

/** A silent stdio server is a legacy one (the SDK falls back to initialize); don't wait long. */
const STDIO_PROBE_MS = 5_000
// T03: the SDK resets its attempt count whenever a reconnect succeeds, so a stream that
// connects and drops again would retry forever; our scheduler bounds it (failed attempts in
// a row, and reconnects per minute), then closes the connection so pending calls fail.
const RECONNECT = {
  initialReconnectionDelay: 500,
  maxReconnectionDelay: 5_000,
  reconnectionDelayGrowFactor: 1.5,
  maxRetries: 1_000,
}
const MAX_FAILED_RECONNECTS = 3
const MAX_RECONNECTS_PER_MINUTE = 6

function boundedReconnects(
  giveUp: (reason: string) => void,
  isRefused: () => boolean,
): ReconnectionScheduler {
  const recent: number[] = []
  return (reconnect, delay, attempt) => {
    const now = Date.now()
    while (recent.length && now - recent[0]! > 60_000) recent.shift()
    recent.push(now)
    // A reconnect the server's host refused: nothing listens there any more (it died, and its
    // in-memory session with it); more tries would only delay the failure of the pending calls.
    if (attempt > 0 && isRefused()) {
      giveUp("is no longer listening (its event stream broke and the reconnect was refused)")
      return
    }
    if (attempt >= MAX_FAILED_RECONNECTS || recent.length > MAX_RECONNECTS_PER_MINUTE) {
      giveUp(`lost its event stream (${recent.length} reconnects in a minute, ${attempt} failed in a row)`)
      return
    }
    const timer = setTimeout(reconnect, delay)
    return () => clearTimeout(timer)
  }
}

/** Whether the last request failed because the connection was refused (ECONNREFUSED, by code). */
function noteRefusals(base: FetchLike) {
  let isRefused = false
  const fetchNoting: FetchLike = async (input, init) => {
    try {
      const res = await base(input, init)
      isRefused = false
      return res
    } catch (e: unknown) {
      const code =
        (e as { code?: unknown; cause?: { code?: unknown } } | null)?.code ??
        (e as { cause?: { code?: unknown } } | null)?.cause?.code
      isRefused = code === "ECONNREFUSED" || code === "ConnectionRefused"
      throw e
    }
  }
  return { fetch: fetchNoting, isRefused: () => isRefused }
}

/**
 * Ends a remote connection on its own, recording why first; pending calls then fail with that
 * reason. `limit`: T06, an oversize body or event (we ended it); `lost`: the server went away in
 * the middle (streams.ts). A session still gets its DELETE (bounded) before the close, which
 * would abort it: a server that is alive but broke a stream keeps no orphan session.
 */
function cutter(
  broken: Broken,
  transport: () => { close(): Promise<void> },
  ctx: ConnectContext,
  beforeClose?: () => Promise<void>,
) {
  let isCut = false
  const cut = (reason: string, isLimit: boolean) => {
    if (broken.reason === undefined) Object.assign(broken, { reason, ...(isLimit && { isLimit }) })
    if (isCut) return
    isCut = true
    void (async () => {
      await beforeClose?.()
      await transport().close()
    })().catch((e: unknown) => ctx.log.debug(`close: ${String(e)}`))
  }
  return { limit: (reason: string) => cut(reason, true), lost: (reason: string) => cut(reason, false) }
}

export async function openConnection(
  server: StdioServer | RemoteServer,
  ctx: ConnectContext,
): Promise<Connection> {
  switch (server.transport) {
    case "stdio":
      return connectStdio(ctx)
    case "http":
      return connectHttp(server, ctx)
    case "sse":
      return connectSse(server, ctx)
    case "auto":
      return connectAuto(server, ctx)
  }
}

export async function connectStdio(ctx: ConnectContext): Promise<Connection> {
  try {
    return await connectStdioOnce(ctx, "auto", ctx.early)
  } catch (e: unknown) {
    // The probe runs in place (no second spawn). A server that exits on an unknown
    // pre-initialize request is a legacy server: start it once more with plain initialize.
    if (
      !(SdkError.isInstance(e) && e.code === SdkErrorCode.EraNegotiationFailed) ||
      ctx.signal.aborted ||
      ctx.protocolVersion !== undefined
    )
      throw e
    ctx.log.debug("the server closed during the server/discover probe; retrying with initialize")
    return connectStdioOnce(ctx, "legacy")
  }
}

async function connectStdioOnce(
  ctx: ConnectContext,
  mode: "auto" | "legacy",
  early?: Spawned,
): Promise<Connection> {
  if (!ctx.spawn) throw new Error("unreachable: a stdio connect without spawn parameters")
  const transport = new StdioTransport({
    name: ctx.name,
    ...ctx.spawn,
    log: ctx.log,
    ...(early && { early }),
  })
  const client = createClient(
    ctx.name,
    ctx.opts,
    mode,
    Math.min(STDIO_PROBE_MS, ctx.connectTimeoutMs),
    ctx.hooks,
    ctx.protocolVersion,
  )
  completeResultType(transport)
  acceptTaskResults(transport)
  const sends = trackNotifications(transport)
  // As for remote servers (connectRemote): an abort stops the child now, not at the connect timeout.
  const onAbort = () => void transport.close().catch((e: unknown) => ctx.log.debug(`close: ${String(e)}`))
  ctx.signal.addEventListener("abort", onAbort, { once: true })
  try {
    await client.connect(transport, connectOptions(ctx))
  } catch (e: unknown) {
    await transport.close()
    const noise =
      transport.stdoutNoise &&
      `it printed non-JSON on stdout first: ${transport.stdoutNoise}; is this an MCP stdio server?`
    if (transport.failure)
      throw new McpConnectError(transport.failure, {
        cause: e,
        hint: transport.failureHint ?? noise ?? stderrHint(transport.stderrTail()),
      })
    if (noise) throw new McpConnectError(`did not answer initialize`, { cause: e, hint: noise })
    throw e
  } finally {
    ctx.signal.removeEventListener("abort", onAbort)
  }
  // T05: JSON that is not JSON-RPC, unknown ids, result+error both set: dropped, logged, session goes on.
  client.onerror = (e) => ctx.log.debug(`dropped a bad message: ${e.message}`)
  return {
    kind: "stdio",
    client,
    protocolVersion: client.getNegotiatedProtocolVersion() ?? "unknown",
    pid: transport.pid ?? undefined,
    failure: () => ({
      ...(transport.failure !== undefined && { reason: transport.failure }),
      ...(transport.isLimit && { isLimit: true }),
    }),
    stderrTail: () => transport.stderrTail(),
    reauthorize: async () => false,
    settle: sends.settle,
    close: () => closeClient(client, transport, sends),
  }
}

export function stderrHint(tail: string): string | undefined {
  const lines = tail.split("\n").filter((l) => l.trim())
  // An uncaught exception's own line ("Error: Cannot find module '/x/server.js'") says more
  // than the end of its stack trace ("Node.js v20.20.2"), so that line is shown when there is one.
  const thrown = lines.find((l) => /^(Uncaught )?([A-Z]\w*)?Error( \[\w+\])?: /.test(l.trim()))
  const last = thrown ? thrown.trim() : lines.slice(-3).join(" | ")
  return last ? `server stderr: ${last.slice(0, 400)}` : undefined
}

export async function connectHttp(
  server: RemoteServer,
  ctx: ConnectContext,
  isReprobe = false,
): Promise<Connection> {
  const url = remoteUrl(server.url, ctx.opts.allowInsecureHttp ?? false)
  // A pinned revision is not negotiated, so there is no era to remember or to skip a probe with.
  if (ctx.protocolVersion !== undefined) return connectStreamable(server, url, ctx, undefined)
  const era = await ctx.eras.lookup(url.href)
  try {
    const conn = await connectStreamable(
      server,
      url,
      ctx,
      era.prior === "legacy" ? { kind: "legacy" } : undefined,
    )
    era.settle(conn.client.getProtocolEra())
    return conn
  } catch (e: unknown) {
    era.settle(undefined)
    if (era.prior !== "legacy" || isReprobe || !refusedInitialize(e) || ctx.signal.aborted) throw e
    // The remembered 2025 verdict is stale: the server was upgraded and no longer answers initialize.
    ctx.log.debug(`initialize refused (${reasonOf(e)}); probing the protocol again`)
    ctx.eras.forget(url.href)
    return connectHttp(server, ctx, true)
  }
}

/**
 * What a server that dropped 2025 sessions answers to initialize: 400 (unsupported protocol
 * version) or a JSON-RPC error. Not auth, timeouts, outages, nor a 404 for a session the
 * server just handed out (T01: that one is an expired session, not a stale era).
 */
function refusedInitialize(e: unknown): boolean {
  const f = classify(e)
  return (f.kind === "http" && f.status === 400) || f.kind === "protocol"
}

function connectStreamable(
  server: RemoteServer,
  url: URL,
  ctx: ConnectContext,
  prior: PriorDiscovery | undefined,
): Promise<Connection> {
  return connectWithAuth("http", server, url, ctx, (auth) => {
    const broken: Broken = {}
    // T06: an oversized body or event ends the connection; pending calls fail with the reason.
    const cut = cutter(
      broken,
      () => transport,
      ctx,
      () => endSession(transport, ctx.log),
    )
    const refused = noteRefusals(auth.fetch ?? ctx.opts.fetch ?? fetch)
    const transport: StreamableHTTPClientTransport = new StreamableHTTPClientTransport(url, {
      requestInit: { headers: server.headers },
      fetch: guardedFetch(traceHeaders(refused.fetch), { name: ctx.name, onOversize: cut.limit }),
      ...(auth.authProvider && { authProvider: auth.authProvider }),
      // T08: Authorization never follows a redirect to another origin (the SDK's default; explicit here).
      redirectPolicy: "same-origin",
      reconnectionOptions: RECONNECT,
      reconnectionScheduler: boundedReconnects(cut.lost, refused.isRefused),
    })
    const client = createClient(
      ctx.name,
      ctx.opts,
      "auto",
      ctx.connectTimeoutMs,
      ctx.hooks,
      ctx.protocolVersion,
    )
    return {
      client,
      transport,
      sessionId: () => transport.sessionId,
      broken,
      prior,
      afterConnect: () => watchRequestStreams(transport, client, cut.lost, ctx.log),
      endSession: () => endSession(transport, ctx.log),
    }
  })
}

export async function connectSse(server: RemoteServer, ctx: ConnectContext): Promise<Connection> {
  const url = remoteUrl(server.url, ctx.opts.allowInsecureHttp ?? false)
  return connectWithAuth("sse", server, url, ctx, (auth) => {
    // T08: the SDK refuses an `endpoint` event naming another origin.
    const broken: Broken = {}
    const cut = cutter(broken, () => transport, ctx)
    const transport: SSEClientTransport = new SSEClientTransport(url, {
      requestInit: { headers: server.headers },
      fetch: guardedFetch(traceHeaders(auth.fetch ?? ctx.opts.fetch ?? fetch), {
        name: ctx.name,
        onOversize: cut.limit,
      }),
      ...(auth.authProvider && { authProvider: auth.authProvider }),
      redirectPolicy: "same-origin",
    })
    const client = createClient(
      ctx.name,
      ctx.opts,
      "legacy",
      ctx.connectTimeoutMs,
      ctx.hooks,
      ctx.protocolVersion,
    )
    return {
      client,
      transport,
      sessionId: () => undefined,
      broken,
      afterConnect: () => watchLegacyStream(transport, cut.lost),
    }
  })
}

/** No explicit type: Streamable HTTP, and legacy SSE only when the server refuses it (404/405). */
export async function connectAuto(server: RemoteServer, ctx: ConnectContext): Promise<Connection> {
  try {
    return await connectHttp(server, ctx)
  } catch (e: unknown) {
    const f = classify(e)
    if (f.kind !== "http" || (f.status !== 404 && f.status !== 405) || ctx.signal.aborted) throw e
    // Legacy HTTP+SSE speaks only 2025 revisions: not a fallback for a pinned 2026-07-28.
    if (ctx.protocolVersion !== undefined && ctx.protocolVersion >= "2026-07-28") throw e
    ctx.log.debug(`Streamable HTTP refused (HTTP ${f.status}); trying legacy HTTP+SSE`)
    return connectSse(server, ctx)
  }
}
