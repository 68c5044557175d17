import {
  ProtocolError,
  ProtocolErrorCode,
  Server,
  type ServerCapabilities,
  type ServerContext,
} from "@modelcontextprotocol/server"
import type { CallOptions, ElicitHandler, SamplingHandler } from "../mcp/index.ts"
import { McpRequestError } from "../mcp/index.ts"
import { isAgentError } from "../util/errors.ts"
import type { Log } from "../util/log.ts"
import { READ_TOOL_OUTPUT, type ServeLimit } from "./limit.ts"
import { namespacePrompts, resourceRoute, toolRoutes, type Route } from "./names.ts"
import type { ListKind, ServerSource, SourceEvents } from "./source.ts"

// The MCP server behind `agent mcp serve` and `agent mcp proxy` (docs/serve.md): one `Server` per
// downstream session (stdio has one, HTTP one per Mcp-Session-Id), all backed by one source.
// Both ways: calls, progress and cancellation go up; list changes, elicitation and sampling come down.

export interface ServeCoreOptions {
  /** aggregate: every server under agent's names; transparent: one server, names as they are. */
  mode: { kind: "aggregate" } | { kind: "transparent"; server: string }
  info: { name: string; version: string }
  instructions?: string
  /** transparent: the upstream's own; aggregate: tools, prompts and resources. */
  capabilities?: ServerCapabilities
  log: Log
  /** Tool output limits (--max-tool-output; off without it): see limit.ts. */
  limit?: ServeLimit
}

interface Session {
  server: Server
}

interface InFlight {
  upstream: string
  ctx: ServerContext
}

export interface ServeCore {
  /** For the manager (ManagerOptions elicit/sample), created before it: they route to the downstream client. */
  hooks: { elicit: ElicitHandler; sample: SamplingHandler }
  /** For the source: a list changed upstream; every session is told. */
  events: SourceEvents
  /**
   * The source is given once it exists (the manager takes `hooks` when it is created); a proxy
   * learns the upstream's name, instructions and capabilities only then, and passes them here.
   */
  attach(
    source: ServerSource,
    identity?: Partial<Pick<ServeCoreOptions, "mode" | "info" | "instructions" | "capabilities" | "limit">>,
  ): void
  /** A new downstream session; connect it to a transport. */
  createSession(): Server
  sessionCount(): number
  close(): Promise<void>
}

const AGGREGATE_CAPABILITIES: ServerCapabilities = {
  logging: {},
  tools: { listChanged: true },
  prompts: { listChanged: true },
  resources: { listChanged: true },
}

