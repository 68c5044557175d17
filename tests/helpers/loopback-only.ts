// Preloaded into every `bun test` process (bunfig.toml): tests reach loopback addresses only.
// Any in-process fetch or socket to another host fails at once, before a packet leaves, and is
// recorded so the run reports it. A test that checks a refusal (the SSRF guard, T07) passes only
// if agent's own guard refused first; if that guard ever broke, this net turns the would-be
// connection into a loud failure instead of traffic off this machine.
import net from "node:net"
import tls from "node:tls"

const LOOPBACK_NAME = /^(localhost|[a-z0-9-]+\.localhost)$/i

/** True for 127.0.0.0/8, ::1 (and its IPv4-mapped forms) and localhost names. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase()
  if (LOOPBACK_NAME.test(h)) return true
  if (/^127(\.\d{1,3}){3}$/.test(h)) return true
  if (h === "::1" || h === "0:0:0:0:0:0:0:1") return true
  const mapped = /^::ffff:(.+)$/.exec(h)?.[1]
  if (mapped) return /^127(\.\d{1,3}){3}$/.test(mapped) || /^7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(mapped)
  return false
}

/** Every refused destination, in order (tests may assert on it; the process prints it at exit). */
export const refusedDestinations: string[] = []

function refuse(where: string): never {
  refusedDestinations.push(where)
  throw new TypeError(
    `tests/helpers/loopback-only.ts: refusing a connection to ${where} (tests use loopback only)`,
  )
}

const realFetch = globalThis.fetch
const guardedFetch = (async (input: string | URL | Request, init?: RequestInit) => {
  const url = new URL(input instanceof Request ? input.url : String(input))
  if (
    (url.protocol === "http:" ||
      url.protocol === "https:" ||
      url.protocol === "ws:" ||
      url.protocol === "wss:") &&
    !isLoopbackHost(url.hostname)
  )
    refuse(url.host)
  return realFetch(input, init)
}) as typeof fetch
Object.assign(guardedFetch, realFetch)
globalThis.fetch = guardedFetch

type ConnectArgs = [unknown, ...unknown[]]
function hostOf(args: ConnectArgs): string | undefined {
  const [first, second] = args
  if (typeof first === "object" && first !== null) {
    const o = first as { host?: string; path?: string }
    return o.path ? undefined : (o.host ?? "localhost")
  }
  if (typeof first === "number") return typeof second === "string" ? second : "localhost"
  return undefined // a unix socket path
}
for (const mod of [net, tls] as const) {
  for (const key of ["connect", "createConnection"] as const) {
    const real = (mod as unknown as Record<string, (...a: unknown[]) => unknown>)[key]
    if (typeof real !== "function") continue
    ;(mod as unknown as Record<string, unknown>)[key] = (...args: ConnectArgs) => {
      const host = hostOf(args)
      if (host !== undefined && !isLoopbackHost(host)) refuse(host)
      return real.apply(mod, args)
    }
  }
}

process.on("exit", () => {
  if (refusedDestinations.length)
    console.error(
      `loopback-only: refused ${refusedDestinations.length} connection(s) off this machine: ${[...new Set(refusedDestinations)].join(", ")}`,
    )
})
