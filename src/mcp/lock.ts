import { createHash } from "node:crypto"
import { readFile } from "node:fs/promises"
import { stableStringify, type ServerConfig } from "../config/index.ts"
import { writeFileAtomic } from "../util/atomic.ts"
import { AgentError, ConfigError } from "../util/errors.ts"
import { escapeTerminal } from "../util/text.ts"
import { parsePackage, type LockedPackage } from "./lock-package.ts"
import type { Manager, Tool } from "./types.ts"

// mcp.lock (P02: the "rug pull"): what each server ran as and a hash of every tool's
// name, description and input schema, so a server that quietly changes what its tools say
// (and so what the model is told to do) is caught before the model sees it. Stable key order
// and one tool per key keep diffs reviewable. Commands and URLs are recorded as written in
// the config (uninterpolated): a ${SECRET} stays a reference, never a value.

export const LOCK_VERSION = 1
const PREVIEW = 200

export interface LockedTool {
  /** sha256 over name, description and input schema (stable JSON). */
  hash: string
  descriptionHash: string
  schemaHash: string
  /** The start of the description, so a change can be shown as before/after. */
  description: string
}

export interface LockedServer {
  command?: string
  args?: string[]
  url?: string
  package?: LockedPackage
  /** serverInfo.version, when the server reports one. */
  serverVersion?: string
  tools: Record<string, LockedTool>
}

export interface LockFile {
  lockfileVersion: number
  servers: Record<string, LockedServer>
}

export interface LockChange {
  server: string
  tool?: string
  kind: "server-added" | "added" | "removed" | "description" | "schema"
  before?: string
  after?: string
}

/** A tool changed since the lock: exit 3, like every other thing that needs the user's yes. */
export class LockMismatchError extends AgentError {
  constructor(
    readonly changes: LockChange[],
    lockPath: string,
  ) {
    super("approval", `MCP tools changed since ${lockPath} was written:\n${formatChanges(changes)}`, {
      hint: "review the changes, then accept them with: agent mcp lock --update",
    })
  }
}

function sha256(text: string): string {
  return `sha256:${createHash("sha256").update(text).digest("hex")}`
}

export function lockTool(tool: Tool): LockedTool {
  const description = tool.description ?? ""
  return {
    hash: sha256(stableStringify({ name: tool.name, description, inputSchema: tool.inputSchema ?? null })),
    descriptionHash: sha256(description),
    schemaHash: sha256(stableStringify(tool.inputSchema ?? null)),
    description: description.length > PREVIEW ? `${description.slice(0, PREVIEW)}…` : description,
  }
}

export function lockServer(server: ServerConfig, tools: Tool[], serverVersion?: string): LockedServer {
  const pkg = server.transport === "stdio" ? parsePackage(server.command, server.args) : undefined
  const where = server.transport === "stdio" ? { command: server.command, args: server.args } : { url: server.url }
  const locked = Object.fromEntries([...tools].sort((a, b) => cmp(a.name, b.name)).map((t) => [t.name, lockTool(t)]))
  return { ...where, ...(pkg && { package: pkg }), ...(serverVersion !== undefined && { serverVersion }), tools: locked }
}

/** What the connected servers offer now, in lock form (after disabledTools/includeTools). */
export async function snapshot(manager: Manager): Promise<LockFile> {
  const connected = manager.states().filter((s) => s.status === "connected")
  const tools = connected.length ? await manager.tools() : []
  const servers: Record<string, LockedServer> = {}
  for (const s of connected) {
    const mine = tools.filter((t) => t.server === s.name).map((t) => t.tool)
    servers[s.name] = lockServer(s.entry.server, mine, s.status === "connected" ? s.serverInfo?.version : undefined)
  }
  return { lockfileVersion: LOCK_VERSION, servers }
}

/** Changes in `current` against `locked`, for the servers in `current` only. */
export function diffLock(locked: LockFile, current: LockFile): LockChange[] {
  const changes: LockChange[] = []
  for (const name of Object.keys(current.servers).sort(cmp)) {
    const now = current.servers[name]!
    const before = locked.servers[name]
    if (!before) {
      changes.push({ server: name, kind: "server-added", after: `${Object.keys(now.tools).length} tools` })
      continue
    }
    const names = [...new Set([...Object.keys(before.tools), ...Object.keys(now.tools)])].sort(cmp)
    for (const tool of names) {
      const a = before.tools[tool]
      const b = now.tools[tool]
      if (!a) changes.push({ server: name, tool, kind: "added", after: b!.description })
      else if (!b) changes.push({ server: name, tool, kind: "removed", before: a.description })
      else if (a.hash !== b.hash) {
        if (a.descriptionHash !== b.descriptionHash) changes.push({ server: name, tool, kind: "description", before: a.description, after: b.description })
        if (a.schemaHash !== b.schemaHash) changes.push({ server: name, tool, kind: "schema" })
      }
    }
  }
  return changes
}

export function formatChanges(changes: LockChange[]): string {
  const short = (s: string | undefined) => JSON.stringify(escapeTerminal((s ?? "").slice(0, 80)) + ((s ?? "").length > 80 ? "…" : ""))
  return changes
    .map((c) => {
      const who = escapeTerminal(c.tool === undefined ? c.server : `${c.server}: ${c.tool}`)
      switch (c.kind) {
        case "server-added":
          return `  + ${who}: server not in the lock (${c.after})`
        case "added":
          return `  + ${who}: tool added`
        case "removed":
          return `  - ${who}: tool removed`
        case "description":
          return `  ~ ${who}: description changed\n      before: ${short(c.before)}\n      after:  ${short(c.after)}`
        case "schema":
          return `  ~ ${who}: input schema changed`
      }
    })
    .join("\n")
}

export async function readLock(path: string): Promise<LockFile | undefined> {
  let text: string
  try {
    text = await readFile(path, "utf8")
  } catch (e: unknown) {
    if ((e as { code?: string }).code === "ENOENT") return undefined
    throw new ConfigError(`cannot read ${path}: ${String(e)}`, { cause: e, file: path })
  }
  try {
    const lock = JSON.parse(text) as LockFile
    if (lock?.lockfileVersion !== LOCK_VERSION || typeof lock.servers !== "object" || lock.servers === null) throw new Error(`lockfileVersion must be ${LOCK_VERSION}`)
    return lock
  } catch (e: unknown) {
    throw new ConfigError(`${path} is not a valid mcp.lock: ${e instanceof Error ? e.message : String(e)}`, { cause: e, file: path, hint: "regenerate it with: agent mcp lock --update" })
  }
}

export async function writeLock(path: string, lock: LockFile): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(sortKeys(lock), null, 2)}\n`, { mode: 0o644 })
}

/** `--locked`: throws LockMismatchError (exit 3) when a connected server's tools differ from the lock. */
export async function checkLock(manager: Manager, lockPath: string): Promise<void> {
  const locked = await readLock(lockPath)
  if (!locked) throw new ConfigError(`--locked: no lock file at ${lockPath}`, { file: lockPath, hint: "create it with: agent mcp lock (or pass --lock FILE)" })
  const changes = diffLock(locked, await snapshot(manager))
  if (changes.length) throw new LockMismatchError(changes, lockPath)
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys)
  if (typeof v !== "object" || v === null) return v
  return Object.fromEntries(Object.keys(v).sort(cmp).map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]))
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
