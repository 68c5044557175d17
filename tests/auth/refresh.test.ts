// Refresh and rotation (O10, RFC 9700 §4.14): on 401, in parallel processes, and invalid_grant.
import { describe, expect, it } from "bun:test"
import { mkdtempSync, rmSync } from "node:fs"
import { mkdir, readdir, readFile } from "node:fs/promises"
import { tmpdir as osTmpdir } from "node:os"
import { join } from "node:path"
import { auth, Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { createTokenStore } from "../../src/auth/index.ts"
import { AuthRequiredError } from "../../src/util/errors.ts"
import { startAuthServer } from "../fixtures/oauth/as.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { headlessBrowser, makeProvider, signIn } from "./helpers.ts"

const BUN = join(import.meta.dir, "../../node_modules/.bin/bun")
const canFillDisk = (() => {
  if (process.getuid?.() !== 0 || !Bun.which("unshare")) return false
  const d = mkdtempSync(join(osTmpdir(), "agentrt-probe-"))
  const r = Bun.spawnSync(["unshare", "-m", "sh", "-c", `mount -t tmpfs -o size=64k tmpfs "${d}"`], {
    stderr: "pipe",
  })
  rmSync(d, { recursive: true, force: true })
  return r.exitCode === 0
})()

describe("refresh", () => {
  it("refreshes once on 401 and saves the rotated refresh token", async () => {
    await using t = await tmpdir()
    await using as = await startAuthServer({ accessTokenTtlMs: 60_000 })
    const store = createTokenStore(t.home)
    const b = headlessBrowser()
    const p = makeProvider(store, as.url, b)
    await signIn(p, as.url, b)
    const before = (await store.findByResource(as.url))[0]?.tokens
    as.expireAccessTokens()
    const client = new Client({ name: "t", version: "1" })
    await client.connect(
      new StreamableHTTPClientTransport(new URL(as.url), { authProvider: p, fetch: p.fetch }),
    )
    await client.listTools()
    await client.close()
    const after = (await store.findByResource(as.url))[0]?.tokens
    expect(as.counters.refreshGrants).toBe(1)
    expect(after?.refresh_token).toBeDefined()
    expect(after?.refresh_token).not.toBe(before?.refresh_token)
    expect(after?.access_token).not.toBe(before?.access_token)
    expect(b.opened).toHaveLength(1) // no second sign-in
  })

  it("5 parallel processes on one expired token: one refresh reaches the AS, all succeed", async () => {
    await using t = await tmpdir()
    await using as = await startAuthServer()
    const store = createTokenStore(t.home)
    const b = headlessBrowser()
    await signIn(makeProvider(store, as.url, b), as.url, b)
    as.expireAccessTokens()
    const procs = Array.from({ length: 5 }, () =>
      Bun.spawn([BUN, join(import.meta.dir, "refresh-child.ts"), t.home, as.url], {
        stdout: "pipe",
        stderr: "pipe",
      }),
    )
    const outs = await Promise.all(
      procs.map(async (c) => ({
        code: await c.exited,
        out: await new Response(c.stdout).text(),
        err: await new Response(c.stderr).text(),
      })),
    )
    for (const o of outs) expect(o).toMatchObject({ code: 0, out: "ok\n" })
    expect(as.counters.refreshGrants).toBe(1)
    // The saved refresh token is the live one: refreshing again works (no reuse detection fired).
    as.expireAccessTokens()
    const p = makeProvider(store, as.url)
    await p.tokens()
    expect(await auth(p, { serverUrl: as.url, fetchFn: p.fetch })).toBe("AUTHORIZED")
    expect(as.counters.refreshGrants).toBe(2)
  }, 30_000)

  it("invalid_grant drops the tokens and asks for sign-in (exit 4)", async () => {
    await using t = await tmpdir()
    await using as = await startAuthServer()
    const store = createTokenStore(t.home)
    const b = headlessBrowser()
    await signIn(makeProvider(store, as.url, b), as.url, b)
    as.misbehave.refreshInvalidGrant = true
    const p = makeProvider(store, as.url) // non-interactive
    await p.tokens() // the bearer it sends, and the server refuses
    const warn = console.warn
    console.warn = () => {} // the SDK warns on console itself when it discards credentials
    try {
      const err = await auth(p, { serverUrl: as.url, fetchFn: p.fetch }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(AuthRequiredError)
      expect((err as AuthRequiredError).exitCode).toBe(4)
      expect((err as AuthRequiredError).hint).toContain("agent mcp auth fx")
    } finally {
      console.warn = warn
    }
    expect((await store.findByResource(as.url))[0]?.tokens).toBeUndefined()
  })

  // F06: a real full disk, a 64 KB tmpfs over the tokens dir in a private mount namespace (as in
  // tests/util/atomic.test.ts), with one 4 KB page left for the lock and none for the token file.
  it.skipIf(!canFillDisk)(
    "F06: with the new pair unsaved, a second refresh in the same connection sends the unsaved refresh token; the file stays as it was",
    async () => {
      await using t = await tmpdir()
      await using as = await startAuthServer()
      const store = createTokenStore(t.home)
      const b = headlessBrowser()
      await signIn(makeProvider(store, as.url, b), as.url, b)
      const tokens = store.dir
      const before = await readFile(
        join(tokens, (await readdir(tokens)).find((f) => f.endsWith(".json"))!),
        "utf8",
      )
      as.expireAccessTokens()
      const after = join(t.path, "after.json")
      const script = `set -e
      cp -a "${tokens}/." "${t.path}/snap"; mount -t tmpfs -o size=64k,mode=0700 tmpfs "${tokens}"; cp -a "${t.path}/snap/." "${tokens}"
      dd if=/dev/zero of="${tokens}/.fill" bs=4096 2>/dev/null || true; truncate -s -4096 "${tokens}/.fill"
      set +e; "${BUN}" "${join(import.meta.dir, "refresh-unsaved-child.ts")}" "${t.home}" "${as.url}"; code=$?
      for f in "${tokens}"/*.json; do cp "$f" "${after}"; done; exit $code`
      await mkdir(join(t.path, "snap"))
      const child = Bun.spawn(["unshare", "-m", "sh", "-c", script], {
        stdin: "pipe",
        stdout: "pipe",
        stderr: "pipe",
      })
      const lines = (async function* () {
        let buf = ""
        for await (const chunk of child.stdout) {
          buf += new TextDecoder().decode(chunk)
          for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
            yield buf.slice(0, i)
            buf = buf.slice(i + 1)
          }
        }
      })()
      const once = (await lines.next()).value as string
      expect(once).toContain("no space left on device (ENOSPC)")
      expect(as.counters.refreshGrants).toBe(1)
      as.expireAccessTokens()
      child.stdin.write("go\n")
      child.stdin.end()
      const twice = (await lines.next()).value
      const [code, stderr] = await Promise.all([child.exited, new Response(child.stderr).text()])
      expect({ code, twice, stderr }).toEqual({ code: 0, twice: "twice 2", stderr: "" })
      expect(as.counters.refreshGrants).toBe(2) // no reuse of the spent token, so no revoked family
      expect(await readFile(after, "utf8")).toBe(before)
    },
    30_000,
  )
})
