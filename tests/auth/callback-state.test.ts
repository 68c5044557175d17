// L07/L08 at the provider: checkCallback hands out the code only for the `state` it sent, once.
// A wrong, missing or replayed state is refused before any token request could follow.
import { describe, expect, it } from "bun:test"
import { createOAuthProvider, createTokenStore } from "../../src/auth/index.ts"
import { AuthRequiredError } from "../../src/util/errors.ts"
import { tmpdir } from "../helpers/tmp.ts"

async function provider() {
  const t = await tmpdir()
  const p = createOAuthProvider({ server: "fx", serverUrl: "https://mcp.example.com/mcp", store: createTokenStore(t.home) })
  const state = await p.state!()
  const params = (extra: Record<string, string>) => new URLSearchParams({ code: "the-code", ...extra })
  return { p, state, params, [Symbol.asyncDispose]: () => t[Symbol.asyncDispose]() }
}

function refused(fn: () => unknown): AuthRequiredError {
  let err: unknown
  try {
    fn()
  } catch (e: unknown) {
    err = e
  }
  expect(err).toBeInstanceOf(AuthRequiredError)
  return err as AuthRequiredError
}

describe("checkCallback (L07, L08)", () => {
  it("L07: accepts the state it sent and returns the code and iss", async () => {
    await using s = await provider()
    expect(s.p.checkCallback(s.params({ state: s.state, iss: "https://as.example" }))).toEqual({ code: "the-code", iss: "https://as.example" })
  })

  const forgeries: [string, (sent: string) => Record<string, string>][] = [
    ["a missing state", () => ({})],
    ["an empty state", () => ({ state: "" })],
    ["a wrong state of the same length", (sent) => ({ state: `${sent.slice(0, -1)}${sent.endsWith("A") ? "B" : "A"}` })],
    ["a wrong state of another length", () => ({ state: "forged" })],
    ["the state with a suffix", (sent) => ({ state: `${sent}x` })],
  ]
  for (const [what, forged] of forgeries) {
    it(`L07: refuses ${what}, and the attempt is used up (the right state fails after it)`, async () => {
      await using s = await provider()
      expect(refused(() => s.p.checkCallback(s.params(forged(s.state)))).message).toContain("state")
      refused(() => s.p.checkCallback(s.params({ state: s.state })))
    })
  }

  it("L08: refuses the same callback a second time", async () => {
    await using s = await provider()
    s.p.checkCallback(s.params({ state: s.state }))
    refused(() => s.p.checkCallback(s.params({ state: s.state })))
  })

  it("L07: refuses a callback when no sign-in was started", async () => {
    await using t = await tmpdir()
    const p = createOAuthProvider({ server: "fx", serverUrl: "https://mcp.example.com/mcp", store: createTokenStore(t.home) })
    refused(() => p.checkCallback(new URLSearchParams({ code: "c", state: "" })))
  })

  it("L07: a right state carrying an AS error, or no code, is still refused", async () => {
    await using a = await provider()
    expect(refused(() => a.p.checkCallback(a.params({ state: a.state, error: "access_denied" }))).message).toContain("access_denied")
    await using b = await provider()
    refused(() => b.p.checkCallback(new URLSearchParams({ state: b.state })))
  })
})
