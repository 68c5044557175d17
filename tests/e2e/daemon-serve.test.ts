import { describe, expect, it } from "bun:test"
import { isAlive } from "../helpers/processes.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { connectStdio, textOf } from "../serve/helpers.ts"
import { agent, counterServer, daemonLog, startedDaemon, status } from "./daemon-helpers.ts"

// `agent mcp serve` and `agent mcp proxy` on stdio through the daemon (docs/serve.md "Through the
// daemon"), on the compiled binary with the SDK client: several clients share one held server.

const files = { "mcp.json": { mcpServers: { counter: counterServer() } } }

describe("compiled binary: serve and proxy through the daemon", () => {
  it("two serve clients and a proxy client share one held server; --no-daemon gets its own", async () => {
    await using t = await tmpdir({ files })
    await using _d = await startedDaemon(t)
    const serveArgs = ["mcp", "serve", "--mcp", "mcp.json"]
    await using a = await connectStdio(t, serveArgs, { binary: true })
    await using b = await connectStdio(t, serveArgs, { binary: true })
    const inc = async (c: typeof a, name = "counter__increment") =>
      textOf(await c.client.callTool({ name, arguments: {} }))
    expect(await inc(a)).toBe("1")
    expect(await inc(b)).toBe("2") // the same process: b's session runs beside a's
    expect(await inc(a)).toBe("3")
    await using p = await connectStdio(t, ["mcp", "proxy", "counter", "--mcp", "mcp.json"], { binary: true })
    expect(await inc(p, "increment")).toBe("4") // transparent names, same server
    {
      await using cold = await connectStdio(t, [...serveArgs, "--no-daemon"], { binary: true })
      expect(await inc(cold)).toBe("1")
    }
    const held = (await status(t)).servers!
    expect(held).toHaveLength(1)
    expect(held[0]).toMatchObject({ name: "counter", calls: 4, status: "connected" })
    expect(held[0]!.uptimeMs).toBeGreaterThan(0)
    expect(daemonLog(t)).toContain('"mcp serve" serves its client through the daemon')
  }, 90_000)

  it("a warm `agent mcp call` runs while a serve session holds the server", async () => {
    await using t = await tmpdir({ files })
    await using _d = await startedDaemon(t)
    await using a = await connectStdio(t, ["mcp", "serve", "--mcp", "mcp.json"], { binary: true })
    expect(textOf(await a.client.callTool({ name: "counter__increment", arguments: {} }))).toBe("1")
    // The SDK's stdio transport passes on USER, LOGNAME, SHELL…: what a server inherits is part of
    // its definition (pool.ts), so the call sends the same.
    const inherited = Object.fromEntries(
      ["USER", "LOGNAME", "SHELL", "TERM"].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])),
    )
    const r = await agent(t, ["mcp", "call", "counter", "increment", "--mcp", "mcp.json"], inherited)
    expect(r.stdout).toBe("2\n") // not blocked behind the session, and the same server
    expect(textOf(await a.client.callTool({ name: "counter__increment", arguments: {} }))).toBe("3")
  }, 90_000)

  it("a command whose environment differs does not pull the server from under a serve session", async () => {
    await using t = await tmpdir({ files })
    await using _d = await startedDaemon(t)
    await using a = await connectStdio(t, ["mcp", "serve", "--mcp", "mcp.json"], { binary: true })
    const inc = async () => textOf(await a.client.callTool({ name: "counter__increment", arguments: {} }))
    expect(await inc()).toBe("1")
    // Another SHELL: another definition of a stdio server (what it inherits), so another process…
    const other = await agent(t, ["mcp", "call", "counter", "increment", "--mcp", "mcp.json"], {
      SHELL: "/bin/other-shell",
    })
    expect(other.stdout).toBe("1\n")
    // …and the session's own server is still there, its count intact.
    expect(await inc()).toBe("2")
    expect(daemonLog(t)).not.toContain("its definition changed")
  }, 90_000)

  it("approvals as for a warm call: refused the cold way, and a revoked one closes the server a session holds (S32)", async () => {
    await using t = await tmpdir({ files: { ".mcp.json": { mcpServers: { counter: counterServer() } } } })
    await using _d = await startedDaemon(t)
    const warm = await agent(t, ["mcp", "serve"])
    const cold = await agent(t, ["mcp", "serve", "--no-daemon"])
    expect(warm.code).toBe(3)
    expect({ stdout: warm.stdout, stderr: warm.stderr }).toEqual({ stdout: cold.stdout, stderr: cold.stderr })
    expect(warm.stderr).toContain("is not yet trusted")
    expect((await agent(t, ["mcp", "approve", "counter", "--yes"])).code).toBe(0)
    await using a = await connectStdio(t, ["mcp", "serve"], { binary: true })
    expect(textOf(await a.client.callTool({ name: "counter__increment", arguments: {} }))).toBe("1")
    const pid = (await status(t)).servers![0]!.pid!
    expect(isAlive(pid)).toBe(true)
    expect((await agent(t, ["mcp", "revoke", "counter"])).code).toBe(0)
    expect((await agent(t, ["mcp", "list"])).code).toBe(0) // any warm command notices the revocation
    for (let i = 0; i < 400 && isAlive(pid); i++) await Bun.sleep(25)
    expect(isAlive(pid)).toBe(false)
    expect(daemonLog(t)).toContain("needs approval now")
  }, 90_000)
})
