import type { Resolution } from "../config/index.ts"
import { createEraCache } from "./eras.ts"
import { createLimiter } from "./limit.ts"
import { signalGroup, spawnParams, spawnServer, type Spawned } from "./spawn.ts"
import { createRequests, type Runtime, type Slot } from "./requests.ts"
import { createTaskRequests } from "./task-requests.ts"
import { listHints } from "./list-cache.ts"
import { rootsFor } from "./roots.ts"
import { filteredTools, namespaceTools, type ServerTools, type ToolNames } from "./tools.ts"
import type { Manager, ManagerOptions, NamespacedTool, ServerState } from "./types.ts"

// The connection manager (docs/design.md §5): every enabled server connects in parallel with its own
// timeout, stdio starts bounded by `concurrency`; state lives here, per manager, never in
// module scope. The SDK is imported lazily on the first connect; stdio servers are spawned
// before it loads, so they boot while it does.

// How many stdio servers may be starting at once (T09). Not what it seems to bound: a server
// that has connected stays up until the command ends, so the bound caps neither processes,
// memory nor pipes, only how many boot side by side. With 8, a 20-server config booted in three
// waves, and servers 9–20 were spawned only after the SDK had loaded and the first ones had
// answered: 1.24x the bare SDK, which starts all 20 at once (docs/performance.md, 2026-12-06).
// What a bound does protect is each server's connect timeout, which starts at its spawn: a
// herd of 100 `npx` servers on two cores would otherwise time each other out. 32 starts every
// server of a usual config (Claude Code users report ~25) at once, before the SDK loads, and
// still keeps a 100-server herd in check.
export const DEFAULTS = {
  connectTimeoutMs: 30_000,
  requestTimeoutMs: 60_000,
  concurrency: 32,
  remoteConcurrency: 32,
}

