import type { OAuthConfig, OAuthFile, ServerConfig, ServerFile } from "./schema.ts"

/** A problem with one server entry, relative to it (`field` is the key inside the entry). */
export interface EntryProblem {
  field: string
  message: string
  hint?: string
}

export type NormalizeResult = { ok: true; server: ServerConfig } | { ok: false; problem: EntryProblem }

const REMOTE_TYPES: Record<string, "http" | "sse" | "auto"> = {
  http: "http",
  "streamable-http": "http",
  streamableHttp: "http",
  streamable_http: "http",
  sse: "sse",
  remote: "auto",
}

/** Turns one validated file entry (any peer's spelling) into the canonical ServerConfig. */
export function normalizeServer(entry: ServerFile): NormalizeResult {
  const url = entry.httpUrl ?? entry.url ?? entry.serverUrl
  const hasCommand = entry.command !== undefined
  if (hasCommand && url !== undefined) {
    return fail(
      "command",
      "has both a command and a url",
      "a server is either local (command, args) or remote (url); remove one",
    )
  }
  const filters = toolFilters(entry)
  if ("field" in filters) return { ok: false, problem: filters }
  const common = { ...commonFields(entry), ...filters }
  if (hasCommand) {
    if (entry.type && entry.type !== "stdio" && entry.type !== "local") {
      return fail(
        "type",
        `is "${entry.type}" but the server has a command`,
        'use "type": "stdio" or remove "type"',
      )
    }
    const [command, ...leading] = Array.isArray(entry.command) ? entry.command : [entry.command as string]
    return {
      ok: true,
      server: {
        transport: "stdio",
        command: command as string,
        args: [...leading, ...(entry.args ?? [])],
        env: { ...entry.environment, ...entry.env },
        ...(entry.cwd !== undefined && { cwd: entry.cwd }),
        ...common,
      },
    }
  }
  if (url === undefined) {
    return fail(
      "command",
      "has neither a command nor a url",
      'add "command" (and "args") for a local server, or "url" for a remote one',
    )
  }
  const transport = remoteTransport(entry)
  if (transport === undefined) {
    return fail(
      "type",
      `is "${entry.type}" but the server has a url`,
      'use "type": "http" or "sse", or remove "type"',
    )
  }
  const oauth = oauthConfig(entry)
  const missing = oauth?.grant === "cross_app_access" ? missingCrossApp(oauth) : undefined
  if (missing) return fail(`oauth.${missing}`, "is required by the cross_app_access grant", CROSS_APP_HINT)
  const sources = oauth?.grant === "jwt_bearer" ? assertionSources(oauth) : 1
  if (sources !== 1)
    return fail(
      "oauth.assertion",
      sources === 0
        ? "is required by the jwt_bearer grant (or assertionFile, or assertionFrom)"
        : "is given more than once: set one of assertion, assertionFile, assertionFrom",
      JWT_BEARER_HINT,
    )
  return {
    ok: true,
    server: { transport, url, headers: { ...entry.headers }, ...(oauth && { oauth }), ...common },
  }
}

function remoteTransport(entry: ServerFile): "http" | "sse" | "auto" | undefined {
  if (entry.type === undefined) return entry.httpUrl !== undefined ? "http" : "auto"
  return REMOTE_TYPES[entry.type]
}

function commonFields(entry: ServerFile) {
  const autoApprove =
    entry.autoApprove === true || entry.trust === true
      ? ["*"]
      : Array.isArray(entry.autoApprove)
        ? entry.autoApprove
        : []
  return {
    disabled: entry.disabled === true || entry.enabled === false,
    autoApprove,
    ...(entry.timeout !== undefined && { timeout: entry.timeout }),
    ...(entry.maxOutputTokens !== undefined && { maxOutputTokens: entry.maxOutputTokens }),
    ...(entry.protocolVersion !== undefined && { protocolVersion: entry.protocolVersion }),
    required: entry.required === true,
    ...(entry.description !== undefined && { description: entry.description }),
    ...(entry.roots !== undefined && { roots: entry.roots }),
    ...(entry.registry !== undefined && { registry: entry.registry }),
  }
}

// The peers' spellings of the two filter lists (issue 14); each list may be written one way only,
// so a file never says two different things about the same tools.
const FILTER_SPELLINGS = {
  includeTools: ["includeTools", "enabled_tools"],
  excludeTools: ["excludeTools", "disabledTools", "disabled_tools"],
} as const

function toolFilters(entry: ServerFile): { includeTools?: string[]; excludeTools?: string[] } | EntryProblem {
  const out: { includeTools?: string[]; excludeTools?: string[] } = {}
  for (const [canonical, spellings] of Object.entries(FILTER_SPELLINGS) as [
    keyof typeof FILTER_SPELLINGS,
    readonly (keyof ServerFile)[],
  ][]) {
    const given = spellings.filter((k) => entry[k] !== undefined)
    if (given.length > 1)
      return {
        field: given[1]!,
        message: `repeats ${given[0]}: both spell the ${canonical} list`,
        hint: `keep one: move the patterns into "${canonical}" and remove "${given.filter((k) => k !== canonical).join('", "')}"`,
      }
    if (given[0] !== undefined) out[canonical] = entry[given[0]] as string[]
  }
  return out
}

