// The manager over Streamable HTTP and legacy SSE against the real fixture servers:
// negotiation and fallbacks, 404 re-initialise (T01), resumption (T02), cancellation (T04),
// insecure URLs and session ids (T07), foreign endpoints (T08), 401 → needs_auth.
import { describe, expect, it } from "bun:test"
import { McpConnectError } from "../../src/util/errors.ts"
import { McpTimeoutError } from "../../src/mcp/index.ts"
import { remoteUrl } from "../../src/mcp/remote-url.ts"
import { startLegacySseServer } from "../fixtures/servers/http-legacy-sse.ts"
import { startSessionServer } from "../fixtures/servers/http-session.ts"
import { startStatelessServer } from "../fixtures/servers/http-stateless.ts"
import { manager, remote, textOf } from "./helpers.ts"

describe("Streamable HTTP", () => {
  it("speaks stateless 2026-07-28 first", async () => {
    await using srv = await startStatelessServer()
    await using m = await manager([remote("web", srv.url, "http")])
    const [state] = await m.connect()
    expect(state).toMatchObject({ status: "connected", transport: "http", protocolVersion: "2026-07-28" })
    expect(state && "sessionId" in state).toBe(false)
    expect(textOf(await m.callTool("web", "echo", { text: "modern" }))).toBe("modern")
    expect(srv.requests.every((r) => r.sessionId === null)).toBe(true)
  })

  it("falls back to a 2025 session when the server refuses server/discover", async () => {
    await using srv = await startSessionServer()
    await using m = await manager([remote("sess", srv.url, "http")])
    const [state] = await m.connect()
    expect(state).toMatchObject({
      status: "connected",
      transport: "http",
      protocolVersion: "2025-11-25",
      sessionId: srv.sessionIds()[0],
    })
    expect(textOf(await m.callTool("sess", "echo", { text: "s" }))).toBe("s")
  })

  it("re-initialises exactly once when the session expires (404), then retries the call (T01)", async () => {
    await using srv = await startSessionServer()
    await using m = await manager([remote("sess", srv.url, "http")])
    await m.connect()
    const first = srv.sessionIds()[0]
    srv.expireSessions()
    expect(textOf(await m.callTool("sess", "echo", { text: "again" }))).toBe("again")
    expect(srv.state.initializeCount).toBe(2)
    expect(m.state("sess")).toMatchObject({ status: "connected" })
    const state = m.state("sess")
    expect(state?.status === "connected" && state.sessionId).not.toBe(first)
  })

  it("fails the server on a second 404 instead of looping (T01)", async () => {
    await using srv = await startSessionServer()
    await using m = await manager([remote("sess", srv.url, "http")])
    await m.connect()
    srv.state.expireAll = true
    const err = await m.callTool("sess", "echo", { text: "x" }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(McpConnectError)
    expect((err as McpConnectError).exitCode).toBe(5)
    expect((err as Error).message).toContain('server "sess"')
    expect(srv.state.initializeCount).toBe(2)
    expect(m.state("sess")).toMatchObject({ status: "failed" })
  })

  it("resumes a cut stream with Last-Event-ID and delivers the result exactly once (T02)", async () => {
    await using srv = await startSessionServer({ cutAfterFirstProgress: true, retryMs: 50 })
    await using m = await manager([remote("sess", srv.url, "http")])
    await m.connect()
    const progress: number[] = []
    const result = await m.callTool(
      "sess",
      "slow",
      { ms: 500 },
      { onProgress: (p) => void progress.push(p.progress) },
    )
    expect(textOf(result)).toBe("slept 500 ms")
    expect(progress).toEqual([...new Set(progress)].sort((a, b) => a - b))
    expect(srv.requests.filter((r) => r.rpcMethod === "tools/call")).toHaveLength(1)
    expect(srv.requests.find((r) => r.method === "GET" && r.lastEventId !== null)).toMatchObject({
      status: 200,
    })
    expect(m.log.lines.filter((l) => l.level <= 1)).toEqual([])
  })

  it("sends notifications/cancelled when a request times out (T04)", async () => {
    await using srv = await startSessionServer()
    await using m = await manager([remote("sess", srv.url, "http")])
    await m.connect()
    const err = await m.callTool("sess", "slow", { ms: 2000 }, { timeoutMs: 40 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(McpTimeoutError)
    expect((err as McpTimeoutError).server).toBe("sess")
    await Bun.sleep(50)
    expect(srv.requests.some((r) => r.rpcMethod === "notifications/cancelled")).toBe(true)
  })

  it("gives up on a stream that keeps dropping and fails the call naming the server (T03)", async () => {
    let gets = 0
    await using srv = serve(async (req) => {
      const sse = (id: number) =>
        new Response(`id: ${id}\nretry: 10\ndata: \n\n`, {
          headers: { "content-type": "text/event-stream", "mcp-session-id": "s1" },
        })
      if (req.method === "GET")
        return req.headers.get("last-event-id")
          ? (gets++, sse(100 + gets))
          : new Response(null, { status: 405 })
      if (req.method === "DELETE") return new Response(null, { status: 200 }) // the session's end
      const body = (await req.json()) as { id?: number; method: string }
      if (body.method === "server/discover") return new Response("no", { status: 400 })
      if (body.method === "initialize") {
        const result = {
          protocolVersion: "2025-11-25",
          capabilities: { tools: {} },
          serverInfo: { name: "flaky", version: "1" },
        }
        return Response.json({ jsonrpc: "2.0", id: body.id, result }, { headers: { "mcp-session-id": "s1" } })
      }
      if (body.method === "tools/list")
        return Response.json({
          jsonrpc: "2.0",
          id: body.id,
          result: { tools: [{ name: "t", inputSchema: { type: "object" } }] },
        })
      if (body.id === undefined) return new Response(null, { status: 202 })
      return sse(1) // tools/call: a stream that ends without the result
    })
    await using m = await manager([remote("flaky", srv.url, "http")])
    expect((await m.connect())[0]).toMatchObject({ status: "connected" })
    // Not a timeout (that would mean it kept reconnecting until the 20 s ran out): it gave up after a bounded number of GETs.
    const err = await m.callTool("flaky", "t", {}, { timeoutMs: 20_000 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(McpConnectError)
    expect(err).not.toBeInstanceOf(McpTimeoutError)
    expect((err as Error).message).toBe('server "flaky" closed the connection during tools/call')
    expect((err as McpConnectError).hint).toStartWith("it lost its event stream")
    expect(gets).toBeLessThanOrEqual(7)
    expect(m.state("flaky")).toMatchObject({ status: "failed" })
  })

  it("2025: a call stream that ends without its answer and cannot be resumed fails at once, and the session is deleted", async () => {
    const deletes: (string | null)[] = []
    await using srv = serve(async (req) => {
      if (req.method === "GET") return new Response(null, { status: 405 })
      if (req.method === "DELETE") {
        deletes.push(req.headers.get("mcp-session-id"))
        return new Response(null, { status: 200 })
      }
      const body = (await req.json()) as { id?: number; method: string }
      if (body.method === "server/discover") return new Response("no", { status: 400 })
      const headers = { "mcp-session-id": "s2" }
      if (body.method === "initialize") {
        const result = {
          protocolVersion: "2025-11-25",
          capabilities: { tools: {} },
          serverInfo: { name: "lossy", version: "1" },
        }
        return Response.json({ jsonrpc: "2.0", id: body.id, result }, { headers })
      }
      if (body.method === "tools/list")
        return Response.json(
          {
            jsonrpc: "2.0",
            id: body.id,
            result: { tools: [{ name: "t", inputSchema: { type: "object" } }] },
          },
          { headers },
        )
      if (body.id === undefined) return new Response(null, { status: 202, headers })
      // tools/call: an SSE stream with no event id (nothing to resume) that ends without the result
      return new Response(": nothing\n\n", { headers: { ...headers, "content-type": "text/event-stream" } })
    })
    const m = await manager([remote("lossy", srv.url, "http")])
    expect((await m.connect())[0]).toMatchObject({ status: "connected", sessionId: "s2" })
    const err = await m.callTool("lossy", "t", {}, { timeoutMs: 60_000 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(McpConnectError)
    expect(err).not.toBeInstanceOf(McpTimeoutError)
    expect((err as McpConnectError).message).toBe('server "lossy" closed the connection during tools/call')
    expect((err as McpConnectError).hint).toStartWith("it ended a call's stream without its answer")
    expect(m.state("lossy")).toMatchObject({ status: "failed" })
    await m.close()
    expect(deletes).toEqual(["s2"])
  })

  it("an abort in the middle of the connect still ends the session the server handed out", async () => {
    const deletes: (string | null)[] = []
    const abort = new AbortController()
    await using srv = serve(async (req) => {
      if (req.method === "DELETE") {
        deletes.push(req.headers.get("mcp-session-id"))
        return new Response(null, { status: 200 })
      }
      if (req.method === "GET") return new Response(null, { status: 405 })
      const body = (await req.json()) as { id?: number; method: string }
      if (body.method === "server/discover") return new Response("no", { status: 400 })
      if (body.method === "initialize") {
        const result = {
          protocolVersion: "2025-11-25",
          capabilities: {},
          serverInfo: { name: "x", version: "1" },
        }
        return Response.json({ jsonrpc: "2.0", id: body.id, result }, { headers: { "mcp-session-id": "s3" } })
      }
      // notifications/initialized: never answered; the user gives up (Ctrl-C) while the connect waits
      abort.abort()
      return new Promise<Response>(() => {})
    })
    const m = await manager([remote("stuck", srv.url, "http")], { signal: abort.signal })
    expect((await m.connect())[0]).toMatchObject({ status: "failed", error: "interrupted" })
    await m.close()
    expect(deletes).toEqual(["s3"])
  })

  it("marks a 401 without OAuth metadata as needs_auth by API key: the header to set, not a sign-in", async () => {
    await using srv = serve(
      () => new Response("no", { status: 401, headers: { "www-authenticate": 'Bearer realm="x"' } }),
    )
    await using m = await manager([remote("locked", srv.url, "http")])
    const [state] = await m.connect()
    expect(state).toMatchObject({ status: "needs_auth", url: srv.url, isApiKey: true })
    expect(state!.status === "needs_auth" && state!.hint).toContain(
      "--header 'Authorization: Bearer ${API_KEY}'",
    )
    expect(state!.status === "needs_auth" && state!.hint).not.toContain("agent mcp auth")
  })
})

describe("transport selection", () => {
  it("without a type, falls back to legacy SSE when Streamable HTTP is refused (405)", async () => {
    await using srv = await startLegacySseServer()
    await using m = await manager([remote("old", srv.url, "auto")])
    const [state] = await m.connect()
    expect(state).toMatchObject({ status: "connected", transport: "sse", protocolVersion: "2025-11-25" })
    expect(textOf(await m.callTool("old", "echo", { text: "sse" }))).toBe("sse")
  })

  it("an explicit http type disables guessing", async () => {
    await using srv = await startLegacySseServer()
    await using m = await manager([remote("old", srv.url, "http")])
    const [state] = await m.connect()
    expect(state).toMatchObject({ status: "failed", transport: "http" })
    expect(srv.requests.some((r) => r.method === "GET")).toBe(false)
  })

  it("an explicit sse type uses legacy SSE directly", async () => {
    await using srv = await startLegacySseServer()
    await using m = await manager([remote("old", srv.url, "sse")])
    expect((await m.connect())[0]).toMatchObject({ status: "connected", transport: "sse" })
    expect(srv.requests.some((r) => r.method === "POST" && r.path === new URL(srv.url).pathname)).toBe(false)
  })

  it("refuses an SSE endpoint event that names another origin (T08)", async () => {
    await using srv = await startLegacySseServer({ foreignEndpoint: "http://127.0.0.2:9" })
    await using m = await manager([remote("evil", srv.url, "sse")], { connectTimeoutMs: 3000 })
    expect((await m.connect())[0]).toMatchObject({ status: "failed" })
    expect(srv.requests.some((r) => r.method === "POST")).toBe(false)
  })
})

describe("T07", () => {
  // Never a real connection off this machine: the refusal happens before any request, and the
  // allowed case runs over a fetch stand-in that records the URL and refuses to connect.
  const FAR = "http://192.0.2.1/mcp" // RFC 5737 documentation address: reached by no test

  it("refuses plain http:// to a non-loopback host unless allowed", async () => {
    expect(() => remoteUrl(FAR, false)).toThrow("refusing plain http:// to 192.0.2.1")
    expect(remoteUrl(FAR, true).href).toBe(FAR)
    expect(remoteUrl("http://127.0.0.1:9/mcp", false).hostname).toBe("127.0.0.1")
    expect(remoteUrl("http://localhost:9/mcp", false).hostname).toBe("localhost")
    expect(remoteUrl("http://[::1]:9/mcp", false).hostname).toBe("[::1]")
  })

  it("the manager refuses it before any request, and with the flag sends it to the network", async () => {
    const asked: string[] = []
    const standIn = async (input: string | URL | Request) => {
      const url = new URL(input instanceof Request ? input.url : String(input))
      asked.push(url.href)
      throw new TypeError(`test stand-in: no connection to ${url.host}`)
    }
    await using m = await manager([remote("far", FAR, "http")], { fetch: standIn })
    const [state] = await m.connect()
    expect(state).toMatchObject({
      status: "failed",
      error: "refusing plain http:// to 192.0.2.1: requests and tokens would travel unencrypted",
    })
    if (state?.status === "failed") expect(state.hint).toContain("https://")
    expect(asked).toEqual([])
    await using allowed = await manager([remote("far", FAR, "http")], {
      allowInsecureHttp: true,
      fetch: standIn,
    })
    const [tried] = await allowed.connect()
    expect(tried).toMatchObject({ status: "failed" })
    if (tried?.status === "failed") expect(tried.error).not.toContain("refusing")
    expect(asked.length).toBeGreaterThan(0)
    expect(asked.every((u) => u === FAR)).toBe(true)
  })

  it("rejects a session id with bytes outside 0x21-0x7E", async () => {
    let initialized = false
    await using srv = serve(async (req) => {
      const body = (await req.json()) as { id?: number; method: string }
      if (body.method === "server/discover")
        return Response.json(
          { jsonrpc: "2.0", id: body.id, error: { code: -32601, message: "no" } },
          { status: 400 },
        )
      if (body.method !== "initialize") {
        initialized = true
        return new Response(null, { status: 202 })
      }
      const result = {
        protocolVersion: "2025-11-25",
        capabilities: { tools: {} },
        serverInfo: { name: "bad", version: "1" },
      }
      return Response.json(
        { jsonrpc: "2.0", id: body.id, result },
        { headers: { "mcp-session-id": "abc def" } },
      )
    })
    await using m = await manager([remote("bad", srv.url, "http")])
    const [state] = await m.connect()
    expect(state).toMatchObject({ status: "failed" })
    if (state?.status === "failed") expect(state.error).toContain("Mcp-Session-Id")
    expect(initialized).toBe(false)
  })
})

function serve(fetch: (req: Request) => Response | Promise<Response>) {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch })
  return { url: `http://127.0.0.1:${server.port}/mcp`, [Symbol.asyncDispose]: () => server.stop(true) }
}
