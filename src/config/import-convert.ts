import { inputVariableName } from "./interpolate.ts"
import { peerToolGlobs } from "./normalize.ts"
import { INTERPOLATED_FIELDS } from "./schema.ts"

// One peer server entry → our canonical file form. Nothing is dropped silently: every field is
// either translated (with a note when the meaning shifts) or carried over verbatim, so a later
// version that understands it still finds it.

export type Peer =
  | "claude"
  | "cursor"
  | "vscode"
  | "kiro"
  | "gemini"
  | "opencode"
  | "codex"
  | "goose"
  | "antigravity"
  | "claude-desktop"
  | "windsurf"
  | "zed"

export interface ConvertContext {
  peer: Peer
  /** Replaces VS Code / Cursor `${workspaceFolder}` (a literal: we have no such variable). */
  workspaceFolder: string
  /** `${input:id}` descriptions from the same file, by id. */
  inputs: Map<string, { description?: string; password?: boolean }>
  /** opencode's top-level `tools` (globs on `server_tool` → enabled), for this server's filters. */
  toolGlobs?: Record<string, unknown>
  serverName?: string
}

export interface Converted {
  entry: Record<string, unknown>
  notes: string[]
  /** `${input:id}` ids the entry used. */
  inputsUsed: string[]
}

const REMOTE_TYPES: Record<string, string | undefined> = {
  http: "http",
  "streamable-http": "http",
  streamableHttp: "http",
  streamable_http: "http",
  sse: "sse",
  remote: undefined,
}

// Fields translated below; anything else is carried over as is.
const HANDLED = new Set([
  "type",
  "command",
  "args",
  "env",
  "environment",
  "cwd",
  "envFile",
  "url",
  "httpUrl",
  "serverUrl",
  "headers",
  "oauth",
  "auth",
  "oauthScopes",
  "disabled",
  "enabled",
  "autoApprove",
  "trust",
  "disabledTools",
  "disabled_tools",
  "excludeTools",
  "includeTools",
  "enabled_tools",
  "timeout",
  "required",
  "description",
])

export function convertServer(raw: Record<string, unknown>, ctx: ConvertContext): Converted {
  const notes: string[] = []
  const out: Record<string, unknown> = {}
  const isLocal = raw.command !== undefined
  convertTransport(raw, out, notes, ctx.peer, isLocal)
  convertAuth(raw, out, notes)
  convertCommon(raw, out, notes)
  if (ctx.toolGlobs) convertToolGlobs(ctx.serverName ?? "", ctx.toolGlobs, out, notes)
  for (const [k, v] of Object.entries(raw)) {
    if (HANDLED.has(k) || k === "__proto__") continue
    out[k] = v
    notes.push(`kept unknown field "${k}" as is (loads with a warning)`)
  }
  const inputsUsed = rewriteStrings(out, ctx, notes)
  return { entry: out, notes, inputsUsed }
}

