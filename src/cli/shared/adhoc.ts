import * as v from "valibot"
import {
  checkTemplates,
  fieldLabel,
  normalizeServer,
  ServerFile,
  ServerName,
  variableUses,
  type ReadyResolution,
} from "../../config/index.ts"
import { UsageError } from "../../util/errors.ts"
import { escapeTerminal } from "../../util/text.ts"
import { afterDashDash, repeated } from "./context.ts"

// Ad hoc servers (`--url URL` or `-- COMMAND ARGS…`): the user typed the definition, so no
// config is loaded and nothing needs approving. For the same reason nothing is interpolated:
// a `${VAR}` here would be sent literally, so it is refused with a pointer to a config file.
// The server is the one the user asked for, so it counts as `required: true`: one that does not
// connect fails the command with the exit code a configured server would get (4 sign-in, 5 down).

export const adhocArgs = {
  url: {
    type: "string",
    valueHint: "URL",
    description: "Ad hoc: talk to this remote server instead of the config",
  },
  header: {
    type: "string",
    valueHint: "'Name: value'",
    description: "Ad hoc: HTTP header for --url (repeatable)",
  },
  type: {
    type: "string",
    valueHint: "http|sse",
    description: "Ad hoc: remote transport (default: Streamable HTTP, falling back to SSE)",
  },
  name: { type: "string", valueHint: "NAME", description: "Ad hoc: the server's name (default: adhoc)" },
} as const

export const ADHOC_FILE = "(command line)"

interface AdhocFlags {
  url?: string
  type?: string
  name?: string
}

/** The ad hoc server's resolution, or undefined when the command line defines none. */
export function adhocServer(args: AdhocFlags, rawArgs: string[]): ReadyResolution | undefined {
  const commandLine = afterDashDash(rawArgs)
  const headers = repeated(rawArgs, "header")
  if (args.url === undefined && commandLine === undefined) {
    if (headers.length || args.type !== undefined || args.name !== undefined) {
      throw new UsageError(
        "--header, --type and --name define an ad hoc server: add --url URL or -- COMMAND ARGS…",
      )
    }
    return undefined
  }
  if (args.url !== undefined && commandLine !== undefined)
    throw new UsageError("give either --url (remote) or -- COMMAND (local), not both")
  if (repeated(rawArgs, "mcp").length)
    throw new UsageError(
      "--mcp loads a config; an ad hoc server (--url or -- COMMAND) skips config loading, so use one or the other",
    )
  const name = args.name ?? "adhoc"
  const named = v.safeParse(ServerName, name)
  if (!named.success) throw new UsageError(`--name: ${named.issues[0].message}`)
  const server = {
    ...validate(
      args.url !== undefined ? remoteEntry(args, headers) : localEntry(commandLine ?? [], headers, args.type),
    ),
    required: true,
  }
  return {
    status: "ready",
    entry: { name, scope: "file", file: ADHOC_FILE, server, fingerprint: "" },
    server,
    secrets: [],
  }
}

function remoteEntry(args: AdhocFlags, headers: string[]): ServerFile {
  if (args.type !== undefined && args.type !== "http" && args.type !== "sse") {
    throw new UsageError(`--type must be "http" or "sse", got "${escapeTerminal(args.type)}"`)
  }
  return {
    ...(args.type !== undefined && { type: args.type }),
    url: args.url,
    ...(headers.length > 0 && { headers: parseHeaders(headers) }),
  }
}

function localEntry(commandLine: string[], headers: string[], type: string | undefined): ServerFile {
  if (commandLine.length === 0)
    throw new UsageError("nothing to run after --", { hint: "agent mcp tools -- bun server.ts" })
  if (headers.length || type !== undefined)
    throw new UsageError("--header and --type are for remote servers (--url)")
  const [command, ...args] = commandLine
  return { command, args }
}

function parseHeaders(items: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const item of items) {
    const i = item.indexOf(":")
    const key = i > 0 ? item.slice(0, i).trim() : ""
    if (!key || /\s/.test(key)) {
      throw new UsageError(`--header expects 'Name: value', got "${escapeTerminal(item.slice(0, 40))}"`, {
        hint: "for example --header 'Authorization: Bearer abc123'",
      })
    }
    if (Object.hasOwn(out, key)) throw new UsageError(`--header ${escapeTerminal(key)} is given twice`)
    out[key] = item.slice(i + 1).trimStart()
  }
  return out
}

/** The loader's own checks (schema, normalisation, URL and template syntax), plus: no references. */
function validate(file: ServerFile) {
  const parsed = v.safeParse(ServerFile, file)
  if (!parsed.success) throw new UsageError(`invalid ad hoc server: ${parsed.issues[0].message}`)
  const normalized = normalizeServer(parsed.output)
  if (!normalized.ok)
    throw new UsageError(`ad hoc server ${normalized.problem.field} ${normalized.problem.message}`, {
      hint: normalized.problem.hint,
    })
  const refuse = (field: (string | number)[], message: string, hint?: string): never => {
    throw new UsageError(`ad hoc server, ${fieldLabel(field)}: ${message}`, { hint })
  }
  checkTemplates(normalized.server, refuse)
  const uses = variableUses(normalized.server)
  if (uses.length) {
    const use = uses[0]!
    refuse(
      use.field,
      `\${${use.variable}} is not expanded on the command line (it would be sent literally)`,
      'let your shell expand it (double quotes: "Bearer $TOKEN"), or put the server in a config file (--mcp FILE), where ${VAR} is read after approval',
    )
  }
  return normalized.server
}
