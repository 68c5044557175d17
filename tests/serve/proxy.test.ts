import { describe, expect, it } from "bun:test"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { startAuthServer } from "../fixtures/oauth/as.ts"
import { ROOT, runCli } from "../helpers/cli.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { BASIC, connectStdio, stdioConfig, textOf } from "./helpers.ts"

// `agent mcp proxy NAME|URL` with the SDK client on its stdio: transparent (no renaming), and
// signing in with agent's own flow: $BROWSER plays the browser (tests/fixtures/oauth/browser.sh)
// against the real OAuth fixture on 127.0.0.1 (a session-HTTP MCP server behind an AS).
const BROWSER = join(ROOT, "tests/fixtures/oauth/browser.sh")

describe("agent mcp proxy", () => {
  it("bridges a configured stdio server with every name as the server gives it", async () => {
    await using t = await tmpdir()
    const cfg = await stdioConfig(t, { one: BASIC })
    await using c = await connectStdio(t, ["mcp", "proxy", "one", "--mcp", cfg])
    expect(c.client.getServerVersion()).toMatchObject({ name: "fixture-basic", version: "1.2.3" })
    const names = (await c.client.listTools()).tools.map((x) => x.name)
    expect(names).toContain("echo")
    expect(names.some((n) => n.includes("__"))).toBe(false)
    expect(textOf(await c.client.callTool({ name: "echo", arguments: { text: "through" } }))).toBe("through")
    expect((await c.client.listPrompts()).prompts.map((p) => p.name)).toEqual(["greet"])
  }, 30_000)

  it("signs in to an OAuth server by URL with agent's flow, stores the token, and reuses it next time", async () => {
    await using as = await startAuthServer()
    await using t = await tmpdir()
    const log = join(t.path, "browser.log")
    const opened = () => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n").filter(Boolean) : [])
    const env = { BROWSER, BROWSER_LOG: log }
    {
      await using c = await connectStdio(t, ["mcp", "proxy", as.url], { env })
      expect(textOf(await c.client.callTool({ name: "echo", arguments: { text: "signed" } }))).toContain(
        "signed",
      )
      // O14: the proxy never prints a token.
      expect(c.stderr()).not.toMatch(/access_token|Bearer [A-Za-z0-9]/)
    }
    expect(opened()).toHaveLength(1)
    expect(existsSync(join(t.home, "state", "tokens"))).toBe(true)
    {
      await using c = await connectStdio(t, ["mcp", "proxy", as.url], { env })
      expect((await c.client.listTools()).tools.map((x) => x.name)).toContain("echo")
    }
    // The stored token served the second run: no second sign-in.
    expect(opened()).toHaveLength(1)
  }, 60_000)

  it("--no-browser with stdin a client's pipe: no paste prompt on it; exit 4 with the sign-in command", async () => {
    await using as = await startAuthServer()
    await using t = await tmpdir()
    const r = await runCli(["mcp", "proxy", as.url, "--no-browser"], {
      home: t.home,
      cwd: t.path,
      env: { BROWSER, BROWSER_LOG: join(t.path, "browser.log") },
    })
    expect(r.code).toBe(4)
    expect(r.stderr).toContain("agent mcp auth")
    expect(r.stdout).toBe("")
    expect(existsSync(join(t.path, "browser.log"))).toBe(false)
  }, 30_000)

  it("a server that needs approval and no terminal: exit 3 with the hint, nothing started", async () => {
    await using t = await tmpdir()
    // A project config (./.mcp.json) must be approved before its servers run.
    await t.write(".mcp.json", { mcpServers: { proj: { command: "bun", args: [BASIC] } } })
    const r = await runCli(["mcp", "proxy", "proj"], { home: t.home, cwd: t.path })
    expect(r.code).toBe(3)
    expect(r.stderr).toContain("hint:")
  }, 30_000)
})
