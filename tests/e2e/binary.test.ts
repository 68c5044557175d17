// The compiled dist/agent as users get it (docs/design.md §11): version stamping, help, error
// rendering, and that files in the working directory cannot change how the binary runs.
import { describe, expect, it } from "bun:test"
import { join } from "node:path"
import { compileOptions } from "../../build.ts"
import pkg from "../../package.json"
import { runCli } from "../helpers/cli.ts"
import { tmpdir } from "../helpers/tmp.ts"

const STACK_LINE = /^\s+at .+/m

describe("compiled binary", () => {
  it("prints package.json's version", async () => {
    const r = await runCli(["--version"], { binary: true })
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`${pkg.version}\n`)
    expect(r.stderr).toBe("")
  })

  it("prints help with examples", async () => {
    const r = await runCli(["--help"], { binary: true })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("Examples:")
    expect(r.stdout).toContain(pkg.version)
  })

  it("rejects an unknown command with exit 2 and one error line, no stack", async () => {
    const r = await runCli(["no-such-command"], { binary: true })
    expect(r.code).toBe(2)
    expect(r.stdout).toBe("")
    expect(r.stderr.split("\n").filter((l) => l.startsWith("error:"))).toHaveLength(1)
    expect(r.stderr).not.toMatch(STACK_LINE)
  })

  it("adds a stack trace with --debug", async () => {
    const r = await runCli(["no-such-command", "--debug"], { binary: true })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("error:")
    expect(r.stderr).toMatch(STACK_LINE)
  })
})

// dist/agent has no command that echoes the environment, and src/ must not grow a debug one for a
// test, so this compiles a probe with build.ts's own options and runs it next to a .env and a
// bunfig.toml. A control build with Bun's defaults proves the probe would notice a leak.
describe("build options", () => {
  const PROBE = `console.log(JSON.stringify({ env: process.env.AGENTRT_PROBE ?? null, preload: globalThis.__probePreload ?? null }))`

  async function probe(autoload: boolean): Promise<{ env: string | null; preload: string | null }> {
    await using t = await tmpdir({
      files: {
        "probe/main.ts": PROBE,
        "cwd/.env": "AGENTRT_PROBE=leak\n",
        "cwd/bunfig.toml": 'preload = ["./preload.ts"]\n',
        "cwd/preload.ts": 'globalThis.__probePreload = "ran"\n',
      },
    })
    const out = join(t.path, "probe/probe")
    const options = compileOptions(join(t.path, "probe/main.ts"), out)
    if (autoload) options.compile = { outfile: out } // Bun's defaults: both autoloads on
    const built = await Bun.build(options)
    expect(built.success).toBe(true)
    const r = Bun.spawnSync([out], { cwd: join(t.path, "cwd"), env: { PATH: process.env.PATH ?? "" } })
    expect(r.exitCode).toBe(0)
    return JSON.parse(r.stdout.toString())
  }

  it("does not load .env or bunfig.toml from the working directory", async () => {
    expect(await probe(false)).toEqual({ env: null, preload: null })
  })

  it("control: a default compile would load both", async () => {
    expect(await probe(true)).toEqual({ env: "leak", preload: "ran" })
  })
})
