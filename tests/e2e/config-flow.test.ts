import { describe, expect, it } from "bun:test"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { ensureBinary } from "../helpers/binary.ts"
import { ROOT, runAgent } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"

// The whole config flow on the compiled binary, as a user (or a CI job) would drive it.
const CANARY = "e2e-canary-7d3a9b"
const agent = (t: TmpDir, args: string[], env: Record<string, string> = {}) =>
  runAgent(args, { home: t.home, cwd: t.path, env, binary: true })

describe("compiled binary: add, approve, validate, revoke", () => {
  it("gates a ${VAR} on approval bound to the server definition", async () => {
    await using t = await tmpdir()
    const env = { API_KEY: CANARY }
    expect((await agent(t, ["mcp", "add", "api", "--url", "https://api.example.com/mcp", "--header", "Authorization: Bearer ${API_KEY}"])).code).toBe(0)

    const pending = await agent(t, ["config", "validate"], env)
    expect(pending.code).toBe(3)
    expect(pending.stdout).toContain("agent env approve API_KEY --server api")

    expect((await agent(t, ["env", "approve", "API_KEY", "--server", "api"])).code).toBe(0)
    expect((await agent(t, ["config", "validate"], env)).code).toBe(0)
    expect((await agent(t, ["config", "validate"])).code).toBe(2) // approved but unset

    const list = await agent(t, ["env", "list", "-o", "json"], env)
    expect(list.code).toBe(0)
    expect(JSON.stringify(list.json())).toContain("API_KEY")

    // A changed definition voids the approval (C03).
    expect((await agent(t, ["mcp", "add", "api", "--force", "--url", "https://other.example.com/mcp", "--header", "Authorization: Bearer ${API_KEY}"])).code).toBe(0)
    expect((await agent(t, ["config", "validate"], env)).code).toBe(3)

    expect((await agent(t, ["env", "approve", "API_KEY", "--server", "api"])).code).toBe(0)
    expect((await agent(t, ["env", "revoke", "API_KEY"])).code).toBe(0)
    const revoked = await agent(t, ["config", "validate", "-o", "json"], env)
    expect(revoked.code).toBe(3)
    expect(revoked.stdout + revoked.stderr + list.stdout + list.stderr + pending.stdout + pending.stderr).not.toContain(CANARY)
  })

  it("needs `agent mcp approve` for a project server, and again after it changes", async () => {
    await using t = await tmpdir({ files: { ".mcp.json": { mcpServers: { proj: { command: "node", args: ["srv.js"] } } } } })
    expect((await agent(t, ["config", "validate"])).code).toBe(3)
    expect((await agent(t, ["mcp", "approve", "proj"])).code).toBe(3) // no TTY, no --yes
    expect((await agent(t, ["mcp", "approve", "proj", "--yes"])).code).toBe(0)
    expect((await agent(t, ["config", "validate"])).code).toBe(0)
    await t.write(".mcp.json", { mcpServers: { proj: { command: "node", args: ["evil.js"] } } })
    const changed = await agent(t, ["config", "validate"])
    expect(changed.code).toBe(3)
    const approve = await agent(t, ["mcp", "approve", "proj", "--yes"])
    expect(approve.stdout + approve.stderr).toContain("evil.js")
  })

  it("validates mcp.example.json as shipped", async () => {
    await using t = await tmpdir()
    const r = await agent(t, ["config", "validate", "--mcp", join(ROOT, "mcp.example.json")])
    expect(r.code).toBe(0)
  })
})

describe("compiled binary: concurrent and interrupted writes", () => {
  it("keeps all 100 servers when 2 processes add 50 each to the same file", async () => {
    await using t = await tmpdir()
    const bin = await ensureBinary()
    const file = join(t.path, "shared.json")
    const writer = (prefix: string) =>
      Bun.spawn(["sh", "-c", `for i in $(seq 1 50); do "$0" mcp add ${prefix}$i --mcp "$1" -q -- echo $i || exit 1; done`, bin, file], {
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", AGENTRT_HOME: t.home, HOME: t.path },
        cwd: t.path,
        stdout: "ignore",
        stderr: "pipe",
      })
    const [a, b] = [writer("a"), writer("b")]
    expect([await a.exited, await b.exited]).toEqual([0, 0])
    const servers = Object.keys(JSON.parse(readFileSync(file, "utf8")).mcpServers)
    expect(servers).toHaveLength(100)
  }, 120_000)

  it("leaves a valid file when Ctrl-C lands in the middle of writes, and exits 130", async () => {
    await using t = await tmpdir()
    const bin = await ensureBinary()
    const file = await t.write("big.json", { mcpServers: Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`s${i}`, { command: "x", args: ["y".repeat(200)] }])) })
    const codes = new Set<number>()
    for (let i = 0; i < 12; i++) {
      const p = Bun.spawn([bin, "mcp", "add", `n${i}`, "--mcp", file, "--", "echo"], {
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", AGENTRT_HOME: t.home, HOME: t.path },
        cwd: t.path,
        stdout: "ignore",
        stderr: "pipe",
      })
      await Bun.sleep(5 + ((i * 7) % 40))
      p.kill("SIGINT")
      const code = await p.exited
      codes.add(code)
      const stderr = await new Response(p.stderr).text()
      // Killed before the handler was installed (during startup) there is nothing to report.
      if (code === 130 && p.signalCode === null) expect(stderr).toContain("interrupted")
      expect(stderr).not.toContain("    at ")
      const doc = JSON.parse(readFileSync(file, "utf8"))
      expect(Object.keys(doc.mcpServers).length).toBeGreaterThanOrEqual(3000)
    }
    expect([...codes].every((c) => c === 0 || c === 130)).toBe(true)
    expect(existsSync(`${file}.lock`)).toBe(false)
  }, 120_000)
})
