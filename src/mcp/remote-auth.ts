import {
  auth as runAuth,
  discoverOAuthServerInfo,
  extractWWWAuthenticateParams,
  type FetchLike,
  type OAuthClientProvider,
} from "@modelcontextprotocol/client"
import {
  classifyAddress,
  createClientCredentialsProvider,
  assertionFor,
  createCrossAppProvider,
  createGuardedFetch,
  createJwtBearerProvider,
  createOAuthProvider,
  createTokenStore,
  isExpired,
  legacySameOriginDiscovery,
  type AgentOAuthProvider,
  type TokenStore,
} from "../auth/index.ts"
import type { OAuthConfig, RemoteServer } from "../config/index.ts"
import { AuthRequiredError } from "../util/errors.ts"
import type { Log } from "../util/log.ts"
import { registerSecret } from "../util/secrets.ts"
import type { AuthHooks, PendingSignIn } from "./types.ts"

// OAuth for one remote connection (docs/design.md §6). The SDK's transport runs the flow with our
// provider: PRM from WWW-Authenticate, discovery, registration, PKCE, refresh on 401, step-up
// on 403 insufficient_scope. What it cannot do for a CLI is wait for the browser: when its
// auth() "redirects", the connect or call fails with UnauthorizedError, and the caller here
// waits for our callback, exchanges the code through the same transport (it knows the PRM URL
// and scope from the challenge) and connects or calls once more.

export interface Finishable {
  finishAuth(code: string, iss?: string): Promise<void>
}

export interface RemoteAuth {
  /** For the transport's authProvider; undefined for static auth (an Authorization header). */
  authProvider?: OAuthClientProvider
  /** The transport's fetch (SSRF guard + locked refresh) when OAuth is on. */
  fetch?: FetchLike
  /** Refreshes tokens that are about to expire (the SDK itself only refreshes after a 401). */
  prepare(): Promise<void>
  /** Starts an interactive sign-in when this run can: the next 401/403 opens the browser. */
  beginSignIn(): Promise<boolean>
  /** A sign-in page was opened and waits for its callback. */
  isRedirected(): boolean
  /** An interactive sign-in has started (its callback server is up). */
  isSigningIn(): boolean
  /** Waits for the callback (state checked, once) and exchanges the code. */
  finish(transport: Finishable): Promise<void>
  /** A connect failed with `e`: true when it was the one refusal the 2025-03-26 exception lifts (auth/legacy.ts), now adopted, so one more attempt may pass. */
  adoptLegacyIssuer(e: unknown): Promise<boolean>
  close(): Promise<void>
}

export interface RemoteAuthContext {
  name: string
  hooks?: AuthHooks
  log: Log
  signal: AbortSignal
}

const NO_AUTH: RemoteAuth = {
  prepare: async () => {},
  beginSignIn: async () => false,
  isRedirected: () => false,
  isSigningIn: () => false,
  finish: async () => {},
  adoptLegacyIssuer: async () => false,
  close: async () => {},
}

export function createRemoteAuth(server: RemoteServer, url: URL, ctx: RemoteAuthContext): RemoteAuth {
  if (!ctx.hooks) return NO_AUTH
  // P03: the OAuth secrets of the config, literal or resolved, as they are read for a sign-in.
  for (const key of ["clientSecret", "privateKey", "idToken", "idpClientSecret", "assertion"] as const)
    registerSecret(server.oauth?.[key], `oauth.${key}`)
  // Static auth: a configured Authorization header is the user's choice; OAuth stays out of it.
  if (!server.oauth && Object.keys(server.headers).some((h) => h.toLowerCase() === "authorization"))
    return NO_AUTH
  // A server on this machine may use an AS on this machine; anything else private is SSRF (O07).
  const allowLoopback =
    classifyAddress(url.hostname.replace(/^\[|\]$/g, "")) === "loopback" || url.hostname === "localhost"
  const grant = server.oauth?.grant
  if (grant === "client_credentials" || grant === "cross_app_access" || grant === "jwt_bearer")
    return machineGrant(server, url, ctx, allowLoopback)
  return authorizationCode(server, url, ctx, ctx.hooks, allowLoopback)
}

