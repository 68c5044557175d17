// Installing by registry name (docs/registry.md): `agent install io.github.owner/server[@1.2.3]`.
// The registries are asked in order (--registry, AGENTRT_REGISTRY, config `registries`, the
// official one); the first that has the server answers. The result is an entry in file form
// plus what the approval screen needs; the CLI shows it on the same screen as an install link.
import type { RegistryOrigin } from "../config/index.ts"
import { AgentError, UsageError } from "../util/errors.ts"
import { escapeTerminal } from "../util/text.ts"
import { chooseOption, type ChooseOptions } from "./registry-choose.ts"
import type { RegistryClient } from "./registry-client.ts"
import { mapOption, optionLabel, type MappedServer } from "./registry-map.ts"
import type { RegistryServer } from "./registry-schema.ts"
import { buildRequest, type InstallRequest } from "./link-entry.ts"

const NAME = /^([a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)+\/[a-zA-Z0-9._-]+)(?:@([^@/\s]+))?$/

/** `io.github.owner/server` or `…@1.2.3`; undefined for anything else (links, catalog names, paths). */
export function parseRegistryName(input: string): { name: string; version?: string } | undefined {
  if (/\.(mcpb|json|zip)$/i.test(input)) return undefined
  const m = NAME.exec(input)
  if (!m) return undefined
  return { name: m[1]!, ...(m[2] !== undefined && { version: m[2] }) }
}

/** The local server name: the part after the slash (config names cannot hold one). */
export function localName(registryName: string): string {
  return registryName.slice(registryName.indexOf("/") + 1)
}

export interface Resolved {
  found: RegistryServer
  registry: string
  mapped: MappedServer
  /** Which package or remote, and why. */
  chosen: string
  reason: string
}

/** Asks each registry in order; a 404 or an unreachable registry passes to the next. */
export async function findInRegistries(
  clients: RegistryClient[],
  name: string,
  version?: string,
): Promise<{ found: RegistryServer; registry: string }> {
  const failures: AgentError[] = []
  for (const client of clients) {
    try {
      return { found: await client.get(name, version), registry: client.baseUrl }
    } catch (e: unknown) {
      if (!(e instanceof AgentError) || e.code === "failure") throw e
      failures.push(e)
    }
  }
  const only = failures.length === 1 ? failures[0] : undefined
  if (only) throw only
  const what = `${escapeTerminal(name)}${version ? `@${escapeTerminal(version)}` : ""}`
  throw new UsageError(`no registry has ${what}: ${failures.map((f) => f.message).join("; ")}`, {
    hint: "`agent mcp search WORD` finds server names; --registry URL asks another registry",
  })
}

export async function resolveRegistryServer(
  clients: RegistryClient[],
  name: string,
  version: string | undefined,
  choose: ChooseOptions,
): Promise<Resolved> {
  const { found, registry } = await findInRegistries(clients, name, version)
  if (found.server.name !== name)
    throw new UsageError(
      `registry ${registry} answered ${escapeTerminal(found.server.name)} when asked for ${escapeTerminal(name)}`,
    )
  const { option, reason } = chooseOption(found.server, choose)
  const mapped = mapOption(found.server, registry, option)
  return { found, registry, mapped, chosen: optionLabel(option), reason }
}

/** Is `b` a newer version than `a`? Semver-ish: numeric parts compared, a pre-release is older. */
export function isNewer(a: string, b: string): boolean {
  return compareVersions(b, a) > 0
}

export function compareVersions(a: string, b: string): number {
  const split = (s: string) => {
    const [core = "", pre] = s.replace(/^v/, "").split(/-(.*)/s)
    return { core: core.split("+")[0]!.split("."), pre }
  }
  const x = split(a)
  const y = split(b)
  for (let i = 0; i < Math.max(x.core.length, y.core.length); i++) {
    const p = x.core[i] ?? "0"
    const q = y.core[i] ?? "0"
    const d = /^\d+$/.test(p) && /^\d+$/.test(q) ? Number(p) - Number(q) : p.localeCompare(q)
    if (d !== 0) return Math.sign(d)
  }
  if (x.pre === y.pre) return 0
  if (x.pre === undefined) return 1
  if (y.pre === undefined) return -1
  return x.pre.localeCompare(y.pre, undefined, { numeric: true })
}

/** What `agent mcp outdated` says about one installed server. */
export interface OutdatedRow {
  server: string
  registry: string
  name: string
  installed: string
  latest: string
  isOutdated: boolean
}

export async function checkOutdated(
  client: RegistryClient,
  server: string,
  origin: RegistryOrigin,
): Promise<OutdatedRow> {
  const latest = await client.get(origin.name, "latest")
  return {
    server,
    registry: client.baseUrl,
    name: origin.name,
    installed: origin.version,
    latest: latest.server.version,
    isOutdated: isNewer(origin.version, latest.server.version),
  }
}

/**
 * The checked request for the approval screen: the entry passes every check an install link's
 * does (buildRequest: schema, name, templates, URL scheme), then carries its registry origin.
 */
export function registryRequest(name: string, resolved: Resolved): InstallRequest {
  let req: InstallRequest
  try {
    req = buildRequest({ source: "agentrt", name, config: resolved.mapped.entry })
  } catch (e: unknown) {
    if (!(e instanceof AgentError)) throw e
    throw new UsageError(e.message.replace(/^install link refused: /, `registry entry refused: `), {
      cause: e,
      ...(e.hint !== undefined && { hint: e.hint }),
    })
  }
  const origin = resolved.mapped.origin
  return {
    ...req,
    entry: { ...req.entry, registry: origin },
    server: { ...req.server, registry: origin },
    envDescriptions: resolved.mapped.variables,
  }
}
