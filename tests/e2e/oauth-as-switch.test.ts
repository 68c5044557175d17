import { describe, expect, it } from "bun:test"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { startAuthServer } from "../fixtures/oauth/as.ts"
import { ROOT, runCli } from "../helpers/cli.ts"
import { tmpdir } from "../helpers/tmp.ts"

// O09: the server's 401 names a new resource_metadata whose PRM points at another AS. The
// cached discovery must not win: no refresh at the old AS on the server's say-so, the old
// refresh token never reaches the new AS, tokens stay keyed by (resource, issuer), and a
// non-interactive run exits 4 asking for a new sign-in (re-consent).
const BROWSER = join(ROOT, "tests/fixtures/oauth/browser.sh")

type Entry = { resource: string; issuer: string; tokens?: { access_token: string; refresh_token?: string } }

describe("O09: the server moves to another authorization server", () => {
  it("re-consents instead of refreshing; AS2 never sees AS1's refresh token", async () => {
    await using as1 = await startAuthServer()
    await using as2 = await startAuthServer()
    await using t = await tmpdir()
    const file = await t.write("mcp.json", { mcpServers: { fx: { type: "http", url: as1.url } } })
    const agent = (args: string[], env: Record<string, string> = {}) =>
      runCli([...args, "--mcp", file], {
        home: t.home,
        cwd: t.path,
        env: { BROWSER_LOG: join(t.path, "browser.log"), ...env },
      })
    const entries = () => {
      const dir = join(t.home, "state", "tokens")
      return existsSync(dir)
        ? readdirSync(dir)
            .filter((f) => f.endsWith(".json"))
            .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as Entry)
        : []
    }

    expect((await agent(["mcp", "auth", "fx"], { BROWSER })).code).toBe(0)
    const [signedIn] = entries()
    expect(signedIn).toMatchObject({ resource: as1.url, issuer: as1.issuer })
    const refreshToken = signedIn!.tokens!.refresh_token!
    expect(refreshToken).toBeString()
    expect((await agent(["mcp", "call", "fx", "echo", "--arg", "text=hi"])).code).toBe(0)

    // S now answers 401 naming its root PRM, which names AS2.
    as1.misbehave.authorizationServer = as2.issuer
    as1.misbehave.resourceMetadataUrl = `${new URL(as1.url).origin}/.well-known/oauth-protected-resource`
    as1.expireAccessTokens()
    const refreshesBefore = as1.counters.refreshGrants

    const r = await agent(["mcp", "call", "fx", "echo", "--arg", "text=again", "--no-interactive"])
    expect(r.code).toBe(4)
    expect(r.stderr).toContain("agent mcp auth fx")
    // Nothing of AS1's went to AS2, and AS1 was not asked to refresh for a server that left it.
    const leaked = as2.requests.filter(
      (q) => JSON.stringify(q).includes(refreshToken) || q.params.grant_type === "refresh_token",
    )
    expect(leaked).toEqual([])
    expect(as2.requests.some((q) => q.path.startsWith("/.well-known/"))).toBe(true) // it was discovered
    expect(as1.counters.refreshGrants).toBe(refreshesBefore)
    // Tokens stay keyed by (resource, issuer): AS1's entry untouched, none made up for AS2.
    const after = entries()
    expect(after.filter((e) => e.issuer === as2.issuer && e.tokens)).toEqual([])
    expect(after.find((e) => e.issuer === as1.issuer)?.tokens?.refresh_token).toBe(refreshToken)
  }, 60_000)
})
