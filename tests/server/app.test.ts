import { describe, expect, it } from "bun:test"
import { createApp, createPendingInstall, type InstallDecision } from "../../src/server/index.ts"
import { escapeHtml } from "../../src/server/html.ts"
import type { PendingInstallOptions } from "../../src/server/install-page.ts"

const PORT = 48123
const HOST = `127.0.0.1:${PORT}`
const ORIGIN = `http://${HOST}`

// One approval flow behind the real app, driven through app.request() (hono).
function setup(opts: Partial<PendingInstallOptions> = {}) {
  const decisions: InstallDecision[] = []
  const pending = createPendingInstall({
    name: "fs",
    lines: ['server:  "fs"  (from an agentrt link)', "command: npx"],
    onDecision: async (d) => {
      decisions.push(d) // stands in for the config write: it must run only after a valid POST
      return d === "approved" ? "Added fs." : "Nothing was written."
    },
    ...opts,
  })
  const app = createApp({ port: PORT, install: pending })
  const get = (path: string, headers: Record<string, string> = {}) =>
    app.request(path, { headers: { host: HOST, ...headers } })
  const post = (path: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
    app.request(path, {
      method: "POST",
      headers: {
        host: HOST,
        origin: ORIGIN,
        "content-type": "application/x-www-form-urlencoded",
        ...headers,
      },
      body: new URLSearchParams(form).toString(),
    })
  const token = async () => /name="token" value="([^"]+)"/.exec(await (await get(pending.path)).text())![1]!
  return {
    app,
    pending,
    decisions,
    get,
    post,
    token,
    approve: `${pending.path}/approve`,
    deny: `${pending.path}/deny`,
  }
}

function expectNoCors(res: Response) {
  expect(res.headers.get("access-control-allow-origin")).toBeNull()
  expect(res.headers.get("access-control-allow-credentials")).toBeNull()
}

describe("hostGuard (L02, DNS rebinding)", () => {
  for (const host of [
    "evil.example",
    "127.0.0.1.nip.io",
    `evil.example:${PORT}`,
    `127.0.0.1.nip.io:${PORT}`,
    "127.0.0.1",
    "127.0.0.1:1",
    `[::1]:${PORT}`,
    `LOCALHOST:${PORT}`,
  ]) {
    it(`refuses Host: ${host} with an empty body`, async () => {
      const s = setup()
      for (const res of [
        await s.get(s.pending.path, { host }),
        await s.post(s.approve, { token: await s.token() }, { host }),
      ]) {
        expect([403, 421]).toContain(res.status)
        expect(await res.text()).toBe("")
        expectNoCors(res)
      }
      expect(s.decisions).toEqual([])
    })
  }

  it("refuses a request with no Host header at all", async () => {
    const s = setup()
    const res = await s.app.request(s.pending.path)
    expect(res.status).toBe(421)
  })

  it("serves 127.0.0.1:<port> and localhost:<port>", async () => {
    const s = setup()
    expect((await s.get(s.pending.path)).status).toBe(200)
    expect((await s.get(s.pending.path, { host: `localhost:${PORT}` })).status).toBe(200)
  })
})

describe("one-time tokens (L03)", () => {
  it("refuses a POST without a token, with a wrong one, or with an empty one; nothing is decided", async () => {
    const s = setup()
    await s.token()
    for (const form of [{}, { token: "wrong" }, { token: "" }, { token: "x".repeat(5000) }] as Record<
      string,
      string
    >[]) {
      expect((await s.post(s.approve, form)).status).toBe(403)
    }
    expect(s.decisions).toEqual([])
  })

  it("refuses a reused token and a second decision", async () => {
    const s = setup()
    const [t1, t2] = [await s.token(), await s.token()]
    const first = await s.post(s.approve, { token: t1 })
    expect(first.status).toBe(200)
    expect(await first.text()).toContain("Added fs.")
    expect((await s.post(s.approve, { token: t1 })).status).toBe(403)
    expect((await s.post(s.deny, { token: t2 })).status).toBe(403) // a valid token, but the decision is made
    expect(s.decisions).toEqual(["approved"])
    expect(await s.pending.decision).toBe("approved")
  })

  it("L03: a token from one flow is refused by another and still works in its own", async () => {
    const s = setup()
    const t = await s.token()
    const other = setup() // each flow has its own store (tests/server/form-tokens.test.ts: one use each)
    expect((await other.post(other.approve, { token: t })).status).toBe(403)
    expect((await s.post(s.deny, { token: t })).status).toBe(200)
    expect(await s.pending.decision).toBe("denied")
  })

  it("issues a different token on each page load", async () => {
    const s = setup()
    const a = await s.token()
    const b = await s.token()
    expect(a).not.toBe(b)
    expect(a.length).toBeGreaterThanOrEqual(43) // 256 bits, base64url
  })
})

