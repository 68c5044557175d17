import { toJsonSchema } from "@valibot/to-json-schema"
import { ConfigFile } from "./schema.ts"

/** The JSON Schema of mcp.json, generated from the valibot schema so the two never drift. */
export function configJsonSchema(): Record<string, unknown> {
  const schema = toJsonSchema(ConfigFile, { errorMode: "ignore" }) as Record<string, unknown>
  return {
    ...schema,
    $id: "https://agentrt.dev/schema/mcp.json",
    title: "agentrt MCP server configuration",
    description:
      "MCP servers for agent. Local servers set command/args/env/cwd; remote servers set url/type/headers/oauth. " +
      "Strings in command, args, env, cwd, url, headers and oauth may reference approved variables: ${VAR}, ${VAR:-default}, ${VAR:?message}.",
  }
}
