import { readFileSync, rmSync } from "node:fs"
import { join } from "node:path"
import { writeFileAtomic } from "../util/atomic.ts"
import { ensurePrivateDir } from "../util/paths.ts"
import type { ListHint, Prompt, Resource, Tool } from "./types.ts"

// Cached lists (docs/runs.md "Cached tool lists"): each server's tools, prompts and resources as
// it last listed them, one file per server in <stateDir>/list-cache/<fingerprint>.json (0600,
// written atomically). The file name is the server's config fingerprint (config/fingerprint.ts),
// so editing its command, args, url, headers or env text leaves the old entry unused; the
// server's reported name/version is kept in the entry, and a live server reporting another one
// replaces it. A cache never decides what runs: approvals are checked before it is read, and
// every run that used it lists live before any tool is called (agent run's settle step).

/** How long an entry is used when the server gave no `ttlMs` hint (2026-07-28 list results). */
export const DEFAULT_LIST_TTL_MS = 24 * 60 * 60 * 1000
/** A server's hint is honoured up to this (a server cannot pin a stale list for a year). */
export const MAX_LIST_TTL_MS = 7 * 24 * 60 * 60 * 1000
const VERSION = 1
const DIR = "list-cache"

export type ListKind = "tools" | "prompts" | "resources"

export interface CachedLists {
  fingerprint: string
  serverInfo?: { name: string; version: string }
  /** ISO time the lists were taken. */
  savedAt: string
  /** How long the entry is valid from savedAt: the smallest hint the server gave, else the default. */
  ttlMs: number
  tools: Tool[]
  prompts: Prompt[]
  resources: Resource[]
  /** The server offered skills then: a run offering load_skill cannot start from the cache. */
  hasSkills?: boolean
}

export function listCachePath(stateDir: string, fingerprint: string): string {
  return join(stateDir, DIR, `${fingerprint}.json`)
}

/**
 * The entry's lifetime from the tools list's hint (what a run starts from): none → the default;
 * capped. `ttlMs: 0` (what a 2026-07-28 server that sets no hint sends) means not cached.
 */
export function ttlFromHint(hint: ListHint | undefined): number {
  const ttl = hint?.ttlMs
  if (typeof ttl !== "number" || !Number.isFinite(ttl) || ttl < 0) return DEFAULT_LIST_TTL_MS
  return Math.min(MAX_LIST_TTL_MS, ttl)
}

/** A valid (well-formed, unexpired) entry for this fingerprint, else undefined. Never throws. */
export function readListCache(
  stateDir: string | undefined,
  fingerprint: string,
  now: number = Date.now(),
): CachedLists | undefined {
  if (!stateDir || !/^[0-9a-f]{64}$/.test(fingerprint)) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(listCachePath(stateDir, fingerprint), "utf8"))
  } catch {
    return undefined
  }
  if (!isEntry(parsed) || parsed.fingerprint !== fingerprint) return undefined
  const saved = Date.parse(parsed.savedAt)
  // A clock set back (saved "in the future") is treated as expired rather than trusted for ever.
  if (!Number.isFinite(saved) || saved > now || now - saved >= parsed.ttlMs) return undefined
  const { version: _v, ...entry } = parsed
  return entry
}

/** Writes the entry (0600, atomic). ttlMs 0 means the server asked not to be cached: the entry is dropped. */
export async function writeListCache(stateDir: string | undefined, entry: CachedLists): Promise<void> {
  if (!stateDir || !/^[0-9a-f]{64}$/.test(entry.fingerprint)) return
  if (entry.ttlMs <= 0) return dropListCache(stateDir, entry.fingerprint)
  ensurePrivateDir(stateDir)
  ensurePrivateDir(join(stateDir, DIR))
  await writeFileAtomic(
    listCachePath(stateDir, entry.fingerprint),
    `${JSON.stringify({ version: VERSION, ...entry })}\n`,
  )
}

/** notifications/*\/list_changed, or a live list that differs: the entry goes. */
export function dropListCache(stateDir: string | undefined, fingerprint: string): void {
  if (!stateDir || !/^[0-9a-f]{64}$/.test(fingerprint)) return
  rmSync(listCachePath(stateDir, fingerprint), { force: true })
}

function isEntry(v: unknown): v is CachedLists & { version: number } {
  if (v === null || typeof v !== "object") return false
  const e = v as Record<string, unknown>
  return (
    e.version === VERSION &&
    typeof e.fingerprint === "string" &&
    typeof e.savedAt === "string" &&
    typeof e.ttlMs === "number" &&
    Array.isArray(e.tools) &&
    e.tools.every((t) => t !== null && typeof t === "object" && typeof (t as Tool).name === "string") &&
    Array.isArray(e.prompts) &&
    Array.isArray(e.resources)
  )
}

/** The hints each client's last list results carried (lists.ts records them; the manager reads them). */
const hintsByClient = new WeakMap<object, Partial<Record<ListKind, ListHint>>>()

export function recordListHint(client: object, kind: ListKind, result: unknown): void {
  if (result === null || typeof result !== "object") return
  const r = result as { ttlMs?: unknown; cacheScope?: unknown }
  const hint: ListHint = {
    ...(typeof r.ttlMs === "number" && { ttlMs: r.ttlMs }),
    ...((r.cacheScope === "public" || r.cacheScope === "private") && { cacheScope: r.cacheScope }),
  }
  const all = hintsByClient.get(client) ?? {}
  all[kind] = hint
  hintsByClient.set(client, all)
}

export function listHints(client: object): Partial<Record<ListKind, ListHint>> {
  return { ...hintsByClient.get(client) }
}
