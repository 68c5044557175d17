import { afterAll, beforeAll, describe, expect, it } from "bun:test"
import { mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises"
import { tmpdir as osTmpdir } from "node:os"
import { join } from "node:path"
import { createMcpHandler } from "@modelcontextprotocol/server"
import { createFixtureServer } from "../fixtures/servers/tools.ts"
import { runCli } from "../helpers/cli.ts"
import { tmpdir } from "../helpers/tmp.ts"
import type { ServerReport } from "../../src/mcp/doctor-types.ts"

// `agent mcp doctor --url https://…` checks the TLS handshake (issuer, expiry, trust), on the
// compiled binary, against HTTPS servers on 127.0.0.1 with certificates made here by openssl:
// self-signed, signed by a test CA (trusted only through NODE_EXTRA_CA_CERTS, the fix the
// doctor's hint names), about to expire, expired, and issued for another host name.

// The JSON document `agent mcp doctor --output json` prints.
type Report = { servers: ServerReport[] }

let dir: string
const pem = (name: string) => readFile(join(dir, name), "utf8")

function openssl(...args: string[]) {
  const r = Bun.spawnSync(["openssl", ...args], { cwd: dir, stdout: "pipe", stderr: "pipe" })
  if (r.exitCode !== 0) throw new Error(`openssl ${args.join(" ")} failed:\n${r.stderr.toString()}`)
}

/** A leaf signed by the test CA for `san`, valid for `days` from now (negative: already expired). */
async function leaf(name: string, san: string, days: number) {
  await writeFile(join(dir, `${name}.ext`), `subjectAltName=${san}\n`)
  openssl(
    "x509",
    "-req",
    "-in",
    "leaf.csr",
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-days",
    String(days),
    "-extfile",
    `${name}.ext`,
    "-out",
    `${name}.crt`,
  )
}

beforeAll(async () => {
  dir = await realpath(await mkdtemp(join(osTmpdir(), "agentrt-tls-")))
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
  openssl(
    "req",
    "-x509",
    ...ec,
    "-keyout",
    "self.key",
    "-out",
    "self.crt",
    "-days",
    "30",
    "-subj",
    "/O=agentrt tests/CN=self-signed",
    "-addext",
    "subjectAltName=IP:127.0.0.1",
  )
  openssl(
    "req",
    "-x509",
    ...ec,
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
    "-days",
    "30",
    "-subj",
    "/O=agentrt tests/CN=test CA",
  )
  openssl("req", "-new", "-key", "self.key", "-subj", "/O=agentrt tests/CN=leaf", "-out", "leaf.csr")
  await leaf("good", "IP:127.0.0.1", 30)
  await leaf("soon", "IP:127.0.0.1", 5)
  await leaf("expired", "IP:127.0.0.1", -1)
  await leaf("other", "DNS:other.example", 30)
})
afterAll(() => rm(dir, { recursive: true, force: true }))

/** An HTTPS MCP server (the shared fixture surface, stateless) on 127.0.0.1 with this certificate. */
async function httpsServer(cert: string) {
  const handler = createMcpHandler(({ era }) => createFixtureServer(era), {
    legacy: "stateless",
    responseMode: "auto",
    keepAliveMs: 0,
  })
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    tls: { cert: await pem(cert), key: await pem("self.key") },
    fetch: (req) =>
      new URL(req.url).pathname === "/mcp" ? handler.fetch(req) : new Response("not found", { status: 404 }),
  })
  return { url: `https://127.0.0.1:${server.port}/mcp`, [Symbol.asyncDispose]: () => server.stop(true) }
}

async function doctor(cert: string, opts: { trustCa?: boolean } = {}) {
  await using srv = await httpsServer(cert)
  await using t = await tmpdir()
  const env = opts.trustCa ? { NODE_EXTRA_CA_CERTS: join(dir, "ca.crt") } : undefined
  const r = await runCli(["mcp", "doctor", "--url", srv.url, "-o", "json"], {
    home: t.home,
    cwd: t.path,
    binary: true,
    timeoutMs: 60_000,
    ...(env && { env }),
  })
  const findings = r.json<Report>().servers[0]!.findings
  const tls = findings.filter((f) => f.check.startsWith("tls"))
  expect(tls).toHaveLength(1)
  return { code: r.code, tls: tls[0]!, findings }
}

describe("compiled binary: agent mcp doctor, TLS", () => {
  it("a self-signed certificate: not trusted, named as such, with the hint to trust its CA; exit 1", async () => {
    const { code, tls, findings } = await doctor("self.crt")
    expect(code).toBe(1)
    expect(tls).toMatchObject({ check: "tls", severity: "error" })
    expect(tls.message).toContain("the certificate for 127.0.0.1 is not trusted")
    expect(tls.message).toContain("SELF_SIGNED")
    expect(tls.message).toContain("issuer agentrt tests / self-signed")
    expect(tls.hint).toContain("NODE_EXTRA_CA_CERTS")
    // Nothing past a failed handshake is probed, and agent's own connect fails the same way.
    expect(findings.some((f) => f.check.startsWith("transport"))).toBe(false)
    expect(findings.find((f) => f.check === "connect.mcp")?.severity).toBe("error")
  }, 60_000)

  it("the hint works: with the CA in NODE_EXTRA_CA_CERTS the certificate is trusted and MCP answers; exit 0", async () => {
    const untrusted = await doctor("good.crt")
    expect(untrusted.code).toBe(1)
    expect(untrusted.tls.severity).toBe("error")

    const { code, tls, findings } = await doctor("good.crt", { trustCa: true })
    expect(tls).toMatchObject({ check: "tls", severity: "ok" })
    expect(tls.message).toMatch(
      /^TLS ok: certificate issued by agentrt tests \/ test CA, expires \d{4}-\d\d-\d\d$/,
    )
    expect(findings.find((f) => f.check === "transport.stateless")?.severity).toBe("ok")
    expect(findings.find((f) => f.check === "connect.mcp")?.severity).toBe("ok")
    expect(code).toBe(0)
  }, 60_000)

  it("a certificate that expires within 14 days is a warning, not an error", async () => {
    const { code, tls } = await doctor("soon.crt", { trustCa: true })
    expect(tls).toMatchObject({ check: "tls.expiry", severity: "warn" })
    expect(tls.message).toMatch(/\(in [45] days\)$/)
    expect(tls.hint).toContain("about to expire")
    expect(code).toBe(0)
  }, 60_000)

  it("an expired certificate and one for another host are errors of their own, each with its fix", async () => {
    const expired = await doctor("expired.crt", { trustCa: true })
    expect(expired.code).toBe(1)
    expect(expired.tls).toMatchObject({ check: "tls.expiry", severity: "error" })
    expect(expired.tls.message).toMatch(
      /^the certificate for 127\.0\.0\.1 expired on \d{4}-\d\d-\d\d .*CERT_HAS_EXPIRED$/,
    )
    expect(expired.tls.hint).toContain("renewed")

    const other = await doctor("other.crt", { trustCa: true })
    expect(other.code).toBe(1)
    expect(other.tls).toMatchObject({ check: "tls.name", severity: "error" })
    expect(other.tls.message).toContain("not valid for 127.0.0.1: it is for DNS:other.example")
    expect(other.tls.hint).toContain("host in the server URL")
  }, 60_000)
})
