// L03: the local pages' one-time tokens. A valid POST ends an install flow, so a replay there is
// refused by the flow's state as well; only this store-level test shows each token is used up.
import { describe, expect, it } from "bun:test"
import { createFormTokens } from "../../src/server/form-tokens.ts"

describe("createFormTokens (L03)", () => {
  it("L03: a token is good for exactly one use", () => {
    const store = createFormTokens()
    const t = store.issue()
    expect(store.consume(t)).toBe(true)
    expect(store.consume(t)).toBe(false)
    expect(store.consume(t)).toBe(false)
  })

  it("L03: using one token up leaves the other outstanding ones valid, once each", () => {
    const store = createFormTokens()
    const [a, b, c] = [store.issue(), store.issue(), store.issue()]
    expect(store.consume(b)).toBe(true)
    expect(store.consume(b)).toBe(false)
    expect([store.consume(a), store.consume(c)]).toEqual([true, true])
    expect([store.consume(a), store.consume(c)]).toEqual([false, false])
  })

  it("L03: refuses tokens it never issued, empty, over-long or non-string ones", () => {
    const store = createFormTokens()
    const t = store.issue()
    for (const bad of [
      "",
      "wrong",
      t.slice(1),
      t.slice(0, -1),
      `${t}x`,
      t.toUpperCase() === t ? t.toLowerCase() : t.toUpperCase(),
      "x".repeat(5000),
      undefined,
      null,
      42,
      [t],
      { t },
    ]) {
      expect(store.consume(bad)).toBe(false)
    }
    expect(store.consume(t)).toBe(true) // the failed guesses did not spend it
  })

  it("L03: keeps only the newest `max` unused tokens, so a reload loop cannot grow memory", () => {
    const store = createFormTokens(2)
    const [oldest, middle, newest] = [store.issue(), store.issue(), store.issue()]
    expect(store.consume(oldest)).toBe(false)
    expect(store.consume(middle)).toBe(true)
    expect(store.consume(newest)).toBe(true)
  })

  it("L03: issues distinct 256-bit base64url tokens", () => {
    const store = createFormTokens()
    const tokens = Array.from({ length: 50 }, () => store.issue())
    expect(new Set(tokens).size).toBe(50)
    for (const t of tokens) expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })
})
