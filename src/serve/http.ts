import { randomUUID } from "node:crypto"
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/server"
import { Hono, type MiddlewareHandler } from "hono"
import { hostGuard, securityHeaders } from "../server/index.ts"
import { UnavailableError } from "../util/errors.ts"
import type { Log } from "../util/log.ts"
import { SERVE_HOST, type BindAddress } from "./bind.ts"
import type { ServeCore } from "./core.ts"
import { hasToken } from "./token.ts"

// `agent mcp serve --http`: Streamable HTTP (2025 sessions, so server→client requests such as
// elicitation and sampling have a channel) on hono, behind the guards of the local server
// (docs/design.md §7): L09 loopback bind, L10 Host, L11 Origin, L12 bearer token. Every web page
// the user has open can reach 127.0.0.1, so nothing is answered before all three pass.

export const MCP_PATH = "/mcp"

export interface HttpServeOptions {
  core: ServeCore
  token: string
  log: Log
}

export function createServeApp(port: number, opts: HttpServeOptions): Hono {
  const sessions = new Map<string, WebStandardStreamableHTTPServerTransport>()
  const app = new Hono()
  // L10 (hostGuard: DNS rebinding, 421), L11 (Origin), L12 (token), in that order.
  app.use(securityHeaders(), hostGuard(port), originGuard(port), tokenGuard(opts.token))
  app.all(MCP_PATH, async (c) => {
    const id = c.req.header("mcp-session-id")
    if (id !== undefined) {
      const transport = sessions.get(id)
      if (!transport)
        return c.json(
          { jsonrpc: "2.0", error: { code: -32001, message: "Session not found" }, id: null },
          404,
        )
      return transport.handleRequest(c.req.raw)
    }
    const transport = newTransport(opts, sessions)
    const res = await transport.handleRequest(c.req.raw)
    // Not an initialize (the transport refused it): nothing to keep.
    if (transport.sessionId === undefined) await transport.close()
    return res
  })
  app.notFound((c) => c.body(null, 404))
  // Never echo an internal error (a path, a config value) to whoever asked.
  app.onError((e, c) => {
    opts.log.debug(`serve: ${String(e)}`)
    return c.body(null, 500)
  })
  return app
}

function newTransport(
  opts: HttpServeOptions,
  sessions: Map<string, WebStandardStreamableHTTPServerTransport>,
) {
  const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: () => randomUUID(),
    onsessioninitialized: (id) => void sessions.set(id, transport),
    onsessionclosed: (id) => void sessions.delete(id),
  })
  transport.onclose = () => {
    if (transport.sessionId !== undefined) sessions.delete(transport.sessionId)
  }
  const server = opts.core.createSession()
  void server.connect(transport).catch((e: unknown) => opts.log.debug(`serve: connect: ${String(e)}`))
  return transport
}

/**
 * L11: a browser page sends its Origin; only our own two spellings pass. MCP clients that are not
 * browsers send none, and those still need the token (L12), which no page can know.
 */
export function originGuard(port: number): MiddlewareHandler {
  const allowed = new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`])
  return async (c, next) => {
    const origin = c.req.header("origin")
    if (origin !== undefined && !allowed.has(origin)) return c.body(null, 403)
    await next()
  }
}

/** L12: every request carries `Authorization: Bearer <token>`; 401 without a body otherwise. */
export function tokenGuard(token: string): MiddlewareHandler {
  return async (c, next) => {
    if (!hasToken(c.req.header("authorization"), token)) {
      c.header("WWW-Authenticate", 'Bearer realm="agent mcp serve"')
      return c.body(null, 401)
    }
    await next()
  }
}

export interface HttpServer {
  url: string
  port: number
  close(): Promise<void>
}

/** L09: 127.0.0.1 only, whatever was asked (parseBind refused anything else already). */
export function listen(bind: BindAddress, opts: HttpServeOptions): HttpServer {
  let app: Hono | undefined
  let server: Bun.Server<undefined>
  try {
    server = Bun.serve({
      hostname: SERVE_HOST,
      port: bind.port,
      reusePort: false,
      development: false,
      // SSE streams stay open while a tool runs; Bun's default 10 s idle limit would cut them.
      idleTimeout: 0,
      fetch: (req) => app!.fetch(req),
      error: () => new Response(null, { status: 500 }),
    })
  } catch (e: unknown) {
    throw new UnavailableError(`cannot listen on ${SERVE_HOST}:${bind.port}`, {
      cause: e,
      hint: `another program uses port ${bind.port}; choose another, or --http 0 for a free one`,
    })
  }
  const port = server.port as number
  app = createServeApp(port, opts)
  return {
    url: `http://${SERVE_HOST}:${port}${MCP_PATH}`,
    port,
    close: async () => {
      await server.stop(true)
    },
  }
}
