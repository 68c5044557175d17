import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { stableStringify, type Resolution } from "../config/index.ts"
import {
  createManager,
  namespaceTools,
  POSIX_ENV,
  WINDOWS_ENV,
  type Manager,
  type ManagerOptions,
  type ServerState,
} from "../mcp/index.ts"
import type { HeldServerStatus } from "./protocol.ts"

// The servers the daemon keeps (docs/daemon.md): one manager per server definition, keyed by a
// fingerprint of what was resolved (the interpolated definition, the working directory it runs
// in, the environment it inherits, the roots). A request gets a composite Manager
// over the ones it needs, so command code cannot tell it from a cold one.
// S32: a definition whose fingerprint changed (config edited, approved value changed) closes the
// old server before the new one starts; one that no longer resolves (approval revoked, project
// trust withdrawn, server removed or disabled) closes without a successor.

type Hooks = Pick<ManagerOptions, "onState" | "onLog" | "onListChanged" | "elicit" | "sample">

/**
 * One request's (or serve session's) use of a held server. Several may use one server at once
 * (serve sessions run beside other requests): list changes, logs and state go to every user; a
 * question the server asks (elicitation, sampling) goes to the newest user with a call to it in
 * flight, else the newest user (docs/serve.md "Design").
 */
interface User {
  hooks: Hooks
  busy: number
}

interface Held {
  /** slot + fingerprint: one slot (a name in a directory) holds one server, two while a superseded one is still in use. */
  key: string
  slot: string
  /** A newer definition took the slot while this one was in use: closed when its last user lets go. */
  isSuperseded: boolean
  fingerprint: string
  name: string
  cwd: string
  transport: string
  manager: Manager
  users: Set<User>
  startedAt: number
  lastUsed: number
  calls: number
  inUse: number
}

export interface Pool {
  /** A manager over `resolutions` (only the ready ones are held; the caller fills in the others). */
  acquire(resolutions: Resolution[], opts: ManagerOptions): Promise<Manager>
  status(now?: number): HeldServerStatus[]
  /** Closes servers idle for longer than `idleMs`; returns how many it closed. */
  sweep(idleMs: number, now?: number): Promise<number>
  isBusy(): boolean
  close(): Promise<void>
}

export function createPool(log: (line: string) => void): Pool {
  const held = new Map<string, Held>()

  function slotKey(cwd: string, name: string): string {
    return `${cwd}\0${name}`
  }

  /**
   * Closed before its successor starts: both may want one resource (a browser profile, a port).
   * One still in use (a serve session beside this request, whose client's environment differs)
   * is closed when it is let go instead: a caller must not pull a server from under another.
   */
  async function supersede(slot: string, key: string): Promise<void> {
    for (const h of [...held.values()]) {
      if (h.slot !== slot || h.key === key) continue
      if (h.inUse === 0) await drop(h, "its definition changed")
      else h.isSuperseded = true
    }
  }

  async function drop(h: Held, why: string): Promise<void> {
    held.delete(h.key)
    log(`closing "${h.name}" (${h.cwd}): ${why}`)
    await h.manager.close().catch((e: unknown) => log(`closing "${h.name}" failed: ${String(e)}`))
  }

  async function take(ready: Extract<Resolution, { status: "ready" }>, opts: ManagerOptions): Promise<Held> {
    const r = inCallerDir(ready, opts.cwd)
    const slot = slotKey(opts.cwd, r.entry.name)
    const fp = fingerprintOf(r, opts)
    const key = `${slot}\0${fp}`
    const same = held.get(key)
    await supersede(slot, key)
    if (same && isAlive(same)) {
      same.isSuperseded = false // its definition is the current one again
      return same
    }
    if (same) await drop(same, "not running any more; restarting it")
    const users = new Set<User>()
    const all = () => [...users]
    const asker = (): Hooks | undefined => {
      const list = all()
      return (list.findLast((u) => u.busy > 0) ?? list.at(-1))?.hooks
    }
    const now = Date.now()
    const h: Held = {
      key,
      slot,
      isSuperseded: false,
      fingerprint: fp,
      name: r.entry.name,
      cwd: opts.cwd,
      transport: r.server.transport,
      users,
      startedAt: now,
      lastUsed: now,
      calls: 0,
      inUse: 0,
      manager: createManager([r], {
        ...opts,
        // The held server outlives this request: no request's signal may close it, and whoever
        // uses it gets its progress, log lines and questions (User above).
        signal: undefined,
        onState: (st) => {
          for (const u of all()) u.hooks.onState?.(st)
        },
        onLog: (server, level, data) => {
          for (const u of all()) u.hooks.onLog?.(server, level, data)
        },
        onListChanged: (server, kind) => {
          for (const u of all()) u.hooks.onListChanged?.(server, kind)
        },
        elicit: (server, req) => {
          const hooks = asker()
          return hooks?.elicit ? hooks.elicit(server, req) : Promise.resolve({ action: "decline" })
        },
        sample: (server, req) => {
          const hooks = asker()
          if (!hooks?.sample) throw new Error("sampling is not available to this command")
          return hooks.sample(server, req)
        },
      }),
    }
    held.set(key, h)
    log(`starting "${h.name}" (${h.cwd})`)
    return h
  }

  async function acquire(resolutions: Resolution[], opts: ManagerOptions): Promise<Manager> {
    const mine: Use[] = []
    for (const r of resolutions) {
      if (r.status === "ready") {
        const h = await take(r, opts)
        const u: User = {
          busy: 0,
          hooks: {
            onState: opts.onState,
            onLog: opts.onLog,
            onListChanged: opts.onListChanged,
            elicit: opts.elicit,
            sample: opts.sample,
          },
        }
        h.users.add(u)
        h.inUse++
        h.lastUsed = Date.now()
        mine.push({ h, u })
        continue
      }
      // S32: approval revoked, trust withdrawn, disabled: closed even while a serve session uses it.
      const slot = slotKey(opts.cwd, r.entry.name)
      for (const old of [...held.values()].filter((h) => h.slot === slot))
        await drop(old, `it is ${r.status.replace("_", " ")} now`)
    }
    return composite(mine, (h) => {
      if (h.isSuperseded && h.inUse === 0) void drop(h, "its definition changed")
    })
  }

  async function sweep(idleMs: number, now = Date.now()): Promise<number> {
    const idle = [...held.values()].filter((h) => h.inUse === 0 && now - h.lastUsed >= idleMs)
    await Promise.all(idle.map((h) => drop(h, `idle for ${Math.round((now - h.lastUsed) / 1000)} s`)))
    return idle.length
  }

  return {
    acquire,
    sweep,
    status: (now = Date.now()) => [...held.values()].map((h) => describe(h, now)),
    isBusy: () => [...held.values()].some((h) => h.inUse > 0),
    async close() {
      await Promise.all([...held.values()].map((h) => drop(h, "the daemon is stopping")))
    },
  }
}

