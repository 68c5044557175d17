import { describe, expect, it } from "bun:test"
import { join } from "node:path"
import { startSessionServer } from "../fixtures/servers/http-session.ts"
import { BUN, ROOT, runCli } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"
import type { ServerReport } from "../../src/mcp/doctor-types.ts"

// `agent mcp doctor NAME | --url URL | -- COMMAND…` on the compiled binary: which servers it
// probes, what it finds for each, and the exit code (1 when any finding is an error).
// The TLS checks are in mcp-doctor-tls.test.ts.
const BASIC = join(ROOT, "tests/fixtures/servers/stdio-basic.ts")
const agent = (t: TmpDir, args: string[]) =>
  runCli(args, { home: t.home, cwd: t.path, binary: true, timeoutMs: 60_000 })

// The JSON document `agent mcp doctor --output json` prints.
type Report = { servers: ServerReport[] }
const checks = (r: Report, name: string) =>
  r.servers.find((s) => s.name === name)!.findings.map((f) => `${f.check} ${f.severity}`)

describe("compiled binary: agent mcp doctor", () => {
  it("NAME probes only that server; an unknown NAME is exit 2 and lists the servers", async () => {
    await using t = await tmpdir()
    const file = await t.write("mcp.json", {
      mcpServers: { good: { command: BUN, args: [BASIC] }, dead: { url: "http://127.0.0.1:1/mcp" } },
    })
    const one = await agent(t, ["mcp", "doctor", "good", "--mcp", file, "-o", "json"])
    expect(one.code).toBe(0) // `dead` is broken, but it was not asked about
    const report = one.json<Report>()
    expect(report.servers.map((s) => s.name)).toEqual(["good"])
    expect(checks(report, "good")).toEqual(["config ok", "connect.mcp ok", "tools ok"])

    const all = await agent(t, ["mcp", "doctor", "--mcp", file, "-o", "json"])
    expect(all.code).toBe(1)
    expect(all.json<Report>().servers.map((s) => s.name)).toEqual(["good", "dead"])

    const unknown = await agent(t, ["mcp", "doctor", "nope", "--mcp", file])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('no server "nope"')
    expect(unknown.stderr).toContain("servers: good, dead")
    expect(unknown.stdout).toBe("")
  }, 90_000)

  it("--url probes a remote server without any config: transports, session rules, tools", async () => {
    await using srv = await startSessionServer()
    await using t = await tmpdir()
    const r = await agent(t, ["mcp", "doctor", "--url", srv.url, "-o", "json"])
    expect(r.code).toBe(0)
    const report = r.json<Report>()
    expect(report.servers.map((s) => s.name)).toEqual(["adhoc"])
    const got = checks(report, "adhoc")
    for (const c of [
      "dns ok",
      "tls info",
      "connect ok",
      "transport.session ok",
      "session.expiry ok",
      "session.delete ok",
      "connect.mcp ok",
    ]) {
      expect(got).toContain(c)
    }
    expect(got.filter((c) => c.endsWith(" error"))).toEqual([])

    const text = await agent(t, ["mcp", "doctor", "--url", srv.url, "--name", "remote"])
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/^remote\n/)
    expect(text.stdout).toMatch(/^ {2}ok {5}transport\.session +.*Mcp-Session-Id issued/m)
    expect(text.stdout).toMatch(/1 server: 0 errors, \d+ warnings? \(/)
  }, 60_000)

  it("-- COMMAND starts a stdio server ad hoc; when it dies, its last stderr lines are the hint", async () => {
    await using t = await tmpdir()
    const ok = await agent(t, ["mcp", "doctor", "-o", "json", "--", BUN, BASIC])
    expect(ok.code).toBe(0)
    const report = ok.json<Report>()
    expect(checks(report, "adhoc")).toEqual(["config ok", "connect.mcp ok", "tools ok"])
    expect(report.servers[0]!.findings[1]!.message).toContain("fixture-basic 1.2.3")

    const script = 'echo "db password rejected" >&2; echo "giving up" >&2; exit 3'
    const bad = await agent(t, ["mcp", "doctor", "--", "sh", "-c", script])
    expect(bad.code).toBe(1)
    expect(bad.stdout).toMatch(/error {2}connect\.mcp +agent cannot connect: exited with status 3/)
    expect(bad.stdout).toMatch(/hint: server stderr: db password rejected \| giving up/)
    expect(bad.stdout).toContain("1 server: 1 error, 0 warnings (something is broken)")
  }, 60_000)
})
