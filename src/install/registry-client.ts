// A client for the MCP Registry API v0.1 (registry-schema.ts lists the endpoints), over ofetch
// (docs/design.md §1): a timeout on every call, retries with backoff on 429 and 5xx (a 429's
// Retry-After is honoured, capped), and one readable error when the registry cannot be reached.
// The base URL and fetch are passed in (the CLI decides them); nothing here reads the environment.
import { FetchError, ofetch, type FetchContext } from "ofetch"
import * as v from "valibot"
import { FailureError, UnavailableError, UsageError } from "../util/errors.ts"
import { escapeTerminal } from "../util/text.ts"
import { ListResponse, ServerResponse, toRegistryServer, type RegistryServer } from "./registry-schema.ts"

export const OFFICIAL_REGISTRY = "https://registry.modelcontextprotocol.io"

/** A page bigger than this is refused: a registry is untrusted input (I20). */
const MAX_BODY_BYTES = 8 * 1024 * 1024
const MAX_RETRY_AFTER_MS = 10_000

export interface RegistryClientOptions {
  baseUrl: string
  fetch?: typeof globalThis.fetch
  timeoutMs?: number
  retries?: number
  /** First backoff delay; doubled on each retry. */
  retryDelayMs?: number
}

export interface SearchPage {
  servers: RegistryServer[]
  /** Entries the registry sent that are not valid server.json (left out). */
  skipped: number
  nextCursor?: string
}

export interface RegistryClient {
  readonly baseUrl: string
  search(query: string, opts?: { cursor?: string; limit?: number }): Promise<SearchPage>
  versions(name: string): Promise<SearchPage>
  get(name: string, version?: string): Promise<RegistryServer>
}

export function normalizeRegistryUrl(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch (e: unknown) {
    throw new UsageError(`registry "${escapeTerminal(url.slice(0, 200))}" is not a URL`, {
      cause: e,
      hint: "give the base URL, e.g. --registry https://registry.modelcontextprotocol.io",
    })
  }
  const isLoopback = ["127.0.0.1", "localhost", "[::1]"].includes(parsed.hostname)
  // I20: registry answers decide what runs; plain http only where nobody else can be on the path.
  if (parsed.protocol !== "https:" && !(parsed.protocol === "http:" && isLoopback)) {
    throw new UsageError(`registry ${escapeTerminal(parsed.origin)} must be https (http only on loopback)`)
  }
  return parsed.href.replace(/\/+$/, "")
}

