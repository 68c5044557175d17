// Turns the server entry carried by a link into a checked InstallRequest. Every check the
// config loader makes is made here too, before anything is shown or written, plus the ones
// only a link needs: no unknown keys (valibot's object() would drop them silently), no name
// that could become a path (I02), and a URL whose scheme is written out, not a variable.
import * as v from "valibot"
import {
  checkTemplates,
  fieldLabel,
  InputFile,
  inputVariableName,
  KNOWN_OAUTH_KEYS,
  KNOWN_SERVER_KEYS,
  normalizeServer,
  parseTemplate,
  ServerFile,
  ServerName,
  type ServerConfig,
} from "../config/index.ts"
import { isPlainObject, linkError, printable } from "./link-query.ts"

export type LinkSource =
  | "agentrt"
  | "cursor"
  | "vscode"
  | "kiro"
  | "goose"
  | "lmstudio"
  | "windsurf"
  | "antigravity"

export interface InstallRequest {
  /** The server name, exactly as it will be written. */
  name: string
  /** The entry in file form, as the link gave it (peers' spellings kept). */
  entry: Record<string, unknown>
  server: ServerConfig
  source: LinkSource
  /** Variable → what it is for, from Goose `env=KEY%3Ddesc` or VS Code `inputs`. */
  envDescriptions: Record<string, string>
}

/** Keys a link's JSON may carry besides the server fields: VS Code puts `name` and `inputs` there. */
const META_KEYS = new Set(["name", "inputs"])
const WRAPPER_KEYS = new Set(["mcpServers", "servers"])
const MAX_INPUTS = 32

export function checkName(name: string): string {
  const r = v.safeParse(ServerName, name)
  if (!r.success) throw linkError(`server name "${printable(name)}": ${r.issues[0].message}`)
  // Names are config keys, never paths; still, nothing that reads like a path gets through (I02).
  if (name.includes("..")) throw linkError(`server name "${printable(name)}" contains ".."`)
  return name
}

export interface RequestParts {
  source: LinkSource
  /** From the link's `name=` (or Goose `id=`); undefined when the JSON carries it. */
  name?: string
  config: unknown
  /** VS Code `inputs=` given next to `config=`. */
  inputs?: unknown
  envDescriptions?: Record<string, string>
}

export function buildRequest(parts: RequestParts): InstallRequest {
  if (!isPlainObject(parts.config)) throw linkError("the config must be a JSON object")
  const { name: wrapped, body } = unwrap(parts.config, parts.name)
  if (body.name !== undefined && typeof body.name !== "string")
    throw linkError('"name" in the config must be a string')
  if (wrapped !== undefined && typeof body.name === "string" && body.name !== wrapped) {
    throw linkError(
      `the link names the server "${printable(wrapped)}" but its config says "${printable(body.name)}"`,
    )
  }
  const name = wrapped ?? (body.name as string | undefined)
  if (name === undefined)
    throw linkError(
      "the link does not name the server",
      'add name=NAME (or "name" inside the JSON for VS Code links)',
    )
  checkName(name)
  if (body.inputs !== undefined && parts.inputs !== undefined) throw linkError('"inputs" is given twice')
  const envDescriptions = { ...parts.envDescriptions, ...inputDescriptions(body.inputs ?? parts.inputs) }
  const entry: Record<string, unknown> = {}
  for (const [k, val] of Object.entries(body)) if (!META_KEYS.has(k)) entry[k] = val
  return { name, entry, server: checkEntry(entry), source: parts.source, envDescriptions }
}

/** Cursor's docs and many READMEs wrap the entry as {"NAME": {...}} or {"mcpServers": {"NAME": {...}}}. */
function unwrap(
  config: Record<string, unknown>,
  name: string | undefined,
): { name?: string; body: Record<string, unknown> } {
  const keys = Object.keys(config)
  if (keys.length !== 1) return { name, body: config }
  const key = keys[0] as string
  const inner = config[key]
  if (!isPlainObject(inner)) return { name, body: config }
  if (WRAPPER_KEYS.has(key)) {
    if (Object.keys(inner).length !== 1) throw linkError(`"${key}" in a link must hold exactly one server`)
    return unwrap(inner, name)
  }
  if (KNOWN_SERVER_KEYS.has(key) || META_KEYS.has(key)) return { name, body: config }
  if (name !== undefined && key !== name) {
    throw linkError(`the link names the server "${printable(name)}" but its config holds "${printable(key)}"`)
  }
  return { name: key, body: inner }
}

function inputDescriptions(inputs: unknown): Record<string, string> {
  if (inputs === undefined) return {}
  const r = v.safeParse(v.pipe(v.array(InputFile), v.maxLength(MAX_INPUTS)), inputs)
  if (!r.success)
    throw linkError(`"inputs" must be a list of {"id", "description"} objects (at most ${MAX_INPUTS})`)
  const out: Record<string, string> = {}
  for (const input of r.output) out[inputVariableName(input.id)] = input.description ?? input.id
  return out
}

/** Validates one file-form entry the way the loader does; returns the canonical server. */
export function checkEntry(entry: Record<string, unknown>): ServerConfig {
  rejectUnknownKeys(entry)
  const parsed = v.safeParse(ServerFile, entry)
  if (!parsed.success) {
    const issue = parsed.issues.reduce((a, b) => ((b.path?.length ?? 0) > (a.path?.length ?? 0) ? b : a))
    const path = fieldLabel((issue.path ?? []).map((p) => p.key as string | number))
    const expected = issue.expected ? `expected ${issue.expected.replace(/"/g, "")}` : issue.message
    throw linkError(`config field "${path}": ${expected}, got ${issue.received}`)
  }
  const normalized = normalizeServer(parsed.output)
  if (!normalized.ok) {
    const p = normalized.problem
    throw linkError(`config field "${p.field}" ${p.message}`, p.hint)
  }
  const server = normalized.server
  checkTemplates(server, (field, message, hint) => {
    throw linkError(`config field "${fieldLabel(field)}": ${message}`, hint)
  })
  if (server.transport !== "stdio") checkUrlScheme(server.url)
  return server
}

function rejectUnknownKeys(entry: Record<string, unknown>): void {
  // I22: only `agent install NAME` records a registry origin; a link claiming one is refused.
  if (Object.hasOwn(entry, "registry"))
    throw linkError('"registry" is set by agent install NAME only', "a link may not claim a registry origin")
  for (const key of Object.keys(entry)) {
    if (!KNOWN_SERVER_KEYS.has(key)) {
      throw linkError(
        `unknown key "${printable(key)}" in the server config`,
        "a link may only carry the fields of one mcp.json server entry",
      )
    }
  }
  if (isPlainObject(entry.oauth)) {
    for (const key of Object.keys(entry.oauth)) {
      if (!KNOWN_OAUTH_KEYS.has(key))
        throw linkError(`unknown key "oauth.${printable(key)}" in the server config`)
    }
  }
}

/** `https://${HOST}/mcp` is fine (the approval names the variable); `${URL}` could be file: or anything. */
function checkUrlScheme(url: string): void {
  const first = parseTemplate(url)[0]
  if (first?.type !== "text" || !/^https?:\/\//i.test(first.value)) {
    throw linkError(
      `the url "${printable(url, 80)}" is not an http(s) URL`,
      "a link must spell out http:// or https://",
    )
  }
}
