import { describe, expect, it } from "bun:test"
import { Client } from "@modelcontextprotocol/client"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio"
import { stat } from "node:fs/promises"
import { join } from "node:path"
import { ROOT, runCli } from "../helpers/cli.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { BASIC, startServeHttp, stdioConfig, textOf } from "./helpers.ts"
import { inspector } from "../helpers/inspector.ts"

// `agent mcp serve --http` on 127.0.0.1 with a bearer token, driven by real clients: the SDK
// client, the MCP Inspector CLI (@modelcontextprotocol/inspector-cli) and mcp-remote, which no one
// here wrote. The HTTP guards (L09-L12) are checked on the running process.

describe("agent mcp serve --http", () => {
  it("the SDK client lists and calls tools with the printed token; the token file is 0600 (L12)", async () => {
    await using t = await tmpdir()
    const cfg = await stdioConfig(t, { one: BASIC })
    await using srv = await startServeHttp(t, ["--mcp", cfg])
    expect(srv.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/)
    expect(srv.stderr()).toContain(`"Authorization":"Bearer ${srv.token}"`)
    const file = /kept in (\S+),/.exec(srv.stderr())![1]!
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    const client = new Client({ name: "serve-http-test", version: "1.0.0" })
    await client.connect(
      new StreamableHTTPClientTransport(new URL(srv.url), {
        requestInit: { headers: { Authorization: `Bearer ${srv.token}` } },
      }),
    )
    try {
      expect((await client.listTools()).tools.map((x) => x.name)).toContain("one__echo")
      expect(textOf(await client.callTool({ name: "one__echo", arguments: { text: "over http" } }))).toBe(
        "over http",
      )
    } finally {
      await client.close()
    }
  }, 40_000)

  it("refuses a missing or wrong token (401), a foreign Host (421) and a foreign Origin (403) (L10, L11, L12)", async () => {
    await using t = await tmpdir()
    const cfg = await stdioConfig(t, { one: BASIC })
    await using srv = await startServeHttp(t, ["--mcp", cfg])
    const init = JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "x", version: "1" } },
    })
    const post = (headers: Record<string, string>) =>
      fetch(srv.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          ...headers,
        },
        body: init,
      })
    const good = { authorization: `Bearer ${srv.token}` }
    expect((await post({})).status).toBe(401)
    expect((await post({ authorization: "Bearer wrong" })).status).toBe(401)
    expect((await post({ authorization: `Bearer ${srv.token}x` })).status).toBe(401)
    expect((await post({ ...good, origin: "https://evil.example" })).status).toBe(403)
    expect((await post({ ...good, origin: "null" })).status).toBe(403)
    const port = new URL(srv.url).port
    expect((await post({ ...good, host: `evil.example:${port}` })).status).toBe(421)
    // The same request with the token and our own Origin is served.
    const ok = await post({ ...good, origin: `http://127.0.0.1:${port}` })
    expect(ok.status).toBe(200)
    expect(ok.headers.get("access-control-allow-origin")).toBeNull()
    expect(ok.headers.get("mcp-session-id")).toBeTruthy()
  }, 40_000)

  it("--output json prints one document with the URL, the token file and the servers, never the token", async () => {
    await using t = await tmpdir()
    const cfg = await stdioConfig(t, { one: BASIC })
    await using srv = await startServeHttp(t, ["--mcp", cfg, "--output", "json"])
    const doc = JSON.parse(srv.stdout()) as { url: string; tokenFile: string; servers: string[] }
    expect(doc).toEqual({ url: srv.url, tokenFile: expect.stringMatching(/serve-token$/), servers: ["one"] })
    expect(srv.stdout()).not.toContain(srv.token)
  }, 40_000)

  it("refuses to bind an address that is not loopback: exit 2 with a hint (L09)", async () => {
    await using t = await tmpdir()
    const cfg = await stdioConfig(t, { one: BASIC })
    for (const addr of ["0.0.0.0:8931", "192.0.2.1:8931", "[::]:8931"]) {
      const r = await runCli(["mcp", "serve", "--http", addr, "--mcp", cfg], { home: t.home, cwd: t.path })
      expect(r.code).toBe(2)
      expect(r.stderr).toContain("binds loopback only")
      expect(r.stderr).toContain("hint:")
    }
  }, 40_000)

  it("the MCP Inspector CLI lists and calls tools over HTTP with the token header", async () => {
    await using t = await tmpdir()
    const cfg = await stdioConfig(t, { one: BASIC })
    await using srv = await startServeHttp(t, ["--mcp", cfg])
    const header = `Authorization: Bearer ${srv.token}`
    const list = await inspector([
      srv.url,
      "--transport",
      "http",
      "--header",
      header,
      "--method",
      "tools/list",
    ])
    expect(list.code).toBe(0)
    expect(JSON.parse(list.stdout).tools.map((x: { name: string }) => x.name)).toContain("one__add")
    const call = await inspector([
      srv.url,
      "--transport",
      "http",
      "--header",
      header,
      "--method",
      "tools/call",
      "--tool-name",
      "one__echo",
      "--tool-arg",
      "text=inspected",
    ])
    expect(call.code).toBe(0)
    expect(textOf(JSON.parse(call.stdout))).toBe("inspected")
    // Without the header the Inspector gets nothing.
    const refused = await inspector([srv.url, "--transport", "http", "--method", "tools/list"])
    expect(refused.code).not.toBe(0)
  }, 60_000)

  it("mcp-remote bridges a client to it with --header Authorization:…", async () => {
    await using t = await tmpdir()
    const cfg = await stdioConfig(t, { one: BASIC })
    await using srv = await startServeHttp(t, ["--mcp", cfg])
    const transport = new StdioClientTransport({
      command: "node",
      args: [
        join(ROOT, "node_modules/mcp-remote/dist/proxy.js"),
        srv.url,
        "--header",
        `Authorization:Bearer ${srv.token}`,
      ],
      // mcp-remote keeps its state under ~/.mcp-auth: a scratch HOME.
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: t.path },
      stderr: "pipe",
    })
    const client = new Client({ name: "via-mcp-remote", version: "1.0.0" })
    await client.connect(transport)
    try {
      expect((await client.listTools()).tools.map((x) => x.name)).toContain("one__echo")
      expect(textOf(await client.callTool({ name: "one__add", arguments: { a: 20, b: 22 } }))).toBe("42")
    } finally {
      await client.close()
    }
  }, 60_000)
})
