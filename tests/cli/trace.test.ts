import { describe, expect, it } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { BUN, ROOT, runCli } from "../helpers/cli.ts"
import { tmpdir } from "../helpers/tmp.ts"

// AGENTRT_TRACE (src/cli/shared/trace.ts): a cold connect's milestones on stderr, for measuring
// (docs/performance.md); stdout and the exit code do not change, and nothing is traced unless asked.
const basic = { command: BUN, args: [join(ROOT, "tests/fixtures/servers/stdio-basic.ts")] }
const MILESTONES = [
  "command line parsed",
  "config loaded and validated",
  "servers resolved (approvals, fingerprints)",
  "first server spawned",
  "SDK loaded",
  "first server answered (initialize or server/discover)",
  "every server settled (lists included)",
  "command done (output written), closing servers",
]

const traced = (stderr: string) =>
  stderr
    .split("\n")
    .filter((l) => l.startsWith("trace: "))
    .map((l) => /^trace: +([\d.]+) ms +cpu +([\d.]+) ms +(.+)$/.exec(l))

describe("AGENTRT_TRACE", () => {
  it("prints each milestone once, in order, with wall and CPU times that never go back; stdout unchanged", async () => {
    await using t = await tmpdir()
    const file = await t.write("mcp.json", { mcpServers: { a: basic, b: basic, c: basic } })
    const args = ["mcp", "list", "--output", "json", "--mcp", file]
    const on = await runCli(args, { home: t.home, cwd: t.path, env: { AGENTRT_TRACE: "1" } })
    const off = await runCli(args, { home: t.home, cwd: t.path })
    expect(on.code).toBe(0)
    const lines = traced(on.stderr)
    expect(lines.every((m) => m !== null)).toBe(true)
    expect(lines.map((m) => m![3])).toEqual(MILESTONES)
    const walls = lines.map((m) => Number(m![1]))
    const cpus = lines.map((m) => Number(m![2]))
    expect(walls).toEqual([...walls].sort((x, y) => x - y))
    expect(cpus).toEqual([...cpus].sort((x, y) => x - y))
    const rows = (r: typeof on) =>
      r.json<{ servers: { connectMs: number | null }[] }>().servers.map((s) => ({ ...s, connectMs: 0 }))
    expect(off.code).toBe(0)
    expect(rows(on)).toEqual(rows(off))
    expect(off.stderr).not.toContain("trace:")
  })

  it("stays off for AGENTRT_TRACE=0", async () => {
    await using t = await tmpdir()
    const file = await t.write("mcp.json", { mcpServers: { a: basic } })
    const r = await runCli(["mcp", "list", "--mcp", file], {
      home: t.home,
      cwd: t.path,
      env: { AGENTRT_TRACE: "0" },
    })
    expect(r.code).toBe(0)
    expect(r.stderr).not.toContain("trace:")
  })

  it("in a daemon started with it: each request's milestones in the daemon's log, none when it was not", async () => {
    for (const isTraced of [true, false]) {
      await using t = await tmpdir()
      const file = await t.write("mcp.json", { mcpServers: { a: basic } })
      const env: Record<string, string> = isTraced ? { AGENTRT_TRACE: "1" } : {}
      const opts = { home: t.home, cwd: t.path, env }
      expect((await runCli(["daemon", "start"], opts)).code).toBe(0)
      try {
        // The caller's own AGENTRT_TRACE does not matter here: the daemon's traces the request.
        const call = await runCli(["mcp", "call", "a", "echo", "--arg", "text=hi", "--mcp", file], {
          home: t.home,
          cwd: t.path,
        })
        expect({ code: call.code, stdout: call.stdout }).toEqual({ code: 0, stdout: "hi\n" })
        expect(call.stderr).not.toContain("trace:")
      } finally {
        await runCli(["daemon", "stop"], opts)
      }
      const log = readFileSync(
        join(t.home, "state", `daemon-${process.getuid?.() ?? "user"}`, "daemon.log"),
        "utf8",
      )
      const lines = traced(log.replace(/^\S+Z trace:/gm, "trace:"))
      if (!isTraced) {
        expect(lines).toEqual([])
        continue
      }
      expect(lines.every((m) => m !== null)).toBe(true)
      expect(lines.map((m) => m![3])).toEqual([
        "request taken",
        "command starts",
        "command line parsed",
        "config loaded and validated",
        "servers resolved (approvals, fingerprints)",
        "servers taken from the pool",
        "connected",
        "command done (output written), closing servers",
        "command returned",
        "output flushed",
        "answered",
      ])
      const walls = lines.map((m) => Number(m![1]))
      expect(walls).toEqual([...walls].sort((x, y) => x - y))
    }
  }, 60_000)
})
