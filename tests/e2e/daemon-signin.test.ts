import { describe, expect, it } from "bun:test"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { startAuthServer } from "../fixtures/oauth/as.ts"
import { ROOT } from "../helpers/cli.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { connectStdio, textOf } from "../serve/helpers.ts"
import { agent, daemonLog, startedDaemon, status } from "./daemon-helpers.ts"

// The sign-in handback (docs/daemon.md): a held server that needs sign-in is the caller's to sign
// in to, in its own browser; the daemon says so, the caller runs that command cold and signs in,
// and the next warm command uses the stored token. Real AS fixture on 127.0.0.1, $BROWSER played
// by tests/fixtures/oauth/browser.sh.
const BROWSER = join(ROOT, "tests/fixtures/oauth/browser.sh")

describe("compiled binary: sign-in through the daemon", () => {
  it("hands the sign-in back to the caller, then the warm path uses the stored token", async () => {
    await using as = await startAuthServer()
    await using t = await tmpdir({
      files: { "mcp.json": { mcpServers: { fx: { type: "http", url: as.url } } } },
    })
    await using _d = await startedDaemon(t)
    const log = join(t.path, "browser.log")
    const opened = () => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n").filter(Boolean) : [])
    const call = (text: string, env: Record<string, string> = {}, extra: string[] = []) =>
      agent(t, ["mcp", "call", "fx", "echo", "--arg", `text=${text}`, "--mcp", "mcp.json", ...extra], {
        BROWSER_LOG: log,
        ...env,
      })

    // No sign-in possible: the same exit 4 and hint as cold, from the daemon, nothing opened.
    const refused = await call("x", { BROWSER }, ["--no-interactive"])
    expect(refused.code).toBe(4)
    expect(refused.stderr).toContain("agent mcp auth fx")
    expect(opened()).toHaveLength(0)
    expect(daemonLog(t)).toContain('starting "fx"')

    // A browser can open: the daemon hands the command back, the caller signs in (one browser
    // visit, in the caller's environment) and runs the call itself.
    const inline = await call("inline", { BROWSER }, ["--debug"])
    expect(inline.code).toBe(0)
    expect(inline.stdout).toContain("inline")
    expect(inline.stderr).toContain("the daemon handed the command back: a server needs sign-in")
    expect(opened()).toHaveLength(1)

    // Warm from now on, with the stored token: no browser (none is set), no second sign-in.
    const signInRequests = () => as.requests.filter((q) => q.path === "/token" || q.path === "/authorize")
    const before = signInRequests().length
    const warm = await call("warm")
    expect(warm.code).toBe(0)
    expect(warm.stdout).toContain("warm")
    expect(opened()).toHaveLength(1)
    expect(signInRequests()).toHaveLength(before)
    expect((await status(t)).servers).toMatchObject([{ name: "fx", status: "connected", calls: 1 }])

    // And a proxy client through the daemon shares that connection and sign-in.
    await using p = await connectStdio(t, ["mcp", "proxy", "fx", "--mcp", "mcp.json"], { binary: true })
    expect(textOf(await p.client.callTool({ name: "echo", arguments: { text: "proxied" } }))).toContain(
      "proxied",
    )
    expect((await status(t)).servers).toMatchObject([{ name: "fx", status: "connected", calls: 2 }])
    expect(opened()).toHaveLength(1)
  }, 90_000)
})