// One token store for the servers of one run (their hooks object): the servers connecting at once
// then share its listing of the tokens dir (store.ts) instead of each reading every file.
const storesByRun = new WeakMap<AuthHooks, TokenStore>()
function tokenStoreFor(hooks: AuthHooks): TokenStore {
  let store = storesByRun.get(hooks)
  if (!store) storesByRun.set(hooks, (store = createTokenStore(hooks.stateDir)))
  return store
}

function authorizationCode(
  server: RemoteServer,
  url: URL,
  ctx: RemoteAuthContext,
  hooks: AuthHooks,
  allowLoopback: boolean,
): RemoteAuth {
  const o = server.oauth
  const store = tokenStoreFor(hooks)
  const method = o?.tokenEndpointAuthMethod === "private_key_jwt" ? undefined : o?.tokenEndpointAuthMethod
  const provider: AgentOAuthProvider = createOAuthProvider({
    server: ctx.name,
    serverUrl: url.href,
    store,
    allowLoopback,
    ...(o?.clientId !== undefined && { clientId: o.clientId }),
    ...(o?.clientSecret !== undefined && { clientSecret: o.clientSecret }),
    ...(method && { tokenEndpointAuthMethod: method }),
    ...(o?.clientMetadataUrl !== undefined && { clientMetadataUrl: o.clientMetadataUrl }),
    ...(o?.scopes?.length && { scopes: o.scopes }),
    ...(o?.dpop !== undefined && { dpop: o.dpop }),
    // F06: the AS has rotated the refresh token; the saved one is spent, so say what comes next.
    onUnsavedRefresh: (e) =>
      ctx.log.warn(
        `${ctx.name}: the new refresh token could not be saved: ${e.message}. This run goes on with it, but the saved one is used up: ${e.hint ? `${e.hint}; ` : ""}if the next run says ${ctx.name} needs sign-in, run: agent mcp auth ${ctx.name}`,
      ),
  })
  let pending: PendingSignIn | undefined
  let redirected = false
  let isHidingStored = hooks.isForced === true
  if (isHidingStored) {
    // `agent mcp auth`: sign in afresh, but keep the old tokens until the new ones are saved.
    const tokens = provider.tokens.bind(provider)
    const save = provider.saveTokens.bind(provider)
    provider.tokens = async (c) => (isHidingStored ? undefined : tokens(c))
    provider.saveTokens = async (t, c) => {
      await save(t, c)
      isHidingStored = false
    }
  }

  async function beginSignIn(): Promise<boolean> {
    if (pending) return true
    if (!hooks.signIn) return false
    isActive = true
    pending = await hooks.signIn(ctx.name, {
      ...(o?.callbackPort !== undefined && { callbackPort: o.callbackPort }),
      signal: ctx.signal,
    })
    const p = pending
    provider.setRedirectUrl(p.redirectUrl)
    provider.setOpener(async (u) => {
      redirected = true
      await p.open(u)
    })
    return true
  }

  async function close() {
    provider.setOpener(undefined)
    const p = pending
    pending = undefined
    await p?.close()
  }

  // Off until there is something to use (oauth config, stored tokens, a sign-in): a plain server
  // keeps the SDK's auth path (tokens() before every request) out of its traffic altogether.
  let isActive = server.oauth !== undefined
  let challengedPrm: URL | undefined // resource_metadata of the server's last 401/403
  return {
    get authProvider() {
      return isActive ? provider : undefined
    },
    get fetch() {
      return isActive
        ? mcpDirect(url, provider.fetch, async (u) => {
            challengedPrm = u ?? challengedPrm
            await provider.noteChallenge(u)
          })
        : undefined
    },
    async prepare() {
      if (hooks.isForced) {
        await beginSignIn()
        return
      }
      const [entry] = await store.findByResource(url.href)
      if (entry) isActive = true
      if (!entry?.tokens?.refresh_token || !isExpired(entry.tokens)) return
      ctx.log.debug("the access token expires soon; refreshing before connecting")
      try {
        await runAuth(provider, { serverUrl: url, fetchFn: provider.fetch })
      } catch (e: unknown) {
        // Not fatal here: the connect that follows gets a 401 and runs the SDK's full path,
        // which reports the same failure (invalid_grant → tokens gone → sign-in needed).
        ctx.log.debug(`refresh before connecting failed: ${e instanceof Error ? e.message : String(e)}`)
      }
    },
    beginSignIn,
    isRedirected: () => redirected,
    isSigningIn: () => pending !== undefined,
    async finish(transport) {
      const p = pending
      if (!p || !redirected)
        throw new AuthRequiredError(`${ctx.name} needs sign-in`, { hint: `run: agent mcp auth ${ctx.name}` })
      try {
        const { code, iss } = await p.wait((params) => provider.checkCallback(params))
        redirected = false
        await transport.finishAuth(code, iss)
      } finally {
        await close() // L08: the callback server goes as soon as the flow is over
      }
    },
    async adoptLegacyIssuer(e) {
      if (!isActive || (await provider.discoveryState?.())) return false
      const state = await legacySameOriginDiscovery(url, e, {
        fetchFn: provider.fetch,
        ...(challengedPrm && { resourceMetadataUrl: challengedPrm }),
      })
      if (!state) return false
      await provider.saveDiscoveryState?.(state) // O03 (S256) and O01 (authorization_endpoint) still apply
      ctx.log.debug(
        `${ctx.name}: no protected-resource metadata (2025-03-26 server); accepting issuer ${state.authorizationServerMetadata?.issuer} on the server's own origin for the metadata at ${state.authorizationServerUrl}`,
      )
      return true
    },
    close,
  }
}

