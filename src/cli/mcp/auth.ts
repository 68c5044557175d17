import { createTokenStore, isExpired, type TokenEntry } from "../../auth/index.ts"
import type { ServerEntry } from "../../config/index.ts"
import { UsageError } from "../../util/errors.ts"
import { escapeTerminal } from "../../util/text.ts"
import { command, commonArgs, mcpArg, outputArg } from "../command.ts"
import { createContext, loadFromArgs, type Ctx } from "../shared/context.ts"
import { connectArgs, connectedServer, positionals, withServers } from "../shared/connect.ts"
import { printJson, printRaw, printTable } from "../shared/output.ts"

// `agent mcp auth NAME` (sign in: browser, --no-browser paste, or client credentials),
// `agent mcp auth --status [NAME]` and `agent mcp logout NAME`. What is shown about a sign-in
// is its state, issuer, scopes and expiry: never a token (O14).

export const auth = command({
  name: "auth",
  description:
    "Sign in to a remote server (OAuth), or show sign-in state with --status; exit 4 when sign-in fails",
  args: {
    ...connectArgs,
    browser: {
      type: "boolean",
      negativeDescription: "Print the sign-in URL and read the redirect URL you paste (SSH, headless)",
    },
    status: {
      type: "boolean",
      description: "Show who is signed in where (expiry, scopes); never tokens; connects to nothing",
    },
    server: {
      type: "positional",
      required: false,
      valueHint: "NAME",
      description: "The server (or an ad hoc --url)",
    },
  },
  examples: [
    "agent mcp auth linear                       # opens the browser, waits for the callback",
    "agent mcp auth linear --no-browser          # over SSH: prints the URL, paste the redirect URL back",
    "agent mcp auth --url https://mcp.example.com/mcp",
    "agent mcp auth --status --output json",
  ],
  async run({ args, rawArgs }) {
    const [name] = positionals(args._, rawArgs)
    if (args.status) return showStatus(createContext(args), rawArgs, name)
    const noBrowser = args.browser === false || rawArgs.includes("--no-browser")
    return withServers(
      args,
      rawArgs,
      { only: name, isSingle: true, signIn: { isExplicit: true, isForced: true, noBrowser } },
      async (s) => {
        const state = connectedServer(s, name ?? s.states[0]!.name)
        const server = state.entry.server
        if (server.transport === "stdio")
          throw new UsageError(`${state.name} is a local (stdio) server; it has no sign-in`)
        const machine = machineGrant(server.oauth?.grant)
        const entry = machine
          ? undefined
          : (await entriesFor(createTokenStore(s.ctx.paths.stateDir), state.name, server.url))[0]
        const info = describe(state.name, entry, machine ?? (entry ? "signed_in" : "not_needed"))
        if (s.ctx.output === "json") return printJson(info)
        if (info.status === "not_needed")
          return printRaw(
            `${escapeTerminal(state.name)} connected without signing in (the server asked for none)`,
          )
        if (info.status === "client_credentials")
          return printRaw(`${escapeTerminal(state.name)}: signed in with client credentials (nothing stored)`)
        if (info.status === "cross_app_access")
          return printRaw(
            `${escapeTerminal(state.name)}: signed in through the identity provider (cross-app access; nothing stored)`,
          )
        if (info.status === "jwt_bearer")
          return printRaw(
            `${escapeTerminal(state.name)}: signed in with the workload's JWT (jwt-bearer; nothing stored)`,
          )
        printRaw(
          escapeTerminal(
            `Signed in to ${state.name}${info.subject ? ` as ${info.subject}` : ""} (${info.issuer})`,
          ),
        )
        printRaw(
          escapeTerminal(
            `  scopes: ${info.scopes.join(" ") || "(none granted explicitly)"}${info.expiresAt ? `; access token expires ${info.expiresAt}` : ""}${info.tokenType ? "; DPoP-bound (RFC 9449)" : ""}`,
          ),
        )
      },
    )
  },
})

export const logout = command({
  name: "logout",
  description: "Delete the stored tokens of a server (--forget-client: its client registration too)",
  args: {
    ...commonArgs,
    ...outputArg,
    ...mcpArg,
    url: {
      type: "string",
      valueHint: "URL",
      description: "The server's URL instead of a config name (ad hoc sign-ins)",
    },
    "forget-client": {
      type: "boolean",
      description: "Also forget the OAuth client registration (DCR), so the next sign-in registers afresh",
    },
    server: { type: "positional", required: false, valueHint: "NAME", description: "The server" },
  },
  examples: [
    "agent mcp logout linear",
    "agent mcp logout linear --forget-client",
    "agent mcp logout --url https://mcp.example.com/mcp",
  ],
  async run({ args, rawArgs }) {
    const ctx = createContext(args)
    const [name] = positionals(args._, rawArgs)
    if (name === undefined && args.url === undefined) throw new UsageError("name the server (or give --url)")
    const url = args.url ?? (name !== undefined ? configUrl(ctx, rawArgs, name) : undefined)
    const store = createTokenStore(ctx.paths.stateDir)
    const found = await entriesFor(store, name, url)
    for (const e of found) await store.forget(e, { client: Boolean(args["forget-client"]) })
    const who = name ?? url ?? ""
    if (ctx.output === "json")
      return printJson({ server: who, removed: found.length, forgotClient: Boolean(args["forget-client"]) })
    printRaw(
      escapeTerminal(
        found.length
          ? `Signed out of ${who}${args["forget-client"] ? " and forgot its client registration" : ""}`
          : `${who}: not signed in; nothing to remove`,
      ),
    )
  },
})

