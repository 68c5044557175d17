// The caller's side of a warm command must load neither the MCP SDK nor the config validator
// (docs/daemon.md, docs/design.md §13): main.ts hands the command to the daemon through the small
// client in src/cli/shared/daemon-client.ts. A preload lists every module the process evaluated
// (Bun's require.cache holds ES modules too) when it exits.
import { describe, expect, it } from "bun:test"
import { readFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { BUN, ROOT } from "../helpers/cli.ts"
import { isAlive } from "../helpers/processes.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"

const PROBE = `
process.on("exit", () => {
  require("node:fs").writeFileSync(process.env.PROBE_OUT, JSON.stringify(Object.keys(require.cache)))
})
`
const MAIN = join(ROOT, "src/main.ts")
const COUNTER = join(ROOT, "tests/fixtures/servers/stdio-counter.ts")

async function agent(t: TmpDir, args: string[], probe = false) {
  // cwd outside the repository: no bunfig preload runs, only ours.
  const proc = Bun.spawn([BUN, ...(probe ? ["--preload", join(t.path, "probe.ts")] : []), MAIN, ...args], {
    cwd: t.path,
    env: { PATH: process.env.PATH ?? "", AGENTRT_HOME: t.home, PROBE_OUT: join(t.path, "loaded.json") },
    stdout: "pipe",
    stderr: "pipe",
  })
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  const loaded = probe ? (JSON.parse(readFileSync(join(t.path, "loaded.json"), "utf8")) as string[]) : []
  return { stdout, stderr, code, loaded }
}

const heavy = (loaded: string[]) => ({
  sdk: loaded.filter((k) => /[\\/]@modelcontextprotocol[\\/]/.test(k)).length > 0,
  validator: loaded.some((k) => /[\\/]valibot[\\/]/.test(k) || k.endsWith("/src/config/schema.ts")),
  manager: loaded.some((k) => k.includes("/src/mcp/")),
})

describe("a warm command's caller side", () => {
  it("loads neither the MCP SDK nor the config validator, and a cold one does (the probe works)", async () => {
    await using t = await tmpdir({
      files: {
        "mcp.json": { mcpServers: { counter: { command: BUN, args: [COUNTER] } } },
        "probe.ts": PROBE,
      },
    })
    const call = ["mcp", "call", "counter", "increment", "--mcp", "mcp.json"]
    expect((await agent(t, ["daemon", "start"])).code).toBe(0)
    const pid = Number(
      readFileSync(join(t.home, "state", `daemon-${process.getuid!()}`, "daemon.pid"), "utf8"),
    )
    try {
      const warm = await agent(t, call, true)
      expect({ code: warm.code, stdout: warm.stdout }).toEqual({ code: 0, stdout: "1\n" })
      expect(warm.loaded.some((k) => k.endsWith("/src/cli/shared/daemon-client.ts"))).toBe(true)
      expect(heavy(warm.loaded)).toEqual({ sdk: false, validator: false, manager: false })
      const cold = await agent(t, [...call, "--no-daemon"], true)
      expect({ code: cold.code, stdout: cold.stdout }).toEqual({ code: 0, stdout: "1\n" })
      expect(heavy(cold.loaded)).toEqual({ sdk: true, validator: true, manager: true })
    } finally {
      await agent(t, ["daemon", "stop"])
      if (isAlive(pid)) process.kill(pid, "SIGKILL")
    }
  }, 60_000)
})

// node:fs, node:tty, node:net, node:util and node:crypto each cost a compiled binary 1.5–9 ms to
// load (docs/performance.md), as much as a warm call's whole margin over `agent --version`. The
// caller's side reaches them only through require() off the warm path (starting the daemon, its
// own commands, a platform without /proc): no static import of them in its module graph.
describe("a warm command's caller side, statically", () => {
  const COSTLY = [
    "node:fs",
    "node:fs/promises",
    "node:tty",
    "node:net",
    "node:util",
    "node:crypto",
    "node:readline",
  ]

  /** Every module main.ts and the warm client import statically (types excluded), with what they import. */
  function graph(entries: string[]): Map<string, string[]> {
    const seen = new Map<string, string[]>()
    const walk = (file: string) => {
      if (seen.has(file)) return
      const text = readFileSync(file, "utf8")
      const specs = [
        ...text.matchAll(
          /^(?:import|export)(?!\s+type\b)[^"'\n]*?(?:\{[^}]*\}[^"'\n]*?)?\s+from\s+["']([^"']+)["']|^import\s+["']([^"']+)["']/gms,
        ),
      ].map((m) => (m[1] ?? m[2]) as string)
      seen.set(file, specs)
      for (const spec of specs) if (spec.startsWith(".")) walk(resolve(dirname(file), spec))
    }
    for (const e of entries) walk(e)
    return seen
  }

  it("imports none of the costly Node built-ins (and the check sees one when it is there)", () => {
    const files = graph([MAIN, join(ROOT, "src/cli/shared/daemon-client.ts")])
    expect(files.has(join(ROOT, "src/cli/shared/daemon-channel.ts"))).toBe(true)
    expect(files.has(join(ROOT, "src/daemon/paths.ts"))).toBe(true)
    const costly = [...files].flatMap(([f, specs]) =>
      specs.filter((s) => COSTLY.includes(s)).map((s) => `${f.slice(ROOT.length + 1)}: ${s}`),
    )
    expect(costly).toEqual([])
    // The same walk over the cold CLI finds them: the pattern matches real import lines.
    const cold = graph([join(ROOT, "src/cli/index.ts")])
    expect([...cold.values()].flat()).toContain("node:fs")
  })
})
