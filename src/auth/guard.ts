// SSRF guard for every request the OAuth flow makes (O07: no private or metadata addresses; BP "SSRF"): the MCP server
// controls resource_metadata, authorization_servers, and through its AS the registration,
// token and CIMD/jwks URLs. Refuse link-local (169.254.169.254 cloud metadata), private,
// loopback and other special addresses in every spelling (IPv4-mapped, -compatible, NAT64 and
// 6to4 IPv6; the URL parser already turns decimal, octal and hex IPv4 into dotted form) unless
// the host is the configured server's own, and plain http to anything but loopback. Redirects
// are never followed here: the SDK follows same-origin ones hop by hop through this same
// function, so each hop is checked.
//
// O15: a name is resolved once, every address is checked, and the request goes to a checked
// address: the URL's host becomes that IP, `Host` keeps the name, and for https Bun's
// `tls.serverName` keeps SNI and certificate verification on the name. A second lookup by
// fetch itself (DNS rebinding: public at check time, 127.0.0.1 at connect time) never happens.
// Bun's fetch takes no custom `lookup`, so pinning the URL is the seam; a refused connection
// moves on to the next checked address (localhost: ::1, then 127.0.0.1).
import { isIP } from "node:net"
import { AuthRequiredError } from "../util/errors.ts"

export type FetchFn = (url: string | URL, init?: RequestInit) => Promise<Response>
/** Every address a host name resolves to (the DNS seam; tests pass their own). */
export type LookupFn = (hostname: string) => Promise<string[]>

export interface GuardOptions {
  /** Hosts (hostname or host:port) that may be private/loopback: the configured server's own. */
  allowHosts?: string[]
  /** Allow loopback addresses on any port (tests; a server that itself runs on this machine). */
  allowLoopback?: boolean
  fetch?: FetchFn
  lookup?: LookupFn
}

export function createGuardedFetch(opts: GuardOptions = {}): FetchFn {
  const base = opts.fetch ?? fetch
  const lookup = opts.lookup ?? systemLookup
  const allowed = new Set((opts.allowHosts ?? []).map((h) => h.toLowerCase()))
  return async (input, init) => {
    const url = new URL(String(input instanceof Request ? input.url : input))
    const addresses = await checkTarget(url, allowed, opts.allowLoopback ?? false, lookup)
    return fetchPinned(base, url, addresses, { ...init, redirect: "manual" })
  }
}

/** The checked addresses of `url`'s host (one, for an IP literal), or a refusal. */
async function checkTarget(
  url: URL,
  allowed: Set<string>,
  allowLoopback: boolean,
  lookup: LookupFn,
): Promise<string[]> {
  const host = bare(url.hostname)
  const isAllowedHost = allowed.has(host) || allowed.has(url.host.toLowerCase())
  if (url.protocol !== "https:" && url.protocol !== "http:")
    refuse(url, `the ${url.protocol} scheme is not allowed`)
  const addresses = isIP(host) ? [host] : await resolve(url, host, lookup)
  const kinds = addresses.map(classifyAddress)
  const isLoopback = kinds.every((k) => k === "loopback")
  if (url.protocol === "http:" && !isLoopback) refuse(url, "plain http is only allowed to this machine")
  if (isAllowedHost) return addresses
  for (const kind of kinds) {
    if (kind === "public") continue
    if (kind === "loopback" && allowLoopback) continue
    refuse(url, `it resolves to a ${kind} address`)
  }
  return addresses
}

async function fetchPinned(
  base: FetchFn,
  url: URL,
  addresses: string[],
  init: RequestInit,
): Promise<Response> {
  if (isIP(bare(url.hostname))) return base(url, init)
  const headers = new Headers(init.headers)
  headers.set("host", url.host)
  const tls =
    url.protocol === "https:" ? { tls: { ...(init as { tls?: object }).tls, serverName: url.hostname } } : {}
  for (const [i, address] of addresses.entries()) {
    const pinned = new URL(url)
    pinned.hostname = isIP(address) === 6 ? `[${address}]` : address
    try {
      return await base(pinned, { ...init, headers, ...tls })
    } catch (e: unknown) {
      // Only a connection that never opened is tried again (nothing was sent); the next address was checked too.
      if (i === addresses.length - 1 || !isRefusedConnection(e)) throw e
    }
  }
  throw new AuthRequiredError(`cannot resolve ${url.host} during sign-in`)
}

const REFUSED = new Set(["ConnectionRefused", "ECONNREFUSED", "ENETUNREACH", "EHOSTUNREACH", "EADDRNOTAVAIL"])
function isRefusedConnection(e: unknown): boolean {
  return typeof e === "object" && e !== null && REFUSED.has(String((e as { code?: unknown }).code))
}

async function systemLookup(hostname: string): Promise<string[]> {
  // Loaded when a name is first resolved: a run against IP addresses or loopback never needs it.
  const { lookup } = await import("node:dns/promises")
  return (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address)
}

