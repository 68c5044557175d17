import { afterAll, beforeAll, describe, expect, it } from "bun:test"
import { mkdtemp, rm, symlink, mkdir, readFile } from "node:fs/promises"
import { tmpdir as osTmpdir } from "node:os"
import { extname, join } from "node:path"
import { chromium, type Browser, type Page } from "playwright-core"
import { buildWeb } from "../../scripts/build-web.ts"
import { ensureBinary } from "../helpers/binary.ts"
import { runCli } from "../helpers/cli.ts"
import { tmpdir } from "../helpers/tmp.ts"

// The web install page (web/install.html, built by scripts/build-web.ts) in a real headless
// Chromium, served from 127.0.0.1 as a static host would serve it. The page must show a link as
// the approval screen does, run nothing from its fragment, and offer a link and a command that
// the compiled binary installs (I16, I17).
const CHROMIUM = "/usr/bin/chromium"
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
]
const TYPES: Record<string, string> = { ".html": "text/html", ".css": "text/css", ".js": "text/javascript" }

let browser: Browser
let dir: string
let server: ReturnType<typeof Bun.serve>
let page: string

beforeAll(async () => {
  dir = await mkdtemp(join(osTmpdir(), "agentrt-web-"))
  await buildWeb(dir)
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: async (req) => {
      const name = new URL(req.url).pathname.slice(1)
      if (!(name in { "install.html": 1, "install.css": 1, "install.js": 1 }))
        return new Response("not found", { status: 404 })
      return new Response(Bun.file(join(dir, name)), { headers: { "content-type": TYPES[extname(name)]! } })
    },
  })
  page = `http://127.0.0.1:${server.port}/install.html`
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS })
})
afterAll(async () => {
  await browser?.close()
  server?.stop(true)
  if (dir) await rm(dir, { recursive: true, force: true })
})

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url")
const fragment = (name: string, entry: unknown) => `name=${encodeURIComponent(name)}&config=${b64url(entry)}`

interface Seen {
  page: Page
  dialogs: string[]
  errors: string[]
}

/** Opens the page on a fragment; records dialogs (and dismisses them) and script errors. */
async function open(hash: string): Promise<Seen> {
  const context = await browser.newContext()
  const p = await context.newPage()
  const seen: Seen = { page: p, dialogs: [], errors: [] }
  p.on("dialog", (d) => {
    seen.dialogs.push(d.message())
    void d.dismiss()
  })
  p.on("pageerror", (e) => seen.errors.push(e.message))
  await p.goto(`${page}#${hash}`)
  // Rendered means one of the two sections is shown; a page whose script broke shows neither.
  const rendered = await p
    .waitForFunction(
      '!document.getElementById("server").hidden || !document.getElementById("error").hidden',
      undefined,
      { timeout: 10_000 },
    )
    .then(
      () => true,
      () => false,
    )
  if (!rendered) throw new Error(`the page rendered nothing; script errors: ${JSON.stringify(seen.errors)}`)
  return seen
}

async function close(seen: Seen): Promise<void> {
  await seen.page.context().close()
}

const text = (p: Page, sel: string) => p.locator(sel).textContent()
const value = (p: Page, sel: string) => p.locator(sel).inputValue()

/** The lines of the terminal approval screen the compiled binary prints for a link (--dry-run). */
async function terminalScreen(link: string): Promise<string[]> {
  await using t = await tmpdir()
  const r = await runCli(["install", link, "--dry-run"], { home: t.home, cwd: t.path, binary: true })
  expect(r.code).toBe(0)
  const lines = r.stderr.split("\n")
  const start = lines.indexOf("Server to install:") + 1
  const end = lines.findIndex((l, i) => i >= start && l.startsWith("  file:"))
  return lines.slice(start, end).map((l) => l.replace(/^ {2}/, ""))
}

