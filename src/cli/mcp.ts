import { command } from "./command.ts"

// The `agent mcp` group. Each verb loads only when it runs; list/get/tools/call join here later.
export default command({
  name: "mcp",
  description: "Manage MCP servers: add, remove, import from other tools, approve project servers",
  examples: [
    "agent mcp add fs -- npx -y @modelcontextprotocol/server-filesystem .",
    "agent mcp add github --url https://api.githubcopilot.com/mcp/ --header 'Authorization: Bearer ${GITHUB_TOKEN}'",
    "agent mcp import --from claude --dry-run",
    "agent mcp remove fs",
  ],
  subCommands: {
    add: () => import("./mcp-edit.ts").then((m) => m.add),
    "add-json": () => import("./mcp-edit.ts").then((m) => m.addJson),
    remove: () => import("./mcp-edit.ts").then((m) => m.remove),
    import: () => import("./mcp-import.ts").then((m) => m.default),
    approve: () => import("./mcp-approve.ts").then((m) => m.default),
    revoke: () => import("./mcp-approve.ts").then((m) => m.revoke),
    catalog: () => import("./mcp-catalog.ts").then((m) => m.default),
  },
})
