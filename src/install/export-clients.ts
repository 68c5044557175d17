import { parseTemplate } from "../config/index.ts"
import { CLIENTS, type ExportClient } from "./export-list.ts"

export { CLIENTS, EXPORT_CLIENTS, type ExportClient } from "./export-list.ts"

// `agent mcp export --to CLIENT` (issue 15): one of agent's servers, in its file form
// (toFileEntry), as the other client writes it. Nothing here reads a file or a variable.
// I18: a `${VAR}` reference is written in the client's own reference syntax, or, where the client
// has none, the server is refused (with --proxy as the way out); never a resolved value.

export type Native = { entry: Record<string, unknown>; notes: string[] } | Refusal
export interface Refusal {
  refused: string
  hint: string
}

const PROXY_HINT = "export it with --proxy: the client then runs `agent mcp proxy NAME` and agent keeps it"

export function isRefusal(x: Native): x is Refusal {
  return "refused" in x
}

/** `{command: agent, args: [mcp, proxy, NAME]}` in the client's shape. */
export function proxyEntry(client: ExportClient, name: string, argv: string[]): Record<string, unknown> {
  const [command, ...args] = argv
  if (client === "vscode") return { type: "stdio", command, args }
  if (client === "zed") return { source: "custom", command, args }
  if (client === "goose") return gooseStdio(name, command!, args, {}, [], 300)
  return { command, args }
}

/** The server as the client writes it, or why it cannot be (a reference, filter or field it lacks). */
export function toClient(client: ExportClient, name: string, e: Record<string, unknown>): Native {
  const notes: string[] = []
  const label = CLIENTS[client].label
  const unsupported = Object.keys(e).filter((k) => !HANDLED.has(k))
  if (unsupported.length > 0)
    return refuse(`${unsupported.join(", ")}: agent-only settings another client cannot hold`)
  if (e.oauth !== undefined) return refuse("its sign-in settings (oauth) stay in agent")
  if (e.autoApprove !== undefined) notes.push("autoApprove not exported: the client asks in its own way")
  for (const k of ["roots", "protocolVersion", "required", "maxOutputTokens"] as const)
    if (e[k] !== undefined) notes.push(`${k} not exported: agent-only`)
  const vars = referencedNames(e)
  if (vars.length > 0)
    notes.push(
      `${label} reads ${vars.join(", ")} from its own environment (a desktop app may not see your shell's; --proxy avoids that)`,
    )
  if (client === "codex") return toCodex(e, notes)
  if (client === "goose") return toGoose(name, e, notes)
  const transport = e.command !== undefined ? jsonStdio(client, e) : jsonRemote(client, e, notes)
  if (isRefusal(transport)) return transport
  const out = transport.entry
  const filters = jsonFilters(client, e, out)
  if (filters) return filters
  if (e.timeout !== undefined) notes.push(`timeout not exported: ${CLIENTS[client].label} has its own`)
  return { entry: out, notes }
}

/** command/args/env for the JSON clients (VS Code adds type, Zed source). */
function jsonStdio(client: ExportClient, e: Record<string, unknown>): Native {
  const label = CLIENTS[client].label
  if (e.cwd !== undefined) return refuse(`${label} has no working-directory setting (cwd)`)
  const out: Record<string, unknown> = {}
  if (client === "vscode") out.type = "stdio"
  if (client === "zed") out.source = "custom"
  const mapped = mapStrings({ command: e.command, args: e.args, env: e.env }, REF_STYLE[client], label)
  if ("refused" in mapped) return mapped
  return { entry: { ...out, ...dropUndefined(mapped.value) }, notes: [] }
}

