import { lookup } from "node:dns/promises"
import { connect as tcpConnect, isIP } from "node:net"
import { connect as tlsConnect, type PeerCertificate } from "node:tls"
import { classifyAddress } from "../auth/index.ts"
import { errorText, finding, type Finding } from "./doctor-types.ts"

// Below HTTP: does the host resolve, does the port accept a connection, and for https what
// the TLS handshake says (certificate issuer and expiry). Each step reports even when the
// next one cannot run, so "DNS ok, connection refused" reads as what it is.

const EXPIRY_WARN_DAYS = 14

export interface NetResult {
  findings: Finding[]
  /** The TCP connection (and TLS handshake, for https) worked: HTTP probes are worth running. */
  isReachable: boolean
  isLoopback: boolean
}

export async function checkNetwork(url: URL, timeoutMs: number): Promise<NetResult> {
  const findings: Finding[] = []
  const host = url.hostname.replace(/^\[|\]$/g, "")
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80))
  let addresses: string[]
  try {
    addresses = isIP(host)
      ? [host]
      : (await lookup(host, { all: true, verbatim: true })).map((a) => a.address)
  } catch (e: unknown) {
    findings.push(
      finding(
        "dns",
        "error",
        `cannot resolve ${host}: ${errorText(e)}`,
        "check the host name in the server URL, and this machine's DNS",
      ),
    )
    return { findings, isReachable: false, isLoopback: false }
  }
  const isLoopback = addresses.every((a) => classifyAddress(a) === "loopback")
  const where = isIP(host) ? `${host} is an IP address` : `${host} resolves to ${addresses.join(", ")}`
  findings.push(finding("dns", "ok", `${where}${isLoopback ? " (loopback: this machine)" : ""}`))
  if (url.protocol === "http:") {
    findings.push(
      isLoopback
        ? finding("tls", "info", "plain http:// to this machine (allowed for loopback)")
        : finding(
            "tls",
            "warn",
            `plain http:// to ${host}: requests and tokens travel unencrypted; agent refuses it without --allow-insecure-http`,
            "use the server's https:// URL",
          ),
    )
  }
  try {
    await openSocket(host, port, timeoutMs)
    findings.push(finding("connect", "ok", `TCP connection to ${hostPort(host, port)} accepted`))
  } catch (e: unknown) {
    const isRefused = (e as { code?: unknown }).code === "ECONNREFUSED"
    findings.push(
      isRefused
        ? finding(
            "connect",
            "error",
            `nothing listens on ${hostPort(host, port)} (connection refused: ECONNREFUSED)`,
            "is the server running, and is the port right?",
          )
        : finding(
            "connect",
            "error",
            `cannot connect to ${hostPort(host, port)}: ${errorText(e)}`,
            "is the server running, and is the port right? A firewall or proxy may also block it",
          ),
    )
    return { findings, isReachable: false, isLoopback }
  }
  if (url.protocol !== "https:") return { findings, isReachable: true, isLoopback }
  const tls = await checkTls(host, port, timeoutMs)
  findings.push(tls)
  return { findings, isReachable: tls.severity !== "error", isLoopback }
}

function hostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`
}

function openSocket(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host, port, timeout: timeoutMs })
    socket.once("connect", () => {
      socket.destroy()
      resolve()
    })
    socket.once("timeout", () => {
      socket.destroy()
      reject(new Error(`no answer within ${timeoutMs} ms`))
    })
    socket.once("error", (e) => {
      socket.destroy()
      reject(e)
    })
  })
}

async function checkTls(host: string, port: number, timeoutMs: number): Promise<Finding> {
  let cert: PeerCertificate
  let authError: string | undefined
  try {
    ;({ cert, authError } = await handshake(host, port, timeoutMs))
  } catch (e: unknown) {
    return finding(
      "tls",
      "error",
      `TLS handshake with ${host} failed: ${errorText(e)}`,
      "the server or a proxy in between does not speak TLS on this port",
    )
  }
  const issuer = issuerName(cert)
  const expires = new Date(cert.valid_to)
  const days = Math.floor((expires.getTime() - Date.now()) / 86_400_000)
  if (authError) return untrusted(host, cert, authError, issuer, expires)
  const summary = `TLS ok: certificate issued by ${issuer}, expires ${expires.toISOString().slice(0, 10)}`
  if (days < EXPIRY_WARN_DAYS)
    return finding(
      "tls.expiry",
      "warn",
      `${summary} (in ${days} days)`,
      "tell the server's operator: the certificate is about to expire",
    )
  return finding("tls", "ok", summary)
}

/** Expired and wrong-name certificates have their own fix, so each gets its own finding and hint. */
function untrusted(
  host: string,
  cert: PeerCertificate,
  authError: string,
  issuer: string,
  expires: Date,
): Finding {
  const date = expires.toISOString().slice(0, 10)
  if (authError === "CERT_HAS_EXPIRED") {
    return finding(
      "tls.expiry",
      "error",
      `the certificate for ${host} expired on ${date} (issuer ${issuer}): ${authError}`,
      "tell the server's operator: the certificate must be renewed",
    )
  }
  if (authError === "ERR_TLS_CERT_ALTNAME_INVALID") {
    const names = cert.subjectaltname ? `it is for ${cert.subjectaltname}` : "it names no host"
    return finding(
      "tls.name",
      "error",
      `the certificate is not valid for ${host}: ${names} (issuer ${issuer}): ${authError}`,
      "check the host in the server URL; the certificate belongs to another name",
    )
  }
  return finding(
    "tls",
    "error",
    `the certificate for ${host} is not trusted: ${authError} (issuer ${issuer}, expires ${date})`,
    "a self-signed or intercepted certificate; set NODE_EXTRA_CA_CERTS to the CA file if this network re-signs TLS",
  )
}

function handshake(
  host: string,
  port: number,
  timeoutMs: number,
): Promise<{ cert: PeerCertificate; authError?: string }> {
  return new Promise((resolve, reject) => {
    // rejectUnauthorized false: we want to see and report the certificate, not just fail.
    const socket = tlsConnect({
      host,
      port,
      servername: isIP(host) ? undefined : host,
      rejectUnauthorized: false,
      timeout: timeoutMs,
      ALPNProtocols: ["http/1.1"],
    })
    socket.once("secureConnect", () => {
      const cert = socket.getPeerCertificate()
      const authError = socket.authorized ? undefined : String(socket.authorizationError ?? "unknown error")
      socket.destroy()
      resolve({ cert, ...(authError && { authError }) })
    })
    socket.once("timeout", () => {
      socket.destroy()
      reject(new Error(`no handshake within ${timeoutMs} ms`))
    })
    socket.once("error", (e) => {
      socket.destroy()
      reject(e)
    })
  })
}

function issuerName(cert: PeerCertificate): string {
  const i = cert.issuer as unknown as Record<string, string | string[] | undefined> | undefined
  const pick = (k: string) =>
    Array.isArray(i?.[k]) ? (i[k] as string[]).join(", ") : (i?.[k] as string | undefined)
  return [pick("O"), pick("CN")].filter(Boolean).join(" / ") || "unknown issuer"
}