describe("the web install page in headless Chromium (I16)", () => {
  it("shows a link exactly as the approval screen does, and offers the link and the command", async () => {
    const entry = {
      command: "npx",
      args: ["-y", "@modelcontextprotocol/server-filesystem", "."],
      env: { TOKEN: "${FS_TOKEN}", API_KEY: "sk-live-0123456789abcdef" },
    }
    const seen = await open(fragment("fs", entry))
    try {
      const p = seen.page
      expect(await text(p, "h1")).toBe("Add the MCP server “fs” to agent")
      expect(await p.title()).toBe("Add “fs” to agent")
      const shown = (await text(p, "#screen"))!.split("\n")
      const link = await value(p, "#link")
      expect(link).toBe(`agentrt://mcp/install?${fragment("fs", entry)}`)
      expect(await value(p, "#command")).toBe(`agent install '${link}'`)
      expect(await p.locator("#open").getAttribute("href")).toBe(link)
      // The same lines the compiled binary shows before asking (file and action aside).
      expect(shown).toEqual(await terminalScreen(link))
      expect(shown).toContain("env:     API_KEY (fixed value from the link, hidden)")
      expect(await text(p, "body")).not.toContain("sk-live-0123456789abcdef")
      expect(seen.errors).toEqual([])
    } finally {
      await close(seen)
    }
  })

  it("the Copy buttons put the command and the link on the clipboard", async () => {
    const seen = await open(fragment("time", { command: "uvx", args: ["mcp-server-time"] }))
    try {
      const p = seen.page
      await p
        .context()
        .grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(page).origin })
      await p.click('button[data-copy="command"]')
      expect(await text(p, 'button[data-copy="command"]')).toBe("Copied")
      expect(await p.evaluate("navigator.clipboard.readText()")).toBe(await value(p, "#command"))
      await p.click('button[data-copy="link"]')
      expect(await p.evaluate("navigator.clipboard.readText()")).toBe(await value(p, "#link"))
    } finally {
      await close(seen)
    }
  })

  it("renders a hostile link's markup, scripts and bidi characters as text, and runs none of it", async () => {
    const payloads = [
      "</script><script>window.__pwned=1;alert(1)</script>",
      `"><img src=x onerror="window.__pwned=2;alert(2)">`,
      "<svg onload=window.__pwned=3>",
      "javascript:window.__pwned=4",
      "\u202egnp.exe",
      "line\n  runs: rm -rf ~",
    ]
    const entry = {
      command: "npx",
      args: payloads,
      env: { X: "<b onmouseover=alert(5)>", Authorization: "Bearer abc.def.secret" },
      description: "<iframe src=javascript:alert(6)></iframe>",
    }
    const seen = await open(fragment("evil-srv", entry))
    try {
      const p = seen.page
      expect(await p.evaluate("window.__pwned")).toBeUndefined()
      expect(seen.dialogs).toEqual([])
      // Only our own script, no element the fragment could have made.
      expect(await p.locator("script").count()).toBe(1)
      expect(await p.locator("img, svg, iframe, b, main script").count()).toBe(0)
      const shown = (await text(p, "#screen"))!
      expect(shown).toContain("</script><script>window.__pwned=1;alert(1)</script>")
      expect(shown).toContain(`"><img src=x onerror=`)
      expect(shown).toContain("\\u202egnp.exe")
      expect(shown).not.toContain("\u202e")
      expect(shown.split("\n").some((l) => l.startsWith("  runs:") || l.startsWith("runs: rm"))).toBe(false)
      expect(shown).toContain("about:   <iframe src=javascript:alert(6)></iframe>")
      // The link offered is our re-encoded one: its text has no markup, quote or space.
      expect(await value(p, "#link")).toMatch(
        /^agentrt:\/\/mcp\/install\?name=evil-srv&config=[A-Za-z0-9_-]+$/,
      )
      expect(await p.locator("#open").getAttribute("href")).toStartWith("agentrt://mcp/install?")
      expect(shown).toEqual(await terminalScreen(await value(p, "#link")).then((l) => l.join("\n")))
      // The CSP is in force: an HTML sink throws under Trusted Types, an inline script never runs.
      expect(
        await p.evaluate(
          `(() => { try { document.body.innerHTML = "<b>x</b>"; return "allowed" } catch { return "blocked" } })()`,
        ),
      ).toBe("blocked")
      await p.mouse.move(10, 10)
      expect(seen.dialogs).toEqual([])
    } finally {
      await close(seen)
    }
  })

  it("the copied command, run by sh, installs the same server with the compiled binary", async () => {
    const entry = { command: "uvx", args: ["it's $(touch pwned) `id`", "a b"], env: { K: "${HOME}" } }
    const seen = await open(fragment("quoted", entry))
    let command: string
    try {
      command = await value(seen.page, "#command")
    } finally {
      await close(seen)
    }
    await using t = await tmpdir()
    const bin = join(t.path, "bin")
    await mkdir(bin)
    await symlink(await ensureBinary(), join(bin, "agent"))
    const proc = Bun.spawn(["/bin/sh", "-c", `${command} --yes`], {
      cwd: t.path,
      env: { PATH: `${bin}:/usr/bin:/bin`, AGENTRT_HOME: t.home, HOME: t.path },
      stdout: "pipe",
      stderr: "pipe",
    })
    const stderr = await new Response(proc.stderr).text()
    expect(await proc.exited).toBe(0)
    expect(stderr).toContain('"quoted"')
    const written = JSON.parse(await readFile(join(t.home, "config", "mcp.json"), "utf8"))
    expect(written.mcpServers.quoted).toEqual(entry)
    expect(await Bun.file(join(t.path, "pwned")).exists()).toBe(false)
  })
})

