import { existsSync } from "node:fs"
import { resolve } from "node:path"
import type { ServerEntry } from "../../config/index.ts"
import {
  checkOutdated,
  registryRequest,
  resolveRegistryServer,
  type OutdatedRow,
  type RegistryClient,
} from "../../install/index.ts"
import { readLock, relockDefinition, writeLock } from "../../mcp/index.ts"
import { AgentError, UsageError } from "../../util/errors.ts"
import { didYouMean } from "../../util/suggest.ts"
import { escapeTerminal } from "../../util/text.ts"
import { command, commonArgs, mcpArg, outputArg } from "../command.ts"
import { createContext, loadFromArgs, repeated, type Ctx } from "../shared/context.ts"
import {
  applyInstall,
  decide,
  planFor,
  report,
  showScreen,
  type InstallArgs,
} from "../shared/install-plan.ts"
import { lockArgs, lockPath } from "../shared/lock-check.ts"
import { printJson, printTable, printText } from "../shared/output.ts"
import { commandLookup, registryArg, registryClients, registryUrls } from "../shared/registries.ts"

// `agent mcp outdated` and `agent mcp update NAME` (docs/registry.md): servers installed with
// `agent install REGISTRY_NAME` carry their origin (`registry` in the entry); outdated asks that
// registry for the latest version, update shows the new definition against the old one on the
// install approval screen, then rewrites the entry and the server's definition in mcp.lock (I22).

export const outdated = command({
  name: "outdated",
  description: "List servers installed from an MCP Registry that have a newer version there",
  args: { ...commonArgs, ...outputArg, ...mcpArg },
  examples: [
    "agent mcp outdated",
    "agent mcp outdated --output json",
    "# json: { servers: [{ server, name, installed, latest, isOutdated }] }",
    "agent mcp update weather           # then update one",
  ],
  async run({ args, rawArgs }) {
    const ctx = createContext(args)
    const installed = loadFromArgs(ctx, rawArgs).servers.filter((e) => e.server.registry)
    const clients = new Map<string, RegistryClient>()
    const rows: (OutdatedRow | (Omit<OutdatedRow, "latest" | "isOutdated"> & { error: string }))[] = []
    for (const e of installed) {
      const origin = e.server.registry!
      try {
        const client = clients.get(origin.url) ?? clientFor(ctx, origin.url)
        clients.set(origin.url, client)
        rows.push(await checkOutdated(client, e.name, origin))
      } catch (err: unknown) {
        if (!(err instanceof AgentError)) throw err
        const base = { server: e.name, registry: origin.url, name: origin.name, installed: origin.version }
        rows.push({ ...base, error: err.message })
      }
    }
    if (ctx.output === "json") return printJson({ servers: rows })
    for (const r of rows) if ("error" in r) ctx.log.warn(`${r.server}: ${escapeTerminal(r.error)}`)
    const newer = rows.filter((r): r is OutdatedRow => "isOutdated" in r && r.isOutdated)
    if (!newer.length) {
      const n = rows.filter((r) => !("error" in r)).length
      return printText(
        installed.length
          ? `${n} registry ${n === 1 ? "server is" : "servers are"} up to date`
          : "no server here was installed from a registry",
      )
    }
    printTable(
      newer.map((r) => [r.server, r.name, r.installed, r.latest].map(escapeTerminal)),
      ["SERVER", "REGISTRY NAME", "INSTALLED", "LATEST"],
    )
    printText(`\nupdate one with: agent mcp update ${newer[0]!.server}`)
  },
})