/**
 * A cold run's stdio server starts in the caller's directory (it inherits agent's); the daemon's
 * own directory is not the caller's, so a server without `cwd` gets the caller's explicitly.
 * Relative `cwd`s resolve against it too, as the child would have resolved them.
 */
function inCallerDir(
  r: Extract<Resolution, { status: "ready" }>,
  cwd: string,
): Extract<Resolution, { status: "ready" }> {
  if (r.server.transport !== "stdio") return r
  return { ...r, server: { ...r.server, cwd: resolve(cwd, r.server.cwd ?? ".") } }
}

/** A server that connected once but whose child has gone, or that failed: started again on use. */
function isAlive(h: Held): boolean {
  const s = h.manager.states()[0]
  if (s && s.status !== "connected" && s.status !== "connecting") return false
  return h.manager.pids().every(isRunning)
}

/** The child is there and not a zombie (exited, not reaped yet: Linux /proc tells; elsewhere kill 0). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z"
  } catch {
    // No /proc (macOS) or no such process: ask the kernel; ESRCH means it exited.
  }
  try {
    process.kill(pid, 0)
    return process.platform !== "linux" // on Linux a missing /proc entry already meant "gone"
  } catch {
    return false
  }
}

function fingerprintOf(r: Extract<Resolution, { status: "ready" }>, opts: ManagerOptions): string {
  const text = stableStringify({
    server: r.server,
    cwd: opts.cwd,
    // Only a stdio child inherits the caller's environment; a remote server is the same server
    // whatever the shell of the client that asks (Claude Desktop's or a terminal's).
    env: r.server.transport === "stdio" ? inherited(opts.parentEnv) : {},
    roots: opts.roots ?? [],
    // --protocol-version pins the revision a server speaks: another one is another connection.
    protocolVersion: opts.protocolVersion ?? null,
    // Not the timeouts: `--timeout 2m` on one call must not restart a stateful server. A call
    // passes its own timeout (CallOptions); the held manager keeps its first default for lists.
    allowInsecureHttp: Boolean(opts.allowInsecureHttp),
  })
  return createHash("sha256").update(text).digest("hex")
}

/**
 * What a stdio server inherits from the caller (C05's list, mcp/spawn.ts) counts toward its
 * definition, except TERM: a server's stdio are pipes, and a call from a terminal followed by one
 * from a script must not restart a stateful server. The server keeps the TERM it started with.
 */
const INHERITED = new Set(POSIX_ENV.filter((k) => k !== "TERM"))
const WINDOWS_INHERITED = new Set(WINDOWS_ENV)

function inherited(env: Record<string, string | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(env).filter(
      ([k]) => INHERITED.has(k) || WINDOWS_INHERITED.has(k.toUpperCase()) || k.startsWith("LC_"),
    ),
  )
}