/**
 * opencode's top-level `tools` switches (globs on `server_tool` names) that hide tools of this
 * server, as globs on its own tool names: `github_delete_*` → `delete_*`, `github*` → `*`.
 */
export function peerToolGlobs(server: string, switches: Record<string, unknown>): string[] {
  const prefix = `${server}_`
  const hidden: string[] = []
  for (const [glob, enabled] of Object.entries(switches)) {
    if (enabled !== false) continue
    if (glob.startsWith(prefix)) hidden.push(glob.slice(prefix.length) || "*")
    else if (glob.endsWith("*") && !glob.slice(0, -1).includes("*") && prefix.startsWith(glob.slice(0, -1)))
      hidden.push("*")
  }
  return [...new Set(hidden)]
}

function oauthConfig(entry: ServerFile): OAuthConfig | undefined {
  const o: OAuthFile | undefined = typeof entry.oauth === "object" ? entry.oauth : undefined
  if (entry.oauth === false || o?.enabled === false) return undefined
  if (!o && !entry.oauthScopes) return undefined
  const scopes =
    typeof o?.scopes === "string" ? o.scopes.split(/\s+/).filter(Boolean) : (o?.scopes ?? entry.oauthScopes)
  return {
    grant: o?.grant ?? "authorization_code",
    ...(o?.clientId !== undefined && { clientId: o.clientId }),
    ...(o?.clientSecret !== undefined && { clientSecret: o.clientSecret }),
    ...(scopes !== undefined && { scopes }),
    ...(o?.callbackPort !== undefined && { callbackPort: o.callbackPort }),
    ...(o?.clientMetadataUrl !== undefined && { clientMetadataUrl: o.clientMetadataUrl }),
    ...(o?.tokenEndpointAuthMethod !== undefined && { tokenEndpointAuthMethod: o.tokenEndpointAuthMethod }),
    ...(o?.privateKey !== undefined && { privateKey: o.privateKey }),
    ...(o?.signingAlgorithm !== undefined && { signingAlgorithm: o.signingAlgorithm }),
    ...(o?.issuer !== undefined && { issuer: o.issuer }),
    ...(o?.idpIssuer !== undefined && { idpIssuer: o.idpIssuer }),
    ...(o?.idpTokenEndpoint !== undefined && { idpTokenEndpoint: o.idpTokenEndpoint }),
    ...(o?.idpClientId !== undefined && { idpClientId: o.idpClientId }),
    ...(o?.idpClientSecret !== undefined && { idpClientSecret: o.idpClientSecret }),
    ...(o?.idToken !== undefined && { idToken: o.idToken }),
    ...(o?.dpop !== undefined && { dpop: o.dpop }),
    ...(o?.assertion !== undefined && { assertion: o.assertion }),
    ...(o?.assertionFile !== undefined && { assertionFile: o.assertionFile }),
    ...(o?.assertionFrom !== undefined && { assertionFrom: o.assertionFrom }),
    ...(o?.audience !== undefined && { audience: o.audience }),
  }
}

const JWT_BEARER_HINT =
  'e.g. "assertion": "${CI_JWT}", "assertionFile": "/var/run/secrets/token", or "assertionFrom": "github-actions"'

function assertionSources(o: OAuthConfig): number {
  return [o.assertion, o.assertionFile, o.assertionFrom].filter((x) => x !== undefined).length
}

const CROSS_APP_HINT =
  "set clientId, clientSecret, idpClientId, idToken (a ${VAR}) and idpIssuer or idpTokenEndpoint"

function missingCrossApp(o: OAuthConfig): string | undefined {
  if (o.idpIssuer === undefined && o.idpTokenEndpoint === undefined) return "idpIssuer"
  return (["idToken", "idpClientId", "clientId", "clientSecret"] as const).find((k) => o[k] === undefined)
}

function fail(field: string, message: string, hint?: string): NormalizeResult {
  return { ok: false, problem: { field, message, hint } }
}

/** The canonical form written back in file form, without the defaults (inverse of normalizeServer). */
export function toFileEntry(server: ServerConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (server.description !== undefined) out.description = server.description
  if (server.transport === "stdio") {
    out.command = server.command
    if (server.args.length) out.args = server.args
    if (Object.keys(server.env).length) out.env = server.env
    if (server.cwd !== undefined) out.cwd = server.cwd
  } else {
    if (server.transport !== "auto") out.type = server.transport
    out.url = server.url
    if (Object.keys(server.headers).length) out.headers = server.headers
    if (server.oauth) {
      const { grant, ...rest } = server.oauth
      out.oauth = grant === "authorization_code" ? rest : server.oauth
    }
  }
  if (server.disabled) out.disabled = true
  if (server.autoApprove.length) out.autoApprove = server.autoApprove
  if (server.roots?.length) out.roots = server.roots
  if (server.includeTools) out.includeTools = server.includeTools
  if (server.excludeTools?.length) out.excludeTools = server.excludeTools
  if (server.timeout !== undefined) out.timeout = server.timeout
  if (server.protocolVersion !== undefined) out.protocolVersion = server.protocolVersion
  if (server.required) out.required = true
  if (server.registry) out.registry = server.registry
  return out
}