describe("badges point at the page, and the binary accepts the page's URL (I15)", () => {
  it("--format markdown's link opens on the page with our link, and `agent install URL --dry-run` takes it", async () => {
    await using t = await tmpdir()
    const opts = { home: t.home, cwd: t.path, binary: true }
    const add = ["mcp", "add", "docs", "--url", "https://docs.example.com/mcp", "--type", "http"]
    expect((await runCli([...add, "--header", "Authorization: Bearer ${DOCS_TOKEN}"], opts)).code).toBe(0)
    const md = (await runCli(["install", "--link", "docs", "--format", "markdown"], opts)).stdout.trim()
    const url = /\]\((https:\/\/agentrt\.github\.io\/agentrt\/install\.html#[^)]+)\)$/.exec(md)![1]!
    const scheme = (await runCli(["install", "--link", "docs", "--format", "scheme"], opts)).stdout.trim()
    const seen = await open(new URL(url).hash.slice(1))
    try {
      expect(await value(seen.page, "#link")).toBe(scheme)
    } finally {
      await close(seen)
    }
    await using other = await tmpdir()
    const r = await runCli(["install", url, "--dry-run", "-o", "json"], {
      home: other.home,
      cwd: other.path,
      binary: true,
    })
    expect(r.code).toBe(0)
    expect(r.json<{ source: string; server: unknown }>()).toMatchObject({
      source: "agentrt",
      server: {
        type: "http",
        url: "https://docs.example.com/mcp",
        headers: { Authorization: "Bearer ${DOCS_TOKEN}" },
      },
    })
    const elsewhere = url.replace("agentrt.github.io", "agentrt.github.io.evil.example")
    const refused = await runCli(["install", elsewhere, "--dry-run"], {
      home: other.home,
      cwd: other.path,
      binary: true,
    })
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("unknown link type")
  })
})

describe("the web install page refuses bad fragments readably (I17)", () => {
  const cases: [string, string, RegExp][] = [
    ["no fragment", "", /names no server/],
    ["bad base64", "name=x&config=not*base64", /neither URL-encoded JSON nor valid base64/],
    ["a javascript: URL", fragment("x", { url: "javascript:alert(1)" }), /javascript: is not allowed/],
    [
      "an unknown key holding markup",
      fragment("x", { command: "npx", "<img src=x onerror=alert(1)>": 1 }),
      /unknown key "<img src=x onerror=alert\(1\)>"/,
    ],
    [
      "a fragment over 64 KB",
      fragment("big", { command: "npx", args: ["x".repeat(80_000)] }),
      /limit is 64 KB/,
    ],
  ]
  for (const [what, hash, reason] of cases) {
    it(what, async () => {
      const seen = await open(hash)
      try {
        const p = seen.page
        expect(await p.locator("#server").isHidden()).toBe(true)
        expect(await text(p, "#error-message")).toMatch(reason)
        expect(await text(p, "h1")).toBe("This install link cannot be used")
        expect(await value(p, "#command")).toBe("")
        expect(await p.locator("#open").getAttribute("href")).toBeNull()
        expect(await p.locator("img, svg").count()).toBe(0)
        expect(seen.dialogs).toEqual([])
        expect(seen.errors).toEqual([])
      } finally {
        await close(seen)
      }
    })
  }

  it("follows a changed fragment without a reload: a good link after a bad one", async () => {
    const seen = await open("name=x&config=%%%")
    try {
      const p = seen.page
      expect(await text(p, "#error-message")).toMatch(/malformed %-escape/)
      const good = fragment("time", { command: "uvx", args: ["mcp-server-time"] })
      await p.evaluate(`location.hash = ${JSON.stringify(good)}`)
      await p.waitForFunction('!document.getElementById("server").hidden')
      expect(await p.locator("#error").isHidden()).toBe(true)
      expect(await value(p, "#link")).toStartWith("agentrt://mcp/install?name=time&")
    } finally {
      await close(seen)
    }
  })
})
