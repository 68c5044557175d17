// Workload identity federation for CI (SEP-1933): the RFC 7523 jwt-bearer grant. The workload's
// own JWT (a CI OIDC token, a projected service-account token, or one passed in a ${VAR}) is
// exchanged at the AS for an access token: no client secret to store, rotate or leak. The SDK's
// auth() runs discovery and the token request through prepareTokenRequest; this provider supplies
// the assertion and, like client_credentials, keeps every token in memory only (O12).
//
// O21: the assertion goes only to the pinned or discovered issuer (SEP-2352, via the client
// information's issuer), and a CI token asked for here is minted with that issuer as its audience
// unless oauth.audience says otherwise, so a server naming a rogue AS cannot collect a token the
// real AS would take. A refused assertion is reported, never retried and never traded for another
// grant (the AS said no; a retry is the same JWT again).
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthClientProvider,
  OAuthTokens,
} from "@modelcontextprotocol/client"
import { AuthRequiredError } from "../util/errors.ts"
import { registerSecret } from "../util/secrets.ts"
import { withMemoryDpop } from "./dpop.ts"
import { createGuardedFetch, type FetchFn } from "./guard.ts"

export const JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"

export interface JwtBearerOptions {
  server: string
  serverUrl: string
  clientId?: string
  clientSecret?: string
  scopes?: string[]
  /** The AS the assertion may go to (SEP-2352). */
  expectedIssuer: string
  /** The workload JWT for this issuer (assertion.ts: a ${VAR}, a file, or the CI's OIDC token). */
  assertion: (issuer: string) => Promise<string>
  /** oauth.dpop (dpop.ts); the key lives in memory with the tokens. */
  dpop?: boolean
  allowLoopback?: boolean
  fetch?: FetchFn
}

export function createJwtBearerProvider(opts: JwtBearerOptions): {
  provider: OAuthClientProvider
  fetch: FetchFn
} {
  const guarded = createGuardedFetch({
    allowHosts: [new URL(opts.serverUrl).host],
    allowLoopback: opts.allowLoopback,
    fetch: opts.fetch,
  })
  // A jwt-bearer request the AS refused ends here, with its reason: handed back, the SDK's auth()
  // would warn and send the same JWT again (invalid_grant, unauthorized_client). Only a DPoP nonce
  // challenge goes back to the SDK, which retries once with the nonce (RFC 9449 §8).
  const fetch: FetchFn = async (input, init) => {
    const res = await guarded(input, init)
    const body = init?.body
    if (res.ok || !(body instanceof URLSearchParams) || body.get("grant_type") !== JWT_BEARER_GRANT)
      return res
    const refusal = await describeRefusal(res.clone() as Response)
    if (refusal.startsWith("use_dpop_nonce")) return res
    throw new AuthRequiredError(
      `${opts.server}: the authorization server refused the workload JWT: ${refusal}`,
      {
        hint: "check the token's issuer, subject and audience against the trust the authorization server is configured with",
      },
    )
  }
  let tokens: OAuthTokens | undefined
  let issuer: string | undefined
  const clientInfo = {
    client_id: opts.clientId ?? "",
    ...(opts.clientSecret && { client_secret: opts.clientSecret }),
    issuer: opts.expectedIssuer,
  }
  const provider: OAuthClientProvider = {
    get redirectUrl() {
      return undefined
    },
    get clientMetadata(): OAuthClientMetadata {
      return {
        client_name: "agent",
        redirect_uris: [],
        grant_types: [JWT_BEARER_GRANT],
        token_endpoint_auth_method: opts.clientSecret ? "client_secret_basic" : "none",
        ...(opts.scopes?.length && { scope: opts.scopes.join(" ") }),
      }
    },
    clientInformation: () => clientInfo as OAuthClientInformationMixed,
    tokens: () => tokens,
    saveTokens(t) {
      registerSecret(t.access_token, "access_token")
      tokens = t
    },
    // RFC 7523 §3: client authentication is optional; without a client id there is none to send.
    ...(opts.clientId === undefined && { addClientAuthentication: async () => {} }),
    saveAuthorizationServerUrl(url: string) {
      issuer = url
    },
    async prepareTokenRequest(scope) {
      const assertion = await opts.assertion(issuer ?? opts.expectedIssuer)
      const params = new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion })
      if (scope) params.set("scope", scope)
      return params
    },
    redirectToAuthorization() {
      throw new AuthRequiredError(`${opts.server}: the jwt_bearer grant never opens a browser`)
    },
    saveCodeVerifier() {},
    codeVerifier() {
      throw new AuthRequiredError(`${opts.server}: the jwt_bearer grant has no code verifier`)
    },
  }
  return { provider: withMemoryDpop(provider, opts.dpop), fetch }
}

/** `invalid_grant: JWT assertion is expired`, from an RFC 6749 §5.2 error body (or the status). */
async function describeRefusal(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: unknown; error_description?: unknown }
    if (typeof body.error === "string")
      return typeof body.error_description === "string"
        ? `${body.error}: ${body.error_description}`
        : body.error
  } catch {
    // not JSON: the status says enough
  }
  return `HTTP ${res.status}`
}
