import { describe, expect, it } from "bun:test"
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { startAuthServer } from "../fixtures/oauth/as.ts"
import { startIdp } from "../fixtures/oauth/idp.ts"
import { JWT_BEARER } from "../fixtures/oauth/jag.ts"
import { ensureBinary } from "../helpers/binary.ts"
import { runCli } from "../helpers/cli.ts"
import { tmpdir } from "../helpers/tmp.ts"

// Cross-app access (SEP-990) on the compiled binary: the user's ID token and both client
// secrets arrive as approved ${VAR}s; agent trades the ID token at the IdP fixture for an ID-JAG
// and that at the AS fixture for an access token. Nothing secret is printed or written.

/** Every file under dir, recursively. */
function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile())
}

describe("compiled binary: cross-app access", () => {
  it("mcp call succeeds through IdP token exchange + jwt-bearer; no secret in output, config show or state", async () => {
    await ensureBinary()
    const secrets = { XAA_SECRET: "as-secret-81c2", IDP_SECRET: "idp-secret-47aa" }
    await using idp = await startIdp({
      clientId: "idp-client",
      clientSecret: secrets.IDP_SECRET,
      asClientId: "xaa",
    })
    await using as = await startAuthServer({
      clients: [
        {
          client_id: "xaa",
          client_secret: secrets.XAA_SECRET,
          token_endpoint_auth_method: "client_secret_basic",
          redirect_uris: [],
          grant_types: [JWT_BEARER],
        },
      ],
      idps: [idp.trust],
      dcr: false,
    })
    const idToken = await idp.idToken()
    await using t = await tmpdir()
    const oauth = {
      grant: "cross_app_access",
      clientId: "xaa",
      clientSecret: "${XAA_SECRET}",
      issuer: as.issuer,
      idpIssuer: idp.issuer,
      idpClientId: "idp-client",
      idpClientSecret: "${IDP_SECRET}",
      idToken: "${ID_TOKEN}",
    }
    const file = await t.write("mcp.json", { mcpServers: { fx: { type: "http", url: as.url, oauth } } })
    const env = { ...secrets, ID_TOKEN: idToken }
    const approve = Object.keys(env).flatMap((k) => ["--approve-env", k])
    const agent = (args: string[]) =>
      runCli([...args, "--mcp", file, ...approve, "--no-interactive"], {
        home: t.home,
        cwd: t.path,
        binary: true,
        env,
      })

    const call = await agent(["mcp", "call", "fx", "echo", "--arg", "text=xaa", "--debug"])
    expect(call.code).toBe(0)
    expect(call.stdout).toContain("xaa")
    const status = await agent(["mcp", "auth", "fx", "--output", "json"])
    expect(status.json()).toMatchObject({ server: "fx", status: "cross_app_access" })
    const show = await runCli(["config", "show", "--mcp", file, "-o", "json"], {
      home: t.home,
      cwd: t.path,
      env,
    })

    expect(idp.requests.filter((r) => r.path === "/token").every((r) => r.status === 200)).toBe(true)
    expect(as.requests.find((r) => r.path === "/token")?.params.grant_type).toBe(JWT_BEARER)
    const jag = as.requests.find((r) => r.path === "/token")?.params.assertion ?? "never"
    const printed = [call.stdout, call.stderr, status.stdout, status.stderr, show.stdout, show.stderr].join(
      "\n",
    )
    const stored = files(t.home)
      .map((f) => readFileSync(f, "utf8"))
      .join("\n")
    for (const secret of [...Object.values(env), jag]) {
      expect(printed).not.toContain(secret)
      expect(stored).not.toContain(secret)
    }
    expect(files(t.home).some((f) => f.includes(`${join("state", "tokens")}`))).toBe(false)
  }, 60_000)
})
