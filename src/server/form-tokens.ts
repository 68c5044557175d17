// One-time tokens for the local pages' forms (L03); OAuth's `state` check can use the same.
import { randomBytes, timingSafeEqual } from "node:crypto"

export interface FormTokens {
  /** A fresh 256-bit token, valid for one use. */
  issue(): string
  /** True when `token` was issued and not yet used; it is used up by this call either way. */
  consume(token: unknown): boolean
}

/**
 * Keeps at most `max` unused tokens (each page load issues one; the oldest go first), so a
 * page reloaded in a loop cannot grow memory. Compared in constant time against every
 * outstanding token, so the time taken says nothing about how much of a guess was right.
 */
export function createFormTokens(max = 8): FormTokens {
  const live: Buffer[] = []
  return {
    issue() {
      const token = randomBytes(32).toString("base64url")
      live.push(Buffer.from(token))
      if (live.length > max) live.shift()
      return token
    },
    consume(token) {
      if (typeof token !== "string" || token.length === 0 || token.length > 256) return false
      const given = Buffer.from(token)
      let found = -1
      live.forEach((t, i) => {
        if (t.length === given.length && timingSafeEqual(t, given)) found = i
      })
      if (found < 0) return false
      live.splice(found, 1)
      return true
    },
  }
}
