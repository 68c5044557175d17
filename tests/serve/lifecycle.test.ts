import { describe, expect, it } from "bun:test"
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { startSessionServer } from "../fixtures/servers/http-session.ts"
import { agentArgv, agentEnv } from "../helpers/cli.ts"
import { descendants, isAlive } from "../helpers/processes.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { BASIC, connectStdio, startServeHttp, stdioConfig, textOf } from "./helpers.ts"

// The life of a serve or proxy process: what the client is told on connect, what happens when
// it goes away, and the server→client channel over HTTP and through proxy.

describe("agent mcp serve and proxy: sessions", () => {
  it("serve tells the client each server's instructions under its name", async () => {
    await using t = await tmpdir()
    const cfg = await stdioConfig(t, { one: BASIC })
    await using c = await connectStdio(t, ["mcp", "serve", "--mcp", cfg])
    expect(c.client.getServerVersion()?.name).toBe("agent")
    expect(c.client.getInstructions()).toContain(
      "## one (tools named one__…)\nFixture server for agentrt tests.",
    )
  }, 30_000)

  it("serve exits 0 when the client closes stdin, and stops the servers it started (S01)", async () => {
    await using t = await tmpdir()
    const cfg = await stdioConfig(t, { one: BASIC })
    const proc = Bun.spawn([...(await agentArgv()), "mcp", "serve", "--mcp", cfg], {
      cwd: t.path,
      env: agentEnv(t.home),
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
    })
    try {
      const init = {
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
      }
      proc.stdin.write(`${JSON.stringify(init)}\n`)
      proc.stdin.flush()
      const reader = proc.stdout.getReader()
      const first = new TextDecoder().decode((await reader.read()).value)
      expect(JSON.parse(first.split("\n")[0]!).result.serverInfo.name).toBe("agent")
      const children = descendants(proc.pid)
      expect(children.length).toBeGreaterThan(0)
      proc.stdin.end()
      expect(await proc.exited).toBe(0)
      expect(children.filter(isAlive)).toEqual([])
    } finally {
      proc.kill("SIGKILL")
    }
  }, 30_000)

  it("serve --http stops its servers when a client app ends it with SIGTERM (S01)", async () => {
    await using t = await tmpdir()
    const cfg = await stdioConfig(t, { one: BASIC })
    const srv = await startServeHttp(t, ["--mcp", cfg])
    try {
      const children = descendants(srv.proc.pid)
      expect(children.length).toBeGreaterThan(0)
      srv.proc.kill("SIGTERM")
      await srv.proc.exited
      expect(children.filter(isAlive)).toEqual([])
    } finally {
      await srv[Symbol.asyncDispose]()
    }
  }, 30_000)

  it("over HTTP, a server's elicitation reaches the client whose call is running", async () => {
    await using t = await tmpdir()
    const cfg = await stdioConfig(t, { one: BASIC })
    await using srv = await startServeHttp(t, ["--mcp", cfg])
    const client = new Client(
      { name: "http-elicit", version: "1.0.0" },
      { capabilities: { elicitation: { form: {} } } },
    )
    client.setRequestHandler("elicitation/create", async () => ({
      action: "accept",
      content: { name: "Lin", color: "red", count: 1, agree: true },
    }))
    await client.connect(
      new StreamableHTTPClientTransport(new URL(srv.url), {
        requestInit: { headers: { Authorization: `Bearer ${srv.token}` } },
      }),
    )
    try {
      const r = await client.callTool({ name: "one__ask_user", arguments: {} })
      expect(JSON.parse(textOf(r)).answer).toEqual({
        action: "accept",
        content: { name: "Lin", color: "red", count: 1, agree: true },
      })
    } finally {
      await client.close()
    }
  }, 40_000)

  it("proxy passes progress, list changes and elicitation through, names untouched", async () => {
    await using t = await tmpdir()
    await using srv = await startSessionServer()
    const cfg = await t.write("mcp.json", { mcpServers: { s: { url: srv.url } } })
    await using c = await connectStdio(t, ["mcp", "proxy", "s", "--mcp", cfg], {
      capabilities: { capabilities: { elicitation: { form: {} } } },
    })
    let changed = 0
    c.client.setNotificationHandler("notifications/tools/list_changed", () => void changed++)
    c.client.setRequestHandler("elicitation/create", async () => ({
      action: "accept",
      content: { name: "Kim" },
    }))
    const ticks: number[] = []
    const slow = await c.client.callTool(
      { name: "slow", arguments: { ms: 350 } },
      { onprogress: (p) => ticks.push(p.progress) },
    )
    expect(textOf(slow)).toContain("350")
    expect(ticks.length).toBeGreaterThan(0)
    const asked = await c.client.callTool({ name: "ask_user", arguments: {} })
    expect(textOf(asked)).toContain("Kim")
    await c.client.callTool({ name: "grow", arguments: { name: "later" } })
    for (const end = Date.now() + 15_000; changed === 0 && Date.now() < end; ) await Bun.sleep(50)
    expect(changed).toBeGreaterThan(0)
    expect((await c.client.listTools()).tools.map((x) => x.name)).toContain("later")
  }, 40_000)
})
