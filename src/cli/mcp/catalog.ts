import { searchCatalog, type CatalogEntry } from "../../install/index.ts"
import { command, commonArgs, outputArg } from "../command.ts"
import { createContext } from "../shared/context.ts"
import { printJson, printTable, printText } from "../shared/output.ts"

// `agent mcp catalog [QUERY]`: the curated sample servers built into the binary (docs/design.md §8).
// Listing only; `agent install NAME` shows the approval screen and writes the entry.

export default command({
  name: "catalog",
  description: "List the built-in catalog of sample MCP servers; install one with `agent install NAME`",
  args: {
    ...commonArgs,
    ...outputArg,
    query: {
      type: "positional",
      required: false,
      valueHint: "QUERY",
      description: "Only entries whose name, title or description contains this",
    },
  },
  examples: [
    "agent mcp catalog",
    "agent mcp catalog git",
    "agent mcp catalog --output json   # { servers: [{ name, title, description, auth, entry, variables, … }] }",
    "agent install github",
  ],
  run({ args }) {
    const ctx = createContext(args)
    const query = args.query === undefined ? "" : String(args.query)
    const entries = searchCatalog(query)
    if (ctx.output === "json") return printJson({ servers: entries })
    if (entries.length === 0) {
      printText(`no catalog entry matches "${query}"; \`agent mcp catalog\` lists them all`)
      return
    }
    printTable(entries.map(row), ["NAME", "AUTH", "DESCRIPTION"])
    printText(`\ninstall one with: agent install <name>   (e.g. agent install ${entries[0]!.name})`)
  },
})

function row(e: CatalogEntry): string[] {
  const needs = e.variables.length ? `  (needs ${e.variables.map((v) => v.name).join(", ")})` : ""
  return [e.name, e.auth, `${e.description}${needs}`]
}
