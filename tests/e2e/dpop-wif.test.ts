import { describe, expect, it } from "bun:test"
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { startAuthServer } from "../fixtures/oauth/as.ts"
import { startCiOidc } from "../fixtures/oauth/workload.ts"
import { ensureBinary } from "../helpers/binary.ts"
import { ROOT, runCli } from "../helpers/cli.ts"
import { tmpdir } from "../helpers/tmp.ts"

// DPoP and workload identity on the compiled binary, against the AS fixture that checks every
// proof and nonce (O20), and a fake of GitHub Actions' OIDC token service (O21). The DPoP private
// key lives only in the 0600 token file; it, the CI's JWT and its request token are never printed.
const BROWSER = join(ROOT, "tests/fixtures/oauth/browser.sh")
const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile())
}

describe("compiled binary: DPoP and workload identity", () => {
  it("signs in with DPoP (AS and server nonces), keeps the key in the 0600 token file, never prints it (O20)", async () => {
    await ensureBinary()
    await using as = await startAuthServer({ dpop: { asNonce: true, rsNonce: true } })
    await using t = await tmpdir()
    const file = await t.write("mcp.json", { mcpServers: { fx: { type: "http", url: as.url } } })
    const agent = (args: string[]) =>
      runCli([...args, "--mcp", file], { home: t.home, cwd: t.path, binary: true, env: { BROWSER } })

    const signIn = await agent(["mcp", "auth", "fx"])
    expect(signIn.code).toBe(0)
    const call = await agent(["mcp", "call", "fx", "echo", "--arg", "text=bound", "--debug"])
    expect(call.code).toBe(0)
    expect(call.stdout).toContain("bound")
    const status = await agent(["mcp", "auth", "--status", "--output", "json"])
    expect(signIn.stdout).toContain("DPoP-bound")
    expect(status.json<{ servers: { tokenType?: string }[] }>().servers[0]?.tokenType).toBe("DPoP")

    const [tokenFile] = files(join(t.home, "state", "tokens")).filter((f) => f.endsWith(".json"))
    expect(statSync(tokenFile!).mode & 0o777).toBe(0o600)
    const saved = JSON.parse(readFileSync(tokenFile!, "utf8"))
    expect(saved.tokens.token_type).toBe("DPoP")
    const d: string = saved.dpopKey.d
    expect(d.length).toBeGreaterThan(20)
    for (const out of [signIn, call, status].flatMap((r) => [r.stdout, r.stderr])) {
      expect(out).not.toContain(d)
      expect(out).not.toContain(saved.tokens.access_token)
    }
    expect(as.dpop?.counters.asNonceChallenges).toBeGreaterThanOrEqual(1)
    expect(as.dpop?.counters.rsNonceChallenges).toBeGreaterThanOrEqual(1)
    const mcp = as.requests.filter((r) => r.path === "/mcp" && r.status === 200)
    expect(mcp.length).toBeGreaterThan(0)
    expect(mcp.every((r) => r.authorization?.startsWith("DPoP ") && r.dpop !== null)).toBe(true)
  }, 60_000)

  it("jwt_bearer with assertionFrom github-actions: the job's OIDC token, audience = issuer, nothing printed or stored (O21)", async () => {
    await ensureBinary()
    await using ci = await startCiOidc()
    await using as = await startAuthServer({ workloads: [ci.trust], dcr: false })
    await using t = await tmpdir()
    const oauth = { grant: "jwt_bearer", assertionFrom: "github-actions", issuer: as.issuer }
    const file = await t.write("mcp.json", { mcpServers: { fx: { type: "http", url: as.url, oauth } } })
    const agent = (args: string[], env: Record<string, string>) =>
      runCli([...args, "--mcp", file, "--no-interactive"], { home: t.home, cwd: t.path, binary: true, env })

    const denied = await agent(["mcp", "call", "fx", "echo", "--arg", "text=ci"], {})
    expect(denied.code).toBe(4)
    expect(denied.stderr).toContain("id-token: write")

    const call = await agent(["mcp", "call", "fx", "echo", "--arg", "text=ci", "--debug"], ci.env)
    expect(call.code).toBe(0)
    expect(call.stdout).toContain("ci")
    expect(ci.requests.find((r) => r.path === "/token")?.params.audience).toBe(as.issuer)
    const grant = as.requests.find((r) => r.path === "/token" && r.params.grant_type === JWT_BEARER)
    expect(grant?.status).toBe(200)
    const auth = await agent(["mcp", "auth", "fx", "--output", "json"], ci.env)
    expect(auth.json()).toMatchObject({ server: "fx", status: "jwt_bearer" })
    const printed = [denied.stdout, denied.stderr, call.stdout, call.stderr, auth.stdout, auth.stderr].join(
      "\n",
    )
    const stored = files(t.home)
      .map((f) => readFileSync(f, "utf8"))
      .join("\n")
    for (const secret of [ci.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN, grant?.params.assertion ?? "never"]) {
      expect(printed).not.toContain(secret)
      expect(stored).not.toContain(secret)
    }
  }, 60_000)

  it("jwt_bearer with the JWT in an approved ${VAR}: unapproved exits 3, approved signs in, an expired one exits 4 after one request", async () => {
    await ensureBinary()
    await using ci = await startCiOidc()
    await using as = await startAuthServer({ workloads: [ci.trust], dcr: false })
    await using t = await tmpdir()
    const oauth = { grant: "jwt_bearer", assertion: "${CI_JWT}" }
    const file = await t.write("mcp.json", { mcpServers: { fx: { type: "http", url: as.url, oauth } } })
    const agent = (jwt: string, approve: boolean) =>
      runCli(
        ["mcp", "call", "fx", "echo", "--arg", "text=var", "--mcp", file, "--no-interactive"].concat(
          approve ? ["--approve-env", "CI_JWT"] : [],
        ),
        { home: t.home, cwd: t.path, binary: true, env: { CI_JWT: jwt } },
      )
    const jwt = await ci.mint(as.issuer)
    expect((await agent(jwt, false)).code).toBe(3)
    const ok = await agent(jwt, true)
    expect(ok.code).toBe(0)
    expect(ok.stdout + ok.stderr).not.toContain(jwt)
    const grants = () => as.requests.filter((r) => r.params.grant_type === JWT_BEARER).length
    const before = grants()
    const expired = await agent(await ci.mint(as.issuer, { exp: Math.floor(Date.now() / 1000) - 60 }), true)
    expect(expired.code).toBe(4)
    expect(expired.stderr).toContain("invalid_grant")
    expect(grants() - before).toBe(1)
  }, 60_000)
})
