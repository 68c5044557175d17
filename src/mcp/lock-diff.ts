import { AgentError, ConfigError } from "../util/errors.ts"
import { escapeTerminal } from "../util/text.ts"
import {
  cmp,
  readLock,
  snapshot,
  type LockedRegistry,
  type LockedServer,
  type LockedTool,
  type LockFile,
} from "./lock.ts"
import type { Manager } from "./types.ts"

// What `--locked` compares (P07, P08): every field of a tool that reaches the model, and every
// field of a server's definition that decides what runs or where requests go. Each change is
// reported by field, so the user sees what the rug pull touched. A version 1 lock recorded
// fewer fields; only those are compared until `agent mcp lock --update` rewrites it.

export type ToolField = "title" | "description" | "input-schema" | "output-schema" | "annotations"
export type ServerField =
  | "command"
  | "args"
  | "cwd"
  | "url"
  | "env"
  | "headers"
  | "registry-version"
  | "registry-digest"

export type LockChange =
  | { server: string; kind: "server-added"; after: string }
  | { server: string; tool: string; kind: "added"; after: string }
  | { server: string; tool: string; kind: "removed"; before: string }
  | { server: string; tool: string; kind: "tool-changed"; field: ToolField; before?: string; after?: string }
  | { server: string; kind: "server-changed"; field: ServerField; before?: string; after?: string }

/** A tool or server changed since the lock: exit 3, like every other thing that needs the user's yes. */
export class LockMismatchError extends AgentError {
  constructor(
    readonly changes: LockChange[],
    lockPath: string,
  ) {
    super(
      "approval",
      `MCP servers or tools changed since ${lockPath} was written:\n${formatChanges(changes)}`,
      {
        hint: "review the changes, then accept them with: agent mcp lock --update",
      },
    )
  }
}

/** `--locked`: throws LockMismatchError (exit 3) when a connected server differs from the lock. */
export async function checkLock(manager: Manager, lockPath: string): Promise<void> {
  const locked = await readLock(lockPath)
  if (!locked)
    throw new ConfigError(`--locked: no lock file at ${lockPath}`, {
      file: lockPath,
      hint: "create it with: agent mcp lock (or pass --lock FILE)",
    })
  const changes = diffLock(locked, await snapshot(manager))
  if (changes.length) throw new LockMismatchError(changes, lockPath)
}

/** Changes in `current` against `locked`, for the servers in `current` only. */
export function diffLock(locked: LockFile, current: LockFile): LockChange[] {
  const isV1 = locked.lockfileVersion === 1
  const changes: LockChange[] = []
  for (const name of Object.keys(current.servers).sort(cmp)) {
    const now = current.servers[name]!
    const before = locked.servers[name]
    if (!before) {
      changes.push({ server: name, kind: "server-added", after: `${Object.keys(now.tools).length} tools` })
      continue
    }
    changes.push(...diffServer(name, before, now, isV1))
    const names = [...new Set([...Object.keys(before.tools), ...Object.keys(now.tools)])].sort(cmp)
    for (const tool of names) {
      const a = before.tools[tool]
      const b = now.tools[tool]
      if (!a) changes.push({ server: name, tool, kind: "added", after: b!.description })
      else if (!b) changes.push({ server: name, tool, kind: "removed", before: a.description })
      else if (a.hash !== b.hash) changes.push(...diffTool(name, tool, a, b))
    }
  }
  return changes
}

function diffTool(server: string, tool: string, a: LockedTool, b: LockedTool): LockChange[] {
  const fields: [ToolField, string | undefined, string | undefined, { before?: string; after?: string }][] = [
    ["title", a.titleHash, b.titleHash, { before: a.title ?? "(none)", after: b.title ?? "(none)" }],
    ["description", a.descriptionHash, b.descriptionHash, { before: a.description, after: b.description }],
    ["input-schema", a.schemaHash, b.schemaHash, {}],
    ["output-schema", a.outputSchemaHash, b.outputSchemaHash, {}],
    [
      "annotations",
      a.annotationsHash,
      b.annotationsHash,
      { before: a.annotations ?? "(none)", after: b.annotations ?? "(none)" },
    ],
  ]
  // A version 1 lock holds no hash for the newer fields (undefined): nothing to compare there.
  return fields
    .filter(([, x, y]) => x !== undefined && x !== y)
    .map(([field, , , shown]) => ({ server, tool, kind: "tool-changed", field, ...shown }))
}

type DefinitionField = "command" | "args" | "cwd" | "url" | "env" | "headers"

function diffServer(server: string, a: LockedServer, b: LockedServer, isV1: boolean): LockChange[] {
  const show = (v: string | string[] | undefined) =>
    v === undefined ? "(none)" : typeof v === "string" ? v : JSON.stringify(v)
  const fields: DefinitionField[] = isV1
    ? ["command", "args", "url"]
    : ["command", "args", "cwd", "url", "env", "headers"]
  const changes: LockChange[] = fields
    .filter((f) => JSON.stringify(a[f] ?? null) !== JSON.stringify(b[f] ?? null))
    .map((field) => ({
      server,
      kind: "server-changed",
      field,
      before: show(a[field]),
      after: show(b[field]),
    }))
  return [...changes, ...diffRegistry(server, a.registry, b.registry)]
}

/** I22: a registry install whose version or package digest moved (a lock without the field compares nothing). */
function diffRegistry(
  server: string,
  a: LockedRegistry | undefined,
  b: LockedRegistry | undefined,
): LockChange[] {
  if (!a) return []
  const version = (r?: LockedRegistry) => (r ? `${r.name}@${r.version}` : "(not from a registry)")
  const out: LockChange[] = []
  if (version(a) !== version(b))
    out.push({
      server,
      kind: "server-changed",
      field: "registry-version",
      before: version(a),
      after: version(b),
    })
  if ((a.digest ?? "") !== (b?.digest ?? ""))
    out.push({
      server,
      kind: "server-changed",
      field: "registry-digest",
      before: a.digest ?? "(none)",
      after: b?.digest ?? "(none)",
    })
  return out
}

const FIELD_NAMES: Record<ToolField | ServerField, string> = {
  title: "title",
  description: "description",
  "input-schema": "input schema",
  "output-schema": "output schema",
  annotations: "annotations",
  command: "command",
  args: "args",
  cwd: "cwd",
  url: "url",
  env: "env names",
  headers: "header names",
  "registry-version": "registry version",
  "registry-digest": "package digest",
}

export function formatChanges(changes: LockChange[]): string {
  const short = (s: string | undefined) =>
    JSON.stringify(escapeTerminal((s ?? "").slice(0, 80)) + ((s ?? "").length > 80 ? "…" : ""))
  const beforeAfter = (c: { before?: string; after?: string }) =>
    c.before === undefined && c.after === undefined
      ? ""
      : `\n      before: ${short(c.before)}\n      after:  ${short(c.after)}`
  return changes
    .map((c) => {
      const who = escapeTerminal("tool" in c ? `${c.server}: ${c.tool}` : c.server)
      switch (c.kind) {
        case "server-added":
          return `  + ${who}: server not in the lock (${c.after})`
        case "added":
          return `  + ${who}: tool added`
        case "removed":
          return `  - ${who}: tool removed`
        case "tool-changed":
        case "server-changed":
          return `  ~ ${who}: ${FIELD_NAMES[c.field]} changed${beforeAfter(c)}`
        default: {
          const unknown: never = c
          return unknown
        }
      }
    })
    .join("\n")
}
