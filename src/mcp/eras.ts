import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { writeFileAtomic } from "../util/atomic.ts"
import type { Log } from "../util/log.ts"
import { ensurePrivateDir } from "../util/paths.ts"

// Remembered protocol eras of remote servers (docs/design.md §5). Against a server that only speaks
// 2025 sessions, every connect pays the 2026-07-28 `server/discover` probe (one round trip)
// before falling back to `initialize`; knowing the verdict lets the next connect skip it
// (the SDK's `connect({ prior: { kind: "legacy" } })`).
// Only legacy verdicts are kept: on a modern server the probe *is* the handshake, so there is
// nothing to save. A legacy verdict goes stale silently (an upgraded server usually still answers
// `initialize`), so it expires after LEGACY_TTL_MS; a server that stops answering `initialize`
// is re-probed at once (connection.ts). One file, <stateDir>/protocol-eras.json, keyed by URL.

const FILE = "protocol-eras.json"
export const LEGACY_TTL_MS = 24 * 60 * 60 * 1000

export type Era = "legacy" | "modern"
type Servers = Record<string, { era: "legacy"; at: string }>
interface EraFile {
  version: 1
  servers: Servers
}

export interface EraLookup {
  /** "legacy": skip the probe. */
  prior?: "legacy"
  /** The outcome of this connect: the era it negotiated, or undefined when it failed. */
  settle(era: Era | undefined): void
}

export interface EraCache {
  /** What to assume for `url`; waits for a probe of the same URL already running in this manager. */
  lookup(url: string): Promise<EraLookup>
  /** The remembered verdict was wrong (the server refused `initialize`): drop it. */
  forget(url: string): void
  /** Resolves once pending writes are done (manager close: the process may exit right after). */
  flush(): Promise<void>
}

/** Per manager (no module state, so tests run in parallel). Without a state dir only in-run sharing applies. */
export function createEraCache(stateDir: string | undefined, log: Log, now = Date.now): EraCache {
  const path = stateDir && join(stateDir, FILE)
  let stored: Promise<Servers> | undefined
  const probing = new Map<string, Promise<Era | undefined>>()
  const learned = new Map<string, Era>()
  let writes = Promise.resolve()

  const load = () => (stored ??= path ? readEras(path, log) : Promise.resolve<Servers>({}))

  function persist(update: (servers: Servers) => void) {
    if (!path || !stateDir) return
    // Serialised so two connects in one run cannot interleave read-merge-write.
    writes = writes.then(async () => {
      try {
        const servers = await readEras(path, log)
        update(servers)
        ensurePrivateDir(stateDir)
        await writeFileAtomic(path, `${JSON.stringify({ version: 1, servers } satisfies EraFile, null, 2)}\n`)
      } catch (e: unknown) {
        // A cache: failing to write it costs the next run one probe, nothing else.
        log.debug(`could not remember protocol eras in ${path}: ${String(e)}`)
      }
    })
  }

  async function lookup(url: string): Promise<EraLookup> {
    const known = learned.get(url)
    if (known === "legacy") return { prior: "legacy", settle: () => {} }
    if (known === undefined) {
      const entry = (await load())[url]
      if (entry && now() - Date.parse(entry.at) < LEGACY_TTL_MS) return { prior: "legacy", settle: () => {} }
      const running = probing.get(url)
      if (running && (await running) === "legacy") return { prior: "legacy", settle: () => {} }
    }
    if (probing.has(url)) return { settle: () => {} }
    let done!: (era: Era | undefined) => void
    probing.set(url, new Promise((r) => (done = r)))
    return {
      settle(era) {
        done(era)
        if (era === undefined || learned.get(url) === era) return
        learned.set(url, era)
        persist((servers) => {
          if (era === "legacy") servers[url] = { era, at: new Date(now()).toISOString() }
          else delete servers[url]
        })
      },
    }
  }

  function forget(url: string) {
    learned.delete(url)
    probing.delete(url)
    stored = load().then((servers) => {
      const rest = { ...servers }
      delete rest[url]
      return rest
    })
    persist((servers) => void delete servers[url])
  }

  return { lookup, forget, flush: () => writes }
}

async function readEras(path: string, log: Log): Promise<Servers> {
  let text: string
  try {
    text = await readFile(path, "utf8")
  } catch {
    return {} // missing (the usual first run) or unreadable: probe as if nothing were known
  }
  try {
    const doc = JSON.parse(text) as Partial<EraFile>
    if (doc.version !== 1 || typeof doc.servers !== "object" || doc.servers === null) return {}
    return Object.fromEntries(
      Object.entries(doc.servers).filter(([, v]) => v?.era === "legacy" && typeof v.at === "string"),
    )
  } catch (e: unknown) {
    log.debug(`ignoring ${path}: ${String(e)}`)
    return {}
  }
}
