// The 2025-03-26 exception to O05 (src/auth/legacy.ts): no protected-resource metadata and an
// issuer on the MCP server's own origin → accepted; any PRM, or any other origin → still refused.
import { describe, expect, it } from "bun:test"
import { auth, IssuerMismatchError } from "@modelcontextprotocol/client"
import { createTokenStore, legacySameOriginDiscovery } from "../../src/auth/index.ts"
import { isSameOriginIssuer } from "../../src/auth/legacy.ts"
import { startAuthServer } from "../fixtures/oauth/as.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { headlessBrowser, makeProvider, signIn } from "./helpers.ts"

/** The SDK's first auth() refusal, then what the exception makes of it. */
async function refusedThenAdopted(p: ReturnType<typeof makeProvider>, url: string) {
  const refused = await auth(p, { serverUrl: url, fetchFn: p.fetch }).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(refused).toBeInstanceOf(IssuerMismatchError)
  return legacySameOriginDiscovery(new URL(url), refused, { fetchFn: p.fetch })
}

describe("2025-03-26 back-compat: same-origin issuer without PRM", () => {
  it("no PRM + issuer <origin>/oauth: adopted, sign-in works, callback iss checked against it", async () => {
    await using t = await tmpdir()
    await using as = await startAuthServer({ sameOriginAs: "no-prm" })
    const origin = new URL(as.url).origin
    expect(as.issuer).toBe(`${origin}/oauth`)
    const b = headlessBrowser()
    const p = makeProvider(createTokenStore(t.home), as.url, b)
    const state = await refusedThenAdopted(p, as.url)
    expect(state?.authorizationServerMetadata?.issuer).toBe(`${origin}/oauth`)
    await p.saveDiscoveryState?.(state!)
    await signIn(p, as.url, b)
    expect(b.callbacks[0]?.searchParams.get("iss")).toBe(`${origin}/oauth`)
    expect(as.requests.some((r) => r.server === "as" && r.path === "/token" && r.status === 200)).toBe(true)
    expect(p.key()).toEqual({ resource: as.url, issuer: `${origin}/oauth` })
  })

  it("after adoption, a callback iss other than the accepted issuer is refused before the token request (RFC 9207)", async () => {
    await using t = await tmpdir()
    await using as = await startAuthServer({ sameOriginAs: "no-prm" })
    as.misbehave.callbackIss = `${new URL(as.url).origin}/` // the URL the metadata came from, not its issuer
    const b = headlessBrowser()
    const p = makeProvider(createTokenStore(t.home), as.url, b)
    await p.saveDiscoveryState?.((await refusedThenAdopted(p, as.url))!)
    await expect(signIn(p, as.url, b)).rejects.toThrow(/issuer|iss/i)
    expect(as.requests.filter((r) => r.path === "/token")).toHaveLength(0)
  })

  for (const other of ["https://other.example/oauth", "http://127.0.0.1:1/oauth"]) {
    it(`no PRM + issuer on another origin (${other}) stays refused (O05)`, async () => {
      await using t = await tmpdir()
      await using as = await startAuthServer({ sameOriginAs: "no-prm", misbehave: { metadataIssuer: other } })
      const b = headlessBrowser()
      const p = makeProvider(createTokenStore(t.home), as.url, b)
      expect(await refusedThenAdopted(p, as.url)).toBeUndefined()
      expect(b.opened).toHaveLength(0)
    })
  }

  it("PRM present (naming the origin root) + issuer ≠ its fetch URL on the same origin stays refused (O05)", async () => {
    await using t = await tmpdir()
    await using as = await startAuthServer({ sameOriginAs: "prm" })
    const p = makeProvider(createTokenStore(t.home), as.url, headlessBrowser())
    expect(await refusedThenAdopted(p, as.url)).toBeUndefined()
    // The same with the PRM only at the URL a 401 named: passed along, still found.
    const err = new IssuerMismatchError("metadata", `${new URL(as.url).origin}/`, as.issuer)
    const named = new URL(`${new URL(as.url).origin}/.well-known/oauth-protected-resource/mcp`)
    expect(
      await legacySameOriginDiscovery(new URL(as.url), err, { fetchFn: p.fetch, resourceMetadataUrl: named }),
    ).toBeUndefined()
  })

  it("other refusals are not the exception's business", async () => {
    await using as = await startAuthServer({ sameOriginAs: "no-prm" })
    const fetchFn = fetch
    const url = new URL(as.url)
    expect(await legacySameOriginDiscovery(url, new Error("x"), { fetchFn })).toBeUndefined()
    expect(
      await legacySameOriginDiscovery(
        url,
        new IssuerMismatchError("authorization_response", as.issuer, "https://evil.example"),
        { fetchFn },
      ),
    ).toBeUndefined()
    // The SDK expected an AS a PRM named elsewhere, not the server's origin.
    expect(
      await legacySameOriginDiscovery(
        url,
        new IssuerMismatchError("metadata", "https://as.example/", as.issuer),
        { fetchFn },
      ),
    ).toBeUndefined()
  })

  it("isSameOriginIssuer: scheme, host and port exactly; no query, fragment or userinfo", () => {
    const server = new URL("https://mcp.example/mcp")
    expect(isSameOriginIssuer("https://mcp.example/oauth", server)).toBe(true)
    for (const bad of [
      "http://mcp.example/oauth",
      "https://mcp.example:8443/oauth",
      "https://evil.mcp.example/oauth",
      "https://mcp.example/oauth?x=1",
      "https://mcp.example/oauth#f",
      "https://u@mcp.example/oauth",
      "not a url",
    ]) {
      expect(isSameOriginIssuer(bad, server)).toBe(false)
    }
  })
})