export function createRegistryClient(opts: RegistryClientOptions): RegistryClient {
  const baseUrl = normalizeRegistryUrl(opts.baseUrl)
  const retries = opts.retries ?? 2
  const first = opts.retryDelayMs ?? 500
  const timeoutMs = opts.timeoutMs ?? 15_000
  const request = ofetch.create({
    baseURL: baseUrl,
    ...(opts.fetch && { fetch: opts.fetch }),
    timeout: timeoutMs,
    retry: retries,
    retryStatusCodes: [408, 429, 500, 502, 503, 504],
    retryDelay: (ctx: FetchContext) => backoff(ctx, retries, first),
    responseType: "stream",
    headers: { accept: "application/json" },
  })

  async function getJson(
    path: string,
    what: string,
    query?: Record<string, string | number>,
  ): Promise<unknown> {
    let body: ReadableStream<Uint8Array>
    try {
      body = await request<ReadableStream<Uint8Array>>(path, { query })
    } catch (e: unknown) {
      throw callError(baseUrl, what, e)
    }
    const text = await readCapped(body, baseUrl, timeoutMs)
    try {
      return JSON.parse(text)
    } catch (e: unknown) {
      throw new FailureError(`registry ${baseUrl} did not answer JSON for ${path}`, { cause: e })
    }
  }

  async function list(
    path: string,
    what: string,
    query: Record<string, string | number>,
  ): Promise<SearchPage> {
    const body = v.safeParse(ListResponse, await getJson(path, what, query))
    if (!body.success) throw new FailureError(`registry ${baseUrl}: ${path} is not a server list`)
    const servers: RegistryServer[] = []
    let skipped = 0
    for (const item of body.output.servers) {
      const r = v.safeParse(ServerResponse, item)
      if (r.success) servers.push(toRegistryServer(r.output))
      else skipped++
    }
    const next = body.output.metadata?.nextCursor ?? body.output.metadata?.next_cursor
    return { servers, skipped, ...(next && { nextCursor: next }) }
  }

  return {
    baseUrl,
    search(query, o = {}) {
      // The official registry lists every version unless asked for the latest (its list extension).
      const q: Record<string, string | number> = { version: "latest" }
      if (query) q.search = query
      if (o.cursor) q.cursor = o.cursor
      if (o.limit) q.limit = o.limit
      return list("/v0.1/servers", "the server list", q)
    },
    versions(name) {
      return list(`/v0.1/servers/${encodeURIComponent(name)}/versions`, `server ${escapeTerminal(name)}`, {})
    },
    async get(name, version = "latest") {
      const path = `/v0.1/servers/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}`
      const what =
        version === "latest"
          ? `server ${escapeTerminal(name)}`
          : `${escapeTerminal(name)} version ${escapeTerminal(version)}`
      const r = v.safeParse(ServerResponse, await getJson(path, what))
      if (!r.success) {
        const issue = r.issues[0]
        const where = issue.path?.map((p) => String(p.key)).join(".") ?? ""
        throw new FailureError(
          `registry ${baseUrl}: ${escapeTerminal(name)}@${escapeTerminal(version)} is not a valid server.json (${escapeTerminal(where)}: ${escapeTerminal(issue.message)})`,
        )
      }
      return toRegistryServer(r.output)
    },
  }
}

/** The body as text, refused past MAX_BODY_BYTES without reading the rest (I20). */
async function readCapped(
  body: ReadableStream<Uint8Array>,
  baseUrl: string,
  timeoutMs: number,
): Promise<string> {
  const chunks: Uint8Array[] = []
  let size = 0
  const reader = body.getReader()
  // ofetch's timeout ends with the headers; a body that trickles is bounded here.
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reader.cancel().catch(() => {}) // the stream is abandoned either way; the timeout is what is reported
      reject(new UnavailableError(`registry ${baseUrl} did not finish its answer in ${timeoutMs / 1000} s`))
    }, timeoutMs)
  })
  try {
    return await Promise.race([readAll(), late])
  } finally {
    clearTimeout(timer)
  }

  async function readAll(): Promise<string> {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return Buffer.concat(chunks).toString("utf8")
      size += value.byteLength
      if (size > MAX_BODY_BYTES) {
        await reader.cancel()
        throw new FailureError(`registry ${baseUrl} sent more than ${MAX_BODY_BYTES / 1024 / 1024} MB`)
      }
      chunks.push(value)
    }
  }
}

/** Exponential from `first`; a 429 or 503 with Retry-After waits what it says (at most 10 s). */
function backoff(ctx: FetchContext, retries: number, first: number): number {
  const left = typeof ctx.options.retry === "number" ? ctx.options.retry : retries
  const attempt = retries - left
  const after = ctx.response?.headers.get("retry-after")
  if (after) {
    const seconds = Number(after)
    const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(after) - Date.now()
    if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, MAX_RETRY_AFTER_MS)
  }
  return first * 2 ** attempt
}

function callError(baseUrl: string, what: string, e: unknown): Error {
  const status = e instanceof FetchError ? e.response?.status : undefined
  const hint =
    "check the address and your connection, or pick another with --registry URL or AGENTRT_REGISTRY"
  if (status === 404)
    return new UsageError(`registry ${baseUrl} has no ${what}`, {
      cause: e,
      hint: "`agent mcp search WORD` finds server names",
    })
  if (status !== undefined)
    return new UnavailableError(`registry ${baseUrl} answered HTTP ${status} for ${what}`, { cause: e, hint })
  return new UnavailableError(`cannot reach the MCP registry at ${baseUrl}`, { cause: e, hint })
}
