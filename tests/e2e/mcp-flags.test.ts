import { describe, expect, it } from "bun:test"
import { createMcpHandler } from "@modelcontextprotocol/server"
import { createFixtureServer } from "../fixtures/servers/tools.ts"
import { runCli } from "../helpers/cli.ts"
import { silentServer } from "../helpers/ports.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"

// `--connect-timeout` and `--allow-insecure-http` of the `agent mcp` commands, on the compiled
// binary. Every connection stays on 127.0.0.1 (see the insecure-http test for how).
const agent = (t: TmpDir, args: string[], env: Record<string, string> = {}) =>
  runCli(args, { home: t.home, cwd: t.path, env, binary: true, timeoutMs: 40_000 })

describe("compiled binary: --connect-timeout", () => {
  it("gives up on a server that accepts but never answers, names the timeout, exit 5", async () => {
    await using srv = await silentServer()
    await using t = await tmpdir()
    const call = await agent(t, [
      "mcp",
      "call",
      "echo",
      "--arg",
      "text=hi",
      "--connect-timeout",
      "700ms",
      "--url",
      srv.url,
    ])
    expect(call.code).toBe(5)
    // The value given, not the 30 s default: the flag reached the connection.
    expect(call.stderr).toContain('server "adhoc" is unavailable: did not finish connecting within 0.7 s')
    expect(call.stdout).toBe("")
    expect(srv.sockets.length).toBeGreaterThan(0) // it did connect, and then waited

    const file = await t.write("mcp.json", { mcpServers: { hung: { url: srv.url } } })
    const list = await agent(t, ["mcp", "list", "--mcp", file, "--connect-timeout", "1s", "--strict"])
    expect(list.code).toBe(5)
    expect(list.stdout).toMatch(/^hung +http +- +failed: did not finish connecting within 1 s/m)
  }, 60_000)

  it("refuses a value that is not a duration with exit 2, before connecting", async () => {
    await using srv = await silentServer()
    await using t = await tmpdir()
    const r = await agent(t, ["mcp", "call", "echo", "--connect-timeout", "soon", "--url", srv.url])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("--connect-timeout must be")
    expect(r.stderr).toContain('got "soon"')
    expect(srv.sockets).toHaveLength(0)
  }, 30_000)
})

describe("compiled binary: --allow-insecure-http", () => {
  it("refuses plain http:// to a host other than this machine before connecting, exit 5", async () => {
    await using t = await tmpdir()
    // 192.0.2.1 is a documentation address: the refusal comes before any connection is tried.
    // Safety net: were that guard ever broken, the request would go to this closed loopback
    // "proxy" (connection refused), never toward 192.0.2.1.
    const r = await agent(t, ["mcp", "call", "echo", "--arg", "text=hi", "--url", "http://192.0.2.1/mcp"], {
      HTTP_PROXY: "http://127.0.0.1:9",
    })
    expect(r.code).toBe(5)
    expect(r.stderr).toContain(
      "refusing plain http:// to 192.0.2.1: requests and tokens would travel unencrypted",
    )
    expect(r.stderr).toContain("hint: use https://, or pass --allow-insecure-http if this network is trusted")
  }, 30_000)

  it("lets the request go out with the flag (through a proxy on 127.0.0.1, so nothing leaves this machine)", async () => {
    // agent honours HTTP_PROXY (Bun's fetch does), so a remote http:// URL becomes a request to
    // this loopback "proxy", which answers as an MCP server itself and records the Host asked
    // for. The host is a `.invalid` name (RFC 6761): were the proxy ever bypassed, it would not
    // resolve, and no connection could be made anywhere.
    const hosts: string[] = []
    const handler = createMcpHandler(({ era }) => createFixtureServer(era), {
      legacy: "stateless",
      responseMode: "auto",
      keepAliveMs: 0,
    })
    using proxy = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(req) {
        hosts.push(req.headers.get("host") ?? "")
        return handler.fetch(req)
      },
    })
    await using t = await tmpdir()
    const env = { HTTP_PROXY: `http://127.0.0.1:${proxy.port}` }
    const url = "http://mcp.agentrt-test.invalid/mcp"

    const refused = await agent(t, ["mcp", "call", "echo", "--arg", "text=hi", "--url", url], env)
    expect(refused.code).toBe(5)
    expect(refused.stderr).toContain("refusing plain http:// to mcp.agentrt-test.invalid")
    expect(hosts).toEqual([]) // refused before any request

    const allowed = await agent(
      t,
      ["mcp", "call", "echo", "--arg", "text=hi", "--url", url, "--allow-insecure-http"],
      env,
    )
    expect(allowed.stderr).toBe("")
    expect(allowed.stdout).toBe("hi\n")
    expect(allowed.code).toBe(0)
    expect(hosts.length).toBeGreaterThan(0)
    expect(new Set(hosts)).toEqual(new Set(["mcp.agentrt-test.invalid"]))
  }, 60_000)
})
