// CI sign-in with client_credentials (O12): client_secret_basic, client_secret_post, private_key_jwt.
import { describe, expect, it } from "bun:test"
import {
  Client,
  OAuthError,
  OAuthErrorCode,
  StreamableHTTPClientTransport,
} from "@modelcontextprotocol/client"
import { createClientCredentialsProvider } from "../../src/auth/index.ts"
import { AuthRequiredError } from "../../src/util/errors.ts"
import { startAuthServer } from "../fixtures/oauth/as.ts"

const GRANTS = ["client_credentials"]

async function listTools(url: string, cc: ReturnType<typeof createClientCredentialsProvider>) {
  const client = new Client({ name: "ci", version: "1" })
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), { authProvider: cc.provider, fetch: cc.fetch }),
  )
  const { tools } = await client.listTools()
  await client.close()
  return tools
}

describe("client_credentials", () => {
  for (const method of ["client_secret_basic", "client_secret_post"] as const) {
    it(`authenticates with ${method}`, async () => {
      await using as = await startAuthServer({
        clients: [
          {
            client_id: "ci",
            client_secret: "s3cret",
            token_endpoint_auth_method: method,
            redirect_uris: [],
            grant_types: GRANTS,
          },
        ],
      })
      const cc = createClientCredentialsProvider({
        server: "fx",
        serverUrl: as.url,
        clientId: "ci",
        clientSecret: "s3cret",
        tokenEndpointAuthMethod: method,
        expectedIssuer: as.issuer,
        allowLoopback: true,
      })
      expect((await listTools(as.url, cc)).length).toBeGreaterThan(0)
      const token = as.requests.find((r) => r.path === "/token")
      expect(token?.params.grant_type).toBe("client_credentials")
      expect(token?.params.resource).toBe(as.url)
      if (method === "client_secret_basic") expect(token?.authorization).toStartWith("Basic ")
      else expect(token?.params.client_secret).toBe("s3cret")
    })
  }

  it("uses DPoP when the AS offers it (a key in memory), and not when oauth.dpop is false (O20)", async () => {
    const client = {
      client_id: "ci",
      client_secret: "s3cret",
      token_endpoint_auth_method: "client_secret_basic" as const,
      redirect_uris: [],
      grant_types: GRANTS,
    }
    for (const dpop of [undefined, false]) {
      await using as = await startAuthServer({ clients: [client], dpop: { asNonce: true } })
      const cc = createClientCredentialsProvider({
        server: "fx",
        serverUrl: as.url,
        clientId: "ci",
        clientSecret: "s3cret",
        expectedIssuer: as.issuer,
        allowLoopback: true,
        ...(dpop !== undefined && { dpop }),
      })
      expect((await listTools(as.url, cc)).length).toBeGreaterThan(0)
      const mcp = as.requests.filter((r) => r.path === "/mcp" && r.status === 200)
      expect(mcp.length).toBeGreaterThan(0)
      const scheme = dpop === false ? "Bearer " : "DPoP "
      expect(mcp.every((r) => r.authorization?.startsWith(scheme))).toBe(true)
      expect(as.dpop?.counters.asNonceChallenges).toBe(dpop === false ? 0 : 1)
    }
  })

  for (const alg of ["ES256", "RS256"] as const) {
    it(`authenticates with private_key_jwt ${alg}, verified by the AS`, async () => {
      const params =
        alg === "ES256"
          ? { name: "ECDSA", namedCurve: "P-256" }
          : {
              name: "RSASSA-PKCS1-v1_5",
              modulusLength: 2048,
              publicExponent: new Uint8Array([1, 0, 1]),
              hash: "SHA-256",
            }
      const keys = (await crypto.subtle.generateKey(params, true, ["sign", "verify"])) as CryptoKeyPair
      const pub = { ...(await crypto.subtle.exportKey("jwk", keys.publicKey)), alg, kid: "k1" }
      const priv = await crypto.subtle.exportKey("jwk", keys.privateKey)
      await using as = await startAuthServer({
        clients: [
          {
            client_id: "ci-jwt",
            token_endpoint_auth_method: "private_key_jwt",
            jwks: [pub],
            redirect_uris: [],
            grant_types: GRANTS,
          },
        ],
      })
      const cc = createClientCredentialsProvider({
        server: "fx",
        serverUrl: as.url,
        clientId: "ci-jwt",
        tokenEndpointAuthMethod: "private_key_jwt",
        privateKey: priv as Record<string, unknown>,
        signingAlgorithm: alg,
        expectedIssuer: as.issuer,
        allowLoopback: true,
      })
      expect((await listTools(as.url, cc)).length).toBeGreaterThan(0)
      expect(as.requests.find((r) => r.path === "/token")?.params.client_assertion).toBeDefined()
    })
  }

  it("a wrong key is refused by the AS", async () => {
    const gen = () =>
      crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
        "sign",
        "verify",
      ]) as Promise<CryptoKeyPair>
    const [registered, other] = await Promise.all([gen(), gen()])
    const pub = { ...(await crypto.subtle.exportKey("jwk", registered.publicKey)), alg: "ES256" }
    await using as = await startAuthServer({
      clients: [
        {
          client_id: "ci-jwt",
          token_endpoint_auth_method: "private_key_jwt",
          jwks: [pub],
          redirect_uris: [],
          grant_types: GRANTS,
        },
      ],
    })
    const cc = createClientCredentialsProvider({
      server: "fx",
      serverUrl: as.url,
      clientId: "ci-jwt",
      tokenEndpointAuthMethod: "private_key_jwt",
      privateKey: (await crypto.subtle.exportKey("jwk", other.privateKey)) as Record<string, unknown>,
      expectedIssuer: as.issuer,
      allowLoopback: true,
    })
    const warn = console.warn
    console.warn = () => {}
    let err: unknown
    try {
      err = await listTools(as.url, cc).then(
        () => undefined,
        (e: unknown) => e,
      )
    } finally {
      console.warn = warn
    }
    // The SDK's typed refusal, carrying the AS's own error code.
    expect(err).toBeInstanceOf(OAuthError)
    expect((err as OAuthError).code).toBe(OAuthErrorCode.InvalidClient)
    const grants = as.requests.filter((r) => r.path === "/token")
    expect(grants.length).toBeGreaterThan(0)
    expect(grants.map((r) => r.status)).toEqual(grants.map(() => 401))
    expect(as.requests.filter((r) => r.server === "rs" && r.authorization)).toEqual([])
  })

  it("without a secret, fails at once with exit 4 and no request", async () => {
    await using as = await startAuthServer({
      clients: [
        {
          client_id: "ci",
          client_secret: "s3cret",
          token_endpoint_auth_method: "client_secret_basic",
          redirect_uris: [],
          grant_types: GRANTS,
        },
      ],
    })
    let fetched = 0
    const counting = (...args: Parameters<typeof fetch>) => (fetched++, fetch(...args))
    let err: unknown
    try {
      createClientCredentialsProvider({
        server: "fx",
        serverUrl: as.url,
        clientId: "ci",
        expectedIssuer: as.issuer,
        allowLoopback: true,
        fetch: counting,
      })
    } catch (e: unknown) {
      err = e
    }
    expect(err).toBeInstanceOf(AuthRequiredError)
    expect((err as AuthRequiredError).exitCode).toBe(4)
    expect((err as AuthRequiredError).message).toBe(
      "fx uses the client_credentials grant but oauth.clientSecret is not set",
    )
    expect(fetched).toBe(0)
    expect(as.requests).toEqual([])
  })
})
