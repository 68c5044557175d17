// DPoP (RFC 9449) through our provider and the SDK's auth() and transport, against the AS fixture
// that checks every proof (signature, htm, htu, iat, jti, ath, key binding, nonces: dpop.ts).
import { describe, expect, it } from "bun:test"
import { statSync } from "node:fs"
import { join } from "node:path"
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { createTokenStore } from "../../src/auth/index.ts"
import { tokenFileName, type TokenStore } from "../../src/auth/store.ts"
import { thumbprint } from "../fixtures/oauth/dpop.ts"
import { startAuthServer, type AuthServer } from "../fixtures/oauth/as.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { headlessBrowser, makeProvider, signIn } from "./helpers.ts"

/** A new provider on the same store: what the next `agent` process does. */
async function listTools(store: TokenStore, as: AuthServer, extra = {}) {
  const p = makeProvider(store, as.url, undefined, extra)
  const client = new Client({ name: "t", version: "1" })
  await client.connect(
    new StreamableHTTPClientTransport(new URL(as.url), { authProvider: p, fetch: p.fetch }),
  )
  const { tools } = await client.listTools()
  await client.close()
  return tools
}

/** The thumbprint of the key a proof was signed with. */
function proofKey(proof: string | null | undefined): string {
  const header = JSON.parse(Buffer.from((proof ?? "").split(".")[0] ?? "", "base64url").toString())
  return thumbprint(header.jwk)
}

describe("DPoP", () => {
  it("binds the tokens to a key saved with them (0600) when the AS advertises DPoP; later runs present DPoP proofs (O20)", async () => {
    await using t = await tmpdir()
    await using as = await startAuthServer({ dpop: {} })
    const store = createTokenStore(t.home)
    const b = headlessBrowser()
    await signIn(makeProvider(store, as.url, b), as.url, b)
    const [entry] = await store.findByResource(as.url)
    expect(entry?.tokens?.token_type).toBe("DPoP")
    expect(entry?.dpopKey).toMatchObject({ kty: "EC", crv: "P-256" })
    const file = join(store.dir, tokenFileName({ resource: as.url, issuer: as.issuer }))
    expect(statSync(file).mode & 0o777).toBe(0o600)

    expect((await listTools(store, as)).length).toBeGreaterThan(0)
    const mcp = as.requests.filter((r) => r.path === "/mcp" && r.status === 200)
    expect(mcp.length).toBeGreaterThan(0)
    // RFC 9449 §7.1: the DPoP scheme, a proof on each request, by the saved key, each jti fresh.
    for (const r of mcp) {
      expect(r.authorization?.startsWith("DPoP ")).toBe(true)
      expect(proofKey(r.dpop)).toBe(thumbprint(entry!.dpopKey as never))
    }
    expect(new Set(mcp.map((r) => r.dpop)).size).toBe(mcp.length)
    const token = as.requests.find((r) => r.path === "/token")
    expect(proofKey(token?.dpop ?? null)).toBe(thumbprint(entry!.dpopKey as never))
  })

  it("answers the AS's and the MCP server's use_dpop_nonce with one retry each", async () => {
    await using t = await tmpdir()
    await using as = await startAuthServer({ dpop: { asNonce: true, rsNonce: true } })
    const store = createTokenStore(t.home)
    const b = headlessBrowser()
    await signIn(makeProvider(store, as.url, b), as.url, b)
    expect((await listTools(store, as)).length).toBeGreaterThan(0)
    expect(as.dpop?.counters.asNonceChallenges).toBe(1)
    expect(as.dpop?.counters.rsNonceChallenges).toBeGreaterThanOrEqual(1)
    const nonceOf = (p: string | null | undefined) =>
      JSON.parse(Buffer.from((p ?? "").split(".")[1] ?? "", "base64url").toString()).nonce
    const token = as.requests.filter((r) => r.path === "/token")
    expect(token.map((r) => r.status)).toEqual([400, 200])
    expect(nonceOf(token[1]!.dpop)).toBe(as.dpop?.asNonce)
    expect(
      as.requests.some((r) => r.path === "/mcp" && r.status === 200 && nonceOf(r.dpop) === as.dpop?.rsNonce),
    ).toBe(true)
  })

  it("refresh keeps the same key: the AS takes the bound refresh token only with a proof by it (O20)", async () => {
    await using t = await tmpdir()
    await using as = await startAuthServer({ dpop: {} })
    const store = createTokenStore(t.home)
    const b = headlessBrowser()
    await signIn(makeProvider(store, as.url, b), as.url, b)
    const before = (await store.findByResource(as.url))[0]
    as.expireAccessTokens()
    expect((await listTools(store, as)).length).toBeGreaterThan(0)
    const after = (await store.findByResource(as.url))[0]
    expect(as.counters.refreshGrants).toBe(1)
    expect(after?.tokens?.access_token).not.toBe(before?.tokens?.access_token)
    expect(after?.tokens?.token_type).toBe("DPoP")
    expect(after?.dpopKey).toEqual(before?.dpopKey as never)
    const refresh = as.requests.find((r) => r.params.grant_type === "refresh_token")
    expect(refresh?.status).toBe(200)
    expect(proofKey(refresh?.dpop ?? null)).toBe(thumbprint(before!.dpopKey as never))
    expect(b.opened).toHaveLength(1) // no second sign-in
  })

  it("oauth.dpop false keeps Bearer tokens even when the AS advertises DPoP; true sends proofs to an AS that does not", async () => {
    await using t = await tmpdir()
    await using off = await startAuthServer({ dpop: {} })
    const store = createTokenStore(t.home)
    const b = headlessBrowser()
    await signIn(makeProvider(store, off.url, b, { dpop: false }), off.url, b)
    const [bearer] = await store.findByResource(off.url)
    expect(bearer?.tokens?.token_type).toBe("Bearer")
    expect(bearer?.dpopKey).toBeUndefined()
    expect(off.requests.every((r) => r.dpop === null)).toBe(true)

    await using plain = await startAuthServer()
    const b2 = headlessBrowser()
    await signIn(makeProvider(store, plain.url, b2, { dpop: true }), plain.url, b2)
    expect(plain.requests.find((r) => r.path === "/token")?.dpop).toBeString()
  })
})