function convertTransport(
  raw: Record<string, unknown>,
  out: Record<string, unknown>,
  notes: string[],
  peer: Peer,
  isLocal: boolean,
) {
  const type = raw.type
  if (isLocal) {
    // stdio is implied by a command; keep any other type so validation reports the conflict.
    if (type !== undefined && type !== "stdio" && type !== "local") out.type = type
    if (Array.isArray(raw.command) && raw.command.length > 0) {
      out.command = raw.command[0]
      const rest = raw.command.slice(1)
      out.args = [...rest, ...(Array.isArray(raw.args) ? raw.args : [])]
      notes.push("split the command array into command + args")
    } else {
      out.command = raw.command
      if (raw.args !== undefined) out.args = raw.args
    }
    mergeEnv(raw, out, notes)
    if (raw.cwd !== undefined) out.cwd = raw.cwd
    if (raw.envFile !== undefined) out.envFile = raw.envFile
    return
  }
  const url = raw.httpUrl ?? raw.url ?? raw.serverUrl
  if (typeof type === "string" && type in REMOTE_TYPES) {
    const mapped = REMOTE_TYPES[type]
    if (mapped) out.type = mapped
    else notes.push(`type "${type}" means Streamable HTTP with SSE fallback: no type written`)
  } else if (type !== undefined && type !== "stdio") {
    out.type = type
  } else if (raw.httpUrl !== undefined) {
    out.type = "http"
    notes.push("httpUrl → url with type http")
  } else if (peer === "gemini" && raw.url !== undefined) {
    // Gemini CLI: `url` is the legacy SSE transport, `httpUrl` Streamable HTTP.
    out.type = "sse"
    notes.push('Gemini "url" is SSE → type sse')
  }
  if (url !== undefined) out.url = url
  for (const k of ["httpUrl", "url", "serverUrl"] as const) {
    if (raw[k] !== undefined && raw[k] !== url)
      notes.push(`dropped ${k} ${JSON.stringify(raw[k])}: the peer uses the other url field`)
  }
  if (raw.serverUrl !== undefined && raw.serverUrl === url) notes.push("serverUrl → url")
  if (raw.headers !== undefined) out.headers = raw.headers
  if (raw.env !== undefined || raw.environment !== undefined) mergeEnv(raw, out, notes)
}

function mergeEnv(raw: Record<string, unknown>, out: Record<string, unknown>, notes: string[]) {
  if (raw.environment === undefined) {
    if (raw.env !== undefined) out.env = raw.env
    return
  }
  notes.push("environment → env")
  out.env =
    isObject(raw.environment) && isObject(raw.env)
      ? { ...raw.environment, ...raw.env }
      : (raw.env ?? raw.environment)
}

function convertAuth(raw: Record<string, unknown>, out: Record<string, unknown>, notes: string[]) {
  let oauth = raw.oauth
  if (isObject(raw.auth)) {
    // Cursor: auth { CLIENT_ID, CLIENT_SECRET, scopes }
    const { CLIENT_ID, CLIENT_SECRET, ...rest } = raw.auth
    oauth = {
      ...(isObject(oauth) ? oauth : {}),
      ...(CLIENT_ID !== undefined && { clientId: CLIENT_ID }),
      ...(CLIENT_SECRET !== undefined && { clientSecret: CLIENT_SECRET }),
      ...rest,
    }
    notes.push("auth { CLIENT_ID, CLIENT_SECRET } → oauth { clientId, clientSecret }")
  } else if (raw.auth !== undefined) {
    out.auth = raw.auth
  }
  if (raw.oauthScopes !== undefined) {
    if (oauth === undefined || (isObject(oauth) && oauth.scopes === undefined)) {
      oauth = { ...(isObject(oauth) ? oauth : {}), scopes: raw.oauthScopes }
      notes.push("oauthScopes → oauth.scopes")
    } else {
      out.oauthScopes = raw.oauthScopes
    }
  }
  if (oauth !== undefined) out.oauth = oauth
}

function convertCommon(raw: Record<string, unknown>, out: Record<string, unknown>, notes: string[]) {
  if (raw.disabled === true || raw.enabled === false) out.disabled = true
  else if (raw.disabled !== undefined && typeof raw.disabled !== "boolean") out.disabled = raw.disabled
  if (raw.enabled === false) notes.push("enabled: false → disabled: true")
  if (raw.enabled !== undefined && typeof raw.enabled !== "boolean") out.enabled = raw.enabled
  let autoApprove = raw.autoApprove === true ? ["*"] : raw.autoApprove === false ? undefined : raw.autoApprove
  if (raw.autoApprove === true) notes.push('autoApprove: true → ["*"]')
  if (raw.trust === true) {
    autoApprove = ["*"]
    notes.push('trust: true → autoApprove ["*"]: every tool of this server runs without asking')
  } else if (raw.trust !== undefined && typeof raw.trust !== "boolean") {
    out.trust = raw.trust
  }
  if (autoApprove !== undefined) out.autoApprove = autoApprove
  convertFilters(raw, out, notes)
  for (const k of ["timeout", "required", "description"] as const) {
    if (raw[k] !== undefined) out[k] = raw[k]
  }
}

