import { existsSync, statSync } from "node:fs"
import { isAbsolute, join, resolve } from "node:path"
import * as v from "valibot"
import { ConfigError } from "../util/errors.ts"
import { existingPrivateDir, privatePathProblem, type Paths } from "../util/paths.ts"
import { fingerprintServer } from "./fingerprint.ts"
import { parseJsonText, type Located } from "./json.ts"
import { readConfigText } from "./json-file.ts"
import { normalizeServer, peerToolGlobs } from "./normalize.ts"
import type { ParseCache } from "./parse-cache.ts"
import { inputVariableName } from "./interpolate.ts"
import { checkTemplates, fieldLabel } from "./references.ts"
import { ConfigFile, SERVER_KEYS, ServerName } from "./schema.ts"
import type { Config, ConfigWarning, InputInfo, ParsedConfigFile, Scope, ServerEntry } from "./types.ts"
import { unknownFieldWarnings } from "./unknown.ts"

export interface LoadOptions {
  paths: Paths
  cwd: string
  /** `--mcp FILE` arguments, in order. */
  files?: string[]
  /** Skip the user and project files (only `files`). */
  only?: boolean
  /** The daemon's: a file whose text has not changed since a command before is not parsed again. */
  cache?: ParseCache
}

/** The files that make up the config, lowest precedence first: user < project < --mcp. */
export function configLocations(opts: LoadOptions): { scope: Scope; file: string; required: boolean }[] {
  const out: { scope: Scope; file: string; required: boolean }[] = []
  if (!opts.only) {
    out.push({ scope: "user", file: opts.paths.userConfig, required: false })
    for (const rel of [".mcp.json", join(".agentrt", "mcp.json")]) {
      out.push({ scope: "project", file: join(opts.cwd, rel), required: false })
    }
  }
  for (const f of opts.files ?? []) {
    out.push({ scope: "file", file: isAbsolute(f) ? f : resolve(opts.cwd, f), required: true })
  }
  return out
}

export function loadConfig(opts: LoadOptions): Config {
  const config: Config = { servers: [], shadowed: [], sources: [], warnings: [], inputs: new Map() }
  const byName = new Map<string, ServerEntry>()
  for (const loc of configLocations(opts)) {
    // F04: the user file is read only from a config dir that is ours alone (the file itself is
    // checked as it is read); a missing dir is a missing file.
    const isReadable = loc.scope !== "user" || existingPrivateDir(opts.paths.configDir)
    if (!isReadable || !existsSync(loc.file)) {
      if (loc.required) {
        throw new ConfigError(`config file ${loc.file} does not exist`, {
          file: loc.file,
          hint: `check the --mcp path, or create that file with \`agent mcp add NAME --mcp ${loc.file} -- COMMAND\``,
        })
      }
      config.sources.push({ scope: loc.scope, file: loc.file, exists: false, servers: 0 })
      continue
    }
    const doc = parseConfigFile(loc.file, loc.scope, opts.cache)
    if (loc.scope === "project") config.warnings.push(...sharedFileWarnings(loc.file))
    config.sources.push({ scope: loc.scope, file: loc.file, exists: true, servers: doc.servers.length })
    config.warnings.push(...doc.warnings)
    for (const [k, input] of doc.inputs) config.inputs.set(k, input)
    if (doc.model !== undefined) config.model = doc.model
    // A project file is shared with the repository: it does not get to pick where installs come from.
    if (doc.registries && loc.scope !== "project")
      config.registries = [...new Set([...(config.registries ?? []), ...doc.registries])]
    for (const entry of doc.servers) {
      const previous = byName.get(entry.name)
      if (previous) config.shadowed.push(previous)
      byName.set(entry.name, entry)
    }
  }
  config.servers = [...byName.values()]
  return config
}

export function parseConfigFile(file: string, scope: Scope, cache?: ParseCache): ParsedConfigFile {
  const text = readConfigText(file, { isPrivate: scope === "user" })
  const parse = () => parseConfigValue(parseJsonText(text, { jsonc: true, file }), file, scope)
  return cache ? cache.parsed(file, scope, text, parse) : parse()
}

/**
 * F04: a project file is untrusted whoever owns it: its servers run only once approved, bound to
 * their definition, and any change asks again (C03). So one another user owns or may write is not
 * refused (shared checkouts and CI workspaces are normal) but said out loud, never trusted silently.
 */
function sharedFileWarnings(file: string): ConfigWarning[] {
  const problem = privatePathProblem(statSync(file))
  if (!problem) return []
  return [
    {
      file,
      path: "",
      message: `${problem}: someone else can change its servers; each still runs only after you approve exactly what it runs`,
    },
  ]
}

