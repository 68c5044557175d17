import { command } from "./command.ts"

// The `agent mcp` group. Each verb loads only when it runs.
export default command({
  name: "mcp",
  description: "Talk to MCP servers (list, get, tools, call, prompts, resources) and manage them (add, remove, import, approve)",
  examples: [
    "agent mcp list --mcp mcp.example.json",
    "agent mcp call everything echo --arg message=hi --mcp mcp.example.json",
    "agent mcp tools --url http://127.0.0.1:8080/mcp   # ad hoc, without a config",
    "agent mcp add fs -- npx -y @modelcontextprotocol/server-filesystem .",
    "agent mcp add github --url https://api.githubcopilot.com/mcp/ --header 'Authorization: Bearer ${GITHUB_TOKEN}'",
    "agent mcp import --from claude --dry-run",
    "agent mcp remove fs",
  ],
  subCommands: {
    list: () => import("./mcp-list.ts").then((m) => m.list),
    get: () => import("./mcp-list.ts").then((m) => m.get),
    tools: () => import("./mcp-tools.ts").then((m) => m.tools),
    call: () => import("./mcp-tools.ts").then((m) => m.call),
    prompts: () => import("./mcp-prompts.ts").then((m) => m.prompts),
    prompt: () => import("./mcp-prompts.ts").then((m) => m.prompt),
    resources: () => import("./mcp-prompts.ts").then((m) => m.resources),
    read: () => import("./mcp-prompts.ts").then((m) => m.read),
    add: () => import("./mcp-edit.ts").then((m) => m.add),
    "add-json": () => import("./mcp-edit.ts").then((m) => m.addJson),
    remove: () => import("./mcp-edit.ts").then((m) => m.remove),
    import: () => import("./mcp-import.ts").then((m) => m.default),
    approve: () => import("./mcp-approve.ts").then((m) => m.default),
    revoke: () => import("./mcp-approve.ts").then((m) => m.revoke),
    catalog: () => import("./mcp-catalog.ts").then((m) => m.default),
    doctor: () => import("./mcp-doctor.ts").then((m) => m.default),
    lock: () => import("./mcp-lock.ts").then((m) => m.default),
    auth: () => import("./mcp-auth.ts").then((m) => m.auth),
    logout: () => import("./mcp-auth.ts").then((m) => m.logout),
  },
})
