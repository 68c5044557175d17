import { describe, expect, it } from "bun:test"
import { createHash } from "node:crypto"
import { createDpopKey, jwkThumbprint } from "../../src/auth/dpop.ts"

// dpop.ts hashes with Bun.CryptoHasher and makes keys with the global Web Crypto (no node:crypto
// on the connect path, docs/performance.md): the thumbprint must stay RFC 7638's, byte for byte.
describe("jwkThumbprint", () => {
  it("is RFC 7638's SHA-256 over the required EC members in order, base64url", async () => {
    const { jwk } = await createDpopKey()
    const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })
    expect(jwkThumbprint(jwk)).toBe(createHash("sha256").update(canonical).digest("base64url"))
    expect(jwkThumbprint(jwk)).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })

  it("ignores members other than crv, kty, x and y, and their order", () => {
    const key = {
      kty: "EC",
      crv: "P-256",
      x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
      y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
    }
    const expected = createHash("sha256")
      .update(JSON.stringify({ crv: key.crv, kty: key.kty, x: key.x, y: key.y }))
      .digest("base64url")
    expect(jwkThumbprint({ y: key.y, x: key.x, kty: key.kty, crv: key.crv, d: "secret" } as never)).toBe(
      expected,
    )
  })
})
