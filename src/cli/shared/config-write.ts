import { existsSync } from "node:fs"
import { isAbsolute, resolve } from "node:path"
import * as v from "valibot"
import {
  checkPolicyForDefinition,
  editJsonFile,
  policyError,
  recordedOrigin,
  type Policy,
  type PolicySubject,
  MAX_CONFIG_BYTES,
  parseConfigValue,
  readJsonFile,
  SERVER_KEYS,
  ServerName,
  type ConfigWarning,
  type JsonObject,
} from "../../config/index.ts"
import { ConfigError, UsageError } from "../../util/errors.ts"
import { ensurePrivateDir } from "../../util/paths.ts"
import { escapeTerminal } from "../../util/text.ts"
import type { Ctx } from "./context.ts"
import { didYouMean } from "../../util/suggest.ts"

// Shared by `mcp add`, `add-json`, `remove` and `import`: which file, validation with the
// loader's own checks, and the locked read-modify-write through editJsonFile.

export interface Target {
  scope: "user" | "project" | "file"
  file: string
  /** Mode for a new file: user scope may hold header references, so 0600. */
  mode: number
}

export type Entry = Record<string, unknown>

export function resolveTarget(
  ctx: Ctx,
  args: { scope?: string; mcp?: string },
  opts: { isDryRun?: boolean } = {},
): Target {
  if (args.mcp !== undefined) {
    if (args.scope !== undefined) throw new UsageError("use either --scope or --mcp FILE, not both")
    return { scope: "file", file: isAbsolute(args.mcp) ? args.mcp : resolve(ctx.cwd, args.mcp), mode: 0o600 }
  }
  const scope = args.scope ?? "user"
  if (scope === "user") {
    if (!opts.isDryRun) ensurePrivateDir(ctx.paths.configDir)
    return { scope, file: ctx.paths.userConfig, mode: 0o600 }
  }
  if (scope === "project") return { scope, file: resolve(ctx.cwd, ".mcp.json"), mode: 0o644 }
  throw new UsageError(`--scope must be "user" or "project", got "${escapeTerminal(scope)}"`, {
    hint: "user writes your own config; project writes ./.mcp.json (shared with the repository)",
  })
}

/** Validates one entry exactly as loading would, before anything is written. */
export function validateEntry(name: string, entry: Entry, file: string): ConfigWarning[] {
  checkName(name)
  const doc = { mcpServers: { [name]: entry } }
  return parseConfigValue({ value: doc, locate: () => undefined }, file, "file").warnings
}

/** The key that holds servers in this document: the one it already uses, else mcpServers. */
export function serversKey(doc: JsonObject): (typeof SERVER_KEYS)[number] {
  return SERVER_KEYS.find((k) => isObject(doc[k])) ?? "mcpServers"
}

export function findServer(doc: JsonObject, name: string): { key: string; entry: unknown } | undefined {
  for (const key of SERVER_KEYS) {
    const servers = doc[key]
    if (isObject(servers) && Object.hasOwn(servers, name)) return { key, entry: servers[name] }
  }
  return undefined
}

export function serverNames(doc: JsonObject): string[] {
  return SERVER_KEYS.flatMap((k) => (isObject(doc[k]) ? Object.keys(doc[k] as object) : []))
}

export type OnExisting = "fail" | "replace" | "skip"

/**
 * Puts each entry under its name in one locked edit. An existing name fails (exit 2), is
 * replaced, or is skipped; deciding inside the edit means a concurrent add cannot slip past.
 */
