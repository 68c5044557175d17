// The bare-SDK baseline for `agent mcp list --output json --mcp FILE` (scripts/bench-mcp.ts):
// reads the same `mcpServers` JSON, connects every server at once with @modelcontextprotocol/client
// (stdio, or Streamable HTTP for `url`), lists each one's tools, prompts and resources (the
// latter two when advertised, as `agent mcp list` does for its counts), prints one JSON
// document, closes. No timeouts, approvals, namespacing or fallbacks: what the product adds is measured
// against this. Compiled with build.ts's options, like dist/agent.   baseline-list CONFIG [--auto]
// --auto: the SDK's "auto" version negotiation (probe 2026-07-28 with server/discover, fall back
// to a 2025 session), what agent does, instead of the SDK's default 2025-11-25 `initialize`.
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio"
import { readFileSync } from "node:fs"

interface Entry {
  command?: string
  args?: string[]
  env?: Record<string, string>
  url?: string
  headers?: Record<string, string>
}

const isAuto = process.argv.includes("--auto")

async function listOne(name: string, e: Entry) {
  const client = new Client(
    { name: "baseline-list", version: "1.0.0" },
    isAuto ? { versionNegotiation: { mode: "auto" } } : {},
  )
  const transport = e.url
    ? new StreamableHTTPClientTransport(new URL(e.url), { requestInit: { headers: e.headers ?? {} } })
    : new StdioClientTransport({
        command: e.command!,
        args: e.args ?? [],
        ...(e.env && { env: e.env }),
        stderr: "ignore",
      })
  try {
    await client.connect(transport)
    const caps = client.getServerCapabilities() ?? {}
    const [{ tools }, prompts, resources] = await Promise.all([
      client.listTools(),
      caps.prompts ? client.listPrompts().then((r) => r.prompts.length) : 0,
      caps.resources ? client.listResources().then((r) => r.resources.length) : 0,
    ])
    const row = {
      name,
      status: "connected",
      protocolVersion: client.getNegotiatedProtocolVersion(),
      tools: tools.map((t) => t.name),
      prompts,
      resources,
    }
    return { client, row }
  } catch (e: unknown) {
    return { client, row: { name, status: "failed", error: e instanceof Error ? e.message : String(e) } }
  }
}

const file = process.argv[2]
if (!file) {
  console.error("usage: baseline-list CONFIG.json [--auto]")
  process.exit(2)
}
const servers = (JSON.parse(readFileSync(file, "utf8")) as { mcpServers: Record<string, Entry> }).mcpServers
const results = await Promise.all(Object.entries(servers).map(([name, e]) => listOne(name, e)))
process.stdout.write(`${JSON.stringify({ servers: results.map((r) => r.row) })}\n`)
await Promise.all(results.map((r) => r.client.close()))
process.exit(results.every((r) => r.row.status === "connected") ? 0 : 1)
