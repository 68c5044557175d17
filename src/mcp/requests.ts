import type { RequestOptions } from "@modelcontextprotocol/client"
import type { Resolution, ServerEntry } from "../config/index.ts"
import { AgentError, AuthRequiredError, InterruptedError, McpConnectError } from "../util/errors.ts"
import type { Log } from "../util/log.ts"
import { ApiKeyRequiredError, McpRequestError, McpTimeoutError, ToolFilteredError } from "./error-classes.ts"
import { configFilter } from "./filters.ts"
import type { Template } from "./lists.ts"
import type { SpawnParams } from "./spawn.ts"
import type {
  CallOptions,
  ManagerOptions,
  Prompt,
  Resource,
  ServerSkill,
  ServerState,
  SkillListing,
  Tool,
} from "./types.ts"

// Requests to one server: timeouts (idle, reset by progress; total), cancellation, one
// re-initialise on a 404 for a dead session (T01), and SDK errors turned into AgentErrors
// that name the server (exit codes per docs/design.md §10).

export type Runtime = typeof import("./runtime.ts")
type Connection = import("./runtime.ts").Connection

export interface Slot {
  name: string
  entry: ServerEntry
  resolution: Resolution
  /** A ready stdio server's command, args, cwd and environment, built once (spawnParams). */
  spawn?: SpawnParams
  state: ServerState
  conn?: Connection
  reconnecting?: Promise<Connection>
  cache: {
    tools?: Tool[]
    prompts?: Prompt[]
    resources?: Resource[]
    templates?: Template[]
    skills?: SkillListing
  }
}

interface Deps {
  opts: ManagerOptions
  log: Log
  signal: AbortSignal
  slots: Map<string, Slot>
  setState(slot: Slot, state: ServerState): void
  runtime(): Runtime
  reconnect(slot: Slot): Promise<Connection>
}

const AUTH_HINT = (name: string) => `sign in: agent mcp auth ${name}`
const LOST_HINT = "check that the server is still running, then try again"