export function createManager(resolutions: Resolution[], opts: ManagerOptions): Manager {
  const log = opts.log.withTag("mcp")
  const abort = new AbortController()
  const slots = new Map<string, Slot>()
  const stdioLimit = createLimiter(opts.concurrency ?? DEFAULTS.concurrency)
  const remoteLimit = createLimiter(DEFAULTS.remoteConcurrency)
  let runtime: Runtime | undefined
  let connecting: Promise<ServerState[]> | undefined
  let closing: Promise<void> | undefined
  let names: ToolNames | undefined
  const eras = createEraCache(opts.stateDir, log)

  for (const r of resolutions) {
    const spawn =
      r.status === "ready" && r.server.transport === "stdio"
        ? spawnParams(r.server, opts.parentEnv, opts.launcher)
        : undefined
    slots.set(r.entry.name, {
      name: r.entry.name,
      entry: r.entry,
      resolution: r,
      ...(spawn && { spawn }),
      state: initialState(r),
      cache: {},
    })
  }

  const setState = (slot: Slot, state: ServerState) => {
    slot.state = state
    opts.onState?.(state)
  }
  const trace = opts.trace && onceEach(opts.trace)
  const loadRuntime = async () => {
    if (runtime) return runtime
    runtime = await import("./runtime.ts")
    trace?.("SDK loaded")
    return runtime
  }
  const requests = createRequests({
    opts,
    log,
    signal: abort.signal,
    slots,
    setState,
    runtime: () => runtime!,
    reconnect: (slot) => open(slot),
  })

  const tasks = createTaskRequests({
    opts,
    log,
    run: requests.run,
    slotOf: requests.slotOf,
    toolDef: requests.toolDef,
    callTool: requests.callTool,
  })

  const onAbort = () => void close()
  opts.signal?.addEventListener("abort", onAbort, { once: true })

  async function open(slot: Slot, early?: Spawned) {
    const rt = await loadRuntime()
    const r = slot.resolution
    if (r.status !== "ready") throw new Error("unreachable: open() on a server that is not ready")
    return rt.openConnection(r.server, {
      name: slot.name,
      opts,
      log: opts.log.withTag(`mcp:${slot.name}`),
      signal: abort.signal,
      connectTimeoutMs: opts.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      hooks: {
        onListChanged: (kind) => {
          // The cache first, so a listener that lists again at once gets the new list.
          requests.invalidate(slot, kind)
          opts.onListChanged?.(slot.name, kind)
        },
        roots: rootsFor(r.server.roots, opts),
      },
      eras,
      ...(pinnedVersion(r.server, opts) && { protocolVersion: pinnedVersion(r.server, opts) }),
      ...(slot.spawn && { spawn: slot.spawn }),
      ...(early && { early }),
    })
  }

  async function connectOne(slot: Slot): Promise<void> {
    const r = slot.resolution
    if (r.status !== "ready") return
    setState(slot, { status: "connecting", name: slot.name, entry: slot.entry })
    const limit = r.server.transport === "stdio" ? stdioLimit : remoteLimit
    await limit(async () => {
      if (abort.signal.aborted) return setState(slot, failedState(slot, "interrupted"))
      const started = performance.now()
      let early: Spawned | undefined
      try {
        // Started before the SDK has loaded (spawn.ts); the transport adopts it. Inside the try:
        // a command line Windows cannot be given safely (S10) fails this server alone.
        early = slot.spawn && spawnServer(slot.spawn, log)
        if (early) trace?.("first server spawned")
        const conn = await open(slot, early)
        if (abort.signal.aborted) {
          await conn.close()
          return setState(slot, failedState(slot, "interrupted"))
        }
        slot.conn = conn
        trace?.("first server answered (initialize or server/discover)")
        const counts = await requests.counts(slot)
        const caps = conn.client.getServerCapabilities()
        setState(slot, {
          status: "connected",
          name: slot.name,
          entry: slot.entry,
          transport: conn.kind,
          protocolVersion: conn.protocolVersion,
          ...(conn.sessionId !== undefined && { sessionId: conn.sessionId }),
          ...(conn.client.getServerVersion() && { serverInfo: conn.client.getServerVersion() }),
          ...(caps && { capabilities: caps }),
          ...(conn.client.getInstructions() !== undefined && { instructions: conn.client.getInstructions() }),
          counts,
          connectMs: Math.round(performance.now() - started),
        })
      } catch (e: unknown) {
        const conn = slot.conn
        slot.conn = undefined
        await conn?.close()
        // Adopted children were stopped by the transport; this covers one the SDK never got to.
        if (early && early.child.exitCode === null && early.child.signalCode === null && !conn)
          signalGroup(early.child, "SIGTERM")
        // doctor's diagnosis (DNS, refused port, TLS, HTTP status, API-key 401) replaces the fetch layer's words.
        const explained =
          r.server.transport === "stdio"
            ? undefined
            : await runtime?.explainConnectFailure(
                r.server,
                e,
                abort.signal,
                opts.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
              )
        setState(slot, requests.stateForError(slot, explained ?? e, "connect"))
      }
    })
  }

  function connect(): Promise<ServerState[]> {
    connecting ??= (async () => {
      // Not awaited here: connectOne spawns each stdio server first, then waits for the SDK
      // (open); a failed import rejects there again, per server, so dropping it here is safe.
      if ([...slots.values()].some((s) => s.resolution.status === "ready"))
        loadRuntime().catch((e: unknown) => void e)
      await Promise.all([...slots.values()].map((s) => connectOne(s)))
      trace?.("every server settled (lists included)")
      return states()
    })()
    return connecting
  }

  function states(): ServerState[] {
    return [...slots.values()].map((s) => s.state)
  }

  async function tools(): Promise<NamespacedTool[]> {
    names = namespaceTools(await serverTools())
    return names.tools
  }

  async function serverTools(): Promise<ServerTools[]> {
    return Promise.all(
      [...slots.values()]
        .filter((s) => s.state.status === "connected" && s.resolution.status === "ready")
        .map(async (s) => {
          const server = s.resolution.status === "ready" ? s.resolution.server : undefined
          return {
            server: s.name,
            tools: await requests.tools(s),
            excludeTools: server?.excludeTools,
            includeTools: server?.includeTools,
          }
        }),
    )
  }

  async function close(): Promise<void> {
    closing ??= (async () => {
      opts.signal?.removeEventListener("abort", onAbort)
      // Ctrl-C or the deadline during a task: tasks/cancel reaches the server before the connections close.
      await tasks.cancelActive((server) => slots.get(server)?.conn)
      // Aborting cancels every in-flight request (the SDK sends notifications/cancelled) and
      // every connect attempt; then each transport closes (stdio: stdin, TERM, KILL).
      abort.abort(opts.signal?.reason)
      await Promise.all(
        [...slots.values()].map(async (s) => {
          const conn = s.conn
          s.conn = undefined
          await conn?.close()
        }),
      )
      await connecting?.catch((e: unknown) => log.debug(`connect during close: ${String(e)}`))
      await eras.flush()
    })()
    return closing
  }

  return {
    connect,
    states,
    state: (name) => slots.get(name)?.state,
    tools,
    filteredTools: async () => filteredTools(await serverTools()),
    mapBack: (name) => names?.mapBack(name),
    listHints: (server) => {
      const client = slots.get(server)?.conn?.client
      return client ? listHints(client) : {}
    },
    callTool: tasks.callTool,
    taskSupport: tasks.taskSupport,
    startTask: tasks.startTask,
    getTask: tasks.getTask,
    waitTask: tasks.waitTask,
    taskResult: tasks.taskResult,
    cancelTask: tasks.cancelTask,
    listTasks: tasks.listTasks,
    prompts: requests.prompts,
    getPrompt: requests.getPrompt,
    resources: requests.resources,
    readResource: requests.readResource,
    skills: requests.skills,
    readSkill: requests.readSkill,
    pids: () => [...slots.values()].flatMap((s) => (s.conn?.pid === undefined ? [] : [s.conn.pid])),
    close,
    [Symbol.asyncDispose]: close,
  }
}

function initialState(r: Resolution): ServerState {
  const { entry } = r
  const name = entry.name
  switch (r.status) {
    case "ready":
      return { status: "connecting", name, entry }
    case "disabled":
      return { status: "disabled", name, entry }
    case "needs_approval":
      return { status: "needs_approval", name, entry, reason: r.blocked.message, hint: r.blocked.hint }
    case "unset":
      return { status: "failed", name, entry, error: r.blocked.message, hint: r.blocked.hint }
    case "blocked":
      return { status: "blocked", name, entry, reason: r.blocked.message, hint: r.blocked.hint }
  }
}

function failedState(slot: Slot, error: string): ServerState {
  return { status: "failed", name: slot.name, entry: slot.entry, error }
}

/** --protocol-version (opts) wins over the server's own `protocolVersion`. */
function pinnedVersion(server: { protocolVersion?: string }, opts: ManagerOptions): string | undefined {
  return opts.protocolVersion ?? server.protocolVersion
}

/** Calls `trace` with each event the first time only: with 20 servers, "first" means the first. */
function onceEach(trace: (event: string) => void): (event: string) => void {
  const seen = new Set<string>()
  return (event) => {
    if (seen.has(event)) return
    seen.add(event)
    trace(event)
  }
}