/**
 * The tool filters under our names (issue 14): Kiro's disabledTools and Codex's disabled_tools
 * are excludeTools, Codex's enabled_tools is includeTools. Two spellings of one list are merged.
 */
function convertFilters(raw: Record<string, unknown>, out: Record<string, unknown>, notes: string[]) {
  const lists = [
    ["includeTools", ["includeTools", "enabled_tools"]],
    ["excludeTools", ["excludeTools", "disabledTools", "disabled_tools"]],
  ] as const
  for (const [canonical, spellings] of lists) {
    const given = spellings.filter((k) => raw[k] !== undefined)
    if (given.length === 0) continue
    const values = given.map((k) => raw[k])
    out[canonical] = values.every(Array.isArray) ? [...new Set(values.flatMap(asList))] : values[0]
    for (const k of given) if (k !== canonical) notes.push(`${k} → ${canonical}`)
  }
}

/** opencode's top-level tool switches that name this server → its excludeTools (normalize.ts). */
function convertToolGlobs(
  server: string,
  switches: Record<string, unknown>,
  out: Record<string, unknown>,
  notes: string[],
) {
  const hidden = peerToolGlobs(server, switches)
  if (hidden.length === 0) return
  out.excludeTools = [...new Set([...asList(out.excludeTools), ...hidden])]
  notes.push(`opencode "tools" switches → excludeTools ${hidden.map((g) => JSON.stringify(g)).join(", ")}`)
}

/** `${input:id}` → `${ID}`, `${userHome}` → `${HOME}`, `${workspaceFolder}` → the folder, Gemini `$VAR` → `${VAR}`. */
function rewriteStrings(out: Record<string, unknown>, ctx: ConvertContext, notes: string[]): string[] {
  const used = new Set<string>()
  const seen = new Set<string>()
  const note = (s: string) => {
    if (!seen.has(s)) notes.push(s)
    seen.add(s)
  }
  const fix = (s: string): string => {
    let r = s.replace(/\$\{input:([^}]+)\}/g, (_m, id: string) => {
      const name = inputVariableName(id)
      used.add(id)
      const info = ctx.inputs.get(id)
      const desc = info?.description ? ` (${info.description}${info.password ? ", secret" : ""})` : ""
      note(`\${input:${id}} → \${${name}}${desc}: set ${name} in the environment and approve it`)
      return `\${${name}}`
    })
    if (ctx.peer === "vscode" || ctx.peer === "cursor") {
      r = r.replace(/\$\{userHome\}/g, () => (note("${userHome} → ${HOME}"), "${HOME}"))
      r = r.replace(
        /\$\{workspaceFolder\}/g,
        () => (note(`\${workspaceFolder} → ${ctx.workspaceFolder}`), ctx.workspaceFolder),
      )
    }
    if (ctx.peer === "gemini") {
      // Gemini expands bare $VAR; we only expand ${VAR} (a bare $ would be an error).
      r = r.replace(/(^|[^$\\])\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, pre: string, name: string) => {
        note(`$${name} → \${${name}}`)
        return `${pre}\${${name}}`
      })
    }
    return r
  }
  for (const field of INTERPOLATED_FIELDS) {
    if (out[field] !== undefined) out[field] = mapStrings(out[field], fix)
  }
  return [...used]
}

function mapStrings(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === "string") return fn(value)
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn))
  if (!isObject(value)) return value
  const o: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) if (k !== "__proto__") o[k] = mapStrings(v, fn)
  return o
}

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : []
}

export function isObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === "object" && !Array.isArray(x)
}