/** url (Windsurf and Antigravity: serverUrl) and headers for the JSON clients. */
function jsonRemote(client: ExportClient, e: Record<string, unknown>, notes: string[]): Native {
  const label = CLIENTS[client].label
  if (client === "claude-desktop")
    return refuse("Claude Desktop's config file runs local commands only (remote servers are its connectors)")
  const mapped = mapStrings({ url: e.url, headers: e.headers }, REF_STYLE[client], label)
  if ("refused" in mapped) return mapped
  const out: Record<string, unknown> = {}
  if (client === "claude" || client === "vscode") {
    if (e.type === undefined) notes.push("no type in agent (Streamable HTTP, then SSE): written as type http")
    out.type = e.type ?? "http"
  } else if (e.type === "sse" && (client === "zed" || client === "antigravity")) {
    // Cursor and Windsurf tell SSE from Streamable HTTP themselves; Zed's and Antigravity's SSE is undocumented.
    return refuse(`${label} is not known to speak legacy SSE`)
  }
  if (client === "zed") out.source = "custom"
  out[client === "windsurf" || client === "antigravity" ? "serverUrl" : "url"] = mapped.value.url
  if (mapped.value.headers !== undefined) out.headers = mapped.value.headers
  return { entry: out, notes: [] }
}

const HANDLED = new Set([
  "command",
  "args",
  "env",
  "cwd",
  "type",
  "url",
  "headers",
  "oauth",
  "disabled",
  "autoApprove",
  "roots",
  "includeTools",
  "excludeTools",
  "timeout",
  "protocolVersion",
  "required",
  "description",
  "maxOutputTokens",
])

function refuse(why: string, hint = PROXY_HINT): Refusal {
  return { refused: why, hint }
}

/** Tool filters: only Windsurf's disabledTools (exact names) among the JSON clients. */
function jsonFilters(client: ExportClient, e: Record<string, unknown>, out: Record<string, unknown>) {
  const label = CLIENTS[client].label
  const include = e.includeTools as string[] | undefined
  const exclude = e.excludeTools as string[] | undefined
  if (client === "windsurf" && exclude && !include) {
    if (exclude.some(isGlob)) return refuse("Windsurf's disabledTools takes exact tool names, not globs")
    out.disabledTools = exclude
    return undefined
  }
  if (include || exclude)
    return refuse(
      `${label} has no per-server tool filter: every tool would be offered (includeTools/excludeTools)`,
    )
  return undefined
}

function isGlob(s: string): boolean {
  return /[*?]/.test(s)
}

type RefStyle = "dollar" | "env-colon" | "none"
const REF_STYLE: Record<ExportClient, RefStyle> = {
  // Claude Code expands ${VAR} and ${VAR:-default} in .mcp.json and ~/.claude.json.
  claude: "dollar",
  cursor: "env-colon",
  vscode: "env-colon",
  windsurf: "env-colon",
  // Undocumented for Antigravity (issue 15): treated as literal, so references are refused.
  antigravity: "none",
  zed: "none",
  "claude-desktop": "none",
  codex: "none",
  goose: "none",
}

/** Every string of `value` in the client's reference syntax, or a refusal naming the first that cannot be. */
function mapStrings<T>(value: T, style: RefStyle, label: string): { value: T } | Refusal {
  let refusal: Refusal | undefined
  const fix = (s: string): string => {
    const r = writeTemplate(s, style)
    if (typeof r === "string") return r
    refusal ??= refuse(`${r.why} (in ${JSON.stringify(s)}): ${label} ${r.lack}`)
    return s
  }
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return fix(v)
    if (Array.isArray(v)) return v.map(walk)
    if (v === null || typeof v !== "object") return v
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
  }
  const out = walk(value) as T
  return refusal ?? { value: out }
}

