import { readFile } from "node:fs/promises"
import { stableStringify, type ServerConfig } from "../config/index.ts"
import { writeFileAtomic } from "../util/atomic.ts"
import { ConfigError } from "../util/errors.ts"
import { parsePackage, type LockedPackage } from "./lock-package.ts"
import { sha256Hex } from "../util/hash.ts"
import type { Manager, Tool } from "./types.ts"

// mcp.lock (P02/P07/P08: the "rug pull"): what each server ran as and a hash of everything the
// model or the user depends on, so a server that quietly changes what its tools say (and so
// what the model is told to do) or a config that quietly changes what runs is caught before the
// model sees it. Per tool: name, title (sent to the model when there is no description),
// description, input and output schema and annotations. Per server: command, args, cwd, url
// and the names (never the values) of its env and headers. Stable key order and one tool per
// key keep diffs reviewable. Commands and URLs are recorded as written in the config
// (uninterpolated): a ${SECRET} stays a reference, never a value.

/** 2 added title, output schema, annotations, cwd, env and header names; a version 1 lock is still read. */
export const LOCK_VERSION = 2
const PREVIEW = 200

export interface LockedTool {
  /** sha256 over every field below that the model sees (stable JSON). */
  hash: string
  descriptionHash: string
  schemaHash: string
  /** Version 2 on; absent in a version 1 lock, which did not compare them. */
  titleHash?: string
  outputSchemaHash?: string
  annotationsHash?: string
  /** The start of the description, title and annotations, so a change can be shown as before/after. */
  description: string
  title?: string
  annotations?: string
}

export interface LockedServer {
  command?: string
  args?: string[]
  cwd?: string
  url?: string
  /** Names of the env variables and headers the config sets (values may be secrets). */
  env?: string[]
  headers?: string[]
  package?: LockedPackage
  /** Installed from an MCP Registry (I22): which one, which server and version, the package and its digest. */
  registry?: LockedRegistry
  /** serverInfo.version, when the server reports one. */
  serverVersion?: string
  tools: Record<string, LockedTool>
}

export interface LockedRegistry {
  url: string
  name: string
  version: string
  type?: string
  identifier?: string
  /** sha256:… of an mcpb file, or the OCI image digest, when known. */
  digest?: string
}

export interface LockFile {
  lockfileVersion: number
  servers: Record<string, LockedServer>
}

function sha256(text: string): string {
  return `sha256:${sha256Hex(text)}`
}

const preview = (s: string) => (s.length > PREVIEW ? `${s.slice(0, PREVIEW)}…` : s)

export function lockTool(tool: Tool): LockedTool {
  const description = tool.description ?? ""
  const fields = {
    name: tool.name,
    title: tool.title ?? null,
    description,
    inputSchema: tool.inputSchema ?? null,
    outputSchema: tool.outputSchema ?? null,
    annotations: tool.annotations ?? null,
  }
  return {
    hash: sha256(stableStringify(fields)),
    descriptionHash: sha256(description),
    schemaHash: sha256(stableStringify(fields.inputSchema)),
    titleHash: sha256(stableStringify(fields.title)),
    outputSchemaHash: sha256(stableStringify(fields.outputSchema)),
    annotationsHash: sha256(stableStringify(fields.annotations)),
    description: preview(description),
    ...(tool.title !== undefined && { title: preview(tool.title) }),
    ...(tool.annotations !== undefined && { annotations: preview(stableStringify(tool.annotations)) }),
  }
}

export function lockServer(server: ServerConfig, tools: Tool[], serverVersion?: string): LockedServer {
  const sortedKeys = (o: Record<string, string>) => Object.keys(o).sort(cmp)
  const where =
    server.transport === "stdio"
      ? {
          command: server.command,
          args: server.args,
          ...(server.cwd !== undefined && { cwd: server.cwd }),
          env: sortedKeys(server.env),
        }
      : { url: server.url, headers: sortedKeys(server.headers) }
  const pkg = server.transport === "stdio" ? parsePackage(server.command, server.args) : undefined
  const registry = server.registry && lockedRegistry(server.registry)
  const locked = Object.fromEntries(
    [...tools].sort((a, b) => cmp(a.name, b.name)).map((t) => [t.name, lockTool(t)]),
  )
  return {
    ...where,
    ...(pkg && { package: pkg }),
    ...(registry && { registry }),
    ...(serverVersion !== undefined && { serverVersion }),
    tools: locked,
  }
}

function lockedRegistry(r: NonNullable<ServerConfig["registry"]>): LockedRegistry {
  return {
    url: r.url,
    name: r.name,
    version: r.version,
    ...(r.type !== undefined && { type: r.type }),
    ...(r.identifier !== undefined && { identifier: r.identifier }),
    ...(r.digest !== undefined && { digest: r.digest }),
  }
}

/** What the connected servers offer now, in lock form (after includeTools/excludeTools). */
export async function snapshot(manager: Manager): Promise<LockFile> {
  const connected = manager.states().filter((s) => s.status === "connected")
  const tools = connected.length ? await manager.tools() : []
  const servers: Record<string, LockedServer> = {}
  for (const s of connected) {
    const mine = tools.filter((t) => t.server === s.name).map((t) => t.tool)
    servers[s.name] = lockServer(
      s.entry.server,
      mine,
      s.status === "connected" ? s.serverInfo?.version : undefined,
    )
  }
  return { lockfileVersion: LOCK_VERSION, servers }
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
    const isKnown = lock?.lockfileVersion === 1 || lock?.lockfileVersion === LOCK_VERSION
    if (!isKnown || typeof lock.servers !== "object" || lock.servers === null)
      throw new Error(`lockfileVersion must be 1 or ${LOCK_VERSION}`)
    return lock
  } catch (e: unknown) {
    throw new ConfigError(`${path} is not a valid mcp.lock: ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
      file: path,
      hint: "regenerate it with: agent mcp lock --update",
    })
  }
}

export async function writeLock(path: string, lock: LockFile): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(sortKeys(lock), null, 2)}\n`, { mode: 0o644 })
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys)
  if (typeof v !== "object" || v === null) return v
  return Object.fromEntries(
    Object.keys(v)
      .sort(cmp)
      .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
  )
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * `agent mcp update`: the lock follows the definition the user just approved (command, args,
 * url, names, package, registry version and digest) and keeps the tool hashes, so tools that
 * changed with the new version still stop `--locked` until `agent mcp lock --update` (I22).
 */
export function relockDefinition(lock: LockFile, name: string, server: ServerConfig): LockFile {
  const before = lock.servers[name]
  if (!before) return lock
  const { tools: _none, serverVersion: _unknown, ...definition } = lockServer(server, [])
  const { tools, serverVersion } = before
  const next: LockedServer = { ...definition, tools, ...(serverVersion !== undefined && { serverVersion }) }
  return { ...lock, servers: { ...lock.servers, [name]: next } }
}
