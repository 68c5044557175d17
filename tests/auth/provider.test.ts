// Our OAuthClientProvider driven by the SDK's own auth() and StreamableHTTPClientTransport
// against the real AS fixture (tests/fixtures/oauth). Cases (docs/security.md): O01-O08, O11, L07.
import { describe, expect, it } from "bun:test"
import { auth, Client, StreamableHTTPClientTransport, UnauthorizedError } from "@modelcontextprotocol/client"
import { ZodError } from "zod"
import { createTokenStore } from "../../src/auth/index.ts"
import type { TokenStore } from "../../src/auth/store.ts"
import { classify } from "../../src/mcp/classify.ts"
import { AuthRequiredError } from "../../src/util/errors.ts"
import { startAuthServer } from "../fixtures/oauth/as.ts"
import { refusedDestinations } from "../helpers/loopback-only.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { headlessBrowser, makeProvider, signIn } from "./helpers.ts"

async function connect(url: string, provider: ReturnType<typeof makeProvider>) {
  const client = new Client({ name: "t", version: "1" })
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), { authProvider: provider, fetch: provider.fetch }),
  )
  return client
}

/** What `p` rejects with; a test fails if it resolves. */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error("expected a rejection, but it resolved")
    },
    (e: unknown) => e,
  )
}

/** Our provider's refusal: AuthRequiredError, exit 4 (SECURITY O01-O08). */
async function authRefusal(p: Promise<unknown>): Promise<AuthRequiredError> {
  const e = await rejection(p)
  expect(e).toBeInstanceOf(AuthRequiredError)
  expect((e as AuthRequiredError).exitCode).toBe(4)
  return e as AuthRequiredError
}

describe("authorization code flow", () => {
  it("registers (DCR), sends PKCE S256 and resource on both requests, and connects (O04)", async () => {
    await using t = await tmpdir()
    await using as = await startAuthServer()
    const b = headlessBrowser()
    const p = makeProvider(createTokenStore(t.home), as.url, b)
    await signIn(p, as.url, b)
    const client = await connect(as.url, p)
    expect((await client.listTools()).tools.map((x) => x.name)).toContain("echo")
    await client.close()
    const authz = as.requests.find((r) => r.path === "/authorize")?.params
    const token = as.requests.find((r) => r.path === "/token")?.params
    expect(as.counters.registrations).toBe(1)
    expect(authz?.code_challenge_method).toBe("S256")
    expect(authz?.resource).toBe(as.url)
    expect(authz?.state?.length).toBeGreaterThan(20)
    expect(token?.resource).toBe(as.url)
    expect(token?.code_verifier?.length).toBeGreaterThan(40)
    // No token passthrough: the MCP server only ever sees its own access token.
    const sent = as.requests.filter((r) => r.server === "rs" && r.authorization).map((r) => r.authorization)
    expect(new Set(sent).size).toBe(1)
  })

  it("uses fresh state per attempt and rejects a wrong, missing or replayed state (L07)", async () => {
    await using t = await tmpdir()
    await using as = await startAuthServer()
    const b = headlessBrowser()
    const p = makeProvider(createTokenStore(t.home), as.url, b)
    await auth(p, { serverUrl: as.url, fetchFn: p.fetch })
    await auth(p, { serverUrl: as.url, fetchFn: p.fetch })
    const [s1, s2] = b.opened.map((u) => u.searchParams.get("state"))
    expect(s1).not.toBe(s2)
    const cb = b.callbacks[1] as URL
    const forged = new URLSearchParams(cb.searchParams)
    forged.set("state", "forged")
    expect(() => p.checkCallback(forged)).toThrow(AuthRequiredError)
    // O18: the wrong state used nothing up; the right one passes once, and a replay is refused (L08).
    expect(p.checkCallback(cb.searchParams).code).toBe(cb.searchParams.get("code") ?? "")
    expect(() => p.checkCallback(cb.searchParams)).toThrow(AuthRequiredError)
    expect(as.requests.filter((r) => r.path === "/token")).toHaveLength(0)
  })

  it("uses a pre-registered client without registering", async () => {
    await using t = await tmpdir()
    await using as = await startAuthServer({
      clients: [
        {
          client_id: "pre",
          redirect_uris: ["http://127.0.0.1/oauth/callback"],
          grant_types: ["authorization_code", "refresh_token"],
          token_endpoint_auth_method: "none",
        },
      ],
    })
    const b = headlessBrowser()
    const p = makeProvider(createTokenStore(t.home), as.url, b, { clientId: "pre" })
    await signIn(p, as.url, b)
    expect(as.counters.registrations).toBe(0)
    expect(b.opened[0]?.searchParams.get("client_id")).toBe("pre")
  })

  it("uses a client ID metadata document when the AS supports it (O13 order)", async () => {
    await using t = await tmpdir()
    const cimd = "https://agent.example/oauth/client.json"
    await using as = await startAuthServer({
      cimd: {
        documents: {
          [cimd]: {
            client_id: cimd,
            client_name: "agent",
            redirect_uris: ["http://127.0.0.1/oauth/callback"],
          },
        },
      },
    })
    const b = headlessBrowser()
    const p = makeProvider(createTokenStore(t.home), as.url, b, { clientMetadataUrl: cimd })
    await signIn(p, as.url, b)
    expect(as.counters.registrations).toBe(0)
    expect(b.opened[0]?.searchParams.get("client_id")).toBe(cimd)
  })
})

