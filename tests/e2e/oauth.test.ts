import { describe, expect, it } from "bun:test"
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { startAuthServer } from "../fixtures/oauth/as.ts"
import { ensureBinary } from "../helpers/binary.ts"
import { ROOT, runCli } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"

// OAuth on the compiled binary against the real AS fixture, with $BROWSER set to a script that
// plays the browser (tests/fixtures/oauth/browser.sh): sign-in, status, logout, the inline
// flow, --no-browser paste, refresh (5 parallel runs), invalid_grant, step-up, CI client
// credentials, and the security cases L07/L08, O01, O10-O12, O14, O17, O18, F01 end to end.
const BROWSER = join(ROOT, "tests/fixtures/oauth/browser.sh")

type As = Awaited<ReturnType<typeof startAuthServer>>

async function setup(t: TmpDir, as: As, oauth?: object) {
  const file = await t.write("mcp.json", {
    mcpServers: { fx: { type: "http", url: as.url, ...(oauth && { oauth }) } },
  })
  const log = join(t.path, "browser.log")
  const agent = (args: string[], env: Record<string, string> = {}, stdin?: string) =>
    runCli([...args, "--mcp", file], {
      home: t.home,
      cwd: t.path,
      binary: true,
      env: { BROWSER_LOG: log, ...env },
      ...(stdin !== undefined && { stdin }),
    })
  const opened = () => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n").filter(Boolean) : [])
  const tokenFiles = () => {
    const dir = join(t.home, "state", "tokens")
    return existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith(".json"))
          .map((f) => join(dir, f))
      : []
  }
  return { agent, opened, tokenFiles, browser: { BROWSER } }
}

