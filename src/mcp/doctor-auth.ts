import {
  discoverAuthorizationServerMetadata,
  discoverOAuthProtectedResourceMetadata,
  extractWWWAuthenticateParams,
  resourceUrlFromServerUrl,
  type FetchLike,
} from "@modelcontextprotocol/client"
import { classifyAddress, createGuardedFetch, isSameResource } from "../auth/index.ts"
import type { OAuthConfig } from "../config/index.ts"
import { errorText, finding, type Finding } from "./doctor-types.ts"

// The OAuth chain behind a 401, link by link (docs/design.md §6), read-only: no client is registered
// and no sign-in starts. 401 + WWW-Authenticate → RFC 9728 protected-resource metadata (its
// `resource` must be this server exactly, O06/O17) → RFC 8414 / OIDC metadata of the first authorization
// server (its `issuer` must be the URL it was fetched for, O05) → how agent would register
// (O13), PKCE S256 (O04), scopes and refresh tokens. Every fetch goes through the same SSRF
// guard the sign-in uses (O07), so a hop agent would refuse is reported as refused.

export async function checkAuthChain(
  url: URL,
  challenge: Response,
  oauth: OAuthConfig | undefined,
  isLoopback: boolean,
): Promise<Finding[]> {
  const findings: Finding[] = []
  const fetchFn = createGuardedFetch({ allowHosts: [url.host], allowLoopback: isLoopback }) as FetchLike
  const params = extractWWWAuthenticateParams(challenge)
  const header = challenge.headers.get("www-authenticate")
  // A sign-in cannot work here: say so as an error, with the header to set instead.
  const key = oauth ? undefined : await isApiKeyServer(url, challenge, isLoopback)
  if (key) return [finding("auth.kind", "error", key.message, key.hint)]
  if (!header)
    findings.push(
      finding(
        "auth.challenge",
        "warn",
        "401 without a WWW-Authenticate header",
        "the server should name its resource_metadata (RFC 9728 §5.1); agent falls back to the well-known URL",
      ),
    )
  else {
    const parts = [
      params.resourceMetadataUrl
        ? `resource_metadata=${params.resourceMetadataUrl.href}`
        : "no resource_metadata (well-known fallback)",
      params.scope ? `scope="${params.scope}"` : "no scope",
    ]
    findings.push(finding("auth.challenge", "ok", `401 with WWW-Authenticate: ${parts.join(", ")}`))
  }

  let prm: Awaited<ReturnType<typeof discoverOAuthProtectedResourceMetadata>>
  try {
    prm = await discoverOAuthProtectedResourceMetadata(
      url,
      params.resourceMetadataUrl ? { resourceMetadataUrl: params.resourceMetadataUrl } : {},
      fetchFn,
    )
  } catch (e: unknown) {
    // A 2025-03-26 server: no PRM, and its origin is the authorization server. agent signs in
    // there (same-origin issuer only, src/auth/legacy.ts), so this is a warning, not an error.
    findings.push(
      finding(
        "auth.prm",
        "warn",
        `no protected-resource metadata (RFC 9728): ${errorText(e)}; using 2025-03-26 discovery at ${url.origin}`,
        "current clients look for /.well-known/oauth-protected-resource; publish it so every client finds the authorization server",
      ),
    )
    findings.push(...(await checkAuthorizationServer(url.origin, fetchFn, oauth, params.scope, true)))
    return findings
  }
  const expected = resourceUrlFromServerUrl(url)
  if (!prm.resource || !isSameResource(expected, prm.resource)) {
    findings.push(
      finding(
        "auth.prm",
        "error",
        `protected-resource metadata names resource ${prm.resource || "(none)"}, not ${expected.href}`,
        "agent refuses tokens for another resource (RFC 9728 §3.3); the server's metadata or the configured URL is wrong",
      ),
    )
    return findings
  }
  findings.push(finding("auth.prm", "ok", `protected-resource metadata matches (resource ${prm.resource})`))
  const asUrl = prm.authorization_servers?.[0]
  if (!asUrl) {
    findings.push(
      finding(
        "auth.as",
        "error",
        "protected-resource metadata names no authorization server",
        "authorization_servers must list at least one issuer",
      ),
    )
    return findings
  }
  findings.push(...(await checkAuthorizationServer(asUrl, fetchFn, oauth, params.scope)))
  return findings
}

