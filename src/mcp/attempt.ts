import type { Client, PriorDiscovery, Transport } from "@modelcontextprotocol/client"
import type { Log } from "../util/log.ts"
import type { EraCache } from "./eras.ts"
import type { ClientHooks } from "./handlers.ts"
import type { RemoteAuth } from "./remote-auth.ts"
import { completeResultType } from "./result-type.ts"
import { acceptTaskResults } from "./tasks.ts"
import { trackNotifications, type SendTracker } from "./sends.ts"
import type { SpawnParams, Spawned } from "./spawn.ts"
import type { ManagerOptions, TransportKind } from "./types.ts"

// One connect attempt and the connection it yields, shared by connection.ts (which builds the
// attempts per transport) and connect-auth.ts (which retries them around a sign-in); kept apart
// so neither of those two imports the other back. No SDK values: types, and calls on the client.

export interface Connection {
  kind: TransportKind
  client: Client
  protocolVersion: string
  sessionId?: string
  /** stdio child pid (tests check that it is gone after close). */
  pid?: number
  /**
   * Why the transport broke, if it did: "exited with status 3"; `isLimit` when we ended it
   * ourselves because the server went over a limit (T06), not because the server went away.
   */
  failure(): Broken
  /** Last stderr lines of a stdio server, for hints. */
  stderrTail(): string
  /**
   * After an auth failure on a request (a 401 the refresh could not fix, 403 insufficient_scope):
   * true when a sign-in has started or just finished, so the request may be retried once more.
   */
  reauthorize(): Promise<boolean>
  /** Waits (bounded) for notifications already sent, e.g. the cancel of a timed-out request (T04). */
  settle: SendTracker["settle"]
  /** Settles, then closes the client and transport (stdio: stdin, TERM, KILL). */
  close(): Promise<void>
}

export interface ConnectContext {
  name: string
  opts: ManagerOptions
  log: Log
  /** Aborts on manager close or opts.signal. */
  signal: AbortSignal
  connectTimeoutMs: number
  hooks: ClientHooks
  /** Protocol eras remembered per URL (skips the discover probe on a known 2025 server). */
  eras: EraCache
  /** A pinned protocol revision (server `protocolVersion`, or --protocol-version): no negotiation, no fallback. */
  protocolVersion?: string
  /** How to start a stdio server (the manager builds it once, from opts.parentEnv). */
  spawn?: SpawnParams
  /** A stdio server the manager already started with `spawn`, for the first attempt to adopt. */
  early?: Spawned
}

export type Broken = { reason?: string; isLimit?: boolean }

export interface Attempt {
  client: Client
  transport: Transport & { finishAuth(code: string, iss?: string): Promise<void> }
  sessionId: () => string | undefined
  broken: Broken
  /** A remembered era verdict: the SDK skips the discover probe. */
  prior?: PriorDiscovery
  /** Runs once connected: watchers that need the negotiated era and the protocol's handlers (streams.ts). */
  afterConnect?: () => void
  /** Ends the server-side session, bounded (Streamable HTTP sessions: DELETE). */
  endSession?: () => Promise<void>
}

export function connectOptions(ctx: ConnectContext) {
  return {
    timeout: ctx.connectTimeoutMs,
    signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(ctx.connectTimeoutMs)]),
  }
}

export async function connectRemote(
  kind: "http" | "sse",
  a: Attempt,
  ctx: ConnectContext,
  auth: RemoteAuth,
): Promise<Connection> {
  const { client, transport } = a
  completeResultType(transport)
  acceptTaskResults(transport) // after the fill: each redefines onmessage, the last one set wraps the other
  const sends = trackNotifications(transport)
  // The SDK's discover probe does not watch the connect signal: closing the transport ends its
  // fetch, so an abort (Ctrl-C, agent run's --timeout) stops a silent server's connect at once.
  // A session the server already handed out is ended first (bounded): the close aborts its DELETE.
  const onAbort = () =>
    void (async () => {
      await a.endSession?.()
      await transport.close()
    })().catch((e: unknown) => ctx.log.debug(`close: ${String(e)}`))
  ctx.signal.addEventListener("abort", onAbort, { once: true })
  try {
    await client.connect(transport, { ...connectOptions(ctx), ...(a.prior && { prior: a.prior }) })
  } catch (e: unknown) {
    // A session may exist already (initialize answered, a later step failed): end it too.
    await closeClient(client, transport, undefined, a.endSession)
    throw e
  } finally {
    ctx.signal.removeEventListener("abort", onAbort)
  }
  a.afterConnect?.()
  client.onerror = (e) => {
    // T05: malformed or unknown messages are dropped by the SDK and reported here; the session goes on.
    ctx.log.debug(`transport: ${e.message}`)
  }
  return {
    kind,
    client,
    protocolVersion: client.getNegotiatedProtocolVersion() ?? "unknown",
    sessionId: a.sessionId(),
    failure: () => a.broken,
    stderrTail: () => "",
    async reauthorize() {
      if (!auth.isRedirected()) return auth.beginSignIn()
      await auth.finish(transport)
      return true
    },
    settle: sends.settle,
    close: async () => {
      await closeClient(client, transport, sends, a.endSession)
      await auth.close()
    },
  }
}

export async function closeClient(
  client: Client,
  transport: Transport,
  sends?: SendTracker,
  endSession?: () => Promise<void>,
) {
  await sends?.settle()
  // Before the close: closing the transport aborts its requests, the DELETE among them.
  await endSession?.()
  try {
    await client.close()
  } catch (e: unknown) {
    // Closing a half-open client can throw; the transport close below is what matters.
    void e
  }
  await transport.close().catch((e: unknown) => void e)
}
