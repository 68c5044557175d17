// 2025-03-26 back-compat, the one exception to O05's metadata check (RFC 8414 §3.3: the
// `issuer` must be the URL the metadata was fetched for). A 2025-03-26 server has no
// protected-resource metadata: the client takes the server's origin as the authorization base
// URL and reads {origin}/.well-known/oauth-authorization-server, whose issuer may name a path on
// that same origin ({origin}/oauth). In 2025-03-26 the MCP server is its own authorization
// server, so a same-origin issuer is the same party; the mix-up attacks §3.3 defends against
// need a second AS on another origin. So: accepted ONLY when no PRM was found for the server AND
// the issuer has exactly the server URL's origin (scheme, host, port). Everywhere else (any
// PRM-based discovery, any other origin) the SDK's refusal stands. The callback `iss` (RFC 9207)
// is then checked against this accepted issuer (the SDK compares with the metadata's issuer).
import {
  discoverOAuthServerInfo,
  IssuerMismatchError,
  type FetchLike,
  type OAuthDiscoveryState,
} from "@modelcontextprotocol/client"

export interface LegacyDiscoveryOptions {
  /** The guarded OAuth fetch (O07). */
  fetchFn: FetchLike
  /** resource_metadata of the server's last 401/403, if it named one: PRM there means no exception. */
  resourceMetadataUrl?: URL
}

/**
 * After the SDK refused AS metadata (`error`): the discovery state to adopt when the exception
 * above applies, else undefined (the caller rethrows `error`). Fetches the metadata again with
 * the SDK's issuer check off, for this narrow case only, and does its own same-origin check.
 */
export async function legacySameOriginDiscovery(
  serverUrl: URL,
  error: unknown,
  opts: LegacyDiscoveryOptions,
): Promise<OAuthDiscoveryState | undefined> {
  if (!(error instanceof IssuerMismatchError) || error.kind !== "metadata") return undefined
  const root = new URL("/", serverUrl).href
  // The SDK expected the server's origin: it fell back there (no PRM), or a PRM named it (checked below).
  if (error.expected !== root) return undefined
  const info = await discoverOAuthServerInfo(serverUrl, {
    fetchFn: opts.fetchFn,
    ...(opts.resourceMetadataUrl && { resourceMetadataUrl: opts.resourceMetadataUrl }),
    skipIssuerMetadataValidation: true,
  }).catch(() => undefined)
  if (!info || info.resourceMetadata !== undefined || String(info.authorizationServerUrl) !== root)
    return undefined
  const meta = info.authorizationServerMetadata
  if (!meta || !isSameOriginIssuer(meta.issuer, serverUrl)) return undefined
  return { authorizationServerUrl: root, authorizationServerMetadata: meta }
}

/** An issuer on exactly the server's origin (scheme, host, port), without query, fragment or userinfo (RFC 8414 §2). */
export function isSameOriginIssuer(issuer: string, serverUrl: URL): boolean {
  if (!URL.canParse(issuer)) return false
  const u = new URL(issuer)
  return (
    u.origin === serverUrl.origin &&
    u.search === "" &&
    u.hash === "" &&
    u.username === "" &&
    u.password === ""
  )
}
