import { existsSync } from "node:fs"
import { basename, dirname, isAbsolute, join, resolve } from "node:path"
import { AgentError, UsageError } from "../util/errors.ts"
import { convertServer, isObject, type Peer } from "./import-convert.ts"
import { nativeSources, nativeToCommon, peerFormat, readPeerDoc } from "./import-native.ts"
import { inputVariableName } from "./interpolate.ts"
import { parseConfigValue } from "./load.ts"

// Where each peer keeps its MCP servers (PEERS.md) and how to read them. Domain code: returns
// what it found; the CLI decides what to print and where to write.

export type { Peer } from "./import-convert.ts"
export { PEERS } from "./peers.ts"

export interface PeerSource {
  file: string
  scope: "user" | "project"
  /** Key path to the object holding the servers, e.g. ["projects", "/repo", "mcpServers"]. */
  path: string[]
}

export interface PeerEnv {
  home: string
  cwd: string
  platform?: NodeJS.Platform
  /** For APPDATA (Windows) and XDG_CONFIG_HOME (opencode). */
  env?: Record<string, string | undefined>
}

export interface ImportedServer {
  name: string
  /** `file` or `file#projects./repo.mcpServers`. */
  source: string
  entry: Record<string, unknown>
  notes: string[]
}

export interface SkippedServer {
  name: string
  source: string
  reason: string
}

export interface ImportedInput {
  id: string
  variable: string
  description?: string
  isPassword: boolean
}

export interface PeerImport {
  peer: Peer
  /** Every file looked at, and whether it existed. */
  files: { file: string; exists: boolean }[]
  servers: ImportedServer[]
  skipped: SkippedServer[]
  inputs: ImportedInput[]
}

const SERVERS_KEY: Record<Peer, string> = {
  claude: "mcpServers",
  cursor: "mcpServers",
  vscode: "servers",
  kiro: "mcpServers",
  gemini: "mcpServers",
  opencode: "mcp",
  codex: "mcp_servers",
  goose: "extensions",
  antigravity: "mcpServers",
  "claude-desktop": "mcpServers",
  windsurf: "mcpServers",
  zed: "context_servers",
}

/** The peer's default files, lowest precedence first (user, then project). */
export function peerSources(peer: Peer, env: PeerEnv): PeerSource[] {
  const { home, cwd } = env
  const user = (file: string, path = [SERVERS_KEY[peer]]): PeerSource => ({ file, scope: "user", path })
  const project = (rel: string): PeerSource => ({
    file: join(cwd, rel),
    scope: "project",
    path: [SERVERS_KEY[peer]],
  })
  switch (peer) {
    case "claude":
      return [
        user(join(home, ".claude.json")),
        // `claude mcp add` (local scope) stores servers per project inside ~/.claude.json
        user(join(home, ".claude.json"), ["projects", cwd, "mcpServers"]),
        project(".mcp.json"),
      ]
    case "cursor":
      return [user(join(home, ".cursor", "mcp.json")), project(join(".cursor", "mcp.json"))]
    case "vscode":
      return [user(join(vscodeUserDir(env), "mcp.json")), project(join(".vscode", "mcp.json"))]
    case "kiro":
      return [
        user(join(home, ".kiro", "settings", "mcp.json")),
        project(join(".kiro", "settings", "mcp.json")),
      ]
    case "gemini":
      return [user(join(home, ".gemini", "settings.json")), project(join(".gemini", "settings.json"))]
    case "opencode": {
      const xdg = env.env?.XDG_CONFIG_HOME
      const dir = join(xdg && isAbsolute(xdg) ? xdg : join(home, ".config"), "opencode")
      return [
        user(join(dir, "opencode.json")),
        user(join(dir, "opencode.jsonc")),
        project("opencode.json"),
        project("opencode.jsonc"),
      ]
    }
    default:
      return nativeSources(peer, env)
  }
}

function vscodeUserDir(env: PeerEnv): string {
  const platform = env.platform ?? process.platform
  if (platform === "darwin") return join(env.home, "Library", "Application Support", "Code", "User")
  if (platform === "win32")
    return join(env.env?.APPDATA ?? join(env.home, "AppData", "Roaming"), "Code", "User")
  return join(env.env?.XDG_CONFIG_HOME ?? join(env.home, ".config"), "Code", "User")
}

/**
 * Reads the peer's servers from `file` (any of the peer's keys) or from its default
 * locations. A later source replaces an earlier one by name, as the peers themselves do.
 */
