import type { Client, RequestOptions } from "@modelcontextprotocol/client"
import type { Log } from "../util/log.ts"
import type { Prompt, Resource, Tool } from "./types.ts"

// Paginated lists walked page by page (T10): the SDK's aggregate path stops at 64 pages, and
// 20k tools must list. A cursor seen before means the server cycles: stop with a warning and
// keep what we have. Hard caps keep memory bounded whatever the server does.

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

const params = (cursor?: string) => (cursor === undefined ? {} : { cursor })

export function listTools(client: Client, log: Log, opts: RequestOptions): Promise<Tool[]> {
  return walkPages(
    "tools/list",
    log,
    (t) => t.name,
    async (cursor) => {
      const r = await client.request({ method: "tools/list", params: params(cursor) }, opts)
      return { items: r.tools, nextCursor: r.nextCursor }
    },
  )
}

export function listPrompts(client: Client, log: Log, opts: RequestOptions): Promise<Prompt[]> {
  return walkPages(
    "prompts/list",
    log,
    (p) => p.name,
    async (cursor) => {
      const r = await client.request({ method: "prompts/list", params: params(cursor) }, opts)
      return { items: r.prompts, nextCursor: r.nextCursor }
    },
  )
}

export function listResources(client: Client, log: Log, opts: RequestOptions): Promise<Resource[]> {
  return walkPages(
    "resources/list",
    log,
    (r) => r.uri,
    async (cursor) => {
      const r = await client.request({ method: "resources/list", params: params(cursor) }, opts)
      return { items: r.resources, nextCursor: r.nextCursor }
    },
  )
}

export function listTemplates(client: Client, log: Log, opts: RequestOptions): Promise<Template[]> {
  return walkPages(
    "resources/templates/list",
    log,
    (t) => t.uriTemplate,
    async (cursor) => {
      const r = await client.request({ method: "resources/templates/list", params: params(cursor) }, opts)
      return { items: r.resourceTemplates, nextCursor: r.nextCursor }
    },
  )
}
