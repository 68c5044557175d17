// DPoP (RFC 9449, SEP-1932): sender-constrained tokens. The SDK does the protocol: with a
// `dpop()` on the provider, auth() signs a proof into every token request and retries once on
// the AS's `use_dpop_nonce`, and the transports present a `token_type: DPoP` token with the DPoP
// scheme, a fresh proof per request (htm, htu, iat, jti, ath) and one retry on the resource
// server's `use_dpop_nonce` 401. What is ours: when to use it, and the key. A DPoP-bound token
// is worthless without its private key, so the key is kept with the tokens (the token file,
// 0600, atomic, F01) and reused on every refresh and every later run (the AS binds refresh
// tokens of public clients to it, RFC 9449 §5). Its private part is a secret (P03), never printed.
// No node:crypto here: this file is loaded with the client SDK on every connect, and importing
// node:crypto costs a cold run CPU before its first request (3.5 ms alone, ~1.5 ms measured in
// a real `mcp list`: docs/performance.md, issue 19). Bun's global Web Crypto is the same
// object, and Bun.CryptoHasher the same SHA-256.
import {
  DpopSession,
  type DpopKeyPair,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
} from "@modelcontextprotocol/client"
import { AuthRequiredError } from "../util/errors.ts"
import { registerSecret } from "../util/secrets.ts"

/** An ES256 private key as a JWK (RFC 7517): what the token file keeps. */
export interface DpopPrivateJwk {
  kty: "EC"
  crv: "P-256"
  x: string
  y: string
  d: string
}

/** The only algorithm agent signs proofs with: every DPoP AS supports it (RFC 9449 §5.1 examples). */
export const DPOP_ALG = "ES256"

/**
 * Whether to use DPoP with this AS: `configured` (oauth.dpop) wins; otherwise when the AS
 * metadata lists ES256 in `dpop_signing_alg_values_supported` (RFC 9449 §5.1) or the protected
 * resource says it requires DPoP-bound tokens (RFC 9728 `dpop_bound_access_tokens_required`).
 */
export function wantsDpop(
  configured: boolean | undefined,
  asMetadata: unknown,
  resourceMetadata?: unknown,
): boolean {
  if (configured !== undefined) return configured
  const algs = field(asMetadata, "dpop_signing_alg_values_supported")
  return (
    (Array.isArray(algs) && algs.includes(DPOP_ALG)) ||
    field(resourceMetadata, "dpop_bound_access_tokens_required") === true
  )
}

function field(o: unknown, name: string): unknown {
  return typeof o === "object" && o !== null ? (o as Record<string, unknown>)[name] : undefined
}

/** A fresh key pair: exported once (to be saved with the tokens), then signed with as a non-extractable key. */
export async function createDpopKey(): Promise<{ session: DpopSession; jwk: DpopPrivateJwk }> {
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ])
  const raw = await crypto.subtle.exportKey("jwk", pair.privateKey)
  const jwk = { kty: "EC", crv: "P-256", x: raw.x, y: raw.y, d: raw.d } as DpopPrivateJwk
  return { session: await loadDpopKey(jwk), jwk }
}

/** The session for a saved key. A malformed key is a sign-in problem: the tokens bound to it are lost. */
export async function loadDpopKey(jwk: DpopPrivateJwk): Promise<DpopSession> {
  registerSecret(jwk.d, "dpop_private_key")
  const publicJwk = { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y }
  try {
    const ec = { name: "ECDSA", namedCurve: "P-256" } as const
    const privateKey = await crypto.subtle.importKey("jwk", { ...jwk, ext: false }, ec, false, ["sign"])
    const publicKey = await crypto.subtle.importKey("jwk", publicJwk, ec, true, ["verify"])
    const keyPair: DpopKeyPair = {
      privateKey: privateKey as CryptoKey,
      publicKey: publicKey as CryptoKey,
      publicJwk,
      thumbprint: jwkThumbprint(publicJwk),
      alg: DPOP_ALG,
    }
    return await DpopSession.create({ keyPair })
  } catch (e: unknown) {
    throw new AuthRequiredError("the saved DPoP key is not a valid ES256 key", {
      cause: e,
      hint: "sign in again (agent mcp auth SERVER) to make a new one",
    })
  }
}

/** Whether a saved value looks like our key (the token file is checked, not trusted blindly). */
export function isDpopPrivateJwk(v: unknown): v is DpopPrivateJwk {
  if (typeof v !== "object" || v === null) return false
  const o = v as Record<string, unknown>
  return (
    o.kty === "EC" &&
    o.crv === "P-256" &&
    typeof o.x === "string" &&
    typeof o.y === "string" &&
    typeof o.d === "string"
  )
}

/** RFC 7638: SHA-256 over the required members in lexicographic order, base64url. */
export function jwkThumbprint(jwk: { crv: string; kty: string; x: string; y: string }): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })
  return new Bun.CryptoHasher("sha256").update(canonical).digest("base64url")
}

/**
 * DPoP for the in-memory machine grants (client_credentials, cross_app_access, jwt_bearer): adds
 * dpop() to their provider, with a key that lives as long as their tokens (this process), and
 * the discovery state the SDK hands over, to see whether the AS offers DPoP.
 */
export function withMemoryDpop<P extends OAuthClientProvider>(
  provider: P,
  configured: boolean | undefined,
): P {
  let discovery: OAuthDiscoveryState | undefined
  let session: Promise<DpopSession> | undefined
  const saveOwn = provider.saveDiscoveryState?.bind(provider)
  const readOwn = provider.discoveryState?.bind(provider)
  provider.saveDiscoveryState = async (state) => {
    discovery = state
    await saveOwn?.(state)
  }
  provider.discoveryState = async () => (readOwn ? await readOwn() : undefined) ?? discovery
  provider.dpop = async () => {
    if (!wantsDpop(configured, discovery?.authorizationServerMetadata, discovery?.resourceMetadata))
      return undefined
    session ??= createDpopKey().then((k) => k.session)
    return session
  }
  return provider
}
