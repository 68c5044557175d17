// Non-interactive sign-in for CI (docs/design.md §6, O12): the client_credentials grant with a client
// secret (basic or post) or a private_key_jwt assertion, through the SDK's own providers. The
// secret and key come from the resolved, approved config (env references) and stay in memory:
// these providers keep tokens in memory only, so nothing of them reaches the disk.
import {
  ClientCredentialsProvider,
  PrivateKeyJwtProvider,
  type OAuthClientProvider,
  type StoredOAuthClientInformation,
} from "@modelcontextprotocol/client"
import { AuthRequiredError } from "../util/errors.ts"
import { withMemoryDpop } from "./dpop.ts"
import { createGuardedFetch, type FetchFn } from "./guard.ts"

export interface ClientCredentialsOptions {
  server: string
  serverUrl: string
  clientId?: string
  clientSecret?: string
  tokenEndpointAuthMethod?: "client_secret_basic" | "client_secret_post" | "private_key_jwt" | "none"
  /** PEM (PKCS#8) or JWK for private_key_jwt. */
  privateKey?: string | Record<string, unknown>
  signingAlgorithm?: string
  scopes?: string[]
  /**
   * The AS these credentials belong to. The SDK refuses to send them to any other (SEP-2352);
   * without it whichever AS the MCP server names receives them.
   */
  expectedIssuer: string
  allowLoopback?: boolean
  fetch?: FetchFn
  /** oauth.dpop (dpop.ts): the key lives in memory with the tokens. */
  dpop?: boolean
}

/** client_secret_post: the SDK's provider picks basic unless the client info says otherwise. */
class PostClientCredentialsProvider extends ClientCredentialsProvider {
  override clientInformation(): StoredOAuthClientInformation {
    return {
      ...super.clientInformation(),
      token_endpoint_auth_method: "client_secret_post",
    } as StoredOAuthClientInformation
  }
}

export function createClientCredentialsProvider(opts: ClientCredentialsOptions): {
  provider: OAuthClientProvider
  fetch: FetchFn
} {
  const fetch = createGuardedFetch({
    allowHosts: [new URL(opts.serverUrl).host],
    allowLoopback: opts.allowLoopback,
    fetch: opts.fetch,
  })
  const scope = opts.scopes?.length ? opts.scopes.join(" ") : undefined
  const common = { clientName: "agent", scope, expectedIssuer: opts.expectedIssuer }
  if (!opts.clientId) throw missing(opts.server, "oauth.clientId")
  if (opts.tokenEndpointAuthMethod === "private_key_jwt") {
    if (!opts.privateKey) throw missing(opts.server, "oauth.privateKey")
    const provider = new PrivateKeyJwtProvider({
      ...common,
      clientId: opts.clientId,
      privateKey: opts.privateKey,
      algorithm: opts.signingAlgorithm ?? "ES256",
    })
    return { provider: withMemoryDpop(provider, opts.dpop), fetch }
  }
  if (!opts.clientSecret) throw missing(opts.server, "oauth.clientSecret")
  const Provider =
    opts.tokenEndpointAuthMethod === "client_secret_post"
      ? PostClientCredentialsProvider
      : ClientCredentialsProvider
  const provider = new Provider({ ...common, clientId: opts.clientId, clientSecret: opts.clientSecret })
  return { provider: withMemoryDpop(provider, opts.dpop), fetch }
}

function missing(server: string, field: string): AuthRequiredError {
  return new AuthRequiredError(`${server} uses the client_credentials grant but ${field} is not set`, {
    hint: `set servers.${server}.${field} (as a \${VAR} reference) and approve it`,
  })
}
