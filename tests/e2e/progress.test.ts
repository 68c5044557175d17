// Progress of a long tool call on the compiled binary (issue 12): without a terminal at most one
// line a second, at a terminal one line rewritten in place and erased, and none with -q.
import { describe, expect, it } from "bun:test"
import { join } from "node:path"
import { BUN, ROOT, runCli, runCliTty } from "../helpers/cli.ts"
import { tmpdir } from "../helpers/tmp.ts"

const BASIC = join(ROOT, "tests/fixtures/servers/stdio-basic.ts")
const TICK = /\[local\] \d+% tick \d+/

describe("compiled binary: tool call progress", () => {
  it("without a terminal: a 3 s call with progress every 100 ms prints at most one line a second", async () => {
    await using t = await tmpdir()
    const file = await t.write("mcp.json", { mcpServers: { local: { command: BUN, args: [BASIC] } } })
    const started = performance.now()
    const r = await runCli(["mcp", "call", "local", "slow", "--arg", "ms=3000", "--mcp", file], {
      home: t.home,
      cwd: t.path,
      binary: true,
    })
    const seconds = (performance.now() - started) / 1000
    expect(r.code).toBe(0)
    expect(r.stdout).toBe("slept 3000 ms\n")
    const lines = r.stderr.split("\n").filter((l) => TICK.test(l))
    // ~30 notifications arrive; the count is bounded by the run's own length, not by them.
    expect(lines.length).toBeGreaterThanOrEqual(2)
    expect(lines.length).toBeLessThanOrEqual(Math.ceil(seconds) + 1)
    expect(r.stderr).not.toContain("\r")

    const quiet = await runCli(["mcp", "call", "local", "slow", "--arg", "ms=500", "-q", "--mcp", file], {
      home: t.home,
      cwd: t.path,
      binary: true,
    })
    expect(quiet.code).toBe(0)
    expect(quiet.stdout).toBe("slept 500 ms\n")
    expect(quiet.stderr).not.toMatch(TICK)
  }, 40_000)

  it("at a terminal: one line rewritten with \\r and erase-line, gone from the screen at the end", async () => {
    await using t = await tmpdir()
    const file = await t.write("mcp.json", { mcpServers: { local: { command: BUN, args: [BASIC] } } })
    const r = await runCliTty(["mcp", "call", "local", "slow", "--arg", "ms=2000", "--mcp", file], {
      home: t.home,
      cwd: t.path,
      binary: true,
      input: [],
      timeoutMs: 30_000,
    })
    expect(r.code).toBe(0)
    const raw = r.stdout
    // Many redraws, all on one line: no newline between two progress states.
    expect(raw.split("\r\x1b[2K").length).toBeGreaterThan(3)
    expect(raw.split("\n").filter((l) => TICK.test(l))).toHaveLength(1)
    // What the screen shows: each line after its last carriage return.
    const screen = raw.split("\n").map((l) => l.slice(l.lastIndexOf("\r") + 1).replace("\x1b[2K", ""))
    expect(screen.filter((l) => TICK.test(l))).toHaveLength(0)
    expect(screen).toContain("slept 2000 ms")
  }, 40_000)
})