export async function writeServers(
  target: Target,
  entries: { name: string; entry: Entry }[],
  opts: {
    existing: OnExisting
    dryRun?: boolean
    /** docs/policy.md: every entry is checked before anything is written (the caller's policyFor(ctx)). */
    policy: Policy
    /** Where the entries come from, for the policy: an install link, a registry (and the name there). */
    origin?: WriteOrigin
  },
): Promise<{ doc: JsonObject; previous: Map<string, unknown>; skipped: string[] }> {
  const previous = new Map<string, unknown>()
  const skipped: string[] = []
  for (const { name } of entries) checkName(name)
  for (const { name, entry } of entries) checkPolicy(target, name, entry, opts.policy, opts.origin)
  const edit = (doc: JsonObject): JsonObject => {
    for (const { name, entry } of entries) {
      const found = findServer(doc, name)
      if (found && opts.existing === "skip") {
        skipped.push(name)
        continue
      }
      if (found && opts.existing === "fail") {
        throw new UsageError(`server "${escapeTerminal(name)}" already exists in ${target.file}`, {
          hint: "pass --force to replace it, or choose another name",
        })
      }
      if (found) {
        previous.set(name, found.entry)
        delete (doc[found.key] as JsonObject)[name]
      }
      const key = found?.key ?? serversKey(doc)
      const servers = isObject(doc[key]) ? (doc[key] as JsonObject) : {}
      servers[name] = entry
      doc[key] = servers
    }
    // The loader refuses files over MAX_CONFIG_BYTES; never write one it would not read back.
    const size = Buffer.byteLength(JSON.stringify(doc, null, 2))
    if (size > MAX_CONFIG_BYTES) {
      throw new ConfigError(
        `${target.file} would grow to ${(size / 1048576).toFixed(1)} MB, over the ${MAX_CONFIG_BYTES / 1048576} MB config limit; nothing was written`,
        {
          file: target.file,
          hint: "a value this large does not belong in a config file; pass it through a file or an environment variable",
        },
      )
    }
    return doc
  }
  if (opts.dryRun) {
    const current = existsSync(target.file) ? await readDoc(target.file, target.scope === "user") : {}
    return { doc: edit(current), previous, skipped }
  }
  const doc = await editJsonFile(target.file, edit, {
    create: true,
    mode: target.mode,
    pauseForTest: process.env.AGENTRT_TEST_PAUSE_WRITE,
    isPrivate: target.scope === "user",
  })
  return { doc, previous, skipped }
}

export async function removeServer(target: Target, name: string): Promise<unknown> {
  checkName(name)
  if (!existsSync(target.file)) {
    throw new UsageError(`no server "${escapeTerminal(name)}": ${target.file} does not exist`, {
      hint: target.scope === "user" ? "it may be in the project: try --scope project" : undefined,
    })
  }
  let removed: unknown
  await editJsonFile(
    target.file,
    (doc) => {
      const found = findServer(doc, name)
      if (!found) {
        const names = serverNames(doc)
        throw new UsageError(
          escapeTerminal(`no server "${name}" in ${target.file}${didYouMean(name, names)}`),
          {
            hint: names.length
              ? `servers there: ${names.map(escapeTerminal).join(", ")}`
              : "that file has no servers",
          },
        )
      }
      removed = found.entry
      delete (doc[found.key] as JsonObject)[name]
    },
    { isPrivate: target.scope === "user" },
  )
  return removed
}

function checkPolicy(
  target: Target,
  name: string,
  entry: Entry,
  policy: Policy,
  origin: WriteOrigin | undefined,
): void {
  if (policy.layers.length === 0) return
  const doc = { mcpServers: { [name]: entry } }
  for (const parsed of parseConfigValue({ value: doc, locate: () => undefined }, target.file, target.scope)
    .servers) {
    const subject = {
      name,
      server: parsed.server,
      scope: target.scope,
      ...(origin ?? recordedOrigin(parsed.server)),
    }
    const violation = checkPolicyForDefinition(policy, subject)
    if (violation) throw policyError(`server "${escapeTerminal(name)}"`, violation)
  }
}

type WriteOrigin = Pick<PolicySubject, "isLink" | "registry" | "registryName">

/** Checked before any object is indexed by the name: `__proto__` would replace a prototype. */
export function checkName(name: string): void {
  const r = v.safeParse(ServerName, name)
  if (!r.success) {
    throw new UsageError(`server name ${JSON.stringify(escapeTerminal(name))}: ${r.issues[0].message}`, {
      hint: "letters, digits, '-', '_' and '.' always work",
    })
  }
}

async function readDoc(file: string, isPrivate: boolean): Promise<JsonObject> {
  // F04: a dry run reads the user file under the same check as a real write.
  const value = readJsonFile(file, { jsonc: true, isPrivate }).value
  if (!isObject(value)) throw new ConfigError(`${file} must hold a JSON object`, { file })
  return structuredClone(value)
}

function isObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === "object" && !Array.isArray(x)
}