export async function importFromPeer(peer: Peer, env: PeerEnv, file?: string): Promise<PeerImport> {
  const sources: PeerSource[] = file
    ? [{ file: isAbsolute(file) ? file : resolve(env.cwd, file), scope: "project", path: [] }]
    : peerSources(peer, env)
  const result: PeerImport = { peer, files: [], servers: [], skipped: [], inputs: [] }
  const byName = new Map<string, ImportedServer>()
  const inputs = new Map<string, ImportedInput>()
  const usedInputs = new Map<ImportedServer, string[]>()
  for (const src of sources) {
    const exists = existsSync(src.file)
    if (!result.files.some((f) => f.file === src.file)) result.files.push({ file: src.file, exists })
    if (!exists) {
      if (file)
        throw new UsageError(`${src.file} does not exist`, {
          hint: `pass the path of the config file of ${peer}`,
        })
      continue
    }
    const doc = await readPeerDoc(src.file, peerFormat(peer, src.file))
    const path = src.path.length > 0 ? src.path : [serversKeyIn(doc, peer)]
    const servers = at(doc, path)
    if (servers === undefined) continue
    const source = src.path.length > 1 ? `${src.file}#${path.join(".")}` : src.file
    const fileInputs = readInputs(doc)
    for (const [id, info] of fileInputs) {
      inputs.set(id, {
        id,
        variable: inputVariableName(id),
        isPassword: info.password === true,
        ...(info.description !== undefined && { description: info.description }),
      })
    }
    if (!isObject(servers)) {
      result.skipped.push({ name: "*", source, reason: `"${path.join(".")}" is not an object` })
      continue
    }
    const workspaceFolder = workspaceOf(src.file, env.cwd)
    // opencode hides MCP tools with top-level globs on `server_tool` (`"tools": {"gh_*": false}`).
    const toolGlobs = peer === "opencode" && isObject(doc) && isObject(doc.tools) ? doc.tools : undefined
    for (const [name, raw] of Object.entries(servers)) {
      const one = importOne(peer, name, raw, source, {
        workspaceFolder,
        inputs: fileInputs,
        serverName: name,
        ...(toolGlobs && { toolGlobs }),
      })
      if ("reason" in one) {
        result.skipped.push(one)
        continue
      }
      usedInputs.set(one.server, one.inputsUsed)
      const previous = byName.get(name)
      if (previous) {
        result.skipped.push({
          name,
          source: previous.source,
          reason: `replaced by the definition in ${source}`,
        })
        byName.delete(name)
      }
      byName.set(name, one.server)
    }
  }
  result.servers = [...byName.values()]
  const used = new Set(result.servers.flatMap((s) => usedInputs.get(s) ?? []))
  result.inputs = [...inputs.values()].filter((i) => used.has(i.id))
  return result
}

function importOne(
  peer: Peer,
  name: string,
  raw: unknown,
  source: string,
  opts: {
    workspaceFolder: string
    inputs: Map<string, { description?: string; password?: boolean }>
    serverName: string
    toolGlobs?: Record<string, unknown>
  },
): { server: ImportedServer; inputsUsed: string[] } | SkippedServer {
  if (!isObject(raw)) return { name, source, reason: "the entry is not an object" }
  const native = nativeToCommon(peer, raw)
  if ("reason" in native) return { name, source, reason: native.reason }
  const converted = convertServer(native.raw, { peer, ...opts })
  const { entry, inputsUsed } = converted
  const notes = [...native.notes, ...converted.notes]
  try {
    // Same checks as loading our own file, so what we write is known to load.
    parseConfigValue({ value: { mcpServers: { [name]: entry } }, locate: () => undefined }, source, "file")
  } catch (e: unknown) {
    if (e instanceof AgentError) return { name, source, reason: e.message.replace(`${source}: `, "") }
    throw e
  }
  return { server: { name, source, entry, notes }, inputsUsed }
}

function serversKeyIn(doc: unknown, peer: Peer): string {
  const preferred = SERVERS_KEY[peer]
  if (isObject(doc) && doc[preferred] === undefined) {
    const other = ["mcpServers", "servers", "mcp", "mcp_servers", "extensions", "context_servers"].find(
      (k) => doc[k] !== undefined,
    )
    if (other) return other
  }
  return preferred
}

function at(doc: unknown, path: string[]): unknown {
  let cur = doc
  for (const k of path) {
    if (!isObject(cur) || !Object.hasOwn(cur, k)) return undefined
    cur = cur[k]
  }
  return cur
}

function readInputs(doc: unknown): Map<string, { description?: string; password?: boolean }> {
  const out = new Map<string, { description?: string; password?: boolean }>()
  const list = isObject(doc) ? doc.inputs : undefined
  if (!Array.isArray(list)) return out
  for (const i of list) {
    if (isObject(i) && typeof i.id === "string") {
      out.set(i.id, {
        ...(typeof i.description === "string" && { description: i.description }),
        ...(i.password === true && { password: true }),
      })
    }
  }
  return out
}

/** `.vscode/mcp.json` and `.cursor/mcp.json` live one level below the workspace. */
function workspaceOf(file: string, cwd: string): string {
  const dir = dirname(file)
  return [".vscode", ".cursor"].includes(basename(dir)) ? dirname(dir) : cwd
}
