// L07/L08 at the local route: GET /oauth/callback behind the real app, with the real provider's
// state check. A wrong or missing state is a 400 (so no token request follows) and leaves the
// waiting sign-in pending for its own callback (O18); a second callback, or one after the flow
// ended, is refused.
import { describe, expect, it } from "bun:test"
import { createOAuthProvider, createTokenStore } from "../../src/auth/index.ts"
import { CALLBACK_PATH, createApp, createPendingCallback } from "../../src/server/index.ts"
import { tmpdir } from "../helpers/tmp.ts"

const PORT = 48124
const HOST = `127.0.0.1:${PORT}`

async function flow() {
  const t = await tmpdir()
  const provider = createOAuthProvider({
    server: "fx",
    serverUrl: "https://mcp.example.com/mcp",
    store: createTokenStore(t.home),
  })
  const state = await provider.state!()
  const pending = createPendingCallback({ server: "fx" })
  const app = createApp({ port: PORT, oauth: pending })
  const result = pending.wait((params) => provider.checkCallback(params))
  result.catch(() => {}) // each test awaits it, or checks the refusal through the page
  const callback = (query: Record<string, string>, host = HOST) =>
    app.request(`${CALLBACK_PATH}?${new URLSearchParams(query)}`, { headers: { host } })
  return { state, pending, result, callback, [Symbol.asyncDispose]: () => t[Symbol.asyncDispose]() }
}

describe("/oauth/callback (L07, L08)", () => {
  it("L07: the right state hands the code to the waiting sign-in", async () => {
    await using f = await flow()
    const res = await f.callback({ code: "c1", state: f.state })
    expect(res.status).toBe(200)
    expect(await res.text()).toContain("Signed in")
    expect(await f.result).toEqual({ code: "c1" })
  })

  for (const [what, query] of [
    ["a wrong state", { code: "c1", state: "forged" }],
    ["a missing state", { code: "c1" }],
  ] as [string, Record<string, string>][]) {
    it(`L07/O18: ${what} is a 400 that does not use up the pending sign-in; the right state then completes it`, async () => {
      await using f = await flow()
      const settled: string[] = []
      void f.result.then(
        () => settled.push("resolved"),
        () => settled.push("rejected"),
      )
      const res = await f.callback(query)
      expect(res.status).toBe(400)
      expect(await res.text()).toContain("Sign-in refused")
      expect((await f.callback(query)).status).toBe(400) // a cross-site page may try again: still refused
      expect(settled).toEqual([])
      expect((await f.callback({ code: "c2", state: f.state })).status).toBe(200)
      expect(await f.result).toEqual({ code: "c2" })
    })
  }

  it("O18: only the matching state fails the sign-in (an AS error with the right state ends it)", async () => {
    await using f = await flow()
    expect((await f.callback({ error: "access_denied", state: "forged" })).status).toBe(400)
    const ended = await f.callback({ error: "access_denied", state: f.state })
    expect(ended.status).toBe(400)
    expect(await ended.text()).toContain("access_denied") // the sign-in's own answer, not a state refusal
    await expect(f.result).rejects.toThrow(/access_denied/)
    expect((await f.callback({ code: "c1", state: f.state })).status).toBe(400)
  })

  it("L07: a pasted address (--no-browser) with a wrong state ends the sign-in: it is the user's own answer", async () => {
    await using f = await flow()
    expect(await f.pending.submit(new URLSearchParams({ code: "c1", state: "forged" }))).toBe(false)
    await expect(f.result).rejects.toThrow(/state/)
  })

  it("L08: a replayed callback is refused after the first was accepted", async () => {
    await using f = await flow()
    expect((await f.callback({ code: "c1", state: f.state })).status).toBe(200)
    const again = await f.callback({ code: "c1", state: f.state })
    expect(again.status).toBe(400)
    expect(await again.text()).toContain("already used")
    expect(await f.result).toEqual({ code: "c1" })
  })

  it("L08: a callback after the flow ended is refused", async () => {
    await using f = await flow()
    f.pending.end(new Error("timed out"))
    await expect(f.result).rejects.toThrow("timed out")
    expect((await f.callback({ code: "c1", state: f.state })).status).toBe(400)
  })

  it("L02: a callback under another Host never reaches the state check", async () => {
    await using f = await flow()
    expect((await f.callback({ code: "c1", state: f.state }, "evil.example")).status).toBe(421)
    expect((await f.callback({ code: "c1", state: f.state })).status).toBe(200) // still unused
  })
})
