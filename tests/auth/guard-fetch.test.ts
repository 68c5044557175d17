// O07 and O01 at the guard itself: createGuardedFetch in front of a recording fetch (nothing
// leaves this machine; refused URLs must never reach the recorder), and the authorization URL
// check that runs before any browser opens. Addresses are literals, so no DNS is involved.
import { describe, expect, it } from "bun:test"
import { checkAuthorizationUrl, createGuardedFetch, type GuardOptions } from "../../src/auth/guard.ts"
import { AuthRequiredError } from "../../src/util/errors.ts"
import { refusedDestinations } from "../helpers/loopback-only.ts"

function guarded(opts: Omit<GuardOptions, "fetch"> = {}) {
  const seen: { url: string; redirect?: RequestInit["redirect"] }[] = []
  const fetch = createGuardedFetch({
    ...opts,
    fetch: async (url, init) => {
      seen.push({ url: String(url), redirect: init?.redirect })
      return new Response("ok")
    },
  })
  return { fetch, seen }
}

async function refusal(f: ReturnType<typeof guarded>["fetch"], url: string): Promise<AuthRequiredError> {
  const err = await f(url).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(AuthRequiredError)
  return err as AuthRequiredError
}

describe("createGuardedFetch (O07)", () => {
  const refused: [string, string][] = [
    ["https://169.254.169.254/latest/meta-data/", "link-local"],
    ["https://[fe80::1]/x", "link-local"],
    ["https://10.0.0.8/x", "private"],
    ["https://172.16.0.1/x", "private"],
    ["https://192.168.1.1/x", "private"],
    ["https://[fd00::1]/x", "private"],
    ["https://127.0.0.1:8443/x", "loopback"],
    ["https://[::1]/x", "loopback"],
    ["https://[::ffff:169.254.169.254]/x", "link-local"],
    ["https://0.0.0.0/x", "reserved"],
  ]
  for (const [url, kind] of refused) {
    it(`O07: refuses ${url} as a ${kind} address; nothing is fetched`, async () => {
      const g = guarded()
      expect((await refusal(g.fetch, url)).message).toContain(`${kind} address`)
      expect(g.seen).toEqual([])
    })
  }

  it("O07: fetches a public https address, and never lets the fetch follow a redirect itself", async () => {
    const g = guarded()
    expect(await (await g.fetch("https://192.0.2.7/.well-known/oauth-authorization-server")).text()).toBe(
      "ok",
    )
    expect(g.seen).toEqual([
      { url: "https://192.0.2.7/.well-known/oauth-authorization-server", redirect: "manual" },
    ])
  })

  it("O07: plain http only to loopback, even to a public or an allowed host", async () => {
    const g = guarded({ allowHosts: ["10.0.0.8"], allowLoopback: true })
    for (const url of ["http://192.0.2.7/token", "http://10.0.0.8/token"]) {
      expect((await refusal(g.fetch, url)).message).toContain("plain http")
    }
    expect(g.seen).toEqual([])
    await g.fetch("http://127.0.0.1:9/token")
    expect(g.seen.map((s) => s.url)).toEqual(["http://127.0.0.1:9/token"])
  })

  it("O07: loopback passes only with allowLoopback; a private host only when it is the configured server's", async () => {
    const strict = guarded()
    await refusal(strict.fetch, "http://127.0.0.1:9/x")
    const loose = guarded({ allowLoopback: true, allowHosts: ["10.0.0.8:8443"] })
    await loose.fetch("http://127.0.0.1:9/x")
    await loose.fetch("https://10.0.0.8:8443/x")
    await refusal(loose.fetch, "https://10.0.0.9:8443/x")
    await refusal(loose.fetch, "https://169.254.169.254/x")
    expect(loose.seen.map((s) => s.url)).toEqual(["http://127.0.0.1:9/x", "https://10.0.0.8:8443/x"])
  })

  it("O07: refuses schemes other than http and https", async () => {
    const g = guarded({ allowLoopback: true })
    for (const url of ["file:///etc/passwd", "ftp://192.0.2.7/x", "data:text/plain,x"])
      await refusal(g.fetch, url)
    expect(g.seen).toEqual([])
  })
})

