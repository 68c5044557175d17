import { isAbsolute, join } from "node:path"
import { ConfigError } from "../util/errors.ts"
import { isObject, type Peer } from "./import-convert.ts"
import { readConfigText } from "./json-file.ts"
import { readJsonFile } from "./json.ts"

// The peers whose servers are not an `mcpServers`-style JSON map, or whose values are literal
// (issue 15): where their files are, how to read them (TOML and YAML parsers load only here, on
// an import), and how one native entry becomes the common shape convertServer() knows.

export interface SourceEnv {
  home: string
  cwd: string
  platform?: NodeJS.Platform
  env?: Record<string, string | undefined>
}

export interface NativeSource {
  file: string
  scope: "user" | "project"
  path: string[]
}

/** Where each of these peers keeps its servers. Antigravity's paths come from third-party notes. */
export function nativeSources(peer: Peer, env: SourceEnv): NativeSource[] {
  const { home, cwd } = env
  const platform = env.platform ?? process.platform
  const xdg = configHome(env)
  const appData = env.env?.APPDATA ?? join(home, "AppData", "Roaming")
  const user = (file: string, key: string): NativeSource => ({ file, scope: "user", path: [key] })
  const project = (rel: string, key: string): NativeSource => ({
    file: join(cwd, rel),
    scope: "project",
    path: [key],
  })
  switch (peer) {
    case "codex": {
      const codexHome = env.env?.CODEX_HOME
      const dir = codexHome && isAbsolute(codexHome) ? codexHome : join(home, ".codex")
      return [user(join(dir, "config.toml"), "mcp_servers"), project(".codex/config.toml", "mcp_servers")]
    }
    case "goose":
      return [
        user(
          platform === "win32"
            ? join(appData, "Block", "goose", "config", "config.yaml")
            : join(xdg, "goose", "config.yaml"),
          "extensions",
        ),
      ]
    case "antigravity":
      return [
        user(join(home, ".gemini", "antigravity", "mcp_config.json"), "mcpServers"),
        user(join(home, ".gemini", "antigravity-cli", "mcp_config.json"), "mcpServers"),
        project(join(".agents", "mcp_config.json"), "mcpServers"),
      ]
    case "claude-desktop":
      return [user(join(claudeDesktopDir(env), "claude_desktop_config.json"), "mcpServers")]
    case "windsurf":
      return [user(join(home, ".codeium", "windsurf", "mcp_config.json"), "mcpServers")]
    case "zed":
      return [
        user(
          platform === "win32" ? join(appData, "Zed", "settings.json") : join(xdg, "zed", "settings.json"),
          "context_servers",
        ),
        project(join(".zed", "settings.json"), "context_servers"),
      ]
    default:
      return []
  }
}

function configHome(env: SourceEnv): string {
  const xdg = env.env?.XDG_CONFIG_HOME
  return xdg && isAbsolute(xdg) ? xdg : join(env.home, ".config")
}

export function claudeDesktopDir(env: SourceEnv): string {
  const platform = env.platform ?? process.platform
  if (platform === "darwin") return join(env.home, "Library", "Application Support", "Claude")
  if (platform === "win32") return join(env.env?.APPDATA ?? join(env.home, "AppData", "Roaming"), "Claude")
  return join(configHome(env), "Claude")
}

export type PeerFormat = "json" | "toml" | "yaml"

export function peerFormat(peer: Peer, file: string): PeerFormat {
  if (peer === "codex" || /\.toml$/i.test(file)) return "toml"
  if (peer === "goose" || /\.ya?ml$/i.test(file)) return "yaml"
  return "json"
}

/** The parsed document; TOML and YAML parsers are imported here, so only an import loads them. */
export async function readPeerDoc(file: string, format: PeerFormat): Promise<unknown> {
  if (format === "json") return readJsonFile(file, { jsonc: true }).value
  const text = readConfigText(file)
  try {
    if (format === "toml") return (await import("smol-toml")).parse(text)
    return (await import("yaml")).parse(text, { maxAliasCount: 100 })
  } catch (e: unknown) {
    const why = e instanceof Error ? e.message.split("\n")[0] : String(e)
    throw new ConfigError(`${file}: not valid ${format.toUpperCase()}: ${why}`, { file, cause: e })
  }
}

