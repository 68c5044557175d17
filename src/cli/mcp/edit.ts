import { findLiteralSecrets, literalSecretWarning, parseJsonText, secretsToEnv } from "../../config/index.ts"
import { UsageError } from "../../util/errors.ts"
import { policyFor } from "../shared/policy.ts"
import { escapeTerminal } from "../../util/text.ts"
import { command, commonArgs, outputArg } from "../command.ts"
import { afterDashDash, createContext, repeated, type Ctx } from "../shared/context.ts"
import {
  removeServer,
  resolveTarget,
  validateEntry,
  writeServers,
  type Entry,
  type Target,
} from "../shared/config-write.ts"
import { removeUnusedBundle } from "../shared/bundle-files.ts"
import { entryJson, entryLines } from "../shared/present.ts"
import { printJson, printRaw } from "../shared/output.ts"

// `agent mcp add | add-json | remove`. Values are stored exactly as given: a ${VAR} stays a
// reference (expanded only at connect time, after approval) and nothing here runs a command.

const targetArgs = {
  scope: {
    type: "string",
    valueHint: "user|project",
    description: "Which config to write: user (default) or project (./.mcp.json)",
  },
  mcp: { type: "string", valueHint: "FILE", description: "Write this config file instead of a scope" },
} as const

// I14: a literal secret is written only with a warning; this flag turns it into a ${VAR} reference.
export const secretsToEnvArg = {
  "secrets-to-env": {
    type: "boolean",
    description:
      "Write literal secrets (env, headers, OAuth secrets) as ${VAR} references instead, and name the variables to set",
  },
} as const

const nameArg = { name: { type: "positional", required: false, description: "Server name" } } as const

export const add = command({
  name: "add",
  description: "Add a server: a local command after --, or a remote --url",
  args: {
    ...commonArgs,
    ...outputArg,
    ...targetArgs,
    ...secretsToEnvArg,
    ...nameArg,
    url: { type: "string", description: "Remote server URL (Streamable HTTP or SSE)" },
    type: {
      type: "string",
      valueHint: "http|sse",
      description: "Remote transport; default: Streamable HTTP, falling back to SSE",
    },
    header: {
      type: "string",
      valueHint: "'Name: value'",
      description: "HTTP header for a remote server (repeatable); use ${VAR} for secrets",
    },
    env: {
      type: "string",
      valueHint: "KEY=VALUE",
      description: "Environment variable for a local server (repeatable); use ${VAR} for secrets",
    },
    cwd: { type: "string", description: "Working directory for a local server" },
    force: { type: "boolean", description: "Replace a server with the same name" },
  },
  examples: [
    "agent mcp add fs -- npx -y @modelcontextprotocol/server-filesystem .",
    "agent mcp add gh --env 'GITHUB_TOKEN=${GITHUB_TOKEN}' -- docker run -i --rm -e GITHUB_TOKEN ghcr.io/github/github-mcp-server",
    "agent mcp add github --url https://api.githubcopilot.com/mcp/ --header 'Authorization: Bearer ${GITHUB_TOKEN}'",
    "agent mcp add docs --url https://example.com/sse --type sse --scope project",
  ],
  async run({ args, rawArgs }) {
    const ctx = createContext(args)
    const name = nameBeforeDashDash(args._, rawArgs)
    const entry = buildEntry(args, rawArgs)
    return save(ctx, args, name, entry)
  },
})

export const addJson = command({
  name: "add-json",
  description: "Add a server from its JSON definition (any peer's spelling is accepted and kept)",
  args: {
    ...commonArgs,
    ...outputArg,
    ...targetArgs,
    ...secretsToEnvArg,
    ...nameArg,
    json: { type: "positional", required: false, description: "The server's JSON object" },
    force: { type: "boolean", description: "Replace a server with the same name" },
  },
  examples: [
    `agent mcp add-json fs '{"command":"npx","args":["-y","@modelcontextprotocol/server-filesystem","."]}'`,
    `agent mcp add-json api '{"url":"https://example.com/mcp","headers":{"Authorization":"Bearer \${API_TOKEN}"}}'`,
  ],
  async run({ args }) {
    const ctx = createContext(args)
    if (!args.name || args.json === undefined) throw new UsageError("usage: agent mcp add-json NAME 'JSON'")
    const value = parseJsonText(String(args.json), { file: "the JSON argument", jsonc: true }).value // what config files accept: comments, trailing commas
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new UsageError(
        'the JSON argument must be an object, e.g. \'{"command": "npx", "args": ["-y", "pkg"]}\'',
      )
    }
    return save(ctx, args, String(args.name), value as Entry)
  },
})

export const remove = command({
  name: "remove",
  description: "Remove a server from a config file",
  args: { ...commonArgs, ...outputArg, ...targetArgs, ...nameArg },
  examples: ["agent mcp remove fs", "agent mcp remove docs --scope project"],
  async run({ args }) {
    const ctx = createContext(args)
    if (!args.name) throw new UsageError("usage: agent mcp remove NAME")
    const name = String(args.name)
    const target = resolveTarget(ctx, args)
    const removed = await removeServer(target, name)
    // I37: a server installed from a .mcpb takes its unpacked files with it.
    const bundleDir = await removeUnusedBundle(ctx, removed, target.file)
    report(ctx, target, name, "removed", removed, undefined, bundleDir)
  },
})

async function save(
  ctx: Ctx,
  args: { scope?: string; mcp?: string; force?: boolean; "secrets-to-env"?: boolean },
  name: string,
  given: Entry,
) {
  const target = resolveTarget(ctx, args)
  const entry = literalSecrets(ctx, name, given, Boolean(args["secrets-to-env"]))
  for (const w of validateEntry(name, entry, target.file)) ctx.log.warn(escapeTerminal(w.message))
  const { previous } = await writeServers(target, [{ name, entry }], {
    existing: args.force ? "replace" : "fail",
    policy: policyFor(ctx),
  })
  const old = previous.get(name)
  report(ctx, target, name, old === undefined ? "added" : "replaced", entry, old)
}

