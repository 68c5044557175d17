// 2026-07-28 details the SDK (client 2.4.0) leaves to us or gets wrong, against real v2 SDK
// servers: a result without `resultType` is complete (SEP-2322); tools whose `x-mcp-header`
// declarations are invalid are left out with a warning naming them (SEP-2243).
import { afterEach, beforeEach, describe, expect, it } from "bun:test"
import type { Transport } from "@modelcontextprotocol/client"
import { createMcpHandler, fromJsonSchema, McpServer } from "@modelcontextprotocol/server"
import { completeResultType, withResultType } from "../../src/mcp/result-type.ts"
import { manager, remote, textOf } from "./helpers.ts"

const text = (t: string) => ({ content: [{ type: "text" as const, text: t }] })

/** A stateless 2026-07-28 server (JSON responses); `edit` may change a tools/call result on the wire. */
async function startServer(build: (s: McpServer) => void, edit?: (result: Record<string, unknown>) => void) {
  const handler = createMcpHandler(
    () => {
      const s = new McpServer({ name: "currency", version: "1.0.0" }, { capabilities: { tools: {} } })
      build(s)
      return s
    },
    { legacy: "reject", responseMode: "json", keepAliveMs: 0 },
  )
  const calls: string[] = []
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const body =
        req.method === "POST"
          ? ((await req.clone().json()) as { method?: string; params?: { name?: string } })
          : {}
      if (body.method === "tools/call") calls.push(String(body.params?.name))
      const res = await handler.fetch(req)
      if (body.method !== "tools/call" || !edit || res.status !== 200) return res
      const msg = (await res.json()) as { result?: Record<string, unknown> }
      if (msg.result) edit(msg.result)
      return Response.json(msg, {
        headers: { "mcp-protocol-version": res.headers.get("mcp-protocol-version") ?? "" },
      })
    },
  })
  const close = async () => {
    await handler.close()
    await server.stop(true)
  }
  return { url: `http://127.0.0.1:${server.port}/mcp`, calls, close, [Symbol.asyncDispose]: close }
}

describe("resultType (SEP-2322)", () => {
  it("takes a 2026-07-28 tool result without resultType as complete", async () => {
    await using srv = await startServer(
      (s) => s.registerTool("plain", { description: "no resultType on the wire" }, async () => text("done")),
      (result) => void delete result.resultType,
    )
    await using m = await manager([remote("web", srv.url, "http")])
    const [state] = await m.connect()
    expect(state).toMatchObject({ status: "connected", protocolVersion: "2026-07-28" })
    expect(textOf(await m.callTool("web", "plain", {}))).toBe("done")
  })

  it("adds resultType only where a result lacks it", () => {
    expect(withResultType({ jsonrpc: "2.0", id: 1, result: { content: [] } })).toEqual({
      jsonrpc: "2.0",
      id: 1,
      result: { content: [], resultType: "complete" },
    })
    const pending = {
      jsonrpc: "2.0" as const,
      id: 2,
      result: { resultType: "input_required", inputRequests: {} },
    }
    expect(withResultType(pending)).toBe(pending)
    const error = { jsonrpc: "2.0" as const, id: 3, error: { code: -32601, message: "no" } }
    expect(withResultType(error)).toBe(error)
  })
})

describe("resultType fill on a transport", () => {
  it("reaches a handler installed later that chains to the one it read", () => {
    const seen: unknown[] = []
    const t = completeResultType({ onmessage: undefined } as unknown as Transport)
    t.onmessage = (m) => void seen.push(m) // the SDK's, at connect
    const deliver = t.onmessage
    t.onmessage = (m, extra) => deliver?.(m, extra) // a later wrapper (streams.ts)
    t.onmessage?.({ jsonrpc: "2.0", id: 7, result: { content: [] } })
    expect(seen).toEqual([{ jsonrpc: "2.0", id: 7, result: { content: [], resultType: "complete" } }])
  })
})

describe("x-mcp-header declarations (SEP-2243)", () => {
  const warnings: string[] = []
  const original = console.warn
  beforeEach(() => {
    warnings.length = 0
    console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(" "))
  })
  afterEach(() => {
    console.warn = original
  })

  it("leaves out tools with invalid declarations, names them, keeps the valid one", async () => {
    const tool = (s: McpServer, name: string, schema: Record<string, unknown>) =>
      s.registerTool(name, { inputSchema: fromJsonSchema({ type: "object", ...schema }) }, async () =>
        text(name),
      )
    await using srv = await startServer((s) => {
      tool(s, "valid_tool", { properties: { region: { type: "string", "x-mcp-header": "Region" } } })
      tool(s, "object_header", { properties: { data: { type: "object", "x-mcp-header": "Data" } } })
      tool(s, "space_header", { properties: { v: { type: "string", "x-mcp-header": "My Region" } } })
      tool(s, "twice_header", {
        properties: {
          a: { type: "string", "x-mcp-header": "Field" },
          b: { type: "string", "x-mcp-header": "field" },
        },
      })
    })
    await using m = await manager([remote("web", srv.url, "http")])
    await m.connect()
    const names = (await m.tools()).map((t) => t.tool.name)
    expect(names).toEqual(["valid_tool"])
    for (const bad of ["object_header", "space_header", "twice_header"])
      expect(warnings.some((w) => w.includes(`'${bad}'`) && w.includes("x-mcp-header"))).toBe(true)
    expect(textOf(await m.callTool("web", "valid_tool", { region: "eu" }))).toBe("valid_tool")
    expect(srv.calls).toEqual(["valid_tool"])
  })
})