interface SignInInfo {
  server: string
  status:
    | "signed_in"
    | "expired"
    | "not_signed_in"
    | "client_credentials"
    | "cross_app_access"
    | "jwt_bearer"
    | "not_needed"
  issuer?: string
  resource?: string
  scopes: string[]
  expiresAt?: string
  canRefresh: boolean
  subject?: string
  /** "DPoP": the tokens are bound to the key saved with them (RFC 9449); absent for Bearer. */
  tokenType?: "DPoP"
}

/** Grants that sign in without a browser and store nothing: their status is the grant. */
function machineGrant(
  grant: string | undefined,
): "client_credentials" | "cross_app_access" | "jwt_bearer" | undefined {
  return grant === "client_credentials" || grant === "cross_app_access" || grant === "jwt_bearer"
    ? grant
    : undefined
}

function describe(server: string, e: TokenEntry | undefined, status: SignInInfo["status"]): SignInInfo {
  const t = e?.tokens
  const st =
    status === "signed_in" && !t
      ? "not_signed_in"
      : status === "signed_in" && t && isExpired(t)
        ? "expired"
        : status
  return {
    server,
    status: st,
    ...(e && { issuer: e.issuer, resource: e.resource }),
    scopes: t?.scope ? t.scope.split(/\s+/).filter(Boolean) : [],
    ...(t?.expires_at !== undefined && { expiresAt: new Date(t.expires_at).toISOString() }),
    canRefresh: Boolean(t?.refresh_token),
    ...(t && subjectOf(t.access_token) && { subject: subjectOf(t.access_token) }),
    ...(t?.token_type?.toLowerCase() === "dpop" && { tokenType: "DPoP" as const }),
  }
}

/** Who the token is for, when the access token is a JWT that says so (claims only; never printed whole). */
function subjectOf(token: string): string | undefined {
  const part = token.split(".")[1]
  if (token.split(".").length !== 3 || !part) return undefined
  try {
    const claims = JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>
    const who = claims.email ?? claims.preferred_username ?? claims.sub
    return typeof who === "string" ? who.slice(0, 200) : undefined
  } catch (e: unknown) {
    void e // an opaque token: nothing to say about who
    return undefined
  }
}

/** Stored entries for a server: by its config name, or by its URL (the token store's resource). */
async function entriesFor(
  store: ReturnType<typeof createTokenStore>,
  name: string | undefined,
  url: string | undefined,
): Promise<TokenEntry[]> {
  const resource = canonical(url)
  const all = await store.list()
  return all.filter(
    (e) =>
      (resource !== undefined && e.resource === resource) ||
      (resource === undefined && name !== undefined && e.server === name),
  )
}

function canonical(url: string | undefined): string | undefined {
  if (url === undefined || url.includes("${")) return undefined
  try {
    return new URL(url).href
  } catch (e: unknown) {
    void e // not a URL (a typo): matched by name instead
    return undefined
  }
}

function configEntries(ctx: Ctx, rawArgs: string[]): ServerEntry[] {
  return loadFromArgs(ctx, rawArgs).servers
}

function configUrl(ctx: Ctx, rawArgs: string[], name: string): string | undefined {
  const e = configEntries(ctx, rawArgs).find((x) => x.name === name)
  return e && e.server.transport !== "stdio" ? e.server.url : undefined
}

async function showStatus(ctx: Ctx, rawArgs: string[], name: string | undefined): Promise<void> {
  const store = createTokenStore(ctx.paths.stateDir)
  const remote = configEntries(ctx, rawArgs).filter(
    (e) => e.server.transport !== "stdio" && (name === undefined || e.name === name),
  )
  const stored = await store.list()
  const rows: SignInInfo[] = remote.map((e) => {
    const url = e.server.transport === "stdio" ? undefined : e.server.url
    const [entry] = stored.filter(
      (s) => s.resource === canonical(url) || (canonical(url) === undefined && s.server === e.name),
    )
    const machine = e.server.transport !== "stdio" ? machineGrant(e.server.oauth?.grant) : undefined
    return describe(e.name, entry, machine ?? (entry ? "signed_in" : "not_signed_in"))
  })
  // Sign-ins without a config entry (ad hoc --url), by the name they were made under.
  for (const s of stored) {
    if (
      (name === undefined || s.server === name) &&
      !remote.some((e) => e.server.transport !== "stdio" && canonical(e.server.url) === s.resource)
    ) {
      rows.push(describe(s.server, s, "signed_in"))
    }
  }
  if (name !== undefined && rows.length === 0)
    throw new UsageError(`no remote server or sign-in called "${escapeTerminal(name)}"`)
  if (ctx.output === "json") return printJson({ servers: rows })
  if (rows.length === 0) return printRaw("no remote servers and no sign-ins")
  printTable(
    rows.map((r) => [
      r.server,
      r.status.replace(/_/g, "-"),
      r.expiresAt ?? "-",
      r.scopes.join(" ") || "-",
      r.issuer ?? "-",
    ]),
    ["SERVER", "STATE", "EXPIRES", "SCOPES", "ISSUER"],
  )
}