async function resolve(url: URL, host: string, lookup: LookupFn): Promise<string[]> {
  let addresses: string[]
  try {
    addresses = await lookup(host)
  } catch (e: unknown) {
    throw new AuthRequiredError(`cannot resolve ${url.host} during sign-in`, { cause: e })
  }
  if (!addresses.length) throw new AuthRequiredError(`cannot resolve ${url.host} during sign-in`)
  return addresses
}

function refuse(url: URL, why: string): never {
  throw new AuthRequiredError(`refusing an OAuth request to ${url.origin}: ${why} (SSRF guard)`, {
    hint: "the server's metadata points somewhere agent will not fetch; check the server URL",
  })
}

const bare = (hostname: string) => hostname.replace(/^\[|\]$/g, "").toLowerCase()

export type AddressKind = "public" | "loopback" | "link-local" | "private" | "reserved"

/** What an IP address is, in any spelling; anything that does not parse is "reserved" (refused). */
export function classifyAddress(addr: string): AddressKind {
  if (isIP(addr) === 4) return classifyV4(addr.split(".").map(Number))
  const g = parseV6(addr.replace(/%.*$/, ""))
  if (!g) return "reserved"
  const embedded = embeddedV4(g)
  if (embedded) return classifyV4(embedded)
  return classifyV6(g)
}

function classifyV6(g: number[]): AddressKind {
  const [a = 0, b = 0] = g
  if (g.slice(0, 7).every((x) => x === 0)) return g[7] === 1 ? "loopback" : "reserved" // ::1, ::
  if ((a & 0xffc0) === 0xfe80) return "link-local"
  if ((a & 0xfe00) === 0xfc00 || (a & 0xffc0) === 0xfec0) return "private" // ULA, old site-local
  if (a === 0x64 && b === 0xff9b) return "private" // 64:ff9b:1::/48, local-use NAT64
  if ((a & 0xff00) === 0xff00 || (a === 0x100 && g.slice(1, 4).every((x) => x === 0))) return "reserved" // multicast, discard
  if (a === 0x2001 && b === 0) return "reserved" // Teredo: reaches an IPv4 address it hides
  return "public"
}

/**
 * The IPv4 address an IPv6 one carries and that a connection may end up at: mapped
 * (::ffff:a.b.c.d, which the URL parser writes as ::ffff:7f00:1), compatible (::a.b.c.d),
 * SIIT (::ffff:0:a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::).
 */
function embeddedV4(g: number[]): number[] | undefined {
  const v4 = (hi: number, lo: number) => [hi >> 8, hi & 255, lo >> 8, lo & 255]
  const zero = (from: number, to: number) => g.slice(from, to).every((x) => x === 0)
  if (zero(0, 5) && g[5] === 0xffff) return v4(g[6]!, g[7]!)
  if (zero(0, 6) && (g[6] !== 0 || g[7]! > 1)) return v4(g[6]!, g[7]!)
  if (zero(0, 4) && g[4] === 0xffff && g[5] === 0) return v4(g[6]!, g[7]!)
  if (g[0] === 0x64 && g[1] === 0xff9b && zero(2, 6)) return v4(g[6]!, g[7]!)
  if (g[0] === 0x2002) return v4(g[1]!, g[2]!)
  return undefined
}

/** Eight 16-bit groups, or undefined when `addr` is not IPv6 (a dotted tail is allowed). */
function parseV6(addr: string): number[] | undefined {
  if (isIP(addr) !== 6) return undefined
  let text = addr.toLowerCase()
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text)
  if (dotted) {
    const [p, q, r, s] = dotted.slice(1).map(Number) as [number, number, number, number]
    text = `${text.slice(0, dotted.index)}${((p << 8) | q).toString(16)}:${((r << 8) | s).toString(16)}`
  }
  const [head = "", tail] = text.split("::")
  const parts = (s: string) => (s ? s.split(":").map((x) => Number.parseInt(x, 16)) : [])
  const front = parts(head)
  const back = tail === undefined ? [] : parts(tail)
  const fill = tail === undefined ? 0 : 8 - front.length - back.length
  return [...front, ...Array<number>(fill).fill(0), ...back]
}

function classifyV4(octets: number[]): AddressKind {
  const [a = 0, b = 0, c = 0] = octets
  if (a === 127) return "loopback"
  if (a === 169 && b === 254) return "link-local"
  if (
    a === 10 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b <= 127)
  )
    return "private"
  if (a === 0 || a >= 224 || (a === 192 && b === 0 && c === 0) || (a === 198 && (b === 18 || b === 19)))
    return "reserved"
  return "public"
}

/** O01: the authorization URL handed to any opener: https, or http to loopback only. */
export function checkAuthorizationUrl(url: URL): void {
  const host = bare(url.hostname)
  const isLoopback = host === "localhost" || (isIP(host) !== 0 && classifyAddress(host) === "loopback")
  if (url.protocol === "https:" || (url.protocol === "http:" && isLoopback)) return
  throw new AuthRequiredError(
    `refusing to open the authorization URL ${JSON.stringify(url.href.slice(0, 200))}: only https (or http to this machine) is allowed`,
    {
      hint: "the authorization server's metadata is wrong or hostile; nothing was opened",
    },
  )
}