describe("createGuardedFetch: every spelling of a local address (O15)", () => {
  // Each goes through the real guard (URL parsing included) in front of a recording fetch;
  // the loopback-only net must record nothing, so the guard, not the net, refused.
  const spellings: [string, string][] = [
    ["https://[::ffff:127.0.0.1]/x", "loopback"], // IPv4-mapped, dotted
    ["https://[::ffff:7f00:1]/x", "loopback"], // IPv4-mapped, hex
    ["https://[0:0:0:0:0:ffff:7f00:1]/x", "loopback"], // mapped, written out
    ["https://[::127.0.0.1]/x", "loopback"], // IPv4-compatible (deprecated)
    ["https://[::7f00:1]/x", "loopback"],
    ["https://[::a9fe:a9fe]/x", "link-local"],
    ["https://[::ffff:0:a9fe:a9fe]/x", "link-local"], // SIIT
    ["https://[64:ff9b::a9fe:a9fe]/x", "link-local"], // NAT64
    ["https://[2002:a9fe:a9fe::1]/x", "link-local"], // 6to4
    ["https://[::ffff:10.0.0.8]/x", "private"],
    ["https://2130706433/x", "loopback"], // decimal
    ["https://0x7f000001/x", "loopback"], // hex
    ["https://017700000001/x", "loopback"], // octal
    ["https://0x7f.1/x", "loopback"], // hex, short form
    ["https://127.1/x", "loopback"], // short form
    ["https://0251.0376.0251.0376/x", "link-local"], // octal dotted 169.254.169.254
    ["https://167772168/x", "private"], // decimal 10.0.0.8
    ["https://0.0.0.0/x", "reserved"],
    ["https://0/x", "reserved"],
    ["https://[::]/x", "reserved"],
    ["https://[fec0::1]/x", "private"], // old site-local
    ["https://127.0.0.1./x", "loopback"], // trailing dot
  ]
  for (const [url, kind] of spellings) {
    it(`O15: refuses ${url} as ${kind}; nothing is fetched`, async () => {
      const netBefore = [...refusedDestinations]
      const g = guarded()
      expect((await refusal(g.fetch, url)).message).toContain(`${kind} address`)
      expect(g.seen).toEqual([])
      expect(refusedDestinations).toEqual(netBefore)
    })
  }

  it("O15: refuses a name that resolves to loopback (localhost, through the system resolver)", async () => {
    const g = guarded()
    for (const url of ["https://localhost/x", "https://LOCALHOST./x", "https://a.localhost/x"]) {
      expect((await refusal(g.fetch, url)).message).toMatch(/loopback address|cannot resolve/)
    }
    expect(g.seen).toEqual([])
  })

  it("O15: refuses a name when any one of its addresses is local, in any spelling", async () => {
    const answers: Record<string, string[]> = {
      "mixed.test": ["192.0.2.7", "10.0.0.8"],
      "mapped.test": ["::ffff:7f00:1"],
      "compat.test": ["::169.254.169.254"],
      "unspecified.test": ["0.0.0.0"],
      "ula.test": ["2001:db8::1", "fd12::1"],
      "zone.test": ["fe80::1%eth0"],
    }
    const g = guarded({ lookup: async (name) => answers[name] ?? [] })
    for (const name of Object.keys(answers)) await refusal(g.fetch, `https://${name}/x`)
    expect(g.seen).toEqual([])
  })
})

describe("checkAuthorizationUrl (O01)", () => {
  const allowed = [
    "https://as.example/authorize?x=1",
    "http://127.0.0.1:8080/authorize",
    "http://localhost/authorize",
    "http://[::1]:9/authorize",
  ]
  for (const url of allowed)
    it(`O01: allows ${url}`, () => expect(() => checkAuthorizationUrl(new URL(url))).not.toThrow())

  const refused = [
    "file:///etc/passwd",
    "javascript:alert(1)",
    "data:text/html,<script>x</script>",
    "http://192.0.2.7/authorize",
    "http://127.0.0.1.nip.io/authorize",
    "http://10.0.0.8/authorize",
    "vbscript:msgbox",
    "ftp://as.example/",
  ]
  for (const url of refused) {
    it(`O01: refuses ${url} before any browser opens`, () =>
      expect(() => checkAuthorizationUrl(new URL(url))).toThrow(AuthRequiredError))
  }
})