export function createServeCore(given: ServeCoreOptions): ServeCore {
  const opts = { ...given }
  const log = opts.log.withTag("serve")
  const sessions = new Set<Session>()
  const inFlight: InFlight[] = []
  let source: ServerSource | undefined
  let tools = new Map<string, Route>()
  let prompts = new Map<string, Route>()
  const onlyOf = () => (opts.mode.kind === "transparent" ? opts.mode.server : undefined)
  let only = onlyOf()

  const src = () => {
    if (!source) throw new ProtocolError(ProtocolErrorCode.InternalError, "agent is still connecting")
    return source
  }

  /** The downstream request that is waiting on `upstream` (the newest), else the newest session. */
  function target(upstream: string): { ctx?: ServerContext; session?: Session } {
    for (let i = inFlight.length - 1; i >= 0; i--)
      if (inFlight[i]!.upstream === upstream) return { ctx: inFlight[i]!.ctx }
    return { session: [...sessions].at(-1) }
  }

  async function forward<T>(upstream: string, ctx: ServerContext, call: (co: CallOptions) => Promise<T>) {
    const entry = { upstream, ctx }
    inFlight.push(entry)
    const progressToken = ctx.mcpReq._meta?.progressToken
    try {
      return await call({
        signal: ctx.mcpReq.signal,
        onProgress: (p) => {
          if (progressToken === undefined) return
          ctx.mcpReq
            .notify({ method: "notifications/progress", params: { progressToken, ...p } })
            .catch((e: unknown) => log.debug(`progress not forwarded: ${String(e)}`))
        },
      })
    } catch (e: unknown) {
      throw asProtocolError(e)
    } finally {
      inFlight.splice(inFlight.indexOf(entry), 1)
    }
  }

  async function listTools() {
    const all = await src().tools()
    const one = only
    if (one === undefined) {
      tools = toolRoutes(all)
      const listed = all.map((t) => ({ ...t.tool, name: t.name }))
      return opts.limit?.isUsed() ? [...listed, opts.limit.tool] : listed
    }
    const mine = all.filter((t) => t.server === one)
    tools = new Map(mine.map((t) => [t.tool.name, { server: one, name: t.tool.name }]))
    return mine.map((t) => t.tool)
  }

  async function listPrompts() {
    const one = only
    const all = await src().prompts(one)
    if (one !== undefined) {
      prompts = new Map(all.map((p) => [p.prompt.name, { server: one, name: p.prompt.name }]))
      return all.map((p) => p.prompt)
    }
    const named = namespacePrompts(all)
    prompts = named.byName
    return named.prompts
  }

  async function route(table: () => Map<string, Route>, refresh: () => Promise<unknown>, name: string) {
    let r = table().get(name)
    if (!r) {
      await refresh()
      r = table().get(name)
    }
    if (!r) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `unknown name: ${name}`)
    return r
  }

  function createSession(): Server {
    const server = new Server(opts.info, {
      capabilities: opts.capabilities ?? AGGREGATE_CAPABILITIES,
      ...(opts.instructions !== undefined && { instructions: opts.instructions }),
    })
    const session: Session = { server }
    const caps = opts.capabilities ?? AGGREGATE_CAPABILITIES
    if (caps.tools) registerTools(server)
    if (caps.prompts) registerPrompts(server)
    if (caps.resources) registerResources(server)
    sessions.add(session)
    server.onclose = () => sessions.delete(session)
    return server
  }

  function registerTools(server: Server) {
    server.setRequestHandler("tools/list", async () => ({ tools: await listTools() }))
    server.setRequestHandler("tools/call", async (req, ctx) => {
      const limit = opts.limit
      if (limit?.isUsed() && req.params.name === READ_TOOL_OUTPUT)
        return limit.read(req.params.arguments ?? {})
      const r = await route(() => tools, listTools, req.params.name)
      const result = await forward(r.server, ctx, (co) =>
        src().callTool(r.server, r.name, req.params.arguments ?? {}, co),
      )
      if (!limit) return result
      const limited = limit.apply(result, r.server)
      if (limited.first) events.listChanged(r.server, "tools") // read_tool_output appears
      return limited.result
    })
  }

  function registerPrompts(server: Server) {
    server.setRequestHandler("prompts/list", async () => ({ prompts: await listPrompts() }))
    server.setRequestHandler("prompts/get", async (req, ctx) => {
      const r = await route(() => prompts, listPrompts, req.params.name)
      return forward(r.server, ctx, (co) => src().getPrompt(r.server, r.name, req.params.arguments ?? {}, co))
    })
  }

  function registerResources(server: Server) {
    const lists = () => src().resources(only)
    server.setRequestHandler("resources/list", async () => ({
      resources: (await lists()).flatMap((l) => l.resources),
    }))
    server.setRequestHandler("resources/templates/list", async () => ({
      resourceTemplates: (await lists()).flatMap((l) => l.templates),
    }))
    server.setRequestHandler("resources/read", async (req, ctx) => {
      const upstream = only ?? resourceRoute(await lists(), req.params.uri)
      if (upstream === undefined)
        throw new ProtocolError(ProtocolErrorCode.InvalidParams, `no server offers ${req.params.uri}`)
      return forward(upstream, ctx, (co) => src().readResource(upstream, req.params.uri, co))
    })
  }

  const hooks: ServeCore["hooks"] = {
    async elicit(upstream, params) {
      const t = target(upstream)
      const p = params as Parameters<Server["elicitInput"]>[0]
      try {
        if (t.ctx) return await t.ctx.mcpReq.elicitInput(p)
        if (t.session) return await t.session.server.elicitInput(p)
      } catch (e: unknown) {
        // A client that cannot answer (no elicitation capability, gone): the upstream gets a decline.
        log.debug(`elicitation from ${upstream} not answered downstream: ${String(e)}`)
      }
      return { action: "decline" }
    },
    async sample(upstream, params) {
      const t = target(upstream)
      const p = params as Parameters<Server["createMessage"]>[0]
      if (t.ctx) return (await t.ctx.mcpReq.requestSampling(p)) as Awaited<ReturnType<SamplingHandler>>
      if (t.session) return (await t.session.server.createMessage(p)) as Awaited<ReturnType<SamplingHandler>>
      throw new ProtocolError(ProtocolErrorCode.InvalidRequest, "no client is connected to sample with")
    },
  }

  const events: SourceEvents = {
    listChanged(upstream: string, kind: ListKind) {
      if (only !== undefined && upstream !== only) return
      for (const s of sessions)
        s.server
          .notification({ method: `notifications/${kind}/list_changed` })
          .catch((e: unknown) => log.debug(`list change not forwarded: ${String(e)}`))
    },
    log(upstream, level, data) {
      if (only !== undefined && upstream !== only) return
      // The logger names the server; each session's logging/setLevel filters (the SDK keeps it per session).
      for (const s of sessions)
        if (s.server.getCapabilities().logging)
          s.server
            .sendLoggingMessage({ level, logger: upstream, data })
            .catch((e: unknown) => log.debug(`log message not forwarded: ${String(e)}`))
    },
  }

  return {
    hooks,
    events,
    attach(s, identity) {
      source = s
      Object.assign(opts, identity)
      only = onlyOf()
    },
    createSession,
    sessionCount: () => sessions.size,
    async close() {
      await Promise.all([...sessions].map((s) => s.server.close()))
      sessions.clear()
    },
  }
}

/** An upstream JSON-RPC error keeps its code; anything else is an internal error with agent's one-line message. */
function asProtocolError(e: unknown): unknown {
  if (e instanceof ProtocolError) return e
  if (e instanceof McpRequestError && e.rpcCode !== undefined) return new ProtocolError(e.rpcCode, e.message)
  if (isAgentError(e)) return new ProtocolError(ProtocolErrorCode.InternalError, e.message)
  return e
}