/** Peers that never expand `${VAR}`: their `$`, `%` and `{env:` are literal, so ours are escaped. */
const LITERAL_PEERS: Peer[] = ["codex", "goose", "zed", "claude-desktop"]

export type Native = { raw: Record<string, unknown>; notes: string[] } | { reason: string }

/** One native entry in the common shape (command/args/env/url/headers/…), or why it is skipped. */
export function nativeToCommon(peer: Peer, native: Record<string, unknown>): Native {
  const notes: string[] = []
  let raw = native
  if (LITERAL_PEERS.includes(peer)) {
    // Before any ${VAR} of our own is added (env_vars, env_keys…): only the peer's text is literal.
    const escaped = escapeLiterals(native)
    raw = escaped.entry
    if (escaped.changed)
      notes.push(`${peerLabel(peer)} does not expand variables: "$", "%" and "{env:" kept literal (escaped)`)
  }
  const out =
    peer === "codex"
      ? fromCodex(raw, notes)
      : peer === "goose"
        ? fromGoose(raw, notes)
        : peer === "zed"
          ? fromZed(raw, notes)
          : { ...raw }
  if (isSkip(out)) return { reason: out.reason }
  return { raw: out, notes }
}

function isSkip(x: Record<string, unknown> | { reason: string }): x is { reason: string } {
  return Object.keys(x).length === 1 && typeof x.reason === "string"
}

function peerLabel(peer: Peer): string {
  return { codex: "Codex", goose: "Goose", zed: "Zed", "claude-desktop": "Claude Desktop" }[peer as "codex"]
}

/** Codex `[mcp_servers.NAME]` (Codex's own config reference, its MCP section). */
function fromCodex(raw: Record<string, unknown>, notes: string[]): Record<string, unknown> {
  const {
    env_vars,
    bearer_token_env_var,
    http_headers,
    env_http_headers,
    startup_timeout_sec,
    startup_timeout_ms,
    tool_timeout_sec,
    ...rest
  } = raw
  const out: Record<string, unknown> = { ...rest }
  const refs: Record<string, string> = {}
  if (Array.isArray(env_vars)) {
    for (const k of env_vars) if (typeof k === "string") refs[k] = `\${${k}}`
    notes.push(`env_vars → env ${Object.keys(refs).join(", ")} as \${VAR} references`)
  }
  if (Object.keys(refs).length > 0) out.env = { ...refs, ...(isObject(out.env) ? out.env : {}) }
  if (out.url !== undefined && out.command === undefined) {
    out.type = "http"
    const headers: Record<string, unknown> = { ...(isObject(http_headers) ? http_headers : {}) }
    if (http_headers !== undefined) notes.push("http_headers → headers")
    if (isObject(env_http_headers)) {
      for (const [h, v] of Object.entries(env_http_headers)) headers[h] = `\${${String(v)}}`
      notes.push("env_http_headers → headers with ${VAR} references")
    }
    if (typeof bearer_token_env_var === "string") {
      headers.Authorization = `Bearer \${${bearer_token_env_var}}`
      notes.push(`bearer_token_env_var → headers.Authorization "Bearer \${${bearer_token_env_var}}"`)
    }
    if (Object.keys(headers).length > 0) out.headers = headers
  }
  if (typeof tool_timeout_sec === "number") {
    out.timeout = Math.round(tool_timeout_sec * 1000)
    notes.push("tool_timeout_sec → timeout (milliseconds)")
  }
  if (startup_timeout_sec !== undefined || startup_timeout_ms !== undefined)
    notes.push("startup timeout dropped: agent uses one connect timeout (--connect-timeout) for all servers")
  return out
}

const GOOSE_SKIPPED = ["builtin", "platform", "frontend", "inline_python"]

