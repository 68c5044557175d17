// Enterprise-Managed Authorization (SEP-990, "cross-app access") for users whose company signs
// them in through an identity provider: the user's ID token is traded at the IdP for an ID-JAG
// (RFC 8693 token exchange, audience = the MCP server's AS, resource = the MCP server), and the
// ID-JAG for an access token at the AS (RFC 7523 jwt-bearer grant, client_secret_basic). The
// SDK's CrossAppAccessProvider runs the AS half; the IdP half is its requestJwtAuthorizationGrant.
// Like client_credentials, the secrets, the ID token and every token stay in memory.
import {
  CrossAppAccessProvider,
  discoverAndRequestJwtAuthGrant,
  requestJwtAuthorizationGrant,
  type CrossAppAccessContext,
  type OAuthClientProvider,
} from "@modelcontextprotocol/client"
import { AuthRequiredError } from "../util/errors.ts"
import { withMemoryDpop } from "./dpop.ts"
import { createGuardedFetch, type FetchFn } from "./guard.ts"

export interface CrossAppOptions {
  server: string
  serverUrl: string
  /** The AS client (the one the ID-JAG names). */
  clientId: string
  clientSecret: string
  /** Discovery at the IdP's issuer, unless its token endpoint is given. */
  idpIssuer?: string
  idpTokenEndpoint?: string
  idpClientId: string
  idpClientSecret?: string
  idToken: string
  scopes?: string[]
  /** SEP-2352: the AS client secret goes to this issuer only. */
  expectedIssuer: string
  allowLoopback?: boolean
  fetch?: FetchFn
  /** oauth.dpop (dpop.ts): the key lives in memory with the tokens. */
  dpop?: boolean
}

export function createCrossAppProvider(opts: CrossAppOptions): {
  provider: OAuthClientProvider
  fetch: FetchFn
} {
  const idp = opts.idpTokenEndpoint ?? opts.idpIssuer
  if (!idp)
    throw new AuthRequiredError(
      `${opts.server}: cross_app_access needs oauth.idpIssuer or oauth.idpTokenEndpoint`,
    )
  // The IdP is the user's own configuration, like the server: it may live on the company network.
  const allowHosts = [new URL(opts.serverUrl).host, hostOf(opts.server, idp)]
  const fetch = createGuardedFetch({ allowHosts, allowLoopback: opts.allowLoopback, fetch: opts.fetch })
  const provider = new CrossAppAccessProvider({
    clientId: opts.clientId,
    clientSecret: opts.clientSecret,
    clientName: "agent",
    expectedIssuer: opts.expectedIssuer,
    fetchFn: fetch,
    assertion: (ctx) => requestGrant(opts, ctx),
  })
  return { provider: withMemoryDpop(provider, opts.dpop), fetch }
}

async function requestGrant(opts: CrossAppOptions, ctx: CrossAppAccessContext): Promise<string> {
  const scope = ctx.scope ?? (opts.scopes?.length ? opts.scopes.join(" ") : undefined)
  const common = {
    audience: ctx.authorizationServerUrl,
    resource: ctx.resourceUrl,
    idToken: opts.idToken,
    clientId: opts.idpClientId,
    ...(opts.idpClientSecret && { clientSecret: opts.idpClientSecret }),
    ...(scope && { scope }),
    fetchFn: ctx.fetchFn,
  }
  try {
    const result = opts.idpTokenEndpoint
      ? await requestJwtAuthorizationGrant({ ...common, tokenEndpoint: opts.idpTokenEndpoint })
      : await discoverAndRequestJwtAuthGrant({ ...common, idpUrl: opts.idpIssuer ?? "" })
    return result.jwtAuthGrant
  } catch (e: unknown) {
    // The SDK throws plain Errors here; its message is the IdP's OAuth error, never the token.
    if (e instanceof AuthRequiredError) throw e
    throw new AuthRequiredError(
      `${opts.server}: the identity provider did not exchange the ID token for an authorization grant`,
      {
        cause: e,
        hint: "ID tokens expire within minutes to hours: sign in to your identity provider again and pass the fresh ID token",
      },
    )
  }
}

function hostOf(server: string, url: string): string {
  try {
    return new URL(url).host
  } catch (e: unknown) {
    throw new AuthRequiredError(`${server}: oauth.idpIssuer/idpTokenEndpoint is not a URL`, { cause: e })
  }
}
