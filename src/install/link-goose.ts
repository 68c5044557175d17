// Goose deeplinks carry the server as separate parameters, not JSON:
//   goose://extension?cmd=npx&arg=-y&arg=PKG&id=ID&name=NAME&description=…&timeout=SECONDS
//                    &env=KEY%3DHuman%20description          (repeated; names only, never values)
//   goose://extension?url=https://…/mcp&type=streamable_http|sse&header=Name%3DValue&…
// (block/goose ui/desktop deeplink handler). Goose prompts for each `env` key at install time;
// we turn it into `"KEY": "${KEY}"`, so the value comes from the user's environment after its
// own approval and never rides in the link.
import { linkError, printable, Query } from "./link-query.ts"
import { buildRequest, type InstallRequest } from "./link-entry.ts"

const PARAMS = [
  "cmd",
  "arg",
  "id",
  "name",
  "description",
  "timeout",
  "env",
  "url",
  "type",
  "header",
  "installation_notes",
]
const REPEATABLE = ["arg", "env", "header"]
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const REMOTE_TYPES: Record<string, string | undefined> = { streamable_http: "http", sse: "sse" }

export function parseGooseLink(search: string): InstallRequest {
  const q = Query.parse(search, PARAMS, REPEATABLE)
  const name = q.get("id") || q.get("name")
  if (!name) throw linkError('the link has neither "id" nor "name"')
  const cmd = q.get("cmd")
  const url = q.get("url")
  if (cmd && url)
    throw linkError(
      'the link has both "cmd" and "url"',
      "a server is either local (cmd, arg) or remote (url)",
    )
  if (!cmd && !url) throw linkError('the link has neither "cmd" nor "url"')
  const type = q.get("type")
  if (type === "builtin") throw linkError("Goose built-in extensions have no MCP server to install")
  const envDescriptions = envKeys(q.getAll("env"))
  const entry: Record<string, unknown> = {}
  const description = q.get("description")
  if (description) entry.description = description
  if (cmd) {
    if (type !== undefined && type !== "stdio")
      throw linkError(`"type=${printable(type)}" does not go with "cmd"`)
    entry.command = cmd
    const args = q.getAll("arg")
    if (args.length) entry.args = args
    const keys = Object.keys(envDescriptions)
    if (keys.length) entry.env = Object.fromEntries(keys.map((k) => [k, `\${${k}}`]))
    if (q.has("header")) throw linkError('"header" only goes with a remote "url"')
  } else {
    if (type !== undefined) {
      const mapped = REMOTE_TYPES[type]
      if (!mapped) throw linkError(`unknown "type=${printable(type)}"`, "use streamable_http or sse")
      entry.type = mapped
    }
    entry.url = url
    const headers = headerMap(q.getAll("header"))
    if (Object.keys(headers).length) entry.headers = headers
  }
  const timeout = q.get("timeout")
  if (timeout !== undefined) entry.timeout = seconds(timeout)
  return buildRequest({ source: "goose", name, config: entry, envDescriptions })
}

function envKeys(list: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const item of list) {
    const eq = item.indexOf("=")
    const key = eq < 0 ? item : item.slice(0, eq)
    if (!ENV_NAME.test(key)) throw linkError(`"env=${printable(key)}" is not a variable name`)
    if (key in out) throw linkError(`"env=${key}" is given more than once`)
    out[key] = eq < 0 ? "" : item.slice(eq + 1)
  }
  return out
}

function headerMap(list: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const item of list) {
    const eq = item.indexOf("=")
    const key = eq < 0 ? item : item.slice(0, eq)
    if (!HEADER_NAME.test(key)) throw linkError(`"header=${printable(key)}" is not a header name`)
    if (key in out) throw linkError(`header "${key}" is given more than once`)
    out[key] = eq < 0 ? "" : item.slice(eq + 1)
  }
  return out
}

/** Goose timeouts are seconds; ours are milliseconds. */
function seconds(s: string): number {
  if (!/^\d{1,5}$/.test(s) || Number(s) < 1 || Number(s) > 86_400) {
    throw linkError(`"timeout=${printable(s)}" is not a number of seconds between 1 and 86400`)
  }
  return Number(s) * 1000
}
