// Runs the local app on 127.0.0.1 only while a flow needs it (docs/design.md §7). Not 0.0.0.0 or ::
// (the LAN could reach it) and not "localhost" (it may resolve to ::1 or be redefined):
// RFC 8252 §8.3, L01: loopback only. Shuts itself down when idle (L08: no late callbacks).
import { UnavailableError } from "../util/errors.ts"

export const LOOPBACK = "127.0.0.1"

/** Anything with a fetch handler: a hono app, or a plain function in tests. */
export interface FetchApp {
  fetch(req: Request, server: Bun.Server<undefined>): Response | Promise<Response>
}

export interface ServeOptions {
  /** 0 (default) picks a free port; OAuth passes a fixed, pre-registered callback port. */
  port?: number
  /** Close after this long without a request (default 5 minutes). */
  idleMs?: number
  /** Aborting closes the server. */
  signal?: AbortSignal
}

export interface LocalServer {
  /** `http://127.0.0.1:<port>` */
  url: string
  port: number
  hostname: string
  /** Stops accepting, lets requests in flight finish; idempotent. */
  close(): Promise<void>
  /** Settles when the server has closed, for whatever reason. */
  closed: Promise<void>
}

// The pages post a token and two words; nothing legitimate comes near this.
const MAX_BODY_BYTES = 64 * 1024

/**
 * `app` may be a factory: with port 0 the port is only known after binding, and the app's
 * Host/Origin guards need it (`startLocalServer((port) => createApp({ port }))`).
 */
export async function startLocalServer(
  app: FetchApp | ((port: number) => FetchApp),
  opts: ServeOptions = {},
): Promise<LocalServer> {
  const idleMs = opts.idleMs ?? 5 * 60_000
  let handler: FetchApp | undefined = typeof app === "function" ? undefined : app
  let idle: Timer | undefined
  let inFlight = 0
  const closedSignal = Promise.withResolvers<void>()
  let closing: Promise<void> | undefined

  const touch = () => {
    clearTimeout(idle)
    if (inFlight === 0 && !closing) idle = setTimeout(() => void close(), idleMs)
  }

  let server: Bun.Server<undefined>
  try {
    server = Bun.serve({
      hostname: LOOPBACK,
      port: opts.port ?? 0,
      reusePort: false,
      maxRequestBodySize: MAX_BODY_BYTES,
      development: false,
      async fetch(req, srv) {
        inFlight++
        clearTimeout(idle)
        try {
          return await (handler as FetchApp).fetch(req, srv)
        } finally {
          inFlight--
          touch()
        }
      },
      // Never show a stack or a message to a page.
      error: () => new Response(null, { status: 500 }),
    })
  } catch (e: unknown) {
    throw new UnavailableError(`cannot listen on ${LOOPBACK}:${opts.port ?? 0}`, {
      cause: e,
      hint: opts.port ? `another program uses port ${opts.port}; close it or choose another port` : undefined,
    })
  }
  const port = server.port as number
  if (typeof app === "function") handler = app(port)

  function close(): Promise<void> {
    closing ??= (async () => {
      clearTimeout(idle)
      opts.signal?.removeEventListener("abort", onAbort)
      await server.stop()
      closedSignal.resolve()
    })()
    return closing
  }
  const onAbort = () => void close()
  if (opts.signal?.aborted) await close()
  else opts.signal?.addEventListener("abort", onAbort, { once: true })
  touch()

  return {
    url: `http://${LOOPBACK}:${port}`,
    port,
    hostname: server.hostname as string,
    close,
    closed: closedSignal.promise,
  }
}