/** Goose `extensions:` entries (type stdio / sse / streamable_http). */
function fromGoose(
  raw: Record<string, unknown>,
  notes: string[],
): Record<string, unknown> | { reason: string } {
  const {
    type,
    name: _name,
    cmd,
    uri,
    envs,
    env_keys,
    timeout,
    available_tools,
    bundled: _b,
    display_name: _d,
    ...rest
  } = raw
  if (typeof type === "string" && GOOSE_SKIPPED.includes(type))
    return { reason: `a Goose ${type} extension runs inside Goose; there is no server to import` }
  const out: Record<string, unknown> = {}
  if (type === "stdio" || cmd !== undefined) {
    out.command = cmd
    if (rest.args !== undefined) out.args = rest.args
    delete rest.args
  } else {
    if (type === "sse") out.type = "sse"
    else if (type === "streamable_http") out.type = "http"
    else if (type !== undefined) out.type = type
    out.url = uri
    if (rest.headers !== undefined) out.headers = rest.headers
    delete rest.headers
  }
  const env: Record<string, unknown> = {}
  if (Array.isArray(env_keys)) {
    for (const k of env_keys) if (typeof k === "string") env[k] = `\${${k}}`
    if (env_keys.length > 0)
      notes.push("env_keys → env with ${VAR} references (Goose read them from its keyring or environment)")
  }
  if (isObject(envs)) {
    // YAML reads `PORT: 8080` as a number; the environment only has strings.
    for (const [k, v] of Object.entries(envs))
      env[k] = typeof v === "number" || typeof v === "boolean" ? String(v) : v
  }
  if (Object.keys(env).length > 0) out.env = env
  if (typeof timeout === "number") {
    out.timeout = timeout * 1000
    notes.push("timeout (seconds) → timeout (milliseconds)")
  }
  if (available_tools !== undefined) {
    out.includeTools = available_tools
    notes.push("available_tools → includeTools")
  }
  return { ...out, ...rest }
}

/** Zed `context_servers`: `command: {path, args, env}` (older), or flat command/args/env or url/headers. */
function fromZed(
  raw: Record<string, unknown>,
  notes: string[],
): Record<string, unknown> | { reason: string } {
  const { source, settings, command, ...rest } = raw
  if (command === undefined && rest.url === undefined) {
    return {
      reason: `provided by a Zed extension${source === "extension" ? "" : " (no command or url)"}; install its server in agent directly`,
    }
  }
  const out: Record<string, unknown> = { ...rest }
  if (isObject(command)) {
    out.command = command.path
    if (command.args !== undefined) out.args = command.args
    if (command.env !== undefined) out.env = command.env
    notes.push("command { path, args, env } → command, args, env")
  } else if (command !== undefined) {
    out.command = command
  }
  // Zed writes `"env": {}` for a server without variables; nothing to carry over.
  if (isObject(out.env) && Object.keys(out.env).length === 0) delete out.env
  if (settings !== undefined && !(isObject(settings) && Object.keys(settings).length === 0))
    notes.push("settings dropped: they configure a Zed extension, not the server")
  return out
}

// Native fields that hold text the peer passes on as is (not the names in env_vars / env_keys).
const LITERAL_FIELDS = [
  "command",
  "args",
  "env",
  "cwd",
  "url",
  "headers",
  "cmd",
  "envs",
  "uri",
  "http_headers",
]

/** `$` → `$$`, `%` → `%%`, `{env:` → `\\{env:` in the peer's literal text, so ours reads it back unchanged. */
function escapeLiterals(native: Record<string, unknown>): {
  entry: Record<string, unknown>
  changed: boolean
} {
  let changed = false
  const esc = (s: string): string => {
    const r = s
      .replace(/(\\*)\{env:/g, (_m, bs: string) => `${bs}${bs}\\{env:`)
      .replace(/\$/g, "$$$$")
      .replace(/%/g, "%%")
    if (r !== s) changed = true
    return r
  }
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return esc(v)
    if (Array.isArray(v)) return v.map(walk)
    if (!isObject(v)) return v
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
  }
  const entry = { ...native }
  for (const f of LITERAL_FIELDS) if (entry[f] !== undefined) entry[f] = walk(entry[f])
  return { entry, changed }
}