/** Validates one parsed file; throws a ConfigError naming the file, line, server and field. */
export function parseConfigValue(doc: Located, file: string, scope: Scope): ParsedConfigFile {
  const { value, locate } = doc
  const where = (path: (string | number)[]) => {
    const pos = locate(path)
    return pos ? `${file}:${pos.line}:${pos.column}` : file
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigError(`${file}: the config must be a JSON object`, {
      file,
      hint: 'start from {"mcpServers": {}} — see `agent config schema`',
    })
  }
  const result = v.safeParse(ConfigFile, value)
  if (!result.success) throw schemaError(result.issues, file, where)
  const warnings = unknownFieldWarnings(value as Record<string, unknown>, file)
  const inputs = new Map<string, InputInfo>()
  for (const input of result.output.inputs ?? []) {
    inputs.set(inputVariableName(input.id), {
      id: input.id,
      description: input.description,
      password: input.password,
    })
  }
  const servers: ServerEntry[] = []
  const seen = new Map<string, string>()
  for (const key of SERVER_KEYS) {
    for (const [name, raw] of Object.entries(result.output[key] ?? {})) {
      const path = [key, name]
      const nameCheck = v.safeParse(ServerName, name)
      if (!nameCheck.success) {
        throw new ConfigError(
          `${where(path)}: server name ${JSON.stringify(name)}: ${nameCheck.issues[0].message}`,
          {
            file,
            path: path.join("."),
            hint: "rename the server; letters, digits, '-', '_' and '.' always work",
          },
        )
      }
      if (seen.has(name)) {
        throw new ConfigError(
          `${where(path)}: server "${name}" is defined in both "${seen.get(name)}" and "${key}"`,
          {
            file,
            path: path.join("."),
            hint: "keep one definition",
          },
        )
      }
      seen.set(name, key)
      const normalized = normalizeServer(raw)
      if (!normalized.ok) {
        const p = normalized.problem
        throw new ConfigError(`${where([...path, p.field])}: server "${name}": "${p.field}" ${p.message}`, {
          file,
          path: [...path, p.field].join("."),
          hint: p.hint,
        })
      }
      const hidden = result.output.tools ? peerToolGlobs(name, result.output.tools) : []
      if (hidden.length > 0)
        normalized.server.excludeTools = [...new Set([...(normalized.server.excludeTools ?? []), ...hidden])]
      checkTemplates(normalized.server, (field, message, hint) => {
        throw new ConfigError(
          `${where([...path, ...field])}: server "${name}" ${fieldLabel(field)}: ${message}`,
          {
            file,
            path: [...path, ...field].join("."),
            hint,
          },
        )
      })
      servers.push({
        name,
        scope,
        file,
        server: normalized.server,
        fingerprint: fingerprintServer(name, normalized.server),
      })
    }
  }
  return {
    servers,
    warnings,
    inputs,
    ...(result.output.model !== undefined && { model: result.output.model }),
    ...(result.output.registries !== undefined && { registries: result.output.registries }),
  }
}

function schemaError(
  issues: [v.BaseIssue<unknown>, ...v.BaseIssue<unknown>[]],
  file: string,
  where: (path: (string | number)[]) => string,
): ConfigError {
  // Report the deepest issue: a union failure at "command" is less useful than "command[1]".
  const issue = issues.reduce((a, b) => ((b.path?.length ?? 0) > (a.path?.length ?? 0) ? b : a))
  const path = (issue.path ?? []).map((p) => p.key as string | number)
  const server =
    SERVER_KEYS.includes(path[0] as (typeof SERVER_KEYS)[number]) && path.length > 1 ? path[1] : undefined
  const field = server !== undefined ? path.slice(2) : path
  const subject =
    server !== undefined
      ? `server "${server}"${field.length ? ` field "${fieldLabel(field)}"` : ""}`
      : `"${fieldLabel(field)}"`
  const expected = issue.expected ? `expected ${issue.expected.replace(/"/g, "")}` : issue.message
  return new ConfigError(`${where(path)}: ${subject}: ${expected}, got ${issue.received}`, {
    file,
    path: path.join("."),
    hint: hintFor(field),
  })
}

const FIELD_HINTS: Record<string, string> = {
  args: 'args is a list of strings, e.g. "args": ["-y", "@modelcontextprotocol/server-everything"]',
  env: 'env maps names to strings, e.g. "env": {"API_KEY": "${API_KEY}"}',
  headers: 'headers maps names to strings, e.g. "headers": {"Authorization": "Bearer ${TOKEN}"}',
  type: 'type is one of "stdio", "http" or "sse" (peers\' "streamable-http" also works)',
  timeout: "timeout is a whole number of milliseconds, e.g. 30000",
  protocolVersion:
    'protocolVersion is one of "2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"',
  command: 'command is the program to run, e.g. "npx"; put its arguments in "args"',
}

function hintFor(field: (string | number)[]): string {
  const key = field.find((k): k is string => typeof k === "string")
  return (key && FIELD_HINTS[key]) ?? "see `agent config schema` for every field and its type"
}
