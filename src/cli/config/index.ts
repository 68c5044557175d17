import { command, commonArgs } from "../command.ts"

export default command({
  name: "config",
  description: "Inspect and check the MCP server configuration",
  examples: [
    "agent config path                       # which files are read, in precedence order",
    "agent config show --mcp mcp.example.json # the merged servers, secrets masked",
    "agent config validate --mcp ci.json --approve-env API_KEY",
    "agent config schema > mcp.schema.json     # JSON Schema for editor completion",
  ],
  subCommands: {
    path: () => import("./path.ts").then((m) => m.default),
    show: () => import("./show.ts").then((m) => m.default),
    validate: () => import("./validate.ts").then((m) => m.default),
    schema: () =>
      Promise.resolve(
        command({
          name: "schema",
          description: "Print the JSON Schema of mcp.json (generated from the validator)",
          args: { ...commonArgs },
          examples: [
            "agent config schema > mcp.schema.json",
            'then in mcp.json: { "$schema": "./mcp.schema.json", "mcpServers": { … } }',
          ],
          async run() {
            const { configJsonSchema } = await import("../../config/index.ts")
            const { printJson } = await import("../shared/output.ts")
            printJson(await configJsonSchema())
          },
        }),
      ),
  },
})