/** client_credentials, cross_app_access and jwt_bearer: no browser, tokens in memory only (nothing stored). */
function machineGrant(
  server: RemoteServer,
  url: URL,
  ctx: RemoteAuthContext,
  allowLoopback: boolean,
): RemoteAuth {
  const o = server.oauth!
  let setup: { provider: OAuthClientProvider; fetch: FetchLike } | undefined
  const auth: RemoteAuth = {
    ...NO_AUTH,
    async prepare() {
      // SEP-2352: the secret goes only to this issuer. Without oauth.issuer in the config it is
      // the one the server's metadata names (logged, so a surprise is visible with --debug).
      let expectedIssuer = o.issuer
      if (!expectedIssuer) {
        const info = await discoverOAuthServerInfo(url, {
          fetchFn: createGuardedFetch({ allowHosts: [url.host], allowLoopback }),
        }).catch((e: unknown) => {
          throw new AuthRequiredError(`${ctx.name}: cannot discover its authorization server`, {
            cause: e,
            hint: `set servers.${ctx.name}.oauth.issuer`,
          })
        })
        expectedIssuer = info.authorizationServerMetadata?.issuer ?? info.authorizationServerUrl
        ctx.log.debug(
          `${o.grant}: using issuer ${expectedIssuer} named by the server (pin it with oauth.issuer)`,
        )
      }
      setup =
        o.grant === "jwt_bearer"
          ? jwtBearer(o, ctx, url, expectedIssuer, allowLoopback)
          : o.grant === "cross_app_access"
            ? crossApp(o, ctx.name, url, expectedIssuer, allowLoopback)
            : createClientCredentialsProvider({
                server: ctx.name,
                serverUrl: url.href,
                expectedIssuer,
                allowLoopback,
                ...(o.clientId !== undefined && { clientId: o.clientId }),
                ...(o.clientSecret !== undefined && { clientSecret: o.clientSecret }),
                ...(o.tokenEndpointAuthMethod !== undefined && {
                  tokenEndpointAuthMethod: o.tokenEndpointAuthMethod,
                }),
                ...(o.privateKey !== undefined && { privateKey: parseKey(o.privateKey) }),
                ...(o.signingAlgorithm !== undefined && { signingAlgorithm: o.signingAlgorithm }),
                ...(o.scopes?.length && { scopes: o.scopes }),
                ...(o.dpop !== undefined && { dpop: o.dpop }),
              })
      auth.authProvider = setup.provider
      auth.fetch = mcpDirect(url, setup.fetch)
    },
  }
  return auth
}