describe("hostile authorization servers", () => {
  for (const endpoint of ["javascript:alert(1)", "file:///etc/passwd", "http://evil.example/authorize"]) {
    it(`refuses authorization_endpoint ${endpoint} before anything opens (O01)`, async () => {
      await using t = await tmpdir()
      await using as = await startAuthServer({ misbehave: { authorizationEndpoint: endpoint } })
      const b = headlessBrowser()
      const p = makeProvider(createTokenStore(t.home), as.url, b)
      const refused = auth(p, { serverUrl: as.url, fetchFn: p.fetch })
      if (endpoint.startsWith("javascript:")) {
        // The SDK's metadata schema already refuses a javascript: URL; during a sign-in the
        // runtime turns that into AuthRequiredError, exit 4 (mcp/connect-auth.ts, e2e oauth.test.ts).
        const e = await rejection(refused)
        expect(e).toBeInstanceOf(ZodError)
        expect((e as ZodError).issues.map((i) => i.path)).toEqual([["authorization_endpoint"]])
      } else {
        expect((await authRefusal(refused)).message).toBe(
          `refusing to open the authorization URL "${endpoint}": only https (or http to this machine) is allowed`,
        )
      }
      expect(b.opened).toHaveLength(0)
    })
  }

  for (const pkce of ["absent", "plain-only"] as const) {
    it(`refuses an AS whose metadata has PKCE ${pkce} (O03)`, async () => {
      await using t = await tmpdir()
      await using as = await startAuthServer({ misbehave: { pkce } })
      const b = headlessBrowser()
      const p = makeProvider(createTokenStore(t.home), as.url, b)
      const e = await authRefusal(auth(p, { serverUrl: as.url, fetchFn: p.fetch }))
      expect(e.message).toBe(
        `fx needs sign-in: the authorization server ${as.issuer} does not support PKCE S256`,
      )
      expect(b.opened).toHaveLength(0)
      expect(as.counters.registrations).toBe(0)
    })
  }

  it("rejects metadata whose issuer is not its URL (O05, RFC 8414 §3.3)", async () => {
    await using t = await tmpdir()
    await using as = await startAuthServer({ misbehave: { metadataIssuer: "https://other.example" } })
    const b = headlessBrowser()
    const p = makeProvider(createTokenStore(t.home), as.url, b)
    await expect(auth(p, { serverUrl: as.url, fetchFn: p.fetch })).rejects.toThrow(/issuer/i)
    expect(b.opened).toHaveLength(0)
  })

  it("rejects a callback whose iss is another issuer, before the token request (O05, RFC 9207)", async () => {
    await using t = await tmpdir()
    await using as = await startAuthServer({ misbehave: { callbackIss: "https://evil.example" } })
    const b = headlessBrowser()
    const p = makeProvider(createTokenStore(t.home), as.url, b)
    await expect(signIn(p, as.url, b)).rejects.toThrow(/issuer|iss/i)
    expect(as.requests.filter((r) => r.path === "/token")).toHaveLength(0)
  })

  it("rejects protected-resource metadata naming another resource (O06)", async () => {
    await using t = await tmpdir()
    await using as = await startAuthServer({ misbehave: { prmResource: "http://127.0.0.1:1/elsewhere" } })
    const b = headlessBrowser()
    const p = makeProvider(createTokenStore(t.home), as.url, b)
    await expect(auth(p, { serverUrl: as.url, fetchFn: p.fetch })).rejects.toBeInstanceOf(AuthRequiredError)
    expect(b.opened).toHaveLength(0)
  })

  it("O17: a server at /tenantA/mcp signs in with its exact resource; the origin, a parent path or another tenant is refused before any browser opens", async () => {
    await using t = await tmpdir()
    await using as = await startAuthServer({ resourcePaths: ["/tenantA/mcp", "/tenantB/mcp"] })
    const server = as.urls[0]!
    const origin = new URL(server).origin
    for (const resource of [
      `${origin}/`,
      origin,
      `${origin}/tenantA`,
      `${origin}/tenantA/`,
      `${origin}/tenantB/mcp`,
      `${origin}/tenantA/mcp/extra`,
    ]) {
      as.misbehave.prmResource = resource
      const b = headlessBrowser()
      const p = makeProvider(createTokenStore(t.home), server, b)
      const err = await auth(p, { serverUrl: server, fetchFn: p.fetch }).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(err).toBeInstanceOf(AuthRequiredError)
      expect((err as Error).message).toContain(`names ${resource}`)
      expect(b.opened).toHaveLength(0)
    }
    expect(as.counters.registrations).toBe(0)
    // The exact URL names this server: the sign-in goes through.
    as.misbehave.prmResource = server
    const b = headlessBrowser()
    const p = makeProvider(createTokenStore(t.home), server, b)
    await signIn(p, server, b)
    expect(p.key()?.resource).toBe(server)
    expect(as.requests.find((r) => r.path === "/token")?.params.resource).toBe(server)
  })

  it("SEP-2352: when the metadata names a new authorization server, discovers and registers there, never sending the old client", async () => {
    await using t = await tmpdir()
    await using as1 = await startAuthServer()
    await using as2 = await startAuthServer()
    const store = createTokenStore(t.home)
    const b = headlessBrowser()
    const p = makeProvider(store, as1.url, b)
    await signIn(p, as1.url, b)
    const old = await store.read({ resource: as1.url, issuer: as1.issuer })
    const oldClient = old?.clientInformation?.client_id
    expect(oldClient).toBeDefined()
    // The server moves to as2: same metadata URL, another authorization server; its next 401.
    as1.misbehave.authorizationServer = as2.issuer
    await p.noteChallenge(undefined)
    expect(await auth(p, { serverUrl: as1.url, fetchFn: p.fetch })).toBe("REDIRECT")
    expect(as2.counters.registrations).toBe(1)
    const authorize = b.opened.at(-1)!
    expect(authorize.origin).toBe(new URL(as2.issuer).origin)
    expect(authorize.searchParams.get("client_id")).not.toBe(oldClient)
    expect(as2.requests.some((r) => JSON.stringify(r).includes(String(oldClient)))).toBe(false)
    expect(as1.counters.refreshGrants).toBe(0) // no refresh at the old AS either
    // The old issuer's tokens stay under their own key.
    expect((await store.read({ resource: as1.url, issuer: as1.issuer }))?.tokens).toBeDefined()
  })

  it("O17: metadata at the origin's root well-known names the origin: accepted, and the resource is sent exactly as published", async () => {
    await using t = await tmpdir()
    await using as = await startAuthServer({ misbehave: { originResource: true } })
    const origin = new URL(as.url).origin // http://127.0.0.1:<port>, no trailing slash
    const b = headlessBrowser()
    const p = makeProvider(createTokenStore(t.home), as.url, b)
    await signIn(p, as.url, b)
    expect(b.opened[0]?.searchParams.get("resource")).toBe(origin)
    expect(as.requests.find((r) => r.path === "/token")?.params.resource).toBe(origin)
  })

  it("O17: the same root metadata named by the server's own 401 is refused (a tenant controls its challenge)", async () => {
    await using t = await tmpdir()
    await using as = await startAuthServer({ misbehave: { originResource: true } })
    const root = `${new URL(as.url).origin}/.well-known/oauth-protected-resource`
    const b = headlessBrowser()
    const p = makeProvider(createTokenStore(t.home), as.url, b)
    await p.noteChallenge(new URL(root))
    const err = await auth(p, {
      serverUrl: as.url,
      resourceMetadataUrl: new URL(root),
      fetchFn: p.fetch,
    }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(AuthRequiredError)
    expect(b.opened).toHaveLength(0)
  })

  it("never fetches a metadata URL at 169.254.169.254 (O07)", async () => {
    const netBefore = [...refusedDestinations]
    await using t = await tmpdir()
    await using as = await startAuthServer({
      misbehave: { authorizationServer: "http://169.254.169.254/latest" },
    })
    const hits: string[] = []
    const spy = (u: string | URL, init?: RequestInit) => (hits.push(String(u)), fetch(u, init))
    const b = headlessBrowser()
    const p = makeProvider(createTokenStore(t.home), as.url, b, { fetch: spy })
    await expect(auth(p, { serverUrl: as.url, fetchFn: p.fetch })).rejects.toBeInstanceOf(AuthRequiredError)
    expect(hits.length).toBeGreaterThan(0) // the spy does see this provider's fetches
    expect(hits.some((h) => h.includes("169.254"))).toBe(false)
    // A resource_metadata challenge pointing there is refused the same way.
    await expect(
      p.fetch("http://169.254.169.254/.well-known/oauth-protected-resource"),
    ).rejects.toBeInstanceOf(AuthRequiredError)
    await expect(p.fetch("http://10.0.0.8/x")).rejects.toBeInstanceOf(AuthRequiredError)
    await expect(p.fetch("http://[::ffff:169.254.169.254]/x")).rejects.toBeInstanceOf(AuthRequiredError)
    expect(hits.some((h) => h.includes("169.254") || h.includes("10.0.0.8"))).toBe(false)
    // Refused by agent's guard, not by the test's loopback-only net (which would have recorded it).
    expect(refusedDestinations).toEqual(netBefore)
  })

  it("refuses a registration endpoint over plain http on a public host (O13)", async () => {
    const netBefore = [...refusedDestinations]
    await using t = await tmpdir()
    await using as = await startAuthServer({
      misbehave: { registrationEndpoint: "http://192.0.2.14/register" },
    })
    const b = headlessBrowser()
    const p = makeProvider(createTokenStore(t.home), as.url, b)
    await expect(auth(p, { serverUrl: as.url, fetchFn: p.fetch })).rejects.toBeInstanceOf(AuthRequiredError)
    expect(b.opened).toHaveLength(0)
    expect(refusedDestinations).toEqual(netBefore)
  })
})

describe("tokens", () => {
  it("keys tokens by resource and issuer: server A's token is never sent to server B (O08)", async () => {
    await using t = await tmpdir()
    await using as = await startAuthServer({ resourcePaths: ["/mcp", "/other"] })
    const [a, bUrl] = as.urls as [string, string]
    const store = createTokenStore(t.home)
    const br = headlessBrowser()
    await signIn(makeProvider(store, a, br), a, br)
    const tokenA = (await store.findByResource(a))[0]?.tokens?.access_token
    expect(tokenA).toBeDefined()
    const pb = makeProvider(store, bUrl) // non-interactive: B has no tokens of its own
    expect(await pb.tokens()).toBeUndefined()
    expect((await authRefusal(connect(bUrl, pb))).message).toBe("fx needs sign-in: not signed in")
    const toB = as.requests.filter((r) => r.server === "rs" && r.path === "/other")
    expect(toB.length).toBeGreaterThan(0)
    expect(toB.some((r) => r.authorization?.includes(tokenA ?? "-"))).toBe(false)
  })

  it("reads the store once per connection, not per request; again after a 401, which is when another process's sign-in takes effect", async () => {
    await using t = await tmpdir()
    await using as = await startAuthServer()
    const base = createTokenStore(t.home)
    let reads = 0
    const counted: TokenStore = {
      ...base,
      read: (k) => (reads++, base.read(k)),
      findByResource: (r) => (reads++, base.findByResource(r)),
    }
    const p = makeProvider(counted, as.url)
    expect(await p.tokens()).toBeUndefined()
    expect(await p.tokens()).toBeUndefined()
    expect(reads).toBe(1)
    // Another process signs in: this connection still holds "no tokens" until the server refuses it.
    const b = headlessBrowser()
    await signIn(makeProvider(createTokenStore(t.home), as.url, b), as.url, b)
    expect(await p.tokens()).toBeUndefined()
    await p.noteChallenge(undefined) // what remote-auth's fetch does on every 401/403 from the server
    expect((await p.tokens())?.access_token).toBeString()
    const before = reads
    const client = await connect(as.url, p)
    for (let i = 0; i < 3; i++) await client.listTools()
    await client.close()
    expect(reads).toBe(before)
    expect(as.requests.filter((r) => r.server === "rs" && r.authorization).length).toBeGreaterThanOrEqual(4)
  })

  it("steps up once on insufficient_scope, then the call succeeds (O11)", async () => {
    await using t = await tmpdir()
    await using as = await startAuthServer()
    const b = headlessBrowser()
    const p = makeProvider(createTokenStore(t.home), as.url, b)
    // The scope a first 401 asks for; without it the SDK asks for all of PRM scopes_supported.
    await signIn(p, as.url, b, "mcp:read")
    const client = await connect(as.url, p)
    // The step-up re-authorization needs the browser; the SDK then reports the request as unauthorized.
    const e = await rejection(client.callTool({ name: "add", arguments: { a: 1, b: 2 } }))
    expect(UnauthorizedError.isInstance(e)).toBe(true)
    expect(classify(e)).toEqual({ kind: "auth" }) // what the runtime reports as exit 4
    expect(b.opened).toHaveLength(2)
    expect(b.opened[1]?.searchParams.get("scope")?.split(" ")).toContain("mcp:admin")
    const { code, iss } = p.checkCallback((b.callbacks[1] as URL).searchParams)
    await auth(p, { serverUrl: as.url, authorizationCode: code, iss, fetchFn: p.fetch })
    const res = await client.callTool({ name: "add", arguments: { a: 1, b: 2 } })
    expect(res.isError).toBeFalsy()
    await client.close()
  })

  it("without a browser, insufficient_scope ends in AuthRequiredError, not a loop (O11)", async () => {
    await using t = await tmpdir()
    await using as = await startAuthServer()
    const store = createTokenStore(t.home)
    const b = headlessBrowser()
    await signIn(makeProvider(store, as.url, b), as.url, b, "mcp:read")
    const client = await connect(as.url, makeProvider(store, as.url))
    await expect(client.callTool({ name: "add", arguments: { a: 1, b: 2 } })).rejects.toBeInstanceOf(
      AuthRequiredError,
    )
    expect(as.requests.filter((r) => r.status === 403)).toHaveLength(1)
    await client.close()
  })
})
