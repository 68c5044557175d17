// O17 (RFC 9728 §3.3): the `resource` in protected-resource metadata must be the server's own
// URL, "identical" to the one the client used. agent compares the canonical form (scheme and
// host case, default port, no fragment; a trailing slash is the same resource, as the MCP
// spec's canonical server URI treats it). No parent path is accepted: RFC 9728 allows none,
// and a prefix rule (the SDK's checkResourceAllowed, draft-mcguinness-oauth-rfc9728bis) lets
// `https://host/` speak for `https://host/tenantA/mcp`, so a token minted for the whole origin,
// or another tenant's metadata, would be taken for this server.

export function isSameResource(serverUrl: URL | string, prmResource: string): boolean {
  const a = canonical(String(serverUrl))
  const b = canonical(prmResource)
  return a !== undefined && a === b
}

function canonical(text: string): string | undefined {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return undefined // not a URL: names no resource, so it cannot match
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return undefined
  const path = url.pathname.endsWith("/") ? url.pathname.slice(0, -1) : url.pathname
  return `${url.origin}${path}${url.search}`
}
