// O17 (RFC 9728 §3.3): the `resource` in protected-resource metadata must be the server's own
// URL, "identical" to the one the client used. agent compares the canonical form (scheme and
// host case, default port, no fragment; a trailing slash is the same resource, as the MCP
// spec's canonical server URI treats it). No parent path is accepted: RFC 9728 allows none,
// and a prefix rule (the SDK's checkResourceAllowed, draft-mcguinness-oauth-rfc9728bis) lets
// `https://host/` speak for `https://host/tenantA/mcp`, so a token minted for the whole origin,
// or another tenant's metadata, would be taken for this server.
// One exception is RFC 9728 itself (§3.1, §3.3): metadata fetched from the origin's root
// well-known URL (`/.well-known/oauth-protected-resource`, no path inserted) describes the
// resource identified by the origin, so there `resource` must be the origin, and is accepted
// as naming the server. Only when discovery found that document on the server's own origin
// (the path-specific one absent); a root document that the server's own 401 pointed to is not
// enough, since a tenant controls its challenge but not the origin's well-known namespace.

const PRM_WELL_KNOWN = "/.well-known/oauth-protected-resource"

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

/** True when `prmUrl` is the root protected-resource metadata of `serverUrl`'s origin and `prmResource` is that origin. */
export function isOriginMetadata(
  serverUrl: URL | string,
  prmUrl: URL | string,
  prmResource: string,
): boolean {
  let server: URL
  let prm: URL
  try {
    server = new URL(String(serverUrl))
    prm = new URL(String(prmUrl))
  } catch {
    return false
  }
  if (prm.origin !== server.origin || prm.pathname !== PRM_WELL_KNOWN || prm.search) return false
  return canonical(prmResource) === server.origin
}

/**
 * The resource indicator exactly as the metadata published it (RFC 8707; MCP: send it verbatim).
 * The SDK wants a URL and sends its `href`, and a parsed `http://host:port` gains a `/`.
 */
export class VerbatimResource extends URL {
  readonly #text: string
  constructor(text: string) {
    super(text)
    this.#text = text
  }
  override toString(): string {
    return this.#text
  }
  override toJSON(): string {
    return this.#text
  }
}
Object.defineProperty(VerbatimResource.prototype, "href", {
  get(this: VerbatimResource) {
    return this.toString()
  },
})
