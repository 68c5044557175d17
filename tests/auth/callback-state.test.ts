// L07/L08 at the provider: checkCallback hands out the code only for the `state` it sent, once.
// A wrong, missing or replayed state is refused before any token request could follow; a wrong
// one does not use up the sign-in (O18), a matching one is used up whatever its outcome (L08).
import { describe, expect, it } from "bun:test"
import { CallbackStateError, createOAuthProvider, createTokenStore } from "../../src/auth/index.ts"
import { AuthRequiredError } from "../../src/util/errors.ts"
import { tmpdir } from "../helpers/tmp.ts"

async function provider() {
  const t = await tmpdir()
  const p = createOAuthProvider({
    server: "fx",
    serverUrl: "https://mcp.example.com/mcp",
    store: createTokenStore(t.home),
  })
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
    expect(s.p.checkCallback(s.params({ state: s.state, iss: "https://as.example" }))).toEqual({
      code: "the-code",
      iss: "https://as.example",
    })
  })

  const forgeries: [string, (sent: string) => Record<string, string>][] = [
    ["a missing state", () => ({})],
    ["an empty state", () => ({ state: "" })],
    [
      "a wrong state of the same length",
      (sent) => ({ state: `${sent.slice(0, -1)}${sent.endsWith("A") ? "B" : "A"}` }),
    ],
    ["a wrong state of another length", () => ({ state: "forged" })],
    ["the state with a suffix", (sent) => ({ state: `${sent}x` })],
  ]
  for (const [what, forged] of forgeries) {
    it(`L07/O18: refuses ${what} as a CallbackStateError, and uses nothing up: the right state still completes`, async () => {
      await using s = await provider()
      const err = refused(() => s.p.checkCallback(s.params(forged(s.state))))
      expect(err).toBeInstanceOf(CallbackStateError)
      expect(err.message).toContain("state")
      expect(s.p.checkCallback(s.params({ state: s.state }))).toEqual({ code: "the-code" })
    })
  }

  it("L08: refuses the same callback a second time", async () => {
    await using s = await provider()
    s.p.checkCallback(s.params({ state: s.state }))
    refused(() => s.p.checkCallback(s.params({ state: s.state })))
  })

  it("L07: refuses a callback when no sign-in was started", async () => {
    await using t = await tmpdir()
    const p = createOAuthProvider({
      server: "fx",
      serverUrl: "https://mcp.example.com/mcp",
      store: createTokenStore(t.home),
    })
    refused(() => p.checkCallback(new URLSearchParams({ code: "c", state: "" })))
  })

  it("L07: a right state carrying an AS error, or no code, is still refused, and that uses it up (L08)", async () => {
    await using a = await provider()
    expect(
      refused(() => a.p.checkCallback(a.params({ state: a.state, error: "access_denied" }))).message,
    ).toContain("access_denied")
    expect(refused(() => a.p.checkCallback(a.params({ state: a.state })))).toBeInstanceOf(CallbackStateError)
    await using b = await provider()
    refused(() => b.p.checkCallback(new URLSearchParams({ state: b.state })))
  })
})
