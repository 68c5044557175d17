import { afterAll, beforeAll, describe, expect, it } from "bun:test"
import { existsSync } from "node:fs"
import { chmod, readFile } from "node:fs/promises"
import { join } from "node:path"
import { chromium, type Browser } from "playwright-core"
import { runCli, type CliResult } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"

// The click-to-install flow end to end: `agent install --browser LINK` (what the agentrt://
// handler runs) serves the approval page, a real headless Chromium answers it. Only the
// opener is replaced: BROWSER points at a script that records the URL instead of opening it.
const CHROMIUM = "/usr/bin/chromium"
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
]

let browser: Browser
beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS })
})
afterAll(async () => {
  await browser?.close()
})

const link = (name: string, config: unknown) =>
  `agentrt://mcp/install?name=${encodeURIComponent(name)}&config=${Buffer.from(JSON.stringify(config)).toString("base64url")}`
const FS_LINK = link("fs", {
  command: "npx",
  args: ["-y", "@modelcontextprotocol/server-filesystem", "."],
  env: { TOKEN: "${FS_TOKEN}" },
})
const userConfig = (t: TmpDir) => join(t.home, "config", "mcp.json")

interface Flow {
  /** The approval page's address, as the opener received it. */
  url: string
  run: Promise<CliResult>
}

async function startInstall(
  t: TmpDir,
  opts: { link?: string; binary?: boolean; timeoutMs?: number } = {},
): Promise<Flow> {
  const urlFile = join(t.path, "opened-url")
  const opener = await t.write(
    "bin/record-url",
    `#!/bin/sh\nprintf '%s' "$1" > "${urlFile}.tmp" && mv "${urlFile}.tmp" "${urlFile}"\n`,
  )
  await chmod(opener, 0o755)
  const env: Record<string, string> = { BROWSER: opener }
  if (opts.timeoutMs) env.AGENTRT_INSTALL_TIMEOUT_MS = String(opts.timeoutMs)
  const run = runCli(["install", "--browser", opts.link ?? FS_LINK], {
    home: t.home,
    cwd: t.path,
    env,
    binary: opts.binary,
    timeoutMs: 25_000,
  })
  const until = Date.now() + 20_000
  while (!existsSync(urlFile)) {
    if (Date.now() > until)
      throw new Error(
        `the opener was never called\n${JSON.stringify(await Promise.race([run, Bun.sleep(10)]))}`,
      )
    await Bun.sleep(25)
  }
  return { url: await readFile(urlFile, "utf8"), run }
}

