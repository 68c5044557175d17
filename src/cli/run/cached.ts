import { stableStringify, type Resolution } from "../../config/index.ts"
import { managerToolSource, type ServerStatus, type ToolSource } from "../../agent/index.ts"
import {
  namespaceTools,
  readListCache,
  ttlFromHint,
  writeListCache,
  type CachedLists,
  type NamespacedTool,
  type RunToolFilter,
} from "../../mcp/index.ts"
import type { Session } from "../shared/connect.ts"

// `agent run` from cached lists (docs/runs.md "Cached tool lists"). Before any server connects,
// the tools the model is first offered come from <stateDir>/list-cache (mcp/list-cache.ts) when
// every server that will start has a valid entry; the live lists are compared before any tool
// is called (ToolSource.settle), and a changed list replaces the cached one at once.
// Only servers whose approvals passed are read: a server that needs approval (or trust) is not
// started, so it is neither read from the cache nor offered (the approvals ran before this).

export interface CacheRun {
  /** The tools the model's first request is built from; settle() checks them live. */
  tools: ToolSource
  /** The servers as the first events show them: every started one "connecting". */
  servers: ServerStatus[]
  /** The connected session, once the run's own checks passed (--locked is never served from cache). */
  ready(s: Session): void
  /** The session could not start, or its checks failed: settle() rejects with this. */
  fail(e: unknown): void
}

/**
 * The cached start, or undefined (a miss): a server that will start has no valid entry, a
 * required server is not starting, or (with skills on) a cached server offered skills, whose
 * listing the first request would then lack.
 */
export function cachedStart(
  stateDir: string | undefined,
  resolutions: Resolution[],
  opts: { isSkillsOn: boolean; only?: RunToolFilter; status: (s: Session) => ServerStatus[] },
  now: number = Date.now(),
): CacheRun | undefined {
  const entries: { r: Extract<Resolution, { status: "ready" }>; cached: CachedLists }[] = []
  for (const r of resolutions) {
    if (r.status === "disabled") continue
    if (r.status !== "ready") {
      if (r.entry.server.required) return undefined // the run will fail on it: no model request first
      continue
    }
    const cached = readListCache(stateDir, r.entry.fingerprint, now)
    if (!cached) return undefined
    if (opts.isSkillsOn && cached.hasSkills) return undefined
    entries.push({ r, cached })
  }
  if (entries.length === 0) return undefined
  const fromCache = namespaceTools(
    entries.map(({ r, cached }) => ({
      server: r.entry.name,
      tools: cached.tools,
      excludeTools: r.server.excludeTools,
      includeTools: r.server.includeTools,
    })),
  ).tools
  // --tools / --exclude-tools apply to the cached list as to the live one (managerToolSource).
  const cachedSource = managerToolSource(
    {
      tools: async () => fromCache,
      callTool: () => Promise.reject(new Error("unreachable: a cached tool called")),
    },
    opts.only,
  )
  let resolveSession!: (s: Session) => void
  let rejectSession!: (e: unknown) => void
  const session = new Promise<Session>((res, rej) => {
    resolveSession = res
    rejectSession = rej
  })
  session.catch(() => {}) // observed by settle(); a run that never reaches it must not warn
  let live: ToolSource | undefined
  const tools: ToolSource = {
    list: () => (live ? live.list() : cachedSource.list()),
    async call(name, args, callOpts) {
      if (!live) throw new Error("unreachable: a tool called before the live lists were checked")
      return live.call(name, args, callOpts)
    },
    async settle() {
      const s = await session
      const cached = await cachedSource.list()
      live = managerToolSource(s.manager, opts.only)
      const now = await live.list()
      const changed = entries
        .map(({ r }) => r.entry.name)
        .filter((server) => shape(cached, server) !== shape(now, server))
      return { changed, servers: opts.status(s) }
    },
  }
  return {
    tools,
    servers: entries.map(({ r }) => ({ name: r.entry.name, status: "connecting" as const })),
    ready: resolveSession,
    fail: rejectSession,
  }
}

function shape(tools: NamespacedTool[], server: string): string {
  return stableStringify(tools.filter((t) => t.server === server).map((t) => [t.name, t.tool]))
}

/**
 * Writes every connected server's lists to the cache (tools, prompts, resources, its name/version
 * and the hints its list results carried). A cache: a failure costs the next run its head start.
 */
export async function saveLists(s: Session, isSkillsOn: boolean): Promise<void> {
  const stateDir = s.ctx.paths.stateDir
  const all = await s.manager.tools().catch(() => undefined)
  if (!all) return
  await Promise.all(
    s.states.map(async (st) => {
      if (st.status !== "connected") return
      try {
        const [tools, prompts, resources, skills] = await Promise.all([
          all.filter((t) => t.server === st.name).map((t) => t.tool),
          s.manager.prompts(st.name).then((l) => l.map((p) => p.prompt)),
          s.manager.resources(st.name).then((l) => l.flatMap((r) => r.resources)),
          isSkillsOn ? s.manager.skills(st.name).catch(() => []) : Promise.resolve([]),
        ])
        await writeListCache(stateDir, {
          fingerprint: st.entry.fingerprint,
          ...(st.serverInfo && { serverInfo: { name: st.serverInfo.name, version: st.serverInfo.version } }),
          savedAt: new Date().toISOString(),
          ttlMs: ttlFromHint(s.manager.listHints(st.name).tools),
          tools,
          prompts,
          resources,
          hasSkills: skills.some((l) => l.skills.length > 0),
        })
      } catch (e: unknown) {
        s.ctx.log.debug(`could not cache the lists of ${st.name}: ${String(e)}`)
      }
    }),
  )
}
