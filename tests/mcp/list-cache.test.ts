// The list cache's file rules (src/mcp/list-cache.ts), with a fake clock: validity by ttl, the
// server's hint (0 = not cached, none = the default, capped), 0600 files, and anything malformed,
// foreign or "saved in the future" treated as a miss.
import { describe, expect, it } from "bun:test"
import { statSync, writeFileSync } from "node:fs"
import {
  DEFAULT_LIST_TTL_MS,
  MAX_LIST_TTL_MS,
  dropListCache,
  listCachePath,
  readListCache,
  ttlFromHint,
  writeListCache,
  type CachedLists,
} from "../../src/mcp/list-cache.ts"
import { tmpdir } from "../helpers/tmp.ts"

const FP = "a".repeat(64)
const T0 = Date.parse("2026-12-06T08:00:00Z")
const entry = (over: Partial<CachedLists> = {}): CachedLists => ({
  fingerprint: FP,
  serverInfo: { name: "s", version: "1" },
  savedAt: new Date(T0).toISOString(),
  ttlMs: 60_000,
  tools: [{ name: "echo", inputSchema: { type: "object" } }],
  prompts: [],
  resources: [],
  ...over,
})

describe("list cache", () => {
  it("is valid until savedAt + ttlMs, and written 0600", async () => {
    await using t = await tmpdir()
    await writeListCache(t.home, entry())
    expect(statSync(listCachePath(t.home, FP)).mode & 0o777).toBe(0o600)
    expect(readListCache(t.home, FP, T0 + 59_999)?.tools.map((x) => x.name)).toEqual(["echo"])
    expect(readListCache(t.home, FP, T0 + 60_000)).toBeUndefined()
    expect(readListCache(t.home, FP, T0 - 1)).toBeUndefined() // saved "in the future": clock set back
    dropListCache(t.home, FP)
    expect(readListCache(t.home, FP, T0)).toBeUndefined()
  })

  it("takes the tools list's ttlMs hint: 0 is not cached, none is the default, a long one is capped", async () => {
    expect(ttlFromHint(undefined)).toBe(DEFAULT_LIST_TTL_MS)
    expect(ttlFromHint({ cacheScope: "private" })).toBe(DEFAULT_LIST_TTL_MS)
    expect(ttlFromHint({ ttlMs: 5000 })).toBe(5000)
    expect(ttlFromHint({ ttlMs: 0 })).toBe(0)
    expect(ttlFromHint({ ttlMs: 10 * MAX_LIST_TTL_MS })).toBe(MAX_LIST_TTL_MS)
    await using t = await tmpdir()
    await writeListCache(t.home, entry())
    await writeListCache(t.home, entry({ ttlMs: 0 })) // and an existing entry goes
    expect(readListCache(t.home, FP, T0)).toBeUndefined()
  })

  it("treats a malformed, foreign or mislabelled file as a miss", async () => {
    await using t = await tmpdir()
    await writeListCache(t.home, entry())
    const file = listCachePath(t.home, FP)
    writeFileSync(file, "{not json")
    expect(readListCache(t.home, FP, T0)).toBeUndefined()
    writeFileSync(file, JSON.stringify({ version: 1, ...entry(), fingerprint: "b".repeat(64) }))
    expect(readListCache(t.home, FP, T0)).toBeUndefined()
    writeFileSync(file, JSON.stringify({ version: 1, ...entry(), tools: [{ title: "no name" }] }))
    expect(readListCache(t.home, FP, T0)).toBeUndefined()
    writeFileSync(file, JSON.stringify({ version: 2, ...entry() }))
    expect(readListCache(t.home, FP, T0)).toBeUndefined()
    expect(readListCache(t.home, "../../etc/passwd", T0)).toBeUndefined()
    expect(readListCache(undefined, FP, T0)).toBeUndefined()
  })
})
