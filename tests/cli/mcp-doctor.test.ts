import { describe, expect, it } from "bun:test"
import { join } from "node:path"
import { startAuthServer } from "../fixtures/oauth/as.ts"
import { startLegacySseServer } from "../fixtures/servers/http-legacy-sse.ts"
import { startSessionServer } from "../fixtures/servers/http-session.ts"
import { startStatelessServer } from "../fixtures/servers/http-stateless.ts"
import { BUN, ROOT, runCli } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"
import type { Finding, ServerReport } from "../../src/mcp/doctor-types.ts"

// `agent mcp doctor` as a black box against the real fixtures, healthy and broken.
const FIX = join(ROOT, "tests/fixtures/servers")
const ENV_FIXTURE = join(ROOT, "tests/mcp/fixtures/stdio-tools-env.ts")

// The JSON document `agent mcp doctor --output json` prints.
type Report = { servers: ServerReport[] }

async function doctor(t: TmpDir, config: object, extra: string[] = [], binary = false) {
  const file = await t.write("mcp.json", config)
  const r = await runCli(["mcp", "doctor", "--mcp", file, "-o", "json", ...extra], {
    home: t.home,
    cwd: t.path,
    binary,
    timeoutMs: 40_000,
  })
  const servers = Object.fromEntries(r.json<Report>().servers.map((s) => [s.name, s.findings]))
  return { code: r.code, stderr: r.stderr, servers }
}

const find = (findings: Finding[] | undefined, check: string) =>
  (findings ?? []).filter((f) => f.check === check)
const severityOf = (findings: Finding[] | undefined, check: string) =>
  find(findings, check).map((f) => f.severity)