describe("compiled binary: OAuth sign-in", () => {
  it("needs-auth, exit 4 at once without a browser, then agent mcp auth, status, call and logout", async () => {
    await ensureBinary()
    await using as = await startAuthServer()
    await using t = await tmpdir()
    const { agent, opened, tokenFiles, browser } = await setup(t, as)

    const list = await agent(["mcp", "list", "--output", "json"])
    expect(JSON.stringify(list.json())).toContain("needs_auth")
    // O12: no hang. Without a browser it exits 4 by itself, before any sign-in began: nothing
    // opened, no /authorize and no token request (a hang would end in runCli's kill instead).
    const blocked = await agent(["mcp", "call", "fx", "echo", "--arg", "text=hi"])
    expect(blocked.code).toBe(4)
    expect(blocked.stderr).toContain("agent mcp auth fx")
    expect(opened()).toHaveLength(0)
    expect(as.requests.filter((q) => q.path === "/authorize" || q.path === "/token")).toEqual([])

    const signIn = await agent(["mcp", "auth", "fx"], browser)
    expect(signIn.code).toBe(0)
    expect(signIn.stdout).toContain("Signed in to fx")
    expect(signIn.stdout).toContain("mcp:read")
    expect(opened()).toHaveLength(1)

    // F01: 0600 file in a 0700 dir; O14: no token in any output.
    const [file] = tokenFiles()
    expect(statSync(file!).mode & 0o777).toBe(0o600)
    expect(statSync(join(t.home, "state", "tokens")).mode & 0o777).toBe(0o700)
    const saved = JSON.parse(readFileSync(file!, "utf8")) as {
      tokens: { access_token: string; refresh_token: string }
    }
    const status = await agent(["mcp", "auth", "--status", "--output", "json"])
    const doc = status.json<{
      servers: { server: string; status: string; scopes: string[]; expiresAt: string }[]
    }>()
    expect(doc.servers[0]).toMatchObject({ server: "fx", status: "signed_in", scopes: ["mcp:read"] })
    const call = await agent(["mcp", "call", "fx", "echo", "--arg", "text=hi", "--debug"])
    expect(call.code).toBe(0)
    expect(call.stdout).toContain("hi")
    for (const out of [signIn.stdout, signIn.stderr, status.stdout, call.stdout, call.stderr]) {
      expect(out).not.toContain(saved.tokens.access_token)
      expect(out).not.toContain(saved.tokens.refresh_token)
    }

    expect((await agent(["mcp", "logout", "fx"])).code).toBe(0)
    expect(JSON.parse(readFileSync(file!, "utf8")).tokens).toBeUndefined()
    expect((await agent(["mcp", "call", "fx", "echo", "--arg", "text=hi"])).code).toBe(4)
    expect((await agent(["mcp", "logout", "fx", "--forget-client"])).code).toBe(0)
    expect(tokenFiles()).toHaveLength(0)
  }, 60_000)

  it("signs in inline when a browser can open, never with --no-interactive", async () => {
    await using as = await startAuthServer()
    await using t = await tmpdir()
    const { agent, opened, browser } = await setup(t, as)
    const refused = await agent(["mcp", "call", "fx", "echo", "--arg", "text=x", "--no-interactive"], browser)
    expect(refused.code).toBe(4)
    expect(opened()).toHaveLength(0)
    const inline = await agent(["mcp", "call", "fx", "echo", "--arg", "text=inline"], browser)
    expect(inline.code).toBe(0)
    expect(inline.stdout).toContain("inline")
    expect(opened()).toHaveLength(1)
  }, 60_000)

  it("--no-browser prints the URL and takes the pasted redirect URL", async () => {
    await using as = await startAuthServer()
    await using t = await tmpdir()
    const file = await t.write("mcp.json", { mcpServers: { fx: { type: "http", url: as.url } } })
    await using proc = Bun.spawn([await ensureBinary(), "mcp", "auth", "fx", "--no-browser", "--mcp", file], {
      cwd: t.path,
      env: { PATH: process.env.PATH ?? "", AGENTRT_HOME: t.home, NO_COLOR: "1" },
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
    })
    let stderr = ""
    const decoder = new TextDecoder()
    for await (const chunk of proc.stderr) {
      stderr += decoder.decode(chunk)
      const url = /(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)/.exec(stderr)?.[1]
      if (!url) continue
      const res = await fetch(url, { redirect: "manual" })
      proc.stdin.write(`${res.headers.get("location")}\n`)
      proc.stdin.end()
      break
    }
    expect(await proc.exited).toBe(0)
    expect(await new Response(proc.stdout).text()).toContain("Signed in to fx")
  }, 60_000)

  it("refuses a callback with a forged state (400) without using up the sign-in, which its own callback then completes; refuses a replayed one (L07, O18, L08)", async () => {
    await using as = await startAuthServer()
    await using t = await tmpdir()
    const { agent, opened } = await setup(t, as)
    const forged = await agent(["mcp", "auth", "fx"], { BROWSER, BROWSER_MODE: "forge" })
    expect(forged.code).toBe(0)
    expect(forged.stdout).toContain("Signed in to fx")
    // The detached browser logs the status after agent may already have exited.
    for (let i = 0; i < 50 && opened().filter((l) => l.startsWith("callback")).length < 2; i++)
      await Bun.sleep(50)
    expect(opened().filter((l) => l.startsWith("callback"))).toEqual(["callback 400", "callback 200"])
    expect(as.requests.filter((r) => r.path === "/token")).toHaveLength(1)

    await using t2 = await tmpdir()
    const again = await setup(t2, as)
    expect((await again.agent(["mcp", "auth", "fx"], { BROWSER, BROWSER_MODE: "replay" })).code).toBe(0)
    for (let i = 0; i < 50 && again.opened().filter((l) => l.startsWith("callback")).length < 2; i++)
      await Bun.sleep(50)
    const codes = again.opened().filter((l) => l.startsWith("callback"))
    expect(codes[0]).toBe("callback 200")
    expect(codes[1]).not.toBe("callback 200") // 400, or 000 once the server is gone
  }, 60_000)

  it("never opens a javascript: authorization endpoint (O01)", async () => {
    await using as = await startAuthServer({ misbehave: { authorizationEndpoint: "javascript:alert(1)" } })
    await using t = await tmpdir()
    const { agent, opened, browser } = await setup(t, as)
    const r = await agent(["mcp", "auth", "fx"], browser)
    expect(r.code).toBe(4)
    expect(opened()).toHaveLength(0)
  }, 30_000)

  it("refuses protected-resource metadata naming the origin for a server at /tenantA/mcp, then signs in once it names the server (O17)", async () => {
    await using as = await startAuthServer({ resourcePaths: ["/tenantA/mcp"] })
    as.misbehave.prmResource = `${new URL(as.url).origin}/`
    await using t = await tmpdir()
    const { agent, opened, browser } = await setup(t, as)
    const refused = await agent(["mcp", "auth", "fx"], browser)
    expect(refused.code).toBe(4)
    expect(refused.stderr).toContain(`names ${new URL(as.url).origin}/`)
    expect(opened()).toHaveLength(0)
    delete as.misbehave.prmResource
    expect((await agent(["mcp", "auth", "fx"], browser)).code).toBe(0)
    expect(opened()).toHaveLength(1)
  }, 30_000)

  it("2025-03-26 server (no PRM) with issuer <origin>/oauth: signs in (logged); another origin's issuer is still refused (O05)", async () => {
    await using as = await startAuthServer({ sameOriginAs: "no-prm" })
    await using t = await tmpdir()
    const { agent, opened, browser } = await setup(t, as)
    const r = await agent(["mcp", "auth", "fx", "--debug"], browser)
    expect({ code: r.code, stderr: r.code ? r.stderr : "" }).toEqual({ code: 0, stderr: "" })
    expect(r.stderr).toContain(`accepting issuer ${as.issuer} on the server's own origin`)
    expect((await agent(["mcp", "call", "fx", "echo", "--arg", "text=hi"])).stdout).toContain("hi")
    expect(opened()).toHaveLength(1)

    await using other = await startAuthServer({
      sameOriginAs: "no-prm",
      misbehave: { metadataIssuer: "https://other.example/oauth" },
    })
    await using t2 = await tmpdir()
    const refused = await setup(t2, other)
    expect((await refused.agent(["mcp", "auth", "fx"], refused.browser)).code).toBe(4)
    expect(refused.opened()).toHaveLength(0)
  }, 60_000)
})

