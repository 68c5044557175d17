// Our OAuthClientProvider (the SDK's seam, docs/design.md §6) for one MCP server, backed by the token
// store. The SDK runs discovery, registration, PKCE and the token requests; we decide what is
// stored where, which URLs may be opened or fetched, and we check `state` ourselves (L07: the
// SDK does not). Use `provider.fetch` as the transport's fetch: it is the SSRF guard and the
// locked refresh (O07, O10).
import type {
  DpopSession,
  OAuthClientInformationContext,
  OAuthClientMetadata,
  OAuthClientProvider,
  OAuthDiscoveryState,
  StoredOAuthClientInformation,
  StoredOAuthTokens,
} from "@modelcontextprotocol/client"
import { AuthRequiredError, type WriteError } from "../util/errors.ts"
import { createDpopKey, type DpopPrivateJwk, isDpopPrivateJwk, loadDpopKey, wantsDpop } from "./dpop.ts"
import { checkAuthorizationUrl, createGuardedFetch, type FetchFn } from "./guard.ts"
import { createLockedRefreshFetch, fromSaved, toSaved } from "./refresh.ts"
import { isOriginMetadata, isSameResource, VerbatimResource } from "./resource.ts"
import type { TokenEntry, TokenKey, TokenStore } from "./store.ts"

/** node:crypto when a sign-in needs it, not at every connect's import (~3 ms: util/hash.ts). */
const nodeCrypto = () => require("node:crypto") as typeof import("node:crypto")

/** L07/O18: a callback whose `state` is not the one sent: someone else's request, not this sign-in's answer. */
export class CallbackStateError extends AuthRequiredError {}

export interface OAuthProviderOptions {
  /** The server's name in the config (messages, `agent mcp auth <name>`). */
  server: string
  serverUrl: string
  store: TokenStore
  clientId?: string
  clientSecret?: string
  tokenEndpointAuthMethod?: "client_secret_basic" | "client_secret_post" | "none"
  clientMetadataUrl?: string
  scopes?: string[]
  /** http://127.0.0.1:<port>/oauth/callback of the local server; settable later with setRedirectUrl. */
  redirectUrl?: string
  /** Opens the authorization URL (safe browser opener, or the --no-browser paste flow). Absent: non-interactive, sign-in fails with exit 4. */
  openAuthorizationUrl?: (url: URL) => void | Promise<void>
  /** Loopback targets allowed for every OAuth request (tests, local servers). */
  allowLoopback?: boolean
  fetch?: FetchFn
  /** F06: refreshed tokens could not be saved (the message says why and what to do). */
  onUnsavedRefresh?: (error: WriteError) => void
  /** oauth.dpop: true always, false never; unset: when the AS advertises it (dpop.ts). */
  dpop?: boolean
}

export type AgentOAuthProvider = OAuthClientProvider & {
  readonly fetch: FetchFn
  setRedirectUrl(url: string): void
  /** Starts or ends an interactive sign-in: with no opener, a sign-in that needs the user fails (exit 4). */
  setOpener(open: ((url: URL) => void | Promise<void>) | undefined): void
  /** L07/L08: the callback's `state` must be the one we sent, once (a wrong one throws CallbackStateError and uses nothing up). Returns code and iss. */
  checkCallback(params: URLSearchParams): { code: string; iss?: string }
  /** The (resource, issuer) key of the tokens in use, once known. */
  key(): TokenKey | undefined
  /**
   * The server answered 401/403: stored tokens are read again (another process may have signed
   * in or refreshed). O09: when it named a resource_metadata that is not the one discovery was cached
   * for, the cache goes, so the SDK discovers again instead of refreshing at the old AS; tokens
   * stay keyed by (resource, issuer), so a new AS finds none and the user signs in again.
   */
  noteChallenge(resourceMetadataUrl: URL | undefined): Promise<void>
}