describe("agent mcp doctor", () => {
  it("reports each fixture's transport, session behaviour and tools without errors", async () => {
    await using stateless = await startStatelessServer()
    await using session = await startSessionServer()
    await using sse = await startLegacySseServer()
    await using t = await tmpdir()
    const config = {
      mcpServers: {
        local: { command: BUN, args: [join(FIX, "stdio-basic.ts")] },
        stateless: { url: stateless.url },
        session: { url: session.url },
        legacy: { url: sse.url },
      },
    }
    const { code, servers } = await doctor(t, config)
    expect(code).toBe(0)
    for (const findings of Object.values(servers))
      expect(findings.filter((f) => f.severity === "error")).toEqual([])
    expect(severityOf(servers.local, "connect.mcp")).toEqual(["ok"])
    expect(severityOf(servers.stateless, "dns")).toEqual(["ok"])
    expect(find(servers.stateless, "dns")[0]!.message).toContain("loopback")
    expect(severityOf(servers.stateless, "transport.stateless")).toEqual(["ok"])
    expect(severityOf(servers.stateless, "transport.sse")).toEqual(["info"])
    expect(severityOf(servers.session, "transport.stateless")).toEqual(["info"])
    expect(find(servers.session, "transport.session")[0]!.message).toContain("Mcp-Session-Id issued")
    expect(severityOf(servers.session, "session.expiry")).toEqual(["ok"])
    expect(severityOf(servers.session, "session.delete")).toEqual(["ok"])
    expect(severityOf(servers.legacy, "transport.sse")).toEqual(["ok"])
    expect(severityOf(servers.legacy, "transport.session")).toEqual(["info"])
  }, 60_000)

  it("exits 1 on a dead port (DNS ok, connect refused) and a stdio command that does not exist", async () => {
    await using t = await tmpdir()
    const { code, servers } = await doctor(t, {
      mcpServers: {
        dead: { url: "http://127.0.0.1:1/mcp" },
        missing: { command: "/nonexistent/agentrt-doctor-nope" },
      },
    })
    expect(code).toBe(1)
    expect(severityOf(servers.dead, "dns")).toEqual(["ok"])
    expect(severityOf(servers.dead, "connect")).toEqual(["error"])
    expect(find(servers.dead, "connect")[0]!.message).toContain("ECONNREFUSED")
    expect(find(servers.dead, "connect")[0]!.hint).toBeTruthy()
    expect(severityOf(servers.missing, "connect.mcp")).toEqual(["error"])
    expect(find(servers.missing, "connect.mcp")[0]!.message).toContain("/nonexistent/agentrt-doctor-nope")
  }, 30_000)

  it("flags a 70-character tool name, control characters, and a recursive $ref for every provider", async () => {
    await using t = await tmpdir()
    const { code, servers } = await doctor(t, {
      mcpServers: { odd: { command: BUN, args: [ENV_FIXTURE], env: { HOSTILE: "1" } } },
    })
    expect(code).toBe(0) // warnings only
    const names = find(servers.odd, "tools.name")
    expect(names.map((f) => f.severity)).toEqual(["warn"])
    expect(names[0]!.message).toContain("70-character")
    const text = find(servers.odd, "tools.text")
    expect(text.map((f) => f.severity)).toEqual(["warn"])
    expect(text[0]!.message).toContain("sneaky")
    for (const p of ["anthropic", "openai", "google", "bedrock"]) {
      const f = find(servers.odd, `tools.schema.${p}`).filter((x) => x.message.includes("tree"))
      expect(f.map((x) => x.severity)).toEqual(["warn"])
      expect(f[0]!.message).toContain("recursive $ref")
    }
  }, 30_000)

  it("walks the OAuth chain read-only, and names the broken link: PRM resource, issuer, PKCE", async () => {
    await using as = await startAuthServer({ offlineAccess: true })
    await using t = await tmpdir()
    const config = { mcpServers: { secure: { url: as.url } } }
    const good = await doctor(t, config)
    expect(good.code).toBe(0)
    for (const check of [
      "auth.challenge",
      "auth.prm",
      "auth.as",
      "auth.registration",
      "auth.pkce",
      "auth.refresh",
    ]) {
      expect(severityOf(good.servers.secure, check)).toEqual(["ok"])
    }
    expect(find(good.servers.secure, "auth.challenge")[0]!.message).toContain("resource_metadata=")
    expect(severityOf(good.servers.secure, "connect.mcp")).toEqual(["warn"]) // not signed in: not broken
    expect(as.counters.registrations).toBe(0)
    expect(as.requests.some((r) => r.path === "/authorize" || r.path === "/token")).toBe(false)

    as.misbehave.prmResource = "http://127.0.0.1:1/other"
    const prm = await doctor(t, config)
    expect(prm.code).toBe(1)
    expect(severityOf(prm.servers.secure, "auth.prm")).toEqual(["error"])
    delete as.misbehave.prmResource

    as.misbehave.metadataIssuer = "http://127.0.0.1:1"
    as.misbehave.pkce = "absent"
    const meta = await doctor(t, config)
    expect(meta.code).toBe(1)
    expect(severityOf(meta.servers.secure, "auth.as")).toEqual(["error"])
    expect(severityOf(meta.servers.secure, "auth.pkce")).toEqual(["error"])
  }, 60_000)

  it("treats a 2025-03-26 server (no PRM, AS on its own origin) as a warning it can sign in to", async () => {
    await using as = await startAuthServer({ sameOriginAs: "no-prm" })
    await using t = await tmpdir()
    const legacy = await doctor(t, { mcpServers: { old: { url: as.url } } })
    expect(severityOf(legacy.servers.old, "auth.prm")).toEqual(["warn"])
    expect(severityOf(legacy.servers.old, "auth.as")).toEqual(["info"])
    expect(severityOf(legacy.servers.old, "auth.pkce")).toEqual(["ok"])
    expect(legacy.code).toBe(0)
  }, 60_000)

  it("works from the compiled binary, text output grouped per server", async () => {
    await using t = await tmpdir()
    const file = await t.write("mcp.json", {
      mcpServers: { local: { command: BUN, args: [ENV_FIXTURE] }, dead: { url: "http://127.0.0.1:1/mcp" } },
    })
    const r = await runCli(["mcp", "doctor", "--mcp", file], {
      home: t.home,
      cwd: t.path,
      binary: true,
      timeoutMs: 60_000,
    })
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/^local\n {2}ok {5}config/m)
    expect(r.stdout).toMatch(/^dead\n/m)
    expect(r.stdout).toMatch(/error {2}connect +nothing listens on 127\.0\.0\.1:1 \(connection refused/)
    expect(r.stdout).toContain("hint: ")
    expect(r.stdout).toMatch(/2 servers: 2 errors, 0 warnings \(something is broken\)/)
  }, 120_000)
})