export const update = command({
  name: "update",
  description:
    "Update a server installed from an MCP Registry to its latest (or a given) version, after showing what changes",
  args: {
    ...commonArgs,
    ...outputArg,
    ...mcpArg,
    name: {
      type: "positional",
      required: false,
      valueHint: "NAME",
      description: "The configured server name",
    },
    version: { type: "string", valueHint: "VERSION", description: "This version instead of the latest" },
    ...registryArg,
    package: {
      type: "string",
      valueHint: "npm|pypi|oci|nuget|mcpb",
      description: "Switch to the package of this type",
    },
    remote: { type: "boolean", description: "Switch to the server's remote" },
    yes: { type: "boolean", alias: "y", description: "Update without asking (needed without a terminal)" },
    "approve-env": {
      type: "boolean",
      description: "Also approve every variable the new definition references",
    },
    "allow-dangerous-env": {
      type: "string",
      valueHint: "NAME",
      description: "As for agent install (repeatable)",
    },
    "dry-run": { type: "boolean", description: "Show the screen and the new entry; write nothing" },
    lock: lockArgs.lock,
  },
  examples: [
    "agent mcp update weather                  # review the changes, then answer y",
    "agent mcp update weather --yes            # scripts and CI",
    "agent mcp update weather --version 1.4.0 --dry-run",
    "# exit 0 updated or up to date; 2 not a registry install; 3 not approved; 5 registry unreachable",
  ],
  async run({ args, rawArgs }) {
    const ctx = createContext(args)
    if (!args.name)
      throw new UsageError("usage: agent mcp update NAME", {
        hint: "`agent mcp outdated` lists what can be updated",
      })
    const config = loadFromArgs(ctx, rawArgs)
    const entry = findInstalled(config.servers, String(args.name))
    const origin = entry.server.registry!
    const url = registryUrls(ctx, args.registry ?? origin.url)[0]!
    const isRemote = origin.type === "streamable-http" || origin.type === "sse"
    const resolved = await resolveRegistryServer(
      registryClients(ctx, [url]),
      origin.name,
      args.version === undefined ? "latest" : String(args.version),
      {
        ...(args.package !== undefined
          ? { package: String(args.package) }
          : args.remote || isRemote
            ? { remote: true }
            : origin.type
              ? { package: origin.type }
              : {}),
        hasCommand: commandLookup(ctx),
      },
    )
    const found = resolved.found.server
    const isSwitch = args.package !== undefined || Boolean(args.remote)
    if (found.version === origin.version && args.version === undefined && !isSwitch) {
      if (ctx.output === "json")
        return printJson({ name: entry.name, action: "none", version: origin.version })
      return printText(
        `"${entry.name}" is up to date (${escapeTerminal(origin.name)} ${escapeTerminal(origin.version)})`,
      )
    }
    const installArgs: InstallArgs = {
      ...writeTarget(ctx, entry),
      ...(args.yes && { yes: true }),
      ...(args["dry-run"] && { "dry-run": true }),
      ...(args["approve-env"] && { "approve-env": true }),
      allowDangerousEnv: repeated(rawArgs, "allow-dangerous-env"),
    }
    const note = {
      url: resolved.registry,
      name: found.name,
      version: found.version,
      ...(resolved.found.isLatest !== undefined && { isLatest: resolved.found.isLatest }),
      ...(resolved.found.status !== undefined && { status: resolved.found.status }),
      chosen: resolved.chosen,
      reason: `${isSwitch ? resolved.reason : "the way it was installed"}; updating from ${origin.version}`,
    }
    const plan = planFor(ctx, installArgs, registryRequest(entry.name, resolved), "registry", note)
    showScreen(plan)
    if (args["dry-run"]) return report(ctx, plan, [], true)
    await applyInstall(ctx, installArgs, plan, await decide(ctx, installArgs, plan))
    await relock(ctx, args.lock, rawArgs, entry.name, plan.req.server)
  },
})

function clientFor(ctx: Ctx, url: string): RegistryClient {
  return registryClients(ctx, [url])[0]!
}

/** The file the entry is in: a scope when it is that scope's file, else the file itself. */
function writeTarget(ctx: Ctx, entry: ServerEntry): { scope: "user" | "project" } | { mcp: string } {
  if (entry.scope === "user") return { scope: "user" }
  // .agentrt/mcp.json is a project file too, but `--scope project` writes ./.mcp.json.
  if (entry.scope === "project" && entry.file === resolve(ctx.cwd, ".mcp.json")) return { scope: "project" }
  return { mcp: entry.file }
}

function findInstalled(servers: ServerEntry[], name: string): ServerEntry {
  const entry = servers.find((e) => e.name === name)
  if (!entry)
    throw new UsageError(
      `no configured server is called "${escapeTerminal(name)}"${escapeTerminal(
        didYouMean(
          name,
          servers.map((e) => e.name),
        ),
      )}`,
    )
  if (!entry.server.registry)
    throw new UsageError(`"${escapeTerminal(name)}" was not installed from an MCP registry`, {
      hint: "only servers installed with `agent install REGISTRY_NAME` can be updated; `agent mcp outdated` lists them",
    })
  return entry
}

/** The lock, when there is one holding this server, follows the approved definition. */
async function relock(
  ctx: Ctx,
  lock: string | undefined,
  rawArgs: string[],
  name: string,
  server: ServerEntry["server"],
): Promise<void> {
  const path = lockPath(ctx, lock, rawArgs)
  if (!existsSync(path)) return
  const current = await readLock(path)
  if (!current?.servers[name]) return
  await writeLock(path, relockDefinition(current, name, server))
  ctx.log.info(
    `updated "${name}" in ${path}; its tools are checked against the lock at the next --locked run`,
  )
}
