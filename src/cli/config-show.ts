import { hasRefs } from "../config/interpolate.ts"
import { toFileEntry, type ServerConfig, type ServerEntry } from "../config/index.ts"
import { command } from "./command.ts"
import { configArgs } from "./config.ts"
import { createContext, loadFromArgs } from "./context.ts"
import { printJson, printRaw } from "./output.ts"
import { escapeTerminal } from "../util/text.ts"

// Names whose literal values are treated as secrets. Values built from ${VAR} references
// are shown as the reference text (the value is never read here).
const SECRET_NAME = /key|token|secret|passw|auth|cookie|credential|session|private|signature/i

export default command({
  name: "show",
  description: "Print the merged servers with their scope and file; secret values are masked",
  args: configArgs,
  examples: ["agent config show", "agent config show --mcp mcp.example.json --output json"],
  run({ args, rawArgs }) {
    const ctx = createContext(args)
    const config = loadFromArgs(ctx, rawArgs)
    const servers = config.servers.map((e) => ({
      name: e.name,
      scope: e.scope,
      file: e.file,
      definition: toFileEntry(maskServer(e.server)),
    }))
    if (ctx.output === "json") {
      printJson({ servers, shadowed: config.shadowed.map(where), sources: config.sources })
      return
    }
    if (servers.length === 0) {
      ctx.log.info("no servers configured; add one with `agent mcp add NAME -- COMMAND ARGS…`")
      return
    }
    const merged = { mcpServers: Object.fromEntries(servers.map((s) => [s.name, s.definition])) }
    printRaw(escapeTerminal(JSON.stringify(merged, null, 2)).replace(/\\x0a/g, "\n"))
    for (const s of servers) ctx.log.info(`${s.name}: ${s.scope} scope, ${s.file}`)
    for (const s of config.shadowed) ctx.log.info(`${s.name}: the definition in ${s.file} is overridden by a later scope`)
  },
})

function where(e: ServerEntry) {
  return { name: e.name, scope: e.scope, file: e.file }
}

/** The canonical definition with literal secrets replaced by "***". */
export function maskServer(server: ServerConfig): ServerConfig {
  const masked = { ...server } as Record<string, unknown>
  if (server.transport === "stdio") masked.env = maskMap(server.env, false)
  else {
    masked.headers = maskMap(server.headers, true)
    if (server.oauth) {
      masked.oauth = {
        ...server.oauth,
        ...(server.oauth.clientSecret !== undefined && { clientSecret: maskValue(server.oauth.clientSecret) }),
        ...(server.oauth.privateKey !== undefined && { privateKey: maskValue(server.oauth.privateKey) }),
      }
    }
  }
  return masked as unknown as ServerConfig
}

function maskMap(map: Record<string, string>, allSecret: boolean): Record<string, string> {
  return Object.fromEntries(
    Object.entries(map).map(([k, val]) => [k, allSecret || SECRET_NAME.test(k) ? maskValue(val) : val]),
  )
}

/** "Bearer ${TOKEN}" stays (it holds no value); a literal "Bearer abc123" becomes "***". */
export function maskValue(value: string): string {
  return hasRefs(value) && !/[A-Za-z0-9+/=_-]{16,}/.test(value.replace(/\$\{[^}]*\}|\{env:[^}]*\}/g, "")) ? value : "***"
}
