import { type Client, type RequestOptions, SdkError, SdkErrorCode } from "@modelcontextprotocol/client"
import type { Log } from "../util/log.ts"
import { recordListHint } from "./list-cache.ts"
import type { Prompt, Resource, Tool } from "./types.ts"

// Lists come from the SDK's own list calls (client.listTools() and kin): they apply what the
// protocol asks of a client, e.g. on 2026-07-28 HTTP a tool whose `x-mcp-header` declarations are
// invalid is left out with a warning naming it (SEP-2243), and the SDK caches the tool
// definitions it mirrors into Mcp-Param-* headers. The SDK's walk stops at 64 pages; a server
// with more (20k tools must list, T10) or a cycling cursor is walked again page by page here: a
// cursor seen before means the server cycles, so stop with a warning and keep what we have. Hard
// caps keep memory bounded whatever the server does.

export const MAX_PAGES = 5_000
export const MAX_ITEMS = 50_000

export type Template = { uriTemplate: string; name: string; description?: string; mimeType?: string }

type Page<T> = { items: T[]; nextCursor?: string }

export async function walkPages<T>(
  what: string,
  log: Log,
  key: (item: T) => string,
  fetchPage: (cursor?: string) => Promise<Page<T>>,
): Promise<T[]> {
  const out: T[] = []
  const seen = new Set<string>()
  const keys = new Set<string>()
  let cursor: string | undefined
  for (let pages = 1; ; pages++) {
    const page = await fetchPage(cursor)
    let added = 0
    for (const item of page.items) {
      const k = key(item)
      if (keys.has(k)) continue // a name twice (or a page served again): keep the first
      if (out.length >= MAX_ITEMS) {
        log.warn(`${what}: more than ${MAX_ITEMS} entries; keeping the first ${MAX_ITEMS}`)
        return out
      }
      keys.add(k)
      out.push(item)
      added++
    }
    const next = page.nextCursor
    if (next === undefined || next === null) return out
    // A cursor seen before, or a page with nothing new (a cycle back to the unnamed first page).
    if (seen.has(next) || next === cursor || (added === 0 && page.items.length > 0)) {
      log.warn(
        `${what}: the server's pagination cursor repeats; stopped after ${pages} pages (${out.length} entries)`,
      )
      return out
    }
    if (pages >= MAX_PAGES) {
      log.warn(`${what}: more than ${MAX_PAGES} pages; stopped with ${out.length} entries`)
      return out
    }
    seen.add(next)
    cursor = next
  }
}

/**
 * The SDK's list call; past its page limit, our page walk. The SDK's per-page call (with a cursor)
 * applies the same checks to every later page; the first page of a walk has no SDK call of its
 * own (without a cursor the SDK walks everything), so on that rare path it is taken raw.
 */
async function sdkList<T>(
  what: string,
  log: Log,
  key: (item: T) => string,
  all: () => Promise<T[]>,
  page: (cursor?: string) => Promise<Page<T>>,
): Promise<T[]> {
  let items: T[]
  try {
    items = await all()
  } catch (e: unknown) {
    if (!(SdkError.isInstance(e) && e.code === SdkErrorCode.ListPaginationExceeded)) throw e
    log.debug(`${what}: more pages than the SDK walks; listing page by page`)
    return walkPages(what, log, key, page)
  }
  return walkPages(what, log, key, async () => ({ items })) // the same de-duplication and caps
}

export function listTools(client: Client, log: Log, opts: RequestOptions): Promise<Tool[]> {
  return sdkList(
    "tools/list",
    log,
    (t) => t.name,
    async () => {
      const r = await client.listTools(undefined, opts)
      recordListHint(client, "tools", r) // 2026-07-28 ttlMs/cacheScope, for list-cache.ts
      return r.tools
    },
    async (cursor) => {
      const r =
        cursor === undefined
          ? await client.request({ method: "tools/list", params: {} }, opts)
          : await client.listTools({ cursor }, opts)
      return { items: r.tools, nextCursor: r.nextCursor }
    },
  )
}

export function listPrompts(client: Client, log: Log, opts: RequestOptions): Promise<Prompt[]> {
  return sdkList(
    "prompts/list",
    log,
    (p) => p.name,
    async () => {
      const r = await client.listPrompts(undefined, opts)
      recordListHint(client, "prompts", r) // 2026-07-28 ttlMs/cacheScope, for list-cache.ts
      return r.prompts
    },
    async (cursor) => {
      const r =
        cursor === undefined
          ? await client.request({ method: "prompts/list", params: {} }, opts)
          : await client.listPrompts({ cursor }, opts)
      return { items: r.prompts, nextCursor: r.nextCursor }
    },
  )
}

export function listResources(client: Client, log: Log, opts: RequestOptions): Promise<Resource[]> {
  return sdkList(
    "resources/list",
    log,
    (r) => r.uri,
    async () => {
      const r = await client.listResources(undefined, opts)
      recordListHint(client, "resources", r) // 2026-07-28 ttlMs/cacheScope, for list-cache.ts
      return r.resources
    },
    async (cursor) => {
      const r =
        cursor === undefined
          ? await client.request({ method: "resources/list", params: {} }, opts)
          : await client.listResources({ cursor }, opts)
      return { items: r.resources, nextCursor: r.nextCursor }
    },
  )
}

export function listTemplates(client: Client, log: Log, opts: RequestOptions): Promise<Template[]> {
  return sdkList(
    "resources/templates/list",
    log,
    (t) => t.uriTemplate,
    async () => (await client.listResourceTemplates(undefined, opts)).resourceTemplates,
    async (cursor) => {
      const r =
        cursor === undefined
          ? await client.request({ method: "resources/templates/list", params: {} }, opts)
          : await client.listResourceTemplates({ cursor }, opts)
      return { items: r.resourceTemplates, nextCursor: r.nextCursor }
    },
  )
}
