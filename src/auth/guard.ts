// SSRF guard for every request the OAuth flow makes (O07: no private or metadata addresses; BP "SSRF"): the MCP server
// controls resource_metadata, authorization_servers, and through its AS the registration,
// token and CIMD/jwks URLs. Refuse link-local (169.254.169.254 cloud metadata), private,
// loopback and other special addresses unless the host is the configured server's own, and
// plain http to anything but loopback. Redirects are never followed here: the SDK follows
// same-origin ones hop by hop through this same function, so each hop is checked.
import { lookup } from "node:dns/promises"
import { isIP } from "node:net"
import { AuthRequiredError } from "../util/errors.ts"

export type FetchFn = (url: string | URL, init?: RequestInit) => Promise<Response>

export interface GuardOptions {
  /** Hosts (hostname or host:port) that may be private/loopback: the configured server's own. */
  allowHosts?: string[]
  /** Allow loopback addresses on any port (tests; a server that itself runs on this machine). */
  allowLoopback?: boolean
  fetch?: FetchFn
}

export function createGuardedFetch(opts: GuardOptions = {}): FetchFn {
  const base = opts.fetch ?? fetch
  const allowed = new Set((opts.allowHosts ?? []).map((h) => h.toLowerCase()))
  return async (input, init) => {
    const url = new URL(String(input instanceof Request ? input.url : input))
    await checkTarget(url, allowed, opts.allowLoopback ?? false)
    return base(url, { ...init, redirect: "manual" })
  }
}

async function checkTarget(url: URL, allowed: Set<string>, allowLoopback: boolean): Promise<void> {
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase()
  const isAllowedHost = allowed.has(host) || allowed.has(url.host.toLowerCase())
  if (url.protocol !== "https:" && url.protocol !== "http:") refuse(url, `the ${url.protocol} scheme is not allowed`)
  const addresses = isIP(host) ? [host] : await resolve(url, host)
  const kinds = addresses.map(classifyAddress)
  const isLoopback = kinds.every((k) => k === "loopback")
  if (url.protocol === "http:" && !isLoopback) refuse(url, "plain http is only allowed to this machine")
  if (isAllowedHost) return
  for (const kind of kinds) {
    if (kind === "public") continue
    if (kind === "loopback" && allowLoopback) continue
    refuse(url, `it resolves to a ${kind} address`)
  }
}

async function resolve(url: URL, host: string): Promise<string[]> {
  try {
    return (await lookup(host, { all: true, verbatim: true })).map((a) => a.address)
  } catch (e: unknown) {
    throw new AuthRequiredError(`cannot resolve ${url.host} during sign-in`, { cause: e })
  }
}

function refuse(url: URL, why: string): never {
  throw new AuthRequiredError(`refusing an OAuth request to ${url.origin}: ${why} (SSRF guard)`, {
    hint: "the server's metadata points somewhere agent will not fetch; check the server URL",
  })
}

export type AddressKind = "public" | "loopback" | "link-local" | "private" | "reserved"

export function classifyAddress(addr: string): AddressKind {
  const v4 = isIP(addr) === 4 ? addr : mappedV4(addr)
  if (v4) return classifyV4(v4.split(".").map(Number) as [number, number, number, number])
  const a = addr.toLowerCase()
  if (a === "::1") return "loopback"
  if (a === "::") return "reserved"
  if (/^fe[89ab]/.test(a)) return "link-local"
  if (/^f[cd]/.test(a)) return "private"
  if (/^ff/.test(a)) return "reserved"
  return "public"
}

/**
 * The IPv4 address inside an IPv4-mapped IPv6 one. The URL parser writes it in hex
 * (`[::ffff:169.254.169.254]` becomes `[::ffff:a9fe:a9fe]`), so both spellings are read.
 */
function mappedV4(addr: string): string | undefined {
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(addr)?.[1]
  if (dotted) return dotted
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(addr)
  if (!hex) return undefined
  const [hi, lo] = [Number.parseInt(hex[1] as string, 16), Number.parseInt(hex[2] as string, 16)]
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`
}

function classifyV4([a, b]: [number, number, number, number]): AddressKind {
  if (a === 127) return "loopback"
  if (a === 169 && b === 254) return "link-local"
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127)) return "private"
  if (a === 0 || a >= 224) return "reserved"
  return "public"
}

/** O01: the authorization URL handed to any opener: https, or http to loopback only. */
export function checkAuthorizationUrl(url: URL): void {
  const host = url.hostname.replace(/^\[|\]$/g, "")
  const isLoopback = host === "localhost" || (isIP(host) !== 0 && classifyAddress(host) === "loopback")
  if (url.protocol === "https:" || (url.protocol === "http:" && isLoopback)) return
  throw new AuthRequiredError(`refusing to open the authorization URL ${JSON.stringify(url.href.slice(0, 200))}: only https (or http to this machine) is allowed`, {
    hint: "the authorization server's metadata is wrong or hostile; nothing was opened",
  })
}
