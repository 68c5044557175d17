// Server → client notifications on a 2025 session (issue 4): tools/list_changed refreshes the
// cached tool list, and notifications/message (server logs) reaches onLog, and stderr with
// `agent mcp call … --verbose`. Logging is deprecated on 2026-07-28, so these use the session fixture.
import { describe, expect, it } from "bun:test"
import { startSessionServer } from "../fixtures/servers/http-session.ts"
import { runCli } from "../helpers/cli.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { manager, remote, textOf } from "./helpers.ts"

const names = async (m: Awaited<ReturnType<typeof manager>>) => (await m.tools()).map((t) => t.name)

describe("2025 session notifications", () => {
  it("tools/list_changed drops the cached list: the next tools() shows the new tool", async () => {
    await using srv = await startSessionServer()
    await using m = await manager([remote("sess", srv.url, "http")])
    await m.connect()
    expect(await names(m)).not.toContain("sess__extra")
    const lists = () => srv.requests.filter((r) => r.rpcMethod === "tools/list").length
    const before = lists()
    await names(m) // cached: no second tools/list
    expect(lists()).toBe(before)
    expect(textOf(await m.callTool("sess", "grow", { name: "extra" }))).toBe("added extra")
    let seen: string[] = []
    for (let i = 0; i < 40 && !seen.includes("sess__extra"); i++) {
      await Bun.sleep(25)
      seen = await names(m)
    }
    expect(seen).toContain("sess__extra")
    expect(textOf(await m.callTool("sess", "extra", {}))).toBe("added")
  })

  it("a server log message reaches onLog", async () => {
    await using srv = await startSessionServer()
    const logs: [string, string, unknown][] = []
    await using m = await manager([remote("sess", srv.url, "http")], {
      onLog: (s, level, data) => void logs.push([s, level, data]),
    })
    await m.connect()
    expect(textOf(await m.callTool("sess", "echo", { text: "logged" }))).toBe("logged")
    expect(logs).toContainEqual(["sess", "info", { echoed: "logged" }])
  })

  it("agent mcp call --verbose prints the server's log on stderr; without it, nothing", async () => {
    await using srv = await startSessionServer()
    await using t = await tmpdir()
    const file = await t.write("mcp.json", { mcpServers: { sess: { type: "http", url: srv.url } } })
    const call = (...extra: string[]) =>
      runCli(["mcp", "call", "sess", "echo", "--arg", "text=hello", "--mcp", file, ...extra], {
        home: t.home,
        cwd: t.path,
      })
    const verbose = await call("--verbose")
    expect(verbose.code).toBe(0)
    expect(verbose.stdout).toContain("hello")
    expect(verbose.stderr).toContain('[sess] info: {"echoed":"hello"}')
    const quiet = await call()
    expect(quiet.code).toBe(0)
    expect(quiet.stderr).not.toContain("echoed")
  }, 30_000)
})
