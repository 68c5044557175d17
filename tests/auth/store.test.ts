// Token store: modes under umask 000, symlinks refused (F01), keying (O08), logout, redaction (O14).
import { describe, expect, it } from "bun:test"
import { existsSync } from "node:fs"
import { chmod, lstat, mkdir, readFile, stat, symlink, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { createTokenStore } from "../../src/auth/index.ts"
import { redactTokens, tokenFileName } from "../../src/auth/store.ts"
import { AgentError } from "../../src/util/errors.ts"
import { tmpdir } from "../helpers/tmp.ts"

const A = { resource: "https://a.example/mcp", issuer: "https://as.example" }
const entry = (k = A) => ({
  server: "a",
  ...k,
  clientInformation: { client_id: "c" },
  tokens: { access_token: "at_SECRET", refresh_token: "rt_SECRET", expires_at: Date.now() + 60_000 },
})

describe("token store", () => {
  it("writes files 0600 in a 0700 dir even under umask 000 (F01)", async () => {
    await using t = await tmpdir()
    const old = process.umask(0)
    try {
      const store = createTokenStore(t.home)
      await store.write(entry())
      expect((await stat(store.dir)).mode & 0o777).toBe(0o700)
      expect((await stat(join(store.dir, tokenFileName(A)))).mode & 0o777).toBe(0o600)
    } finally {
      process.umask(old)
    }
  })

  it("reading creates nothing: no tokens dir reads as empty; the first write makes it, 0700", async () => {
    await using t = await tmpdir()
    const store = createTokenStore(t.home)
    expect(await store.read(A)).toBeUndefined()
    expect(await store.findByResource(A.resource)).toEqual([])
    expect(existsSync(store.dir)).toBe(false)
    await store.write(entry())
    expect((await stat(store.dir)).mode & 0o777).toBe(0o700)
    expect((await store.read(A))?.tokens?.access_token).toBe("at_SECRET")
  })

  it("an existing tokens dir is checked on read too: tightened to 0700, refused when others can write it (C08)", async () => {
    await using t = await tmpdir()
    const dir = join(t.home, "tokens")
    await mkdir(dir, { mode: 0o700 })
    await chmod(dir, 0o755)
    expect(await createTokenStore(t.home).list()).toEqual([])
    expect((await stat(dir)).mode & 0o777).toBe(0o700)
    await chmod(dir, 0o777)
    await expect(createTokenStore(t.home).read(A)).rejects.toBeInstanceOf(AgentError)
    await expect(createTokenStore(t.home).list()).rejects.toBeInstanceOf(AgentError)
  })

  it("refuses a symlink planted at the token path, for reading and writing; the target is untouched (F01)", async () => {
    await using t = await tmpdir()
    const store = createTokenStore(t.home)
    await store.write(entry()) // creates the dir
    const target = await t.write("victim.txt", "precious")
    const path = join(store.dir, tokenFileName(A))
    await Bun.file(path).delete()
    await symlink(target, path)
    await expect(store.read(A)).rejects.toBeInstanceOf(AgentError)
    await expect(store.write(entry())).rejects.toBeInstanceOf(AgentError)
    expect(await readFile(target, "utf8")).toBe("precious")
    expect((await lstat(path)).isSymbolicLink()).toBe(true)
  })

  it("keys by (resource, issuer): another server or another AS finds nothing (O08, O09)", async () => {
    await using t = await tmpdir()
    const store = createTokenStore(t.home)
    await store.write(entry())
    expect(await store.read(A)).toMatchObject({ tokens: { access_token: "at_SECRET" } })
    expect(await store.read({ ...A, resource: "https://b.example/mcp" })).toBeUndefined()
    expect(await store.read({ ...A, issuer: "https://other-as.example" })).toBeUndefined()
  })

  it("ignores a file whose content names another key (swapped file)", async () => {
    await using t = await tmpdir()
    const store = createTokenStore(t.home)
    const B = { ...A, resource: "https://b.example/mcp" }
    await store.write(entry(B))
    await writeFile(join(store.dir, tokenFileName(A)), await readFile(join(store.dir, tokenFileName(B))))
    expect(await store.read(A)).toBeUndefined()
  })

  it("lookups made while a listing runs share it; one made after a write began lists afresh", async () => {
    await using t = await tmpdir()
    const store = createTokenStore(t.home)
    const B = { ...A, issuer: "https://other-as.example" }
    await store.write(entry())
    // Twenty servers connecting at once: one read of each file, the same entry for each caller.
    const [first, second] = await Promise.all([
      store.findByResource(A.resource),
      store.findByResource(A.resource),
    ])
    expect(second[0]).toBe(first[0]!)
    // Started before the write: its listing may miss B. Started after it began: a listing of its own.
    const before = store.findByResource(A.resource)
    const written = store.write(entry(B))
    const after = store.findByResource(A.resource)
    await written
    expect((await after)[0]).not.toBe((await before)[0])
    expect((await store.findByResource(A.resource)).map((e) => e.issuer).sort()).toEqual([A.issuer, B.issuer])
    await store.forget(B, { client: true })
    expect((await store.findByResource(A.resource)).map((e) => e.issuer)).toEqual([A.issuer])
  })

  it("forget drops tokens but keeps the registration; with client, drops the file", async () => {
    await using t = await tmpdir()
    const store = createTokenStore(t.home)
    await store.write(entry())
    expect(await store.forget(A)).toBe(true)
    const kept = await store.read(A)
    expect(kept?.tokens).toBeUndefined()
    expect(kept?.clientInformation).toEqual({ client_id: "c" })
    expect(await store.forget(A, { client: true })).toBe(true)
    expect(await store.read(A)).toBeUndefined()
    expect(await store.forget(A)).toBe(false)
  })

  it("serialises updates from parallel callers under the lock", async () => {
    await using t = await tmpdir()
    const store = createTokenStore(t.home)
    await store.write({ ...entry(), tokens: { access_token: "0" } })
    await Promise.all(
      Array.from({ length: 10 }, () =>
        store.update(
          A,
          (e) => e && { ...e, tokens: { access_token: String(Number(e.tokens?.access_token) + 1) } },
        ),
      ),
    )
    expect((await store.read(A))?.tokens?.access_token).toBe("10")
  })
})

describe("redactTokens (O14)", () => {
  it("masks authorization headers, token fields, codes, verifiers and secrets", () => {
    const text = [
      "Authorization: Bearer at_abc.def-123",
      "Authorization: Basic Y2xpZW50OnNlY3JldA==",
      '{"access_token":"at_x","refresh_token":"rt_y","client_secret":"s3"}',
      "grant_type=authorization_code&code=c0de&code_verifier=v3r&client_assertion=eyJ.a.b",
      "https://cb/?code=abc&state=s1",
    ].join("\n")
    const out = redactTokens(text)
    for (const secret of ["at_abc", "Y2xpZW50", "at_x", "rt_y", 's3"', "c0de", "v3r", "eyJ.a.b", "code=abc"])
      expect(out).not.toContain(secret)
    expect(out).toContain("state=s1")
    expect(out).toContain("grant_type=authorization_code")
  })
})