describe("compiled binary: tokens over time", () => {
  it("refreshes an expiring token before connecting; 5 parallel runs all succeed on one rotated refresh token (O10)", async () => {
    // 20 s tokens count as expired at once (30 s skew), so every run must refresh.
    await using as = await startAuthServer({ accessTokenTtlMs: 20_000 })
    await using t = await tmpdir()
    const { agent, browser } = await setup(t, as)
    expect((await agent(["mcp", "auth", "fx"], browser)).code).toBe(0)
    const runs = await Promise.all(
      Array.from({ length: 5 }, () => agent(["mcp", "call", "fx", "echo", "--arg", "text=p"])),
    )
    for (const r of runs)
      expect({ code: r.code, stderr: r.code ? r.stderr : "" }).toEqual({ code: 0, stderr: "" })
    expect(as.counters.refreshGrants).toBeGreaterThanOrEqual(1)
  }, 60_000)

  it("invalid_grant deletes the tokens and says which command signs in (exit 4)", async () => {
    await using as = await startAuthServer({ accessTokenTtlMs: 20_000 })
    await using t = await tmpdir()
    const { agent, tokenFiles, browser } = await setup(t, as)
    expect((await agent(["mcp", "auth", "fx"], browser)).code).toBe(0)
    as.misbehave.refreshInvalidGrant = true
    const r = await agent(["mcp", "call", "fx", "echo", "--arg", "text=x"])
    expect(r.code).toBe(4)
    expect(r.stderr).toContain("agent mcp auth fx")
    for (const f of tokenFiles()) expect(JSON.parse(readFileSync(f, "utf8")).tokens).toBeUndefined()
  }, 60_000)

  it("steps up once on insufficient_scope when a browser can open; exit 4 without one (O11)", async () => {
    await using as = await startAuthServer()
    await using t = await tmpdir()
    const { agent, opened, browser } = await setup(t, as)
    expect((await agent(["mcp", "auth", "fx"], browser)).code).toBe(0)
    const denied = await agent(["mcp", "call", "fx", "add", "--arg", "a=1", "--arg", "b=2"])
    expect(denied.code).toBe(4)
    const stepped = await agent(["mcp", "call", "fx", "add", "--arg", "a=1", "--arg", "b=2"], browser)
    expect(stepped.code).toBe(0)
    expect(stepped.stdout).toContain("3")
    expect(opened()).toHaveLength(2)
    expect(new URL(opened()[1]!).searchParams.get("scope")?.split(" ")).toContain("mcp:admin")
  }, 60_000)

  it("CI: client_credentials with an approved ${VAR} secret; the secret never reaches the disk (O12)", async () => {
    const secret = "ci-secret-5d1f0c"
    await using as = await startAuthServer({
      clients: [
        {
          client_id: "ci",
          client_secret: secret,
          token_endpoint_auth_method: "client_secret_basic",
          redirect_uris: [],
          grant_types: ["client_credentials"],
        },
      ],
    })
    await using t = await tmpdir()
    const { agent, opened, tokenFiles } = await setup(t, as, {
      grant: "client_credentials",
      clientId: "ci",
      clientSecret: "${CI_SECRET}",
      issuer: as.issuer,
    })
    const r = await agent(
      ["mcp", "call", "fx", "echo", "--arg", "text=ci", "--approve-env", "CI_SECRET", "--no-interactive"],
      { CI_SECRET: secret },
    )
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("ci")
    expect(opened()).toHaveLength(0)
    expect(tokenFiles()).toHaveLength(0)
    expect(as.requests.find((q) => q.path === "/token")?.params.grant_type).toBe("client_credentials")
  }, 60_000)
})
