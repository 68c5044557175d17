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

export async function walkPages<T>(what: string, log: Log, fetchPage: (cursor?: string) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = []
  const seen = new Set<string>()
  let cursor: string | undefined
  for (let pages = 1; ; pages++) {
    const page = await fetchPage(cursor)
    for (const item of page.items) {
      if (out.length >= MAX_ITEMS) {
        log.warn(`${what}: more than ${MAX_ITEMS} entries; keeping the first ${MAX_ITEMS}`)
        return out
      }
      out.push(item)
    }
    const next = page.nextCursor
    if (next === undefined || next === null) return out
    if (seen.has(next) || next === cursor) {
      log.warn(`${what}: the server's pagination cursor repeats; stopped after ${pages} pages (${out.length} entries)`)
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
  return walkPages("tools/list", log, async (cursor) => {
    const r = await client.request({ method: "tools/list", params: params(cursor) }, opts)
    return { items: r.tools, nextCursor: r.nextCursor }
  })
}

export function listPrompts(client: Client, log: Log, opts: RequestOptions): Promise<Prompt[]> {
  return walkPages("prompts/list", log, async (cursor) => {
    const r = await client.request({ method: "prompts/list", params: params(cursor) }, opts)
    return { items: r.prompts, nextCursor: r.nextCursor }
  })
}

export function listResources(client: Client, log: Log, opts: RequestOptions): Promise<Resource[]> {
  return walkPages("resources/list", log, async (cursor) => {
    const r = await client.request({ method: "resources/list", params: params(cursor) }, opts)
    return { items: r.resources, nextCursor: r.nextCursor }
  })
}

export function listTemplates(client: Client, log: Log, opts: RequestOptions): Promise<Template[]> {
  return walkPages("resources/templates/list", log, async (cursor) => {
    const r = await client.request({ method: "resources/templates/list", params: params(cursor) }, opts)
    return { items: r.resourceTemplates, nextCursor: r.nextCursor }
  })
}
