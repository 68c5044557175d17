import { describe, expect } from "bun:test"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { ROOT } from "../helpers/cli.ts"
import { itUnless } from "../helpers/skip.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { agent, startedDaemon } from "./daemon-helpers.ts"

// The issue's own example: `agent mcp call pw browser_navigate` then `browser_snapshot` sees the
// page, with the real @playwright/mcp (pinned devDependency) driving the apt Chromium.
const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p))
const PW = join(ROOT, "node_modules/@playwright/mcp/cli.js")
const missing = !CHROMIUM
  ? "no Chromium at /usr/bin/chromium (apt-get install chromium)"
  : !existsSync(PW)
    ? "@playwright/mcp is not installed (npm ci)"
    : !Bun.which("node")
      ? "no node on PATH for @playwright/mcp"
      : undefined

describe("compiled binary: agent daemon with @playwright/mcp", () => {
  itUnless(missing)(
    "keeps the browser between two calls: the snapshot sees the page the first call opened",
    async () => {
      await using site = Bun.serve({
        hostname: "127.0.0.1",
        port: 0,
        fetch: () =>
          new Response("<title>Daemon Page</title><h1>kept alive</h1>", {
            headers: { "content-type": "text/html" },
          }),
      })
      const args = [PW, "--headless", "--isolated", "--no-sandbox", "--executable-path", CHROMIUM!]
      await using t = await tmpdir({
        files: { "mcp.json": { mcpServers: { pw: { command: Bun.which("node")!, args } } } },
      })
      const url = `http://127.0.0.1:${site.port}/`
      const navigate = ["mcp", "call", "pw", "browser_navigate", "--arg", `url=${url}`, "--mcp", "mcp.json"]
      const snapshot = ["mcp", "call", "pw", "browser_snapshot", "--mcp", "mcp.json"]
      const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" }
      // Cold, the second command has a new browser: no page.
      expect((await agent(t, navigate, env)).code).toBe(0)
      expect((await agent(t, snapshot, env)).stdout).not.toContain("kept alive")
      await using _d = await startedDaemon(t, [], env)
      const nav = await agent(t, navigate, env)
      expect(nav.code).toBe(0)
      expect(nav.stdout).toContain("Daemon Page")
      const snap = await agent(t, snapshot, env)
      expect(snap.code).toBe(0)
      expect(snap.stdout).toContain('heading "kept alive"')
      expect(snap.stdout).toContain(url)
    },
    120_000,
  )
})
