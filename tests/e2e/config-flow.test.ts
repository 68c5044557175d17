import { describe, expect, it } from "bun:test"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { ensureBinary } from "../helpers/binary.ts"
import { ROOT, runCli } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"

// The whole config flow on the compiled binary, as a user (or a CI job) would drive it.
const CANARY = "e2e-canary-7d3a9b"
const agent = (t: TmpDir, args: string[], env: Record<string, string> = {}) =>
  runCli(args, { home: t.home, cwd: t.path, env, binary: true })

describe("compiled binary: add, approve, validate, revoke", () => {
  it("gates a ${VAR} on approval bound to the server definition", async () => {
    await using t = await tmpdir()
    const env = { API_KEY: CANARY }
    expect(
      (
        await agent(t, [
          "mcp",
          "add",
          "api",
          "--url",
          "https://api.example.com/mcp",
          "--header",
          "Authorization: Bearer ${API_KEY}",
        ])
      ).code,
    ).toBe(0)

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
    expect(
      (
        await agent(t, [
          "mcp",
          "add",
          "api",
          "--force",
          "--url",
          "https://other.example.com/mcp",
          "--header",
          "Authorization: Bearer ${API_KEY}",
        ])
      ).code,
    ).toBe(0)
    expect((await agent(t, ["config", "validate"], env)).code).toBe(3)

    expect((await agent(t, ["env", "approve", "API_KEY", "--server", "api"])).code).toBe(0)
    expect((await agent(t, ["env", "revoke", "API_KEY"])).code).toBe(0)
    const revoked = await agent(t, ["config", "validate", "-o", "json"], env)
    expect(revoked.code).toBe(3)
    expect(
      revoked.stdout + revoked.stderr + list.stdout + list.stderr + pending.stdout + pending.stderr,
    ).not.toContain(CANARY)
  })

  it("needs `agent mcp approve` for a project server, and again after it changes", async () => {
    await using t = await tmpdir({
      files: { ".mcp.json": { mcpServers: { proj: { command: "node", args: ["srv.js"] } } } },
    })
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
      Bun.spawn(
        [
          "sh",
          "-c",
          `for i in $(seq 1 50); do "$0" mcp add ${prefix}$i --mcp "$1" -q -- echo $i || exit 1; done`,
          bin,
          file,
        ],
        {
          env: { PATH: process.env.PATH ?? "/usr/bin:/bin", AGENTRT_HOME: t.home, HOME: t.path },
          cwd: t.path,
          stdout: "ignore",
          stderr: "pipe",
        },
      )
    const [a, b] = [writer("a"), writer("b")]
    expect([await a.exited, await b.exited]).toEqual([0, 0])
    const servers = Object.keys(JSON.parse(readFileSync(file, "utf8")).mcpServers)
    expect(servers).toHaveLength(100)
  }, 120_000)

  it("keeps the old file when Ctrl-C lands in the middle of a write, and exits 130", async () => {
    await using t = await tmpdir()
    const bin = await ensureBinary()
    const file = await t.write("servers.json", { mcpServers: { a: { command: "x" }, b: { command: "y" } } })
    const before = readFileSync(file, "utf8")
    const paused = `${file}.paused`
    // AGENTRT_TEST_PAUSE_WRITE (util/atomic.ts) holds the writer after its temp file is complete
    // and before the rename, so the SIGINT below is certain to arrive in the middle of the write.
    const p = Bun.spawn([bin, "mcp", "add", "n", "--mcp", file, "--", "echo"], {
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        AGENTRT_HOME: t.home,
        HOME: t.path,
        AGENTRT_TEST_PAUSE_WRITE: file,
      },
      cwd: t.path,
      stdout: "ignore",
      stderr: "pipe",
    })
    try {
      const deadline = Date.now() + 20_000
      while (!existsSync(paused)) {
        if (p.exitCode !== null || Date.now() > deadline)
          throw new Error(`the writer never paused: ${await new Response(p.stderr).text()}`)
        await Bun.sleep(10)
      }
      // Mid-write: the new content sits complete in a temp file; the target is still the old one.
      const temps = readdirSync(t.path).filter((n) => /^\.servers\.json\.\d+\.[0-9a-f]+\.tmp$/.test(n))
      expect(temps).toHaveLength(1)
      expect(Object.keys(JSON.parse(readFileSync(join(t.path, temps[0]!), "utf8")).mcpServers)).toEqual([
        "a",
        "b",
        "n",
      ])
      expect(readFileSync(file, "utf8")).toBe(before)
      expect(existsSync(`${file}.lock`)).toBe(true)
      p.kill("SIGINT")
      expect(await p.exited).toBe(130)
    } finally {
      p.kill("SIGKILL")
    }
    expect(p.signalCode).toBeNull() // our handler exited 130, not the signal's default action
    const stderr = await new Response(p.stderr).text()
    expect(stderr).toContain("interrupted")
    expect(stderr).not.toContain("    at ")
    expect(readFileSync(file, "utf8")).toBe(before)
    expect(existsSync(`${file}.lock`)).toBe(false)
    // The interrupted writer's temp stays (a later writer sweeps it once stale); the next add works.
    const again = await agent(t, ["mcp", "add", "n", "--mcp", file, "--", "echo"])
    expect(again.code).toBe(0)
    expect(Object.keys(JSON.parse(readFileSync(file, "utf8")).mcpServers)).toEqual(["a", "b", "n"])
  }, 60_000)
})