/** One of our templates in the client's syntax; text that the client would read as a reference is refused. */
export function writeTemplate(s: string, style: RefStyle): string | { why: string; lack: string } {
  let out = ""
  for (const seg of parseTemplate(s)) {
    if (seg.type === "text") {
      if (style !== "none" && /\$\{|\{env:/.test(seg.value))
        return { why: "literal text that looks like a reference", lack: "would expand it" }
      out += seg.value
      continue
    }
    const ref = seg.ref
    if (ref.kind === "input") return { why: `\${input:${ref.id}}`, lack: "cannot read VS Code inputs" }
    if (style === "none") return { why: `\${${ref.name}}`, lack: "does not expand environment variables" }
    if (ref.required !== undefined)
      return { why: `\${${ref.name}:?…}`, lack: "has no required-variable form" }
    if (ref.default !== undefined) {
      if (style !== "dollar") return { why: `\${${ref.name}:-…}`, lack: "has no default-value form" }
      out += `\${${ref.name}:-${ref.default}}`
      continue
    }
    out += style === "dollar" ? `\${${ref.name}}` : `\${env:${ref.name}}`
  }
  return out
}

/** The variables the entry's strings read, in order of first use. */
function referencedNames(e: Record<string, unknown>): string[] {
  const names = new Set<string>()
  const walk = (v: unknown): void => {
    if (typeof v === "string") {
      try {
        for (const seg of parseTemplate(v)) if (seg.type === "ref") names.add(seg.ref.name)
      } catch {
        // not a valid template: toClient's own mapping refuses it with the reason
      }
    } else if (Array.isArray(v)) v.forEach(walk)
    else if (v !== null && typeof v === "object") Object.values(v).forEach(walk)
  }
  for (const k of ["command", "args", "env", "cwd", "url", "headers"]) walk(e[k])
  return [...names]
}

/** The variable name when `s` is exactly one plain reference (`${NAME}`), else undefined. */
function soleRef(s: string): string | undefined {
  const segs = parseTemplate(s)
  const only = segs.length === 1 ? segs[0] : undefined
  if (only?.type !== "ref" || only.ref.kind !== "env") return undefined
  return only.ref.default === undefined && only.ref.required === undefined ? only.ref.name : undefined
}

/** Literal text (no reference), unescaped; undefined when `s` holds a reference. */
function literal(s: string): string | undefined {
  const r = writeTemplate(s, "none")
  return typeof r === "string" ? r : undefined
}

/**
 * Codex reads variables only by name: `env_vars` (passed through), `bearer_token_env_var`,
 * `env_http_headers` (Codex's own config reference, its MCP section). A reference anywhere else
 * has no Codex form.
 */
function toCodex(e: Record<string, unknown>, notes: string[]): Native {
  const out: Record<string, unknown> = {}
  if (e.command !== undefined) {
    const strings = [e.command, ...((e.args as string[]) ?? []), ...(e.cwd === undefined ? [] : [e.cwd])]
    const bad = (strings as string[]).find((s) => literal(s) === undefined)
    if (bad !== undefined)
      return refuse(`${JSON.stringify(bad)}: Codex does not expand variables in command, args or cwd`)
    out.command = literal(e.command as string)
    if (e.args !== undefined) out.args = (e.args as string[]).map((a) => literal(a)!)
    const env: Record<string, string> = {}
    const vars: string[] = []
    for (const [k, v] of Object.entries((e.env as Record<string, string>) ?? {})) {
      if (soleRef(v) === k) vars.push(k)
      else if (literal(v) !== undefined) env[k] = literal(v)!
      else
        return refuse(
          `env ${k}: Codex passes a variable on only under its own name (env_vars), not ${JSON.stringify(v)}`,
        )
    }
    if (Object.keys(env).length > 0) out.env = env
    if (vars.length > 0) out.env_vars = vars
    if (e.cwd !== undefined) out.cwd = literal(e.cwd as string)
  } else {
    if (e.type === "sse") return refuse("Codex speaks Streamable HTTP only, not legacy SSE")
    const url = literal(e.url as string)
    if (url === undefined) return refuse("Codex does not expand variables in url")
    out.url = url
    const headers = codexHeaders((e.headers as Record<string, string>) ?? {}, out)
    if (headers) return headers
  }
  const include = e.includeTools as string[] | undefined
  const exclude = e.excludeTools as string[] | undefined
  if ([...(include ?? []), ...(exclude ?? [])].some(isGlob))
    return refuse("Codex's enabled_tools/disabled_tools take exact tool names, not globs")
  if (include) out.enabled_tools = include
  if (exclude) out.disabled_tools = exclude
  if (typeof e.timeout === "number") out.tool_timeout_sec = Math.ceil(e.timeout / 1000)
  return { entry: out, notes }
}

function codexHeaders(headers: Record<string, string>, out: Record<string, unknown>): Refusal | undefined {
  const fixed: Record<string, string> = {}
  const fromEnv: Record<string, string> = {}
  for (const [h, v] of Object.entries(headers)) {
    const bearer = /^Bearer\s+(.*)$/i.exec(v)
    const token = bearer ? soleRef(bearer[1]!) : undefined
    if (h.toLowerCase() === "authorization" && token) out.bearer_token_env_var = token
    else if (soleRef(v)) fromEnv[h] = soleRef(v)!
    else if (literal(v) !== undefined) fixed[h] = literal(v)!
    else return refuse(`header ${h}: Codex reads a header from a variable only as its whole value`)
  }
  if (Object.keys(fixed).length > 0) out.http_headers = fixed
  if (Object.keys(fromEnv).length > 0) out.env_http_headers = fromEnv
  return undefined
}

/** Goose: literal `envs`, variables by name in `env_keys`, `available_tools` as the allow-list. */
function toGoose(name: string, e: Record<string, unknown>, notes: string[]): Native {
  if (e.excludeTools !== undefined) return refuse("Goose has no per-extension deny list (excludeTools)")
  const include = e.includeTools as string[] | undefined
  if (include?.some(isGlob)) return refuse("Goose's available_tools takes exact tool names, not globs")
  const timeout = typeof e.timeout === "number" ? Math.ceil(e.timeout / 1000) : undefined
  const envs: Record<string, string> = {}
  const keys: string[] = []
  for (const [k, v] of Object.entries((e.env as Record<string, string>) ?? {})) {
    if (soleRef(v) === k) keys.push(k)
    else if (literal(v) !== undefined) envs[k] = literal(v)!
    else return refuse(`env ${k}: Goose reads a variable only under its own name (env_keys)`)
  }
  let out: Record<string, unknown>
  if (e.command !== undefined) {
    const strings = [e.command, ...((e.args as string[]) ?? [])] as string[]
    const bad = strings.find((s) => literal(s) === undefined)
    if (bad !== undefined)
      return refuse(`${JSON.stringify(bad)}: Goose does not expand variables in cmd or args`)
    if (e.cwd !== undefined) return refuse("Goose has no working-directory setting (cwd)")
    out = gooseStdio(
      name,
      literal(e.command as string)!,
      strings.slice(1).map((s) => literal(s)!),
      envs,
      keys,
      timeout,
    )
  } else {
    const url = literal(e.url as string)
    if (url === undefined) return refuse("Goose does not expand variables in uri")
    const headers: Record<string, string> = {}
    for (const [h, v] of Object.entries((e.headers as Record<string, string>) ?? {})) {
      if (literal(v) === undefined) return refuse(`header ${h}: Goose headers are literal`)
      headers[h] = literal(v)!
    }
    out = {
      enabled: true,
      type: e.type === "sse" ? "sse" : "streamable_http",
      name,
      uri: url,
      ...(Object.keys(headers).length > 0 && { headers }),
      envs,
      env_keys: keys,
      ...(timeout !== undefined && { timeout }),
    }
    if (e.type === undefined) notes.push("no type in agent: written as streamable_http")
  }
  if (include) out.available_tools = include
  if (typeof e.description === "string") out.description = e.description
  return { entry: out, notes }
}

function gooseStdio(
  name: string,
  cmd: string,
  args: string[],
  envs: Record<string, string>,
  keys: string[],
  timeout: number | undefined,
): Record<string, unknown> {
  const out = { enabled: true, type: "stdio", name, cmd, args, envs, env_keys: keys }
  return timeout === undefined ? out : { ...out, timeout }
}

function dropUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))
}
