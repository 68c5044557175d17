#!/usr/bin/env bun
// A stdio MCP server (low-level v2 SDK Server) with one tool carrying every descriptive field a
// tool may have: title, annotations, output schema, icons and execution.taskSupport. For
// `agent mcp tools --output json`, which must show them all.
import { Server } from "@modelcontextprotocol/server"
import { serveStdio } from "@modelcontextprotocol/server/stdio"
import type { Tool } from "@modelcontextprotocol/server"

export const RICH_TOOL: Tool = {
  name: "forecast",
  title: "Weather forecast",
  description: "Tomorrow's weather",
  inputSchema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  outputSchema: { type: "object", properties: { celsius: { type: "number" } }, required: ["celsius"] },
  annotations: { readOnlyHint: true, openWorldHint: true, title: "Forecast" },
  icons: [{ src: "https://example.com/sun.png", mimeType: "image/png", sizes: ["48x48"] }],
  execution: { taskSupport: "optional" },
}

if (import.meta.main)
  serveStdio(() => {
    const server = new Server({ name: "rich", version: "1.0.0" }, { capabilities: { tools: {} } })
    server.setRequestHandler("tools/list", async () => ({ tools: [RICH_TOOL] }))
    server.setRequestHandler("tools/call", async () => ({
      content: [{ type: "text", text: '{"celsius":21}' }],
      structuredContent: { celsius: 21 },
    }))
    return server
  })