describe("approval page in a real browser", () => {
  it("Approve writes the entry and the process exits 0 (compiled binary)", async () => {
    await using t = await tmpdir()
    const { url, run } = await startInstall(t, { binary: true })
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/install\/[0-9a-f-]{36}$/)
    const page = await browser.newPage()
    try {
      await page.goto(url)
      expect(await page.textContent("h1")).toContain("fs")
      expect(await page.textContent("pre")).toContain("@modelcontextprotocol/server-filesystem")
      expect(existsSync(userConfig(t))).toBe(false) // looking is not approving
      await page.click("button.approve")
      expect(await page.textContent("h1")).toBe("Installed")
      expect(await page.textContent("body")).toContain("You can close this window")
    } finally {
      await page.close()
    }
    const result = await run
    expect(result.code).toBe(0)
    const written = JSON.parse(await readFile(userConfig(t), "utf8"))
    expect(written.mcpServers.fs).toEqual({
      command: "npx",
      args: ["-y", "@modelcontextprotocol/server-filesystem", "."],
      env: { TOKEN: "${FS_TOKEN}" },
    })
    expect(await readFile(join(t.home, "state", "logs", "install.log"), "utf8")).toContain('Installed "fs"')
    // L08: the server is gone with the flow.
    expect(
      await fetch(url).then(
        () => "answered",
        () => "refused",
      ),
    ).toBe("refused")
  })

  it("Deny writes nothing and exits 3", async () => {
    await using t = await tmpdir()
    const { url, run } = await startInstall(t)
    const page = await browser.newPage()
    try {
      await page.goto(url)
      await page.click("button.deny")
      expect(await page.textContent("h1")).toBe("Not installed")
    } finally {
      await page.close()
    }
    const result = await run
    expect(result.code).toBe(3)
    expect(result.stderr).toContain("denied in the browser")
    expect(existsSync(userConfig(t))).toBe(false)
  })

  it("no answer before AGENTRT_INSTALL_TIMEOUT_MS writes nothing and exits 3", async () => {
    await using t = await tmpdir()
    const { url, run } = await startInstall(t, { timeoutMs: 1500 })
    const page = await browser.newPage()
    try {
      await page.goto(url) // the page is looked at, never answered
      const result = await run
      expect(result.code).toBe(3)
      expect(result.stderr).toContain("no answer")
      // The page is still open; a late Approve reaches nobody.
      const late = await page.click("button.approve", { timeout: 3000 }).then(
        () => "submitted",
        () => "failed",
      )
      expect(late).toBe("submitted")
      expect(await page.textContent("body").catch(() => "")).not.toContain("Installed")
    } finally {
      await page.close()
    }
    expect(existsSync(userConfig(t))).toBe(false)
  })

  it("a cross-origin form POST from another local page is refused, even with a valid token (L04)", async () => {
    await using t = await tmpdir()
    const { url, run } = await startInstall(t)
    const token = /name="token" value="([^"]+)"/.exec(
      await (await fetch(url, { headers: { host: new URL(url).host } })).text(),
    )![1]!
    const evil = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () =>
        new Response(
          `<form method="post" action="${url}/approve"><input type="hidden" name="token" value="${token}"><button id="go">Win a prize</button></form>`,
          {
            headers: { "content-type": "text/html" },
          },
        ),
    })
    const page = await browser.newPage()
    try {
      await page.goto(`http://127.0.0.1:${evil.port}/`)
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url().startsWith(url)),
        page.click("#go"),
      ])
      expect(response.status()).toBe(403)
      expect(response.headers()["access-control-allow-origin"]).toBeUndefined()
      expect(existsSync(userConfig(t))).toBe(false)
    } finally {
      await page.close()
      evil.stop(true)
    }
    // The real page still works, and its own POST carries our Origin: deny to end the flow.
    const real = await browser.newPage()
    try {
      await real.goto(url)
      await real.click("button.deny")
      expect(await real.textContent("h1")).toBe("Not installed")
    } finally {
      await real.close()
    }
    expect((await run).code).toBe(3)
    expect(existsSync(userConfig(t))).toBe(false)
  })

  it("renders a hostile link's text as text, and looks like an approval page", async () => {
    await using t = await tmpdir()
    const hostile = link("evil-srv", {
      command: "npx",
      args: [`"><script>document.title='pwned'</script><img src=x onerror=alert(1)>`],
      env: { A: "'&<b>" },
    })
    const { url, run } = await startInstall(t, { link: hostile })
    const page = await browser.newPage({ viewport: { width: 900, height: 720 } })
    try {
      await page.goto(url)
      expect(await page.title()).not.toBe("pwned")
      expect(await page.locator("script, img, b").count()).toBe(0)
      expect(await page.textContent("pre")).toContain(`"><script>document.title=`)
      await page.screenshot({ path: join(t.path, "approval-page.png"), fullPage: true })
      await page.click("button.deny")
    } finally {
      await page.close()
    }
    expect((await run).code).toBe(3)
  })
})

describe("agent install --browser without a browser answer", () => {
  it("a bad link exits 2 before anything is served, and the error is in install.log", async () => {
    await using t = await tmpdir()
    const opened = join(t.path, "opened")
    const opener = await t.write("bin/opener", `#!/bin/sh\ntouch "${opened}"\n`)
    await chmod(opener, 0o755)
    const bad = link("../etc", { command: "npx" })
    const result = await runCli(["install", "--browser", bad], {
      home: t.home,
      cwd: t.path,
      env: { BROWSER: opener },
    })
    expect(result.code).toBe(2)
    expect(await readFile(join(t.home, "state", "logs", "install.log"), "utf8")).toMatch(
      /^\S+Z error: .*\.\./m,
    )
    expect(existsSync(opened)).toBe(false)
    expect(existsSync(userConfig(t))).toBe(false)
  })

  it("a browser that cannot start is reported, the URL printed, and no answer writes nothing (exit 3)", async () => {
    await using t = await tmpdir()
    const env = { BROWSER: join(t.path, "no-such-browser"), AGENTRT_INSTALL_TIMEOUT_MS: "1000" }
    const result = await runCli(["install", "--browser", FS_LINK], { home: t.home, cwd: t.path, env })
    expect(result.code).toBe(3)
    expect(result.stderr).toContain("could not start a browser")
    expect(result.stderr).toMatch(/open this page yourself to answer: http:\/\/127\.0\.0\.1:\d+\/install\//)
    expect(existsSync(userConfig(t))).toBe(false)
  })

  it("refuses --browser together with --yes", async () => {
    await using t = await tmpdir()
    const result = await runCli(["install", "--browser", "--yes", FS_LINK], { home: t.home, cwd: t.path })
    expect(result.code).toBe(2)
    expect(existsSync(userConfig(t))).toBe(false)
  })
})
