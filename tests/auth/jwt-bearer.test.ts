// Workload identity federation (SEP-1933): the jwt-bearer grant through our provider and the SDK's
// transport, against the AS fixture trusting a fake CI OIDC service (workload.ts), with the JWT
// from a value, a file, or the CI itself (O21).
import { describe, expect, it } from "bun:test"
import { symlinkSync } from "node:fs"
import { join } from "node:path"
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { assertionFor, type GithubOidc } from "../../src/auth/assertion.ts"
import { createJwtBearerProvider, JWT_BEARER_GRANT } from "../../src/auth/jwt-bearer.ts"
import { AuthRequiredError } from "../../src/util/errors.ts"
import { startAuthServer } from "../fixtures/oauth/as.ts"
import { startCiOidc } from "../fixtures/oauth/workload.ts"
import { tmpdir } from "../helpers/tmp.ts"

type Source = {
  assertion?: string
  assertionFile?: string
  assertionFrom?: "github-actions"
  audience?: string
}

async function connect(url: string, issuer: string, src: Source, github?: GithubOidc, clientId?: string) {
  const wb = createJwtBearerProvider({
    server: "fx",
    serverUrl: url,
    expectedIssuer: issuer,
    allowLoopback: true,
    assertion: assertionFor({ server: "fx", ...src, ...(github && { github }) }),
    ...(clientId && { clientId }),
  })
  const client = new Client({ name: "ci", version: "1" })
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), { authProvider: wb.provider, fetch: wb.fetch }),
  )
  const { tools } = await client.listTools()
  await client.close()
  return tools
}

async function setup(extra: Parameters<typeof startAuthServer>[0] = {}) {
  const ci = await startCiOidc()
  const as = await startAuthServer({
    ...extra,
    workloads: [ci.trust],
    dcr: false,
    clients: [
      {
        client_id: "ci",
        token_endpoint_auth_method: "none",
        redirect_uris: [],
        grant_types: [JWT_BEARER_GRANT],
      },
    ],
  })
  return {
    ci,
    as,
    grants: () => as.requests.filter((r) => r.path === "/token" && r.params.grant_type === JWT_BEARER_GRANT),
    async [Symbol.asyncDispose]() {
      await as.close()
      await ci.close()
    },
  }
}

describe("jwt_bearer (workload identity federation)", () => {
  it("trades a JWT given as a value for an access token, with the client id, once", async () => {
    await using s = await setup()
    const jwt = await s.ci.mint(s.as.issuer)
    expect(
      (await connect(s.as.url, s.as.issuer, { assertion: jwt }, undefined, "ci")).length,
    ).toBeGreaterThan(0)
    expect(s.grants().map((r) => [r.status, r.params.assertion, r.params.client_id])).toEqual([
      [200, jwt, "ci"],
    ])
    expect(s.as.requests.some((r) => r.path === "/mcp" && r.status === 200)).toBe(true)
  })

  it("reads the JWT from a file at sign-in; a symbolic link there is refused", async () => {
    await using s = await setup()
    await using t = await tmpdir()
    const file = await t.write("token.jwt", `${await s.ci.mint(s.as.issuer)}\n`)
    expect((await connect(s.as.url, s.as.issuer, { assertionFile: file })).length).toBeGreaterThan(0)
    const link = join(t.path, "link.jwt")
    symlinkSync(file, link)
    const refused = connect(s.as.url, s.as.issuer, { assertionFile: link })
    await expect(refused).rejects.toBeInstanceOf(AuthRequiredError)
    expect(s.grants()).toHaveLength(1)
  })

  it("asks GitHub Actions' OIDC service for a token whose audience is the issuer it goes to (O21)", async () => {
    await using s = await setup()
    const github = {
      requestUrl: s.ci.env.ACTIONS_ID_TOKEN_REQUEST_URL,
      requestToken: s.ci.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN,
    }
    expect(
      (await connect(s.as.url, s.as.issuer, { assertionFrom: "github-actions" }, github)).length,
    ).toBeGreaterThan(0)
    const asked = s.ci.requests.find((r) => r.path === "/token")
    expect(asked?.params).toMatchObject({ audience: s.as.issuer, "api-version": "2.0" })
    expect(asked?.authorization).toBe(`Bearer ${github.requestToken}`)
    expect(s.grants().map((r) => r.status)).toEqual([200])
  })

  it("without ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN: exit-4 error naming id-token: write, nothing sent", async () => {
    await using s = await setup()
    const e = await connect(s.as.url, s.as.issuer, { assertionFrom: "github-actions" }).catch(
      (x: unknown) => x,
    )
    expect(e).toBeInstanceOf(AuthRequiredError)
    expect((e as AuthRequiredError).hint).toContain("id-token: write")
    expect(s.grants()).toHaveLength(0)
  })

  it("a refused JWT (expired, or for another audience) is reported once and never sent again (O21)", async () => {
    await using s = await setup()
    for (const jwt of [
      await s.ci.mint(s.as.issuer, { exp: Math.floor(Date.now() / 1000) - 60 }),
      await s.ci.mint("https://rogue.example"),
    ]) {
      const before = s.grants().length
      const e = await connect(s.as.url, s.as.issuer, { assertion: jwt }).catch((x: unknown) => x)
      expect(e).toBeInstanceOf(AuthRequiredError)
      expect((e as Error).message).toContain("invalid_grant")
      expect(s.grants().length - before).toBe(1)
    }
  })

  it("the JWT goes only to the pinned issuer: a server naming another AS gets nothing (O21)", async () => {
    await using s = await setup()
    await using other = await startAuthServer()
    s.as.misbehave.authorizationServer = other.issuer
    const e = await connect(s.as.url, s.as.issuer, { assertion: await s.ci.mint(s.as.issuer) }).catch(
      (x: unknown) => x,
    )
    expect(e).toBeInstanceOf(Error)
    expect(other.requests.filter((r) => r.path === "/token")).toHaveLength(0)
    expect(s.grants()).toHaveLength(0)
  })

  it("uses DPoP when the authorization server offers it: nonce retry, a bound token, presented with proofs (O20)", async () => {
    await using s = await setup({ dpop: { asNonce: true, rsNonce: true } })
    const jwt = await s.ci.mint(s.as.issuer)
    expect((await connect(s.as.url, s.as.issuer, { assertion: jwt })).length).toBeGreaterThan(0)
    // The AS's use_dpop_nonce is the one refusal answered with a second request (RFC 9449 §8).
    expect(s.grants().map((r) => [r.status, r.dpop !== null])).toEqual([
      [400, true],
      [200, true],
    ])
    const mcp = s.as.requests.filter((r) => r.path === "/mcp" && r.status === 200)
    expect(mcp.length).toBeGreaterThan(0)
    expect(mcp.every((r) => r.authorization?.startsWith("DPoP ") && r.dpop !== null)).toBe(true)
  })
})
