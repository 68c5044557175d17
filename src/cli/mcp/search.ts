import { waysLabel, type RegistryClient, type RegistryServer } from "../../install/index.ts"
import { UsageError } from "../../util/errors.ts"
import { escapeTerminal } from "../../util/text.ts"
import { command, commonArgs, outputArg } from "../command.ts"
import { createContext, loadFromArgs } from "../shared/context.ts"
import { printJson, printText } from "../shared/output.ts"
import { registryArg, registryClients, registryUrls } from "../shared/registries.ts"

// `agent mcp search QUERY`: the MCP Registry's public list (docs/registry.md), one page at a time
// (--cursor to go on, --all to follow every page), in every registry of the list (docs/registry.md). Names and descriptions are the registry's
// text and are escaped before they reach the terminal (I20).

const MAX_PAGES = 50

export default command({
  name: "search",
  description:
    "Search the MCP Registries in your list (the official one by default) for servers to install with `agent install NAME`",
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
    "AGENTRT_REGISTRY=https://registry.example.com,https://registry.modelcontextprotocol.io agent mcp search db   # both, in order",
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
    // A cursor belongs to one registry: with one, search goes on in the first (the one it came from).
    const cursorArg = args.cursor === undefined ? undefined : String(args.cursor)
    const clients = registryClients(ctx, cursorArg === undefined ? urls : urls.slice(0, 1))
    const query = args.query === undefined ? "" : String(args.query)
    const pages: Page[] = []
    const unreachable: unknown[] = []
    for (const client of clients) {
      try {
        pages.push(await searchOne(client, query, { limit, all: Boolean(args.all), cursor: cursorArg }))
      } catch (e) {
        // Several registries: one that cannot be reached is said and passed, as install does;
        // when none answers, the first one's error is the command's.
        if (clients.length === 1) throw e
        unreachable.push(e)
        ctx.log.warn(`${e instanceof Error ? e.message : String(e)}; searching the other registries`)
      }
    }
    if (!pages.length) throw unreachable[0]
    const skipped = pages.reduce((n, p) => n + p.skipped, 0)
    if (skipped)
      ctx.log.warn(`left out ${skipped} malformed ${skipped === 1 ? "entry" : "entries"} the registry sent`)
    // The same name in two registries: the first registry's entry, as `agent install NAME` picks it.
    const isMany = clients.length > 1
    const seen = new Set<string>()
    const rows = pages.flatMap((p) =>
      p.servers
        .filter((r) => !seen.has(r.server.name) && seen.add(r.server.name))
        .map((r) => row(r, p.registry, isMany)),
    )
    const first = pages[0]!
    const cursor = isMany ? undefined : first.nextCursor
    if (ctx.output === "json")
      return printJson({
        registry: first.registry,
        ...(isMany && { registries: pages.map((p) => p.registry) }),
        servers: rows,
        ...(cursor && { nextCursor: cursor }),
      })
    const where = pages.map((p) => p.registry).join(", ")
    if (!rows.length) return printText(`no server in ${where} matches "${escapeTerminal(query)}"`)
    printText(rows.map(textRow).join("\n"))
    if (cursor) {
      const q = query ? ` ${JSON.stringify(query)}` : ""
      printText(`\nmore: agent mcp search${q} --cursor ${escapeTerminal(cursor)}   (or --all)`)
    }
    const more = isMany ? pages.filter((p) => p.nextCursor) : []
    for (const p of more) {
      const q = query ? ` ${JSON.stringify(query)}` : ""
      printText(
        `\nmore in ${p.registry}: agent mcp search${q} --registry ${p.registry} --cursor ${escapeTerminal(p.nextCursor!)}   (or --all)`,
      )
    }
  },
})

interface Page {
  registry: string
  servers: RegistryServer[]
  skipped: number
  nextCursor?: string
}

async function searchOne(
  client: RegistryClient,
  query: string,
  opts: { limit: number; all: boolean; cursor?: string },
): Promise<Page> {
  const page: Page = { registry: client.baseUrl, servers: [], skipped: 0 }
  let cursor = opts.cursor
  for (let n = 0; n < MAX_PAGES; n++) {
    const got = await client.search(query, { limit: opts.limit, ...(cursor && { cursor }) })
    page.servers.push(...got.servers)
    page.skipped += got.skipped
    cursor = got.nextCursor
    if (!opts.all || !cursor) break
  }
  if (cursor) page.nextCursor = cursor
  return page
}

function row(r: RegistryServer, registry: string, isMany: boolean) {
  return {
    name: r.server.name,
    ...(isMany && { registry }),
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
  const from = r.registry ? `  from ${r.registry}` : ""
  const head = escapeTerminal(`${r.name}  ${r.version}${latest}${status}  runs: ${r.runs}${from}`)
  return r.description ? `${head}\n    ${escapeTerminal(r.description)}` : head
}