function describe(h: Held, now: number): HeldServerStatus {
  const s = h.manager.states()[0]
  const pid = h.manager.pids()[0]
  const rss = pid === undefined ? undefined : rssOf(pid)
  return {
    name: h.name,
    cwd: h.cwd,
    transport: s?.status === "connected" ? s.transport : h.transport,
    status: s?.status ?? "connecting",
    ...(pid !== undefined && { pid }),
    uptimeMs: now - h.startedAt,
    idleMs: h.inUse > 0 ? 0 : now - h.lastUsed,
    calls: h.calls,
    ...(rss !== undefined && { rssBytes: rss }),
  }
}

/** Resident memory of a child (Linux /proc; elsewhere unknown). */
function rssOf(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))
    return m ? Number(m[1]) * 1024 : undefined
  } catch {
    return undefined // not Linux, or the child just exited: status shows no figure
  }
}

interface Use {
  h: Held
  u: User
}

/** One Manager over several held ones; close() releases them (they stay running). */
function composite(uses: Use[], onRelease: (h: Held) => void): Manager {
  const list = uses.map((x) => x.h)
  const byName = new Map(list.map((h) => [h.name, h]))
  const userOf = new Map(uses.map((x) => [x.h, x.u]))
  let names: ReturnType<typeof namespaceTools> | undefined
  let isReleased = false
  const one = (server: string): Held => {
    const h = byName.get(server)
    if (!h) throw new Error(`unreachable: server "${server}" is not part of this request`)
    return h
  }
  const counted = <T>(server: string, work: (m: Manager) => Promise<T>): Promise<T> => {
    const h = one(server)
    const u = userOf.get(h)!
    h.calls++
    u.busy++
    h.lastUsed = Date.now()
    return work(h.manager).finally(() => {
      u.busy--
      h.lastUsed = Date.now()
    })
  }
  const states = (): ServerState[] => list.flatMap((h) => h.manager.states())
  const release = async () => {
    if (isReleased) return
    isReleased = true
    for (const { h, u } of uses) {
      h.users.delete(u)
      h.inUse--
      h.lastUsed = Date.now()
      onRelease(h)
    }
  }
  return {
    connect: async () => {
      await Promise.all(list.map((h) => h.manager.connect()))
      return states()
    },
    states,
    state: (name) => byName.get(name)?.manager.state(name),
    async tools() {
      const lists = await Promise.all(
        list
          .filter((h) => h.manager.state(h.name)?.status === "connected")
          .map(async (h) => ({ server: h.name, tools: (await h.manager.tools()).map((t) => t.tool) })),
      )
      names = namespaceTools(lists)
      return names.tools
    },
    // Each held manager applies its own server's includeTools/excludeTools (part of its fingerprint).
    async filteredTools() {
      const connected = list.filter((h) => h.manager.state(h.name)?.status === "connected")
      return (await Promise.all(connected.map((h) => h.manager.filteredTools()))).flat()
    },
    mapBack: (name) => names?.mapBack(name),
    listHints: (server) => byName.get(server)?.manager.listHints(server) ?? {},
    callTool: (server, tool, args, opts) => counted(server, (m) => m.callTool(server, tool, args, opts)),
    getPrompt: (server, name, args, opts) => counted(server, (m) => m.getPrompt(server, name, args, opts)),
    readResource: (server, uri, opts) => counted(server, (m) => m.readResource(server, uri, opts)),
    async prompts(server) {
      if (server !== undefined) return one(server).manager.prompts(server)
      return (await Promise.all(list.map((h) => h.manager.prompts()))).flat()
    },
    async skills(server) {
      if (server !== undefined) return one(server).manager.skills(server)
      return (await Promise.all(list.map((h) => h.manager.skills()))).flat()
    },
    readSkill: (skill, ref, opts) => counted(skill.server, (m) => m.readSkill(skill, ref, opts)),
    // Tasks: the command runs in this process, so options (onTask, signal) pass through as they are.
    taskSupport: (server, tool) => one(server).manager.taskSupport(server, tool),
    startTask: (server, tool, args, opts) => counted(server, (m) => m.startTask(server, tool, args, opts)),
    getTask: (server, id, opts) => one(server).manager.getTask(server, id, opts),
    waitTask: (server, id, opts) => one(server).manager.waitTask(server, id, opts),
    taskResult: (server, id, opts) => one(server).manager.taskResult(server, id, opts),
    cancelTask: (server, id, opts) => one(server).manager.cancelTask(server, id, opts),
    listTasks: (server, opts) => one(server).manager.listTasks(server, opts),
    async resources(server) {
      if (server !== undefined) return one(server).manager.resources(server)
      return (await Promise.all(list.map((h) => h.manager.resources()))).flat()
    },
    pids: () => list.flatMap((h) => h.manager.pids()),
    close: release,
    [Symbol.asyncDispose]: release,
  }
}