type AsMetadata = NonNullable<Awaited<ReturnType<typeof discoverAuthorizationServerMetadata>>>

async function checkAuthorizationServer(
  asUrl: string,
  fetchFn: FetchLike,
  oauth: OAuthConfig | undefined,
  challengeScope: string | undefined,
  isLegacy = false,
): Promise<Finding[]> {
  let meta: AsMetadata | undefined
  try {
    meta = await discoverAuthorizationServerMetadata(asUrl, { fetchFn, skipIssuerValidation: true })
  } catch (e: unknown) {
    return [
      finding(
        "auth.as",
        "error",
        `cannot read the authorization server metadata of ${asUrl}: ${errorText(e)}`,
        "check the authorization server's /.well-known/oauth-authorization-server or openid-configuration",
      ),
    ]
  }
  if (!meta && isLegacy) {
    return [
      finding(
        "auth.as",
        "warn",
        `${asUrl} publishes no authorization server metadata; agent falls back to ${asUrl}/authorize, /token and /register (2025-03-26)`,
        "publish /.well-known/oauth-authorization-server",
      ),
    ]
  }
  if (!meta)
    return [
      finding(
        "auth.as",
        "error",
        `${asUrl} publishes no RFC 8414 or OIDC metadata`,
        "the authorization server needs /.well-known/oauth-authorization-server (or openid-configuration)",
      ),
    ]
  const findings: Finding[] = []
  if (isLegacy && trimSlash(meta.issuer) !== trimSlash(asUrl) && URL.parse(meta.issuer)?.origin === asUrl) {
    findings.push(
      finding(
        "auth.as",
        "info",
        `authorization server ${meta.issuer} on the server's own origin (2025-03-26 layout); accepted because it is the same origin`,
      ),
    )
  } else if (trimSlash(meta.issuer) !== trimSlash(asUrl)) {
    findings.push(
      finding(
        "auth.as",
        "error",
        `authorization server metadata says issuer ${meta.issuer}, but was fetched for ${asUrl}`,
        "agent rejects this (RFC 8414 §3.3, mix-up defence); the AS's issuer setting is wrong",
      ),
    )
  } else
    findings.push(
      finding("auth.as", "ok", `authorization server ${meta.issuer}: metadata found, issuer matches`),
    )
  findings.push(registration(meta, oauth))
  const pkce = meta.code_challenge_methods_supported ?? []
  findings.push(
    pkce.includes("S256")
      ? finding("auth.pkce", "ok", "PKCE S256 offered")
      : finding(
          "auth.pkce",
          "error",
          `PKCE S256 not offered (code_challenge_methods_supported: ${pkce.join(", ") || "absent"})`,
          "agent signs in only with PKCE S256 (OAuth 2.1); the authorization server must advertise it",
        ),
  )
  const scopes = meta.scopes_supported
  if (scopes?.length) {
    findings.push(finding("auth.scopes", "info", `scopes_supported: ${scopes.join(" ")}`))
    const missing = (challengeScope ?? "").split(" ").filter((s) => s && !scopes.includes(s))
    if (missing.length)
      findings.push(
        finding(
          "auth.scopes",
          "warn",
          `the 401 asks for scope ${missing.join(" ")}, which scopes_supported does not list`,
          "the server and its authorization server disagree on scope names",
        ),
      )
  } else
    findings.push(
      finding(
        "auth.scopes",
        "info",
        "no scopes_supported; agent asks for the scope from WWW-Authenticate, if any",
      ),
    )
  const refresh = scopes?.includes("offline_access") || meta.grant_types_supported?.includes("refresh_token")
  findings.push(
    refresh
      ? finding(
          "auth.refresh",
          "ok",
          `refresh tokens available${scopes?.includes("offline_access") ? " (offline_access)" : ""}`,
        )
      : finding(
          "auth.refresh",
          "info",
          "no offline_access or refresh_token grant advertised: sign-in may be needed again when the access token expires",
        ),
  )
  return findings
}