describe("originGuard (L04)", () => {
  for (const origin of [
    "https://evil.example",
    "null",
    "http://127.0.0.1:1",
    `http://127.0.0.1.nip.io:${PORT}`,
    `https://127.0.0.1:${PORT}`,
    "",
  ]) {
    it(`refuses a POST with Origin: ${JSON.stringify(origin)}`, async () => {
      const s = setup()
      const res = await s.post(s.approve, { token: await s.token() }, { origin })
      expect(res.status).toBe(403)
      expect(await res.text()).toBe("")
      expectNoCors(res)
      expect(s.decisions).toEqual([])
    })
  }

  it("L04: refuses a POST with no Origin header at all, even with a valid token", async () => {
    const s = setup()
    const res = await s.app.request(s.approve, {
      method: "POST",
      headers: { host: HOST, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: await s.token() }).toString(),
    })
    expect(res.status).toBe(403)
    expect(await res.text()).toBe("")
    expect(s.decisions).toEqual([])
  })

  it("L04: still accepts the page's own POST from either spelling of our origin", async () => {
    for (const origin of [ORIGIN, `http://localhost:${PORT}`]) {
      const s = setup()
      expect((await s.post(s.approve, { token: await s.token() }, { origin })).status).toBe(200)
      expect(s.decisions).toEqual(["approved"])
    }
  })

  it("never answers a CORS preflight with a grant", async () => {
    const s = setup()
    const res = await s.app.request(s.approve, {
      method: "OPTIONS",
      headers: { host: HOST, origin: "https://evil.example", "access-control-request-method": "POST" },
    })
    expect(res.status).toBe(403)
    expectNoCors(res)
  })
})

describe("GET never mutates (L05)", () => {
  it("a GET (or HEAD) on the approve and deny URLs decides nothing", async () => {
    const s = setup()
    const t = await s.token()
    for (const path of [s.approve, `${s.approve}?token=${t}`, s.deny, `${s.deny}?token=${t}`]) {
      expect((await s.get(path)).status).toBe(404)
      expect((await s.app.request(path, { method: "HEAD", headers: { host: HOST } })).status).toBe(404)
    }
    expect((await s.get(`${s.pending.path}?approve=1&token=${t}`)).status).toBe(200) // just the page again
    expect(s.decisions).toEqual([])
    expect((await s.post(s.approve, { token: t })).status).toBe(200) // the token survived the GETs
  })

  it("an unknown install id is a 404 for GET and POST", async () => {
    const s = setup()
    expect((await s.get("/install/not-the-id")).status).toBe(404)
    expect((await s.post("/install/not-the-id/approve", { token: await s.token() })).status).toBe(404)
    expect(s.decisions).toEqual([])
  })
})

describe("security headers (L06)", () => {
  it("the approval page forbids scripts, framing and caching; the form page sends no cross-origin referrer", async () => {
    const s = setup()
    const res = await s.get(s.pending.path)
    const csp = res.headers.get("content-security-policy")!
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).toContain("form-action 'self'")
    expect(csp).not.toContain("script-src")
    expect(res.headers.get("x-frame-options")).toBe("DENY")
    expect(res.headers.get("cache-control")).toBe("no-store")
    expect(res.headers.get("x-content-type-options")).toBe("nosniff")
    // no-referrer would make the browser send `Origin: null` on the form's POST (Fetch spec).
    expect(res.headers.get("referrer-policy")).toBe("same-origin")
    expectNoCors(res)
  })

  it("every other response, refusals included, carries them too", async () => {
    const s = setup()
    for (const res of [
      await s.get("/nope"),
      await s.get("/", { host: "evil.example" }),
      await s.post(s.approve, {}),
    ]) {
      expect(res.headers.get("content-security-policy")).toContain("default-src 'none'")
      expect(res.headers.get("x-frame-options")).toBe("DENY")
      expect(res.headers.get("referrer-policy")).toBe("no-referrer")
      expectNoCors(res)
    }
  })
})

describe("escaping", () => {
  it("escapes & < > \" ' everywhere", () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe(
      "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;",
    )
  })

  it("shows hostile names and arguments as text, never markup", async () => {
    const hostile = `"><script>alert(1)</script><img src=x onerror='alert(2)'>&`
    const s = setup({ name: hostile, lines: [`server:  "${hostile}"`, `arg 1:   ${hostile}`] })
    const html = await (await s.get(s.pending.path)).text()
    expect(html).not.toContain("<script>")
    expect(html).not.toContain("<img")
    expect(html).not.toContain("onerror='")
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;")
    expect(html).toContain("&quot;&gt;")
    expect(html).toContain("&#39;alert(2)&#39;")
    const done = await s.post(s.deny, { token: /name="token" value="([^"]+)"/.exec(html)![1]! })
    expect(await done.text()).not.toContain("<script>")
  })

  it("shows a failed write as a failure, escaped", async () => {
    const s = setup({ onDecision: async () => Promise.reject(new Error("<b>disk full</b>")) })
    const res = await s.post(s.approve, { token: await s.token() })
    const html = await res.text()
    expect(html).toContain("Install failed")
    expect(html).toContain("&lt;b&gt;disk full&lt;/b&gt;")
    await s.pending.done
  })
})
