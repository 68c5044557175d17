import { command } from "../command.ts"

// The `agent mcp` group. Each verb loads only when it runs.
export default command({
  name: "mcp",
  description:
    "Talk to MCP servers (list, get, tools, call, prompts, resources, skills) and manage them (add, remove, import, approve)",
  examples: [
    "agent mcp list --mcp mcp.example.json",
    "agent mcp call everything echo --arg message=hi --mcp mcp.example.json",
    "agent mcp tools --url http://127.0.0.1:8080/mcp   # ad hoc, without a config",
    "agent mcp skills --mcp mcp.example.json   # skills servers publish (SEP-2640)",
    "agent mcp add fs -- npx -y @modelcontextprotocol/server-filesystem .",
    "agent mcp add github --url https://api.githubcopilot.com/mcp/ --header 'Authorization: Bearer ${GITHUB_TOKEN}'",
    "agent mcp import --from claude --dry-run",
    "agent mcp remove fs",
  ],
  subCommands: {
    list: () => import("./list.ts").then((m) => m.list),
    get: () => import("./list.ts").then((m) => m.get),
    tools: () => import("./tools.ts").then((m) => m.tools),
    call: () => import("./tools.ts").then((m) => m.call),
    prompts: () => import("./prompts.ts").then((m) => m.prompts),
    prompt: () => import("./prompts.ts").then((m) => m.prompt),
    resources: () => import("./prompts.ts").then((m) => m.resources),
    read: () => import("./prompts.ts").then((m) => m.read),
    skills: () => import("./skills.ts").then((m) => m.skills),
    skill: () => import("./skills.ts").then((m) => m.skill),
    add: () => import("./edit.ts").then((m) => m.add),
    "add-json": () => import("./edit.ts").then((m) => m.addJson),
    remove: () => import("./edit.ts").then((m) => m.remove),
    import: () => import("./import.ts").then((m) => m.default),
    approve: () => import("./approve.ts").then((m) => m.default),
    revoke: () => import("./approve.ts").then((m) => m.revoke),
    catalog: () => import("./catalog.ts").then((m) => m.default),
    doctor: () => import("./doctor.ts").then((m) => m.default),
    lock: () => import("./lock.ts").then((m) => m.default),
    auth: () => import("./auth.ts").then((m) => m.auth),
    logout: () => import("./auth.ts").then((m) => m.logout),
  },
})