function registration(meta: AsMetadata, oauth: OAuthConfig | undefined): Finding {
  // O13: pre-registered first, then a client ID metadata document, then DCR.
  if (oauth?.clientId)
    return finding("auth.registration", "ok", `pre-registered client ${oauth.clientId} (from the config)`)
  if (meta.client_id_metadata_document_supported)
    return finding(
      "auth.registration",
      "ok",
      "client ID metadata documents supported (no registration needed)",
    )
  const endpoint = meta.registration_endpoint
  if (!endpoint) {
    return finding(
      "auth.registration",
      "error",
      "no way to register a client: no pre-registered client, no CIMD support, no registration_endpoint",
      "register agent with the authorization server and set servers.<name>.oauth.clientId",
    )
  }
  const u = new URL(endpoint)
  const isLoopback =
    u.hostname === "localhost" || classifyAddress(u.hostname.replace(/^\[|\]$/g, "")) === "loopback"
  if (u.protocol !== "https:" && !isLoopback) {
    return finding(
      "auth.registration",
      "error",
      `dynamic client registration endpoint is plain http (${u.origin})`,
      "agent refuses to register over http (O13); the endpoint must be https",
    )
  }
  return finding("auth.registration", "ok", `dynamic client registration at ${endpoint}`)
}

function trimSlash(s: string): string {
  return s.endsWith("/") ? s.slice(0, -1) : s
}

/**
 * A 401 from a server that publishes no OAuth metadata at all (no resource_metadata in the
 * challenge, no RFC 9728 document, no RFC 8414/OIDC document at its origin) wants an API key
 * in a header: what to tell the user, or undefined when a sign-in can work. Shared by doctor
 * and the connect path (diagnose.ts), so both say the same thing.
 */
export async function isApiKeyServer(
  url: URL,
  challenge: Response,
  isLoopback: boolean,
): Promise<{ message: string; hint: string } | undefined> {
  const fetchFn = createGuardedFetch({ allowHosts: [url.host], allowLoopback: isLoopback }) as FetchLike
  const params = extractWWWAuthenticateParams(challenge)
  if (params.resourceMetadataUrl) return undefined
  try {
    await discoverOAuthProtectedResourceMetadata(url, {}, fetchFn)
    return undefined
  } catch (e: unknown) {
    void e // no RFC 9728 document: look for the 2025-03-26 layout next
  }
  try {
    if (await discoverAuthorizationServerMetadata(url.origin, { fetchFn, skipIssuerValidation: true }))
      return undefined
  } catch (e: unknown) {
    // Metadata is there but broken: an OAuth server after all, and doctor's chain says what is wrong.
    void e
    return undefined
  }
  const scheme = challenge.headers.get("www-authenticate")?.trim().split(/[\s,]/)[0]
  const value =
    !scheme || /^bearer$/i.test(scheme)
      ? "Bearer ${API_KEY}"
      : /^basic$/i.test(scheme)
        ? "Basic ${CREDENTIALS}"
        : `${scheme} \${API_KEY}`
  const guess = scheme
    ? `it asks for the ${scheme} scheme: "Authorization: ${value}"`
    : `probably "Authorization: ${value}" (some servers use "X-API-Key: \${API_KEY}"; see the server's docs)`
  return {
    message: `${url.href} answered HTTP 401 and publishes no OAuth metadata: it wants an API key in a header, and agent mcp auth cannot sign in here`,
    hint: `${guess}; pass --header 'Authorization: ${value}', or set "headers": { "Authorization": "${value}" } for the server in mcp.json (then approve the variable: agent env approve ${value.split("${")[1]!.replace("}", "")})`,
  }
}
