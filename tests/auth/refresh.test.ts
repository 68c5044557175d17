// Refresh and rotation (O10, RFC 9700 §4.14): on 401, in parallel processes, and invalid_grant.
import { describe, expect, it } from "bun:test"
import { join } from "node:path"
import { auth, Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { createTokenStore } from "../../src/auth/index.ts"
import { AuthRequiredError } from "../../src/util/errors.ts"
import { startAuthServer } from "../fixtures/oauth/as.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { headlessBrowser, makeProvider, signIn } from "./helpers.ts"

const BUN = join(import.meta.dir, "../../node_modules/.bin/bun")

describe("refresh", () => {
  it("refreshes once on 401 and saves the rotated refresh token", async () => {
    await using t = await tmpdir()
    await using as = await startAuthServer({ accessTokenTtlMs: 60_000 })
    const store = createTokenStore(t.home)
    const b = headlessBrowser()
    const p = makeProvider(store, as.url, b)
    await signIn(p, as.url, b)
    const before = (await store.findByResource(as.url))[0]?.tokens
    as.expireAccessTokens()
    const client = new Client({ name: "t", version: "1" })
    await client.connect(new StreamableHTTPClientTransport(new URL(as.url), { authProvider: p, fetch: p.fetch }))
    await client.listTools()
    await client.close()
    const after = (await store.findByResource(as.url))[0]?.tokens
    expect(as.counters.refreshGrants).toBe(1)
    expect(after?.refresh_token).toBeDefined()
    expect(after?.refresh_token).not.toBe(before?.refresh_token)
    expect(after?.access_token).not.toBe(before?.access_token)
    expect(b.opened).toHaveLength(1) // no second sign-in
  })

  it("5 parallel processes on one expired token: one refresh reaches the AS, all succeed", async () => {
    await using t = await tmpdir()
    await using as = await startAuthServer()
    const store = createTokenStore(t.home)
    const b = headlessBrowser()
    await signIn(makeProvider(store, as.url, b), as.url, b)
    as.expireAccessTokens()
    const procs = Array.from({ length: 5 }, () =>
      Bun.spawn([BUN, join(import.meta.dir, "refresh-child.ts"), t.home, as.url], { stdout: "pipe", stderr: "pipe" }),
    )
    const outs = await Promise.all(procs.map(async (c) => ({ code: await c.exited, out: await new Response(c.stdout).text(), err: await new Response(c.stderr).text() })))
    for (const o of outs) expect(o).toMatchObject({ code: 0, out: "ok\n" })
    expect(as.counters.refreshGrants).toBe(1)
    // The saved refresh token is the live one: refreshing again works (no reuse detection fired).
    as.expireAccessTokens()
    const p = makeProvider(store, as.url)
    await p.tokens()
    expect(await auth(p, { serverUrl: as.url, fetchFn: p.fetch })).toBe("AUTHORIZED")
    expect(as.counters.refreshGrants).toBe(2)
  }, 30_000)

  it("invalid_grant drops the tokens and asks for sign-in (exit 4)", async () => {
    await using t = await tmpdir()
    await using as = await startAuthServer()
    const store = createTokenStore(t.home)
    const b = headlessBrowser()
    await signIn(makeProvider(store, as.url, b), as.url, b)
    as.misbehave.refreshInvalidGrant = true
    const p = makeProvider(store, as.url) // non-interactive
    await p.tokens() // the bearer it sends, and the server refuses
    const warn = console.warn
    console.warn = () => {} // the SDK warns on console itself when it discards credentials
    try {
      const err = await auth(p, { serverUrl: as.url, fetchFn: p.fetch }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(AuthRequiredError)
      expect((err as AuthRequiredError).exitCode).toBe(4)
      expect((err as AuthRequiredError).hint).toContain("agent mcp auth fx")
    } finally {
      console.warn = warn
    }
    expect((await store.findByResource(as.url))[0]?.tokens).toBeUndefined()
  })
})