export function createRequests(d: Deps) {
  const rt = () => d.runtime()
  const serverOf = (slot: Slot) => (slot.resolution.status === "ready" ? slot.resolution.server : undefined)

  function requestOptions(slot: Slot, co: CallOptions = {}): RequestOptions {
    const timeout = co.timeoutMs ?? serverOf(slot)?.timeout ?? d.opts.requestTimeoutMs ?? 60_000
    const total = co.totalTimeoutMs ?? d.opts.totalTimeoutMs
    return {
      timeout,
      resetTimeoutOnProgress: true,
      ...(total !== undefined && { maxTotalTimeout: total }),
      // Always pass onprogress: that is what makes the SDK send a progress token (docs/design.md §5).
      onprogress: (p) =>
        co.onProgress?.({
          progress: p.progress,
          ...(p.total !== undefined && { total: p.total }),
          ...(p.message !== undefined && { message: p.message }),
        }),
      signal: co.signal ? AbortSignal.any([d.signal, co.signal]) : d.signal,
    }
  }

  function slotOf(name: string): Slot {
    const slot = d.slots.get(name)
    if (!slot)
      throw new McpConnectError(`no server is called "${name}"`, {
        hint: `servers: ${[...d.slots.keys()].join(", ") || "none"}`,
      })
    if (!slot.conn || slot.state.status !== "connected") {
      const s = slot.state
      const why = s.status === "failed" ? s.error : s.status.replace("_", " ")
      if (s.status === "needs_auth")
        throw new AuthRequiredError(`server "${name}" needs sign-in`, { hint: s.hint })
      throw new McpConnectError(
        `server "${name}" is not connected (${why})`,
        s.status === "failed" && s.hint ? { hint: s.hint } : {},
      )
    }
    return slot
  }

  /** Runs `fn` on the server's connection; on a 404 for a session, re-initialises once and retries. */
  async function run<T>(
    name: string,
    method: string,
    co: CallOptions | undefined,
    fn: (c: Connection, ro: RequestOptions) => Promise<T>,
  ): Promise<T> {
    const slot = slotOf(name)
    const ro = requestOptions(slot, co)
    const conn = slot.conn!
    try {
      return await withSignIn(conn, ro, () => fn(conn, ro))
    } catch (e: unknown) {
      const f = rt().classify(e)
      await settleCancel(conn, f.kind, ro)
      if (!(f.kind === "http" && f.status === 404 && conn.sessionId !== undefined) || ro.signal?.aborted)
        throw toError(slot, e, method, ro)
      d.log.withTag(`mcp:${name}`).info("the session expired (HTTP 404); starting a new one")
      const fresh = await reinit(slot, conn)
      try {
        return await fn(fresh, ro)
      } catch (again: unknown) {
        const g = rt().classify(again)
        await settleCancel(fresh, g.kind, ro)
        if (g.kind === "http" && g.status === 404) {
          const err = new McpConnectError(`server "${name}" answered 404 again after a new session`, {
            cause: again,
          })
          d.setState(slot, {
            status: "failed",
            name,
            entry: slot.entry,
            error: err.message,
            transport: fresh.kind,
          })
          throw err
        }
        throw toError(slot, again, method, ro)
      }
    }
  }

  /** T04: the SDK's cancel of a timed-out or aborted request is still in flight; let it reach the server. */
  async function settleCancel(conn: Connection, kind: string, ro: RequestOptions): Promise<void> {
    if (kind === "timeout" || ro.signal?.aborted) await conn.settle()
  }

  /**
   * A 401 the refresh could not fix, or 403 insufficient_scope (O11): when this run can sign in,
   * the retry opens the browser, the one after it carries the new token. Three tries at most,
   * so a server that keeps refusing ends in exit 4, never a loop.
   */
  async function withSignIn<T>(conn: Connection, ro: RequestOptions, call: () => Promise<T>): Promise<T> {
    for (let tries = 1; ; tries++) {
      try {
        return await call()
      } catch (e: unknown) {
        if (
          tries >= 3 ||
          rt().classify(e).kind !== "auth" ||
          ro.signal?.aborted ||
          !(await conn.reauthorize())
        )
          throw e
      }
    }
  }

  /** T01: exactly one new transport + client per dead session, shared by concurrent callers. */
  async function reinit(slot: Slot, dead: Connection): Promise<Connection> {
    if (slot.conn !== dead && slot.conn) return slot.conn
    slot.reconnecting ??= (async () => {
      await dead.close()
      try {
        const fresh = await d.reconnect(slot)
        slot.conn = fresh
        slot.cache = {}
        if (slot.state.status === "connected")
          d.setState(slot, {
            ...slot.state,
            protocolVersion: fresh.protocolVersion,
            ...(fresh.sessionId !== undefined && { sessionId: fresh.sessionId }),
          })
        return fresh
      } catch (e: unknown) {
        slot.conn = undefined
        const state = stateForError(slot, e, "reconnect")
        d.setState(slot, state)
        throw toError(slot, e, "initialize", { signal: d.signal })
      } finally {
        slot.reconnecting = undefined
      }
    })()
    return slot.reconnecting
  }

  function toError(slot: Slot, e: unknown, method: string, ro: RequestOptions): AgentError {
    if (e instanceof AgentError) return e
    const name = slot.name
    const f = rt().classify(e)
    if (ro.signal?.aborted && f.kind !== "closed")
      return new InterruptedError(`${method} to server "${name}" was cancelled`, { cause: e })
    switch (f.kind) {
      case "timeout":
        return new McpTimeoutError(
          name,
          `server "${name}" did not answer ${method} in time (${describeTimeout(ro)}); the request was cancelled`,
          { cause: e },
        )
      case "closed": {
        const { reason, isLimit } = slot.conn?.failure() ?? {}
        const tail = rt().stderrHint(slot.conn?.stderrTail() ?? "")
        // The server went away (it exited, its streams broke): one message on every transport,
        // what we know about why in the hint. Over a limit (T06) we ended it: that is the message.
        const message = isLimit
          ? `server "${name}" ${reason} during ${method}`
          : `server "${name}" closed the connection during ${method}`
        const hint = isLimit ? tail : [reason && `it ${reason}`, tail ?? LOST_HINT].filter(Boolean).join("; ")
        const err = new McpConnectError(message, { cause: e, ...(hint && { hint }) })
        d.setState(slot, {
          status: "failed",
          name,
          entry: slot.entry,
          error: err.message,
          ...(hint && { hint }),
        })
        return err
      }
      case "auth":
        return new AuthRequiredError(`server "${name}" needs sign-in`, { cause: e, hint: AUTH_HINT(name) })
      case "protocol": {
        // Whole: the server's advice often follows the first line (tmcp's "set replayable: true").
        const urls = rt().urlsToOpen(e)
        const open = urls.length
          ? { hint: `open ${urls.join(" and ")} in a browser, finish there, then run the command again` }
          : {}
        return new McpRequestError(
          name,
          f.code,
          `server "${name}": ${e instanceof Error ? e.message : String(e)}`,
          { cause: e, ...open },
        )
      }
      default:
        return new McpConnectError(`server "${name}": ${rt().reasonOf(e)}`, { cause: e })
    }
  }

  function stateForError(slot: Slot, e: unknown, phase: string): ServerState {
    const { name, entry } = slot
    const server = serverOf(slot)
    const f = rt().classify(e)
    if (f.kind === "auth" && server && server.transport !== "stdio") {
      const reason = e instanceof AuthRequiredError ? e.message : undefined
      return {
        status: "needs_auth",
        name,
        entry,
        url: server.url,
        hint: (e instanceof AuthRequiredError && e.hint) || AUTH_HINT(name),
        ...(reason && { reason }),
        ...(e instanceof ApiKeyRequiredError && { isApiKey: true }),
      }
    }
    let error = e instanceof AgentError ? e.message : rt().reasonOf(e)
    let hint = e instanceof AgentError ? e.hint : undefined
    if (f.kind === "timeout" && !d.signal.aborted)
      error = `did not finish connecting within ${seconds(d.opts.connectTimeoutMs ?? 30_000)}`
    if (d.signal.aborted) error = "interrupted"
    if (f.kind === "forbidden") hint = "the server refused access (HTTP 403); check the token or scopes"
    if (f.kind === "session_id") hint = "the server is misbehaving; report it to its maintainers"
    d.log.withTag(`mcp:${name}`).debug(`${phase} failed: ${error}`)
    return {
      status: "failed",
      name,
      entry,
      error,
      ...(hint && { hint }),
      ...(server && { transport: server.transport === "auto" ? "http" : server.transport }),
    }
  }

  async function listOf<K extends keyof Slot["cache"]>(
    slot: Slot,
    key: K,
    load: (c: Connection, ro: RequestOptions) => Promise<NonNullable<Slot["cache"][K]>>,
  ): Promise<NonNullable<Slot["cache"][K]>> {
    const cached = slot.cache[key]
    if (cached) return cached as NonNullable<Slot["cache"][K]>
    const list = await run(slot.name, `${key}/list`, undefined, load)
    slot.cache[key] = list
    return list
  }

  const caps = (slot: Slot) => slot.conn?.client.getServerCapabilities() ?? {}
  const logFor = (slot: Slot) => d.log.withTag(`mcp:${slot.name}`)
  const tools = (slot: Slot) =>
    caps(slot).tools
      ? listOf(slot, "tools", (c, ro) => rt().listTools(c.client, logFor(slot), ro))
      : Promise.resolve([])
  const prompts = (slot: Slot) =>
    caps(slot).prompts
      ? listOf(slot, "prompts", (c, ro) => rt().listPrompts(c.client, logFor(slot), ro))
      : Promise.resolve([])
  const resources = (slot: Slot) =>
    caps(slot).resources
      ? listOf(slot, "resources", (c, ro) => rt().listResources(c.client, logFor(slot), ro))
      : Promise.resolve([])
  const templates = (slot: Slot) =>
    caps(slot).resources
      ? listOf(slot, "templates", (c, ro) => rt().listTemplates(c.client, logFor(slot), ro))
      : Promise.resolve([])

  /** Lists at connect time; a failing tools list fails the server, prompts/resources only warn. */
  async function counts(slot: Slot) {
    // Mark it connected for run(); the caller sets the full state right after.
    slot.state = {
      status: "connected",
      name: slot.name,
      entry: slot.entry,
      transport: slot.conn!.kind,
      protocolVersion: slot.conn!.protocolVersion,
      counts: { tools: 0, prompts: 0, resources: 0 },
      connectMs: 0,
    }
    const soft = async <T>(what: string, p: Promise<T[]>) =>
      p.catch((e: unknown) => {
        logFor(slot).warn(`could not list ${what}: ${e instanceof Error ? e.message : String(e)}`)
        return [] as T[]
      })
    const [t, p, r] = await Promise.all([
      tools(slot),
      soft("prompts", prompts(slot)),
      soft("resources", resources(slot)),
    ])
    return { tools: t.length, prompts: p.length, resources: r.length }
  }

  // toolDefinition per call without a scan of the list: one index per cached list (a refetch is a new array).
  const toolIndex = new WeakMap<Tool[], Map<string, Tool>>()
  function toolDef(slot: Slot, name: string): Tool | undefined {
    const list = slot.cache.tools
    if (!list) return undefined
    let index = toolIndex.get(list)
    if (!index) {
      index = new Map()
      for (const t of list) if (!index.has(t.name)) index.set(t.name, t) // first wins, as find() did
      toolIndex.set(list, index)
    }
    return index.get(name)
  }

  const connected = (server?: string) =>
    [...d.slots.values()].filter(
      (s) => s.state.status === "connected" && s.conn && (server === undefined || s.name === server),
    )

  return {
    run,
    slotOf,
    toolDef,
    counts,
    stateForError,
    tools: (slot: Slot) => tools(slot),
    invalidate(slot: Slot, kind: "tools" | "prompts" | "resources") {
      delete slot.cache[kind]
      // The skills extension announces a changed catalogue with resources/list_changed.
      if (kind === "resources") {
        delete slot.cache.templates
        delete slot.cache.skills
      }
      logFor(slot).debug(`${kind} list changed`)
    },
    async callTool(server: string, tool: string, args: Record<string, unknown>, co?: CallOptions) {
      const slot = slotOf(server)
      const cfg = serverOf(slot)
      const filtered = cfg && configFilter(tool, cfg)
      if (filtered) throw new ToolFilteredError(server, tool, filtered, slot.entry.file)
      const def = toolDef(slot, tool)
      return run(server, "tools/call", co, (c, ro) =>
        c.client.callTool(
          { name: tool, arguments: args, ...(co?.meta && { _meta: co.meta }) },
          { ...ro, ...(def && { toolDefinition: def }) },
        ),
      )
    },
    async prompts(server?: string) {
      if (server !== undefined) slotOf(server)
      const all = await Promise.all(
        connected(server).map(async (s) => (await prompts(s)).map((prompt) => ({ server: s.name, prompt }))),
      )
      return all.flat()
    },
    getPrompt: (server: string, name: string, args: Record<string, string>, co?: CallOptions) =>
      run(server, "prompts/get", co, (c, ro) => c.client.getPrompt({ name, arguments: args }, ro)),
    async resources(server?: string) {
      if (server !== undefined) slotOf(server)
      return Promise.all(
        connected(server).map(async (s) => ({
          server: s.name,
          resources: await resources(s),
          templates: await templates(s),
        })),
      )
    },
    readResource: (server: string, uri: string, co?: CallOptions) =>
      run(server, "resources/read", co, (c, ro) => c.client.readResource({ uri }, ro)),
    async skills(server?: string) {
      if (server !== undefined) slotOf(server)
      const all = connected(server)
      const offers = await Promise.all(all.map((s) => rt().offersSkills(s.conn!.client)))
      const offering = all.filter((_, i) => offers[i])
      const listed = await Promise.all(
        offering.map(async (s) => {
          const list = () => listOf(s, "skills", (c, ro) => rt().listSkills(s.name, c.client, ro))
          // One server's broken skills/list leaves the others' skills (and a run) standing, as
          // for prompts at connect; a server named on its own fails with its error.
          if (server !== undefined) return { server: s.name, ...(await list()) }
          try {
            return { server: s.name, ...(await list()) }
          } catch (e: unknown) {
            logFor(s).warn(`could not list skills: ${e instanceof Error ? e.message : String(e)}`)
            return undefined
          }
        }),
      )
      return listed.filter((l) => l !== undefined)
    },
    readSkill: (skill: ServerSkill, ref?: string, co?: CallOptions) =>
      run(skill.server, "resources/read", co, (c, ro) => rt().readSkillFile(skill, c.client, ref, ro)),
  }
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${Number((ms / 1000).toFixed(1))} s` : `${Math.round(ms / 1000)} s`
}

function describeTimeout(ro: RequestOptions): string {
  const idle = `${ro.timeout} ms without progress`
  return ro.maxTotalTimeout !== undefined ? `${idle}, or ${ro.maxTotalTimeout} ms in all` : idle
}
