import { waysLabel, type RegistryServer } from "../../install/index.ts"
import { UsageError } from "../../util/errors.ts"
import { escapeTerminal } from "../../util/text.ts"
import { command, commonArgs, outputArg } from "../command.ts"
import { createContext, loadFromArgs } from "../shared/context.ts"
import { printJson, printText } from "../shared/output.ts"
import { registryArg, registryClients, registryUrls } from "../shared/registries.ts"

// `agent mcp search QUERY`: the MCP Registry's public list (docs/registry.md), one page at a time
// (--cursor to go on, --all to follow every page). Names and descriptions are the registry's
// text and are escaped before they reach the terminal (I20).

const MAX_PAGES = 50

export default command({
  name: "search",
  description:
    "Search an MCP Registry (the official one by default) for servers to install with `agent install NAME`",
  args: {
    ...commonArgs,
    ...outputArg,
    query: {
      type: "positional",
      required: false,
      valueHint: "QUERY",
      description: "Words in the server's name",
    },
    ...registryArg,
    limit: { type: "string", valueHint: "N", description: "Servers per page (default 30, at most 100)" },
    cursor: { type: "string", valueHint: "CURSOR", description: "Continue where a previous page ended" },
    all: { type: "boolean", description: `Follow every page (at most ${MAX_PAGES})` },
  },
  examples: [
    "agent mcp search weather",
    "agent mcp search github --all --output json",
    "# json: { registry, servers: [{ name, version, runs, isLatest, … }], nextCursor? }",
    "agent mcp search tools --registry https://registry.example.com",
    "agent install io.github.owner/weather         # then install one by its name",
  ],
  async run({ args, rawArgs }) {
    const ctx = createContext(args)
    const limit = args.limit === undefined ? 30 : Number(args.limit)
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      throw new UsageError(
        `--limit must be a whole number from 1 to 100, got "${escapeTerminal(String(args.limit))}"`,
      )
    const urls = registryUrls(ctx, args.registry, loadFromArgs(ctx, rawArgs))
    const [client] = registryClients(ctx, urls.slice(0, 1))
    const query = args.query === undefined ? "" : String(args.query)
    const servers: RegistryServer[] = []
    let skipped = 0
    let cursor = args.cursor === undefined ? undefined : String(args.cursor)
    for (let page = 0; page < MAX_PAGES; page++) {
      const got = await client!.search(query, { limit, ...(cursor && { cursor }) })
      servers.push(...got.servers)
      skipped += got.skipped
      cursor = got.nextCursor
      if (!args.all || !cursor) break
    }
    if (skipped)
      ctx.log.warn(`left out ${skipped} malformed ${skipped === 1 ? "entry" : "entries"} the registry sent`)
    const rows = servers.map(row)
    if (ctx.output === "json")
      return printJson({ registry: client!.baseUrl, servers: rows, ...(cursor && { nextCursor: cursor }) })
    if (!rows.length) return printText(`no server in ${client!.baseUrl} matches "${escapeTerminal(query)}"`)
    printText(rows.map(textRow).join("\n"))
    if (cursor) {
      const q = query ? ` ${JSON.stringify(query)}` : ""
      printText(`\nmore: agent mcp search${q} --cursor ${escapeTerminal(cursor)}   (or --all)`)
    }
  },
})

function row(r: RegistryServer) {
  return {
    name: r.server.name,
    version: r.server.version,
    description: r.server.description ?? "",
    runs: waysLabel(r.server),
    ...(r.isLatest !== undefined && { isLatest: r.isLatest }),
    ...(r.status !== undefined && { status: r.status }),
  }
}

function textRow(r: ReturnType<typeof row>): string {
  const latest = r.isLatest === true ? " (latest)" : r.isLatest === false ? " (older version)" : ""
  const status = r.status && r.status !== "active" ? ` [${r.status}]` : ""
  const head = escapeTerminal(`${r.name}  ${r.version}${latest}${status}  runs: ${r.runs}`)
  return r.description ? `${head}\n    ${escapeTerminal(r.description)}` : head
}