function jwtBearer(
  o: OAuthConfig,
  ctx: RemoteAuthContext,
  url: URL,
  expectedIssuer: string,
  allowLoopback: boolean,
) {
  return createJwtBearerProvider({
    server: ctx.name,
    serverUrl: url.href,
    expectedIssuer,
    allowLoopback,
    assertion: assertionFor({
      server: ctx.name,
      ...(o.assertion !== undefined && { assertion: o.assertion }),
      ...(o.assertionFile !== undefined && { assertionFile: o.assertionFile }),
      ...(o.assertionFrom !== undefined && { assertionFrom: o.assertionFrom }),
      ...(o.audience !== undefined && { audience: o.audience }),
      ...(ctx.hooks?.github && { github: ctx.hooks.github }),
    }),
    ...(o.clientId !== undefined && { clientId: o.clientId }),
    ...(o.clientSecret !== undefined && { clientSecret: o.clientSecret }),
    ...(o.scopes?.length && { scopes: o.scopes }),
    ...(o.dpop !== undefined && { dpop: o.dpop }),
  })
}

function crossApp(o: OAuthConfig, name: string, url: URL, expectedIssuer: string, allowLoopback: boolean) {
  // normalize.ts refuses a cross_app_access entry without these, so "" never reaches the wire.
  return createCrossAppProvider({
    server: name,
    serverUrl: url.href,
    expectedIssuer,
    allowLoopback,
    clientId: o.clientId ?? "",
    clientSecret: o.clientSecret ?? "",
    idpClientId: o.idpClientId ?? "",
    idToken: o.idToken ?? "",
    ...(o.idpIssuer !== undefined && { idpIssuer: o.idpIssuer }),
    ...(o.idpTokenEndpoint !== undefined && { idpTokenEndpoint: o.idpTokenEndpoint }),
    ...(o.idpClientSecret && { idpClientSecret: o.idpClientSecret }),
    ...(o.scopes?.length && { scopes: o.scopes }),
    ...(o.dpop !== undefined && { dpop: o.dpop }),
  })
}

/**
 * MCP traffic to the server's own origin goes straight out, as without OAuth (an extra await
 * in front of a notifications/cancelled POST can lose it at exit); everything else (metadata,
 * token, registration) through the OAuth fetch: SSRF guard, no redirects, locked refresh.
 */
function mcpDirect(
  server: URL,
  oauthFetch: FetchLike,
  onChallenge?: (resourceMetadataUrl: URL | undefined) => Promise<void>,
): FetchLike {
  return (input, init) => {
    const u = new URL(String(input instanceof Request ? input.url : input))
    if (u.origin !== server.origin || u.pathname.startsWith("/.well-known/")) return oauthFetch(input, init)
    if (!onChallenge) return fetch(input, init)
    return fetch(input, init).then(async (res) => {
      if (res.status === 401 || res.status === 403)
        await onChallenge(extractWWWAuthenticateParams(res).resourceMetadataUrl)
      return res
    })
  }
}

/** A PEM string, or a JWK given as JSON (both arrive through a ${VAR}). */
function parseKey(raw: string): string | Record<string, unknown> {
  const t = raw.trim()
  if (!t.startsWith("{")) return t.replace(/\\n/g, "\n")
  try {
    return JSON.parse(t) as Record<string, unknown>
  } catch (e: unknown) {
    throw new AuthRequiredError("oauth.privateKey is neither a PEM key nor a JWK", { cause: e })
  }
}