export function createOAuthProvider(opts: OAuthProviderOptions): AgentOAuthProvider {
  const { store, server } = opts
  const resource = new URL(opts.serverUrl).href
  let redirectUrl = opts.redirectUrl ?? "http://127.0.0.1/oauth/callback"
  let issuer: string | undefined
  let discovery: OAuthDiscoveryState | undefined
  let verifier: string | undefined
  let pendingState: string | undefined
  let used: string | undefined
  let opener = opts.openAuthorizationUrl
  const storedByRefresh = new Set<string>()
  const serverHost = new URL(opts.serverUrl).host
  const guardedFetch = createGuardedFetch({
    allowHosts: [serverHost],
    allowLoopback: opts.allowLoopback,
    fetch: opts.fetch,
  })
  // O17: where the protected-resource metadata came from, and what the server's 401 named.
  let prmFetchedFrom: string | undefined
  let prmNamedByServer: string | undefined
  const guarded: FetchFn = async (input, init) => {
    const res = await guardedFetch(input, init)
    const u = String(input instanceof Request ? input.url : input)
    if (res.ok && new URL(u).pathname.startsWith("/.well-known/oauth-protected-resource")) prmFetchedFrom = u
    return res
  }
  const keyFor = (iss: string): TokenKey => ({ resource, issuer: iss })
  // The SDK asks for tokens() before every request. The stored entry (or its absence) is
  // remembered for this provider, i.e. one connection, and read again only when it may have
  // changed: after a 401/403 from the server (noteChallenge; the SDK's auth flow runs after it,
  // so a sign-in or refresh done by another process meanwhile is picked up right then), after
  // our own saves, refreshes and invalidateCredentials. Until such a 401, another process's new
  // tokens are not used; the ones held are still sent. The locked refresh (refresh.ts) and
  // store.update always read the file itself.
  let cached: { issuer: string | undefined; entry: TokenEntry | undefined } | undefined
  // F06: refreshed tokens the store could not save. The file still holds the spent refresh
  // token, so for the rest of this connection these win over it.
  let unsaved: TokenEntry | undefined
  let generation = 0 // a read that started before a forget() is not remembered
  const forget = () => {
    cached = undefined
    generation++
  }
  const current = async (ctx?: OAuthClientInformationContext): Promise<TokenEntry | undefined> => {
    if (ctx) issuer = ctx.issuer
    if (unsaved && (issuer === undefined || unsaved.issuer === issuer)) return unsaved
    if (cached && cached.issuer === issuer) return cached.entry
    const started = generation
    const iss = issuer
    let entry: TokenEntry | undefined
    if (iss) entry = await store.read(keyFor(iss))
    else {
      ;[entry] = await store.findByResource(resource)
      issuer = entry?.issuer
    }
    if (started === generation) cached = { issuer: iss ?? entry?.issuer, entry }
    return entry
  }
  const patch = async (iss: string, fn: (e: TokenEntry) => TokenEntry | undefined) => {
    try {
      const next = await store.update(keyFor(iss), (e) => fn(e ?? { server, resource, issuer: iss }))
      unsaved = undefined // the file is current again
      return next
    } finally {
      forget()
    }
  }
  // DPoP: the session in use and its private key, saved with the next tokens (dpop.ts).
  let dpop: { session: DpopSession; jwk: DpopPrivateJwk } | undefined
  const dpopSession = async (): Promise<DpopSession | undefined> => {
    if (opts.dpop === false) return undefined
    const saved = (await current())?.dpopKey
    // The key the stored tokens are bound to: the same on every refresh and in every process.
    if (isDpopPrivateJwk(saved) && saved.d !== dpop?.jwk.d)
      dpop = { session: await loadDpopKey(saved), jwk: saved }
    if (dpop) return dpop.session
    const known = await provider.discoveryState?.()
    if (!wantsDpop(opts.dpop, known?.authorizationServerMetadata, known?.resourceMetadata)) return undefined
    dpop = await createDpopKey()
    return dpop.session
  }
  /**
   * SEP-2352: the same metadata URL may now name another authorization server (a migration).
   * Read it again: when its first authorization server is not the one discovery was cached for,
   * the cache goes and the SDK discovers and registers anew there. Tokens and client
   * registrations stay keyed by (resource, issuer), so nothing from the old AS is sent to the new.
   */
  const hasMovedIssuer = async (known: OAuthDiscoveryState, named: URL | undefined): Promise<boolean> => {
    const at = named ?? (known.resourceMetadataUrl ? new URL(known.resourceMetadataUrl) : undefined)
    try {
      // Loaded here, not at import: only a 401 with cached discovery gets this far.
      const { discoverOAuthProtectedResourceMetadata } = await import("@modelcontextprotocol/client")
      const prm = await discoverOAuthProtectedResourceMetadata(
        opts.serverUrl,
        at ? { resourceMetadataUrl: at } : {},
        guarded,
      )
      const now = prm.authorization_servers?.[0]
      return now !== undefined && withoutSlash(now) !== withoutSlash(known.authorizationServerUrl)
    } catch {
      return false // no metadata to compare: keep the cached discovery; the SDK's own path decides
    }
  }
  const needSignIn = (why: string) =>
    new AuthRequiredError(`${server} needs sign-in: ${why}`, { hint: `run: agent mcp auth ${server}` })

  const provider: AgentOAuthProvider = {
    fetch: createLockedRefreshFetch({
      store,
      base: guarded,
      key: () => (issuer ? keyFor(issuer) : undefined),
      usedAccessToken: () => used,
      onStored: (t) => {
        unsaved = undefined
        storedByRefresh.add(t)
        forget()
      },
      onUnsaved: (entry, error) => {
        unsaved = entry
        issuer = entry.issuer
        // saveTokens gets the same answer next: writing it again would only fail again.
        if (entry.tokens) storedByRefresh.add(entry.tokens.access_token)
        opts.onUnsavedRefresh?.(error)
      },
      isFileBehind: () => unsaved !== undefined,
    }),
    key: () => (issuer ? keyFor(issuer) : undefined),
    async noteChallenge(resourceMetadataUrl) {
      forget() // the server refused what we sent: read the store again (see `cached`)
      if (resourceMetadataUrl) prmNamedByServer = resourceMetadataUrl.href
      const known = await provider.discoveryState?.()
      if (!known?.authorizationServerUrl) return
      const moved =
        (resourceMetadataUrl !== undefined && known.resourceMetadataUrl !== resourceMetadataUrl.href) ||
        (await hasMovedIssuer(known, resourceMetadataUrl))
      if (moved) await provider.invalidateCredentials?.("discovery")
    },
    setRedirectUrl(url) {
      redirectUrl = url
    },
    setOpener(open) {
      opener = open
    },
    get redirectUrl() {
      return redirectUrl
    },
    clientMetadataUrl: opts.clientMetadataUrl,
    get clientMetadata(): OAuthClientMetadata {
      const method = opts.clientSecret ? (opts.tokenEndpointAuthMethod ?? "client_secret_basic") : "none"
      return {
        client_name: "agent",
        redirect_uris: [redirectUrl],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: method,
        ...(opts.scopes?.length ? { scope: opts.scopes.join(" ") } : {}),
      }
    },
    state() {
      pendingState = nodeCrypto().randomBytes(32).toString("base64url")
      return pendingState
    },
    checkCallback(params) {
      const sent = pendingState
      const got = params.get("state") ?? ""
      // O18: a wrong state is not this sign-in's answer (a cross-site GET can send any): refused
      // without using up the state, so the user's own callback still completes the sign-in.
      const { timingSafeEqual } = nodeCrypto()
      if (!sent || got.length !== sent.length || !timingSafeEqual(Buffer.from(got), Buffer.from(sent))) {
        throw new CallbackStateError(
          `${server} needs sign-in: the sign-in callback carried a wrong or missing state (possible CSRF); nothing was exchanged`,
          { hint: `run: agent mcp auth ${server}` },
        )
      }
      pendingState = undefined // one use (L08), whatever the outcome of the matching callback
      const error = params.get("error")
      if (error)
        throw needSignIn(
          `the authorization server answered ${error}${params.get("error_description") ? `: ${params.get("error_description")}` : ""}`,
        )
      const code = params.get("code")
      if (!code) throw needSignIn("the sign-in callback carried no code")
      return { code, iss: params.get("iss") ?? undefined }
    },
    async clientInformation(ctx) {
      if (opts.clientId) {
        return {
          client_id: opts.clientId,
          ...(opts.clientSecret ? { client_secret: opts.clientSecret } : {}),
          ...(opts.tokenEndpointAuthMethod
            ? { token_endpoint_auth_method: opts.tokenEndpointAuthMethod }
            : {}),
          ...(ctx ? { issuer: ctx.issuer } : {}),
        } as StoredOAuthClientInformation
      }
      const stored = (await current(ctx))?.clientInformation as StoredOAuthClientInformation | undefined
      // Nobody can finish a sign-in now: don't register (DCR) a client whose redirect URI no
      // callback server will ever answer; say what to run instead.
      if (!stored && !opener && !opts.clientMetadataUrl) throw needSignIn("not signed in")
      return stored
    },
    async saveClientInformation(info, ctx) {
      const iss = ctx?.issuer ?? info.issuer ?? issuer
      // A configured secret stays in the config (resolved from env); never copy it to disk (O12).
      if (!iss || opts.clientId) return
      issuer = iss
      await patch(iss, (e) => ({ ...e, clientInformation: { ...info } }))
    },
    async tokens(ctx) {
      const saved = (await current(ctx))?.tokens
      // No ctx: the transport reading the bearer it is about to send (see refresh.ts).
      if (!ctx) used = saved?.access_token
      return saved ? { ...fromSaved(saved), ...(issuer ? { issuer } : {}) } : undefined
    },
    async saveTokens(tokens: StoredOAuthTokens, ctx) {
      const iss = ctx?.issuer ?? tokens.issuer ?? issuer
      if (!iss) throw needSignIn("tokens arrived without an issuer")
      issuer = iss
      // Already stored under the lock by the refresh fetch; the file may hold a newer pair by now.
      if (storedByRefresh.has(tokens.access_token)) return
      await patch(iss, (e) => ({
        ...e,
        tokens: toSaved(tokens, e.tokens),
        ...(discovery ? { discoveryState: { ...discovery } } : {}),
        // The key these tokens are bound to goes with them (RFC 9449 §5: so do refresh tokens).
        ...(dpop && tokens.token_type?.toLowerCase() === "dpop" ? { dpopKey: dpop.jwk } : {}),
      }))
    },
    dpop: dpopSession,
    async saveDiscoveryState(state) {
      const meta = state.authorizationServerMetadata
      // O03: refuse metadata that does not offer S256; the SDK only refuses when the list is present.
      // No metadata at all is the 2025-03-26 fallback (/authorize, /token on the server's origin):
      // nothing to read the list from, and redirectToAuthorization still insists on S256.
      if (meta && !meta.code_challenge_methods_supported?.includes("S256")) {
        throw needSignIn(
          `the authorization server ${state.authorizationServerUrl} does not support PKCE S256`,
        )
      }
      if (meta) checkAuthorizationUrl(new URL(meta.authorization_endpoint)) // O01, as early as possible
      discovery = state
    },
    async discoveryState() {
      return discovery ?? ((await current())?.discoveryState as OAuthDiscoveryState | undefined)
    },
    saveCodeVerifier(v) {
      verifier = v
    },
    codeVerifier() {
      if (!verifier) throw needSignIn("no sign-in is in progress")
      return verifier
    },
    async redirectToAuthorization(url) {
      // O01: checked here, not only in the opener, so it holds whatever opener is injected.
      checkAuthorizationUrl(url)
      if (url.searchParams.get("code_challenge_method") !== "S256")
        throw needSignIn("the authorization request lacks PKCE S256")
      if (!opener) throw needSignIn("not signed in, and this run cannot open a browser")
      await opener(url)
    },
    async validateResourceURL(serverUrl, prmResource) {
      const expected = new URL(String(serverUrl)).href
      if (prmResource === undefined) return new URL(expected)
      // O06/O17 (RFC 9728 §3.3): the metadata must name this server exactly; a parent path such
      // as the origin (`https://host/` for `/tenantA/mcp`) or another tenant is refused, except
      // the origin named by the origin's own root metadata, found by discovery (resource.ts).
      const isOriginWide =
        prmFetchedFrom !== undefined &&
        prmFetchedFrom !== prmNamedByServer &&
        isOriginMetadata(expected, prmFetchedFrom, prmResource)
      if (!isSameResource(expected, prmResource) && !isOriginWide)
        throw needSignIn(`its protected-resource metadata names ${prmResource}, not ${expected}`)
      // Sent as published: `http://host:port` stays without the `/` a URL parser adds.
      return new VerbatimResource(prmResource)
    },
    async invalidateCredentials(scope) {
      if (scope === "verifier" || scope === "all") verifier = undefined
      if (scope === "discovery" || scope === "all") discovery = undefined
      forget() // decide on the file as it is now, not on what this connection read earlier
      const e = await current()
      if (!e || scope === "verifier") return
      await patch(e.issuer, (x) => {
        if (scope === "all") return undefined
        if (scope === "tokens") return { ...x, tokens: undefined }
        if (scope === "client") return { ...x, clientInformation: undefined }
        return { ...x, discoveryState: undefined }
      })
    },
  }
  return provider
}

const withoutSlash = (url: string) => url.replace(/\/+$/, "")