/** I14: warns about each literal secret, or with --secrets-to-env rewrites it to a reference; never prints a value. */
export function literalSecrets(ctx: Ctx, name: string, entry: Entry, toEnv: boolean): Entry {
  if (!toEnv) {
    for (const s of findLiteralSecrets(name, entry))
      ctx.log.warn(escapeTerminal(literalSecretWarning(name, s)))
    return entry
  }
  const { entry: rewritten, moved } = secretsToEnv(name, entry)
  for (const s of moved) {
    ctx.log.info(
      escapeTerminal(
        `server "${name}": ${s.field} ${s.key} written as \${${s.variable}}; set ${s.variable} in the environment and approve it: agent env approve ${s.variable} --server ${name}`,
      ),
    )
  }
  return rewritten
}

function report(
  ctx: Ctx,
  target: Target,
  name: string,
  action: "added" | "replaced" | "removed",
  server: unknown,
  old?: unknown,
  bundleDir?: string,
) {
  if (ctx.output === "json") {
    printJson({
      name,
      scope: target.scope,
      file: target.file,
      action,
      server: entryJson(server),
      ...(old !== undefined && { previous: entryJson(old) }),
      ...(bundleDir !== undefined && { deletedBundle: bundleDir }),
    })
    return
  }
  const where = `${escapeTerminal(target.file)} (${target.scope === "file" ? "--mcp" : `${target.scope} scope`})`
  const verb = action === "added" ? "to" : action === "removed" ? "from" : "in"
  const lines = [`${action} server "${escapeTerminal(name)}" ${verb} ${where}`]
  if (old !== undefined)
    lines.push("  before:", ...entryLines(old, "    "), "  after:", ...entryLines(server, "    "))
  else lines.push(...entryLines(server))
  if (bundleDir !== undefined) lines.push(`deleted the unpacked bundle ${escapeTerminal(bundleDir)}`)
  printRaw(lines.join("\n"))
}

/** NAME must come before `--`; otherwise `agent mcp add -- npx` would name the server "npx". */
function nameBeforeDashDash(positionals: string[], rawArgs: string[]): string {
  const after = afterDashDash(rawArgs) ?? []
  const before = positionals.slice(0, positionals.length - after.length)
  if (before.length === 0)
    throw new UsageError("missing server NAME", {
      hint: "agent mcp add NAME -- COMMAND ARGS… or agent mcp add NAME --url URL",
    })
  if (before.length > 1) {
    throw new UsageError(`unexpected argument "${escapeTerminal(before[1] as string)}" before --`, {
      hint: "put the command after --: agent mcp add NAME -- COMMAND ARGS…",
    })
  }
  return before[0] as string
}

function buildEntry(args: { url?: string; type?: string; cwd?: string }, rawArgs: string[]): Entry {
  const commandLine = afterDashDash(rawArgs)
  const headers = repeated(rawArgs, "header")
  const env = repeated(rawArgs, "env")
  if (args.url !== undefined && commandLine !== undefined) {
    throw new UsageError("give either --url (remote) or -- COMMAND (local), not both")
  }
  if (args.url !== undefined) {
    if (env.length > 0 || args.cwd !== undefined)
      throw new UsageError("--env and --cwd are for local servers (-- COMMAND)", {
        hint: "remote servers take --header 'Name: value'",
      })
    if (args.type !== undefined && args.type !== "http" && args.type !== "sse") {
      throw new UsageError(`--type must be "http" or "sse", got "${escapeTerminal(args.type)}"`)
    }
    return {
      ...(args.type !== undefined && { type: args.type }),
      url: args.url,
      ...(headers.length > 0 && {
        headers: pairs(headers, ":", "--header", "'Authorization: Bearer ${TOKEN}'"),
      }),
    }
  }
  if (commandLine === undefined || commandLine.length === 0) {
    throw new UsageError(
      "nothing to run: give -- COMMAND ARGS… for a local server or --url URL for a remote one",
      {
        hint: "agent mcp add fs -- npx -y @modelcontextprotocol/server-filesystem .",
      },
    )
  }
  if (headers.length > 0 || args.type !== undefined)
    throw new UsageError("--header and --type are for remote servers (--url)")
  const [cmd, ...rest] = commandLine
  return {
    command: cmd,
    args: rest,
    ...(env.length > 0 && { env: pairs(env, "=", "--env", "'API_KEY=${API_KEY}'") }),
    ...(args.cwd !== undefined && { cwd: args.cwd }),
  }
}

function pairs(items: string[], sep: string, flag: string, example: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const item of items) {
    const i = item.indexOf(sep)
    const key = i > 0 ? item.slice(0, i).trim() : ""
    if (!key || /\s/.test(key) || (sep === "=" && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key))) {
      throw new UsageError(
        `${flag} expects ${sep === "=" ? "KEY=VALUE" : "'Name: value'"}, got "${escapeTerminal(item.slice(0, 40))}"`,
        {
          hint: `for example ${flag} ${example}`,
        },
      )
    }
    if (key === "__proto__" || key === "constructor" || key === "prototype")
      throw new UsageError(`${flag} name "${key}" is reserved`)
    if (Object.hasOwn(out, key)) throw new UsageError(`${flag} ${escapeTerminal(key)} is given twice`)
    out[key] = sep === ":" ? item.slice(i + 1).trimStart() : item.slice(i + 1)
  }
  return out
}
