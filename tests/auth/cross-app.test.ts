// Cross-app access (SEP-990): ID token → ID-JAG at the IdP (RFC 8693) → access token at the AS
// (RFC 7523 jwt-bearer), against the fixture IdP and AS.
import { describe, expect, it } from "bun:test"
import {
  Client,
  OAuthError,
  OAuthErrorCode,
  StreamableHTTPClientTransport,
} from "@modelcontextprotocol/client"
import { createCrossAppProvider } from "../../src/auth/index.ts"
import type { CrossAppOptions } from "../../src/auth/cross-app.ts"
import { maskedDefinition, normalizeServer } from "../../src/config/index.ts"
import { AuthRequiredError } from "../../src/util/errors.ts"
import { startAuthServer } from "../fixtures/oauth/as.ts"
import { ID_JAG, TOKEN_EXCHANGE, startIdp } from "../fixtures/oauth/idp.ts"
import { JWT_BEARER } from "../fixtures/oauth/jag.ts"

const AS_CLIENT = {
  client_id: "agent-xaa",
  client_secret: "as-s3cret",
  token_endpoint_auth_method: "client_secret_basic" as const,
  redirect_uris: [],
  grant_types: [JWT_BEARER],
}

async function setup() {
  const idp = await startIdp({
    clientId: "idp-client",
    clientSecret: "idp-s3cret",
    asClientId: AS_CLIENT.client_id,
  })
  const as = await startAuthServer({ clients: [AS_CLIENT], idps: [idp.trust], dcr: false })
  const opts = (over: Partial<CrossAppOptions> = {}): CrossAppOptions => ({
    server: "fx",
    serverUrl: as.url,
    clientId: AS_CLIENT.client_id,
    clientSecret: AS_CLIENT.client_secret,
    idpIssuer: idp.issuer,
    idpClientId: "idp-client",
    idpClientSecret: "idp-s3cret",
    idToken: "",
    expectedIssuer: as.issuer,
    allowLoopback: true,
    ...over,
  })
  return {
    idp,
    as,
    opts,
    [Symbol.asyncDispose]: async () => void (await Promise.all([as.close(), idp.close()])),
  }
}

async function listTools(url: string, x: ReturnType<typeof createCrossAppProvider>) {
  const client = new Client({ name: "xaa", version: "1" })
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), { authProvider: x.provider, fetch: x.fetch }),
  )
  try {
    return (await client.listTools()).tools
  } finally {
    await client.close()
  }
}

describe("cross_app_access", () => {
  for (const via of ["idpIssuer", "idpTokenEndpoint"] as const) {
    it(`exchanges the ID token at the IdP, then the ID-JAG at the AS (${via})`, async () => {
      await using s = await setup()
      const idToken = await s.idp.idToken()
      const over = via === "idpIssuer" ? {} : { idpIssuer: undefined, idpTokenEndpoint: s.idp.tokenEndpoint }
      expect(
        await listTools(s.as.url, createCrossAppProvider(s.opts({ idToken, ...over }))),
      ).not.toHaveLength(0)
      const exchange = s.idp.requests.find((r) => r.path === "/token")
      expect(exchange?.params).toMatchObject({
        grant_type: TOKEN_EXCHANGE,
        requested_token_type: ID_JAG,
        subject_token: idToken,
        subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
        audience: s.as.issuer,
        resource: s.as.url,
        client_id: "idp-client",
      })
      const grant = s.as.requests.find((r) => r.path === "/token")
      expect(grant?.params.grant_type).toBe(JWT_BEARER)
      expect(grant?.params.assertion?.split(".")).toHaveLength(3)
      expect(grant?.authorization).toStartWith("Basic ")
      expect(grant?.status).toBe(200)
      // The IdP client secret goes only to the IdP, the AS one only to the AS.
      expect(JSON.stringify(s.as.requests)).not.toContain("idp-s3cret")
      expect(JSON.stringify(s.idp.requests)).not.toContain("as-s3cret")
    })
  }

  it("an expired ID token fails with an auth error that names the IdP, and the AS sees no grant", async () => {
    await using s = await setup()
    const idToken = await s.idp.idToken("alice@example.com", -60)
    const err = await listTools(s.as.url, createCrossAppProvider(s.opts({ idToken }))).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(AuthRequiredError)
    expect((err as AuthRequiredError).exitCode).toBe(4)
    expect((err as AuthRequiredError).message).toBe(
      "fx: the identity provider did not exchange the ID token for an authorization grant",
    )
    expect(s.idp.requests.filter((r) => r.path === "/token")).not.toHaveLength(0)
    expect(s.as.requests.filter((r) => r.path === "/token")).toHaveLength(0)
  })

  it("the AS refuses an ID-JAG for another client", async () => {
    await using s = await setup()
    s.as.clients.set("other", { ...AS_CLIENT, client_id: "other" })
    const x = createCrossAppProvider(s.opts({ clientId: "other", idToken: await s.idp.idToken() }))
    const warn = console.warn
    console.warn = () => {}
    let err: unknown
    try {
      err = await listTools(s.as.url, x).then(
        () => undefined,
        (e: unknown) => e,
      )
    } finally {
      console.warn = warn
    }
    // The SDK's typed refusal, carrying the AS's own error code and reason.
    expect(err).toBeInstanceOf(OAuthError)
    expect(err).toMatchObject({
      code: OAuthErrorCode.InvalidGrant,
      message: "the ID-JAG is for another client",
    })
    expect(s.as.requests.find((r) => r.path === "/token")?.status).toBe(400)
  })
})

describe("cross_app_access config", () => {
  const url = "https://mcp.example.com/mcp"
  const oauth = {
    grant: "cross_app_access" as const,
    clientId: "xaa",
    clientSecret: "${S}",
    idpIssuer: "https://idp.example.com",
    idpClientId: "c",
    idpClientSecret: "lit-idp-secret",
    idToken: "eyJ.literal.token",
  }

  it("normalizes the IdP fields and masks the IdP secret and ID token in config show", () => {
    const r = normalizeServer({ url, oauth })
    if (!r.ok) throw new Error(r.problem.message)
    expect(r.server).toMatchObject({ oauth })
    const shown = JSON.stringify(maskedDefinition(r.server))
    expect(shown).not.toContain("lit-idp-secret")
    expect(shown).not.toContain("eyJ.literal.token")
    expect(shown).toContain("${S}")
  })

  it("refuses the grant without an ID token or an IdP, naming the field", () => {
    const noToken = normalizeServer({ url, oauth: { ...oauth, idToken: undefined } })
    expect(noToken.ok ? "" : noToken.problem.field).toBe("oauth.idToken")
    const noIdp = normalizeServer({ url, oauth: { ...oauth, idpIssuer: undefined } })
    expect(noIdp.ok ? "" : noIdp.problem.field).toBe("oauth.idpIssuer")
  })
})
