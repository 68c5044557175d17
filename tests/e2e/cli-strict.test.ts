import { describe, expect, it } from "bun:test"
import { join } from "node:path"
import type { Command } from "../../src/cli/command.ts"
import { commandTree } from "../../src/cli/index.ts"
import { argsOf } from "../../src/cli/strict.ts"
import { startSessionServer } from "../fixtures/servers/http-session.ts"
import { BUN, ROOT, runCli, type CliResult } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"

// Issue 12, "Flags and commands", on the compiled binary: every command is strict about its
// flags, names and values, and its --help fits a terminal. The commands come from the command
// tree itself, so a command added later is covered without touching this file.

const BASIC = join(ROOT, "tests/fixtures/servers/stdio-basic.ts")

const agent = (args: string[], t?: TmpDir) =>
  runCli(args, { binary: true, timeoutMs: 40_000, ...(t && { home: t.home, cwd: t.path }) })

interface Node {
  path: string[]
  cmd: Command
}

async function commands(): Promise<Node[]> {
  const out: Node[] = []
  const walk = async (cmd: Command, path: string[]) => {
    out.push({ path, cmd })
    for (const [name, load] of Object.entries(
      (cmd.subCommands ?? {}) as Record<string, () => Promise<Command>>,
    ))
      await walk(await load(), [...path, name])
  }
  await walk(commandTree, [])
  return out
}

/** Runs `f` over the items, `n` at a time (each item spawns the binary). */
async function eachLimited<T>(items: T[], n: number, f: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items]
  await Promise.all(
    Array.from({ length: n }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await f(item)
    }),
  )
}

/** A typo of `name`: two neighbouring letters swapped (output → otuput). */
function typo(name: string): string {
  const k = [...name].findIndex(
    (c, i) => i > 0 && name[i + 1] !== undefined && c !== name[i + 1] && /[a-z]/.test(c + name[i + 1]),
  )
  return `${name.slice(0, k)}${name[k + 1]}${name[k]}${name.slice(k + 2)}`
}

function firstError(r: CliResult): string {
  return r.stderr.split("\n").find((l) => l.startsWith("error:")) ?? `(no error line; stderr: ${r.stderr})`
}

describe("compiled binary: every command's --help", () => {
  it("fits the terminal and describes every flag the command accepts", async () => {
    const all = await commands()
    expect(all.length).toBeGreaterThan(30)
    await eachLimited(all, 4, async ({ path, cmd }) => {
      const r = await agent([...path, "--help"])
      const where = `agent ${path.join(" ")} --help`
      expect(r.code, where).toBe(0)
      expect(r.stderr, where).toBe("")
      const lines = r.stdout.split("\n")
      const examplesAt = lines.indexOf("Examples:")
      for (const [i, line] of lines.entries()) {
        expect(line.length, `${where}: ${line}`).toBeLessThanOrEqual(100)
        // Everything but the example commands, which are shown as typed, wraps at 80.
        if (examplesAt < 0 || i < examplesAt || line.startsWith("  #"))
          expect(line.length, `${where}: ${line}`).toBeLessThanOrEqual(80)
      }
      expect(r.stdout, where).toContain(`Usage: ${["agent", ...path].join(" ")} `)
      expect(r.stdout, where).not.toContain(`${path.at(-1)} ${path.at(-1)} `)
      // No odd lines as citty printed them: "--interactive --no-interactive: …", "(default: the manager's)".
      const body = (examplesAt < 0 ? lines : lines.slice(0, examplesAt)).join("\n")
      expect(body, where).not.toMatch(/--\S+ --no-|\(default: the /)
      // Every flag row has a description, on its line or the next one.
      for (const [i, line] of lines.entries()) {
        if (!/^ {2}(-\w, )?--[\w-]+/.test(line) || (examplesAt >= 0 && i > examplesAt)) continue
        const described = /\S {2,}\S/.test(line.trim()) || /^ {10,}\S/.test(lines[i + 1] ?? "")
        expect(described, `${where}: ${line}`).toBe(true)
      }
      // Every declared flag is listed (a boolean that only matters off as --no-NAME).
      for (const [name, def] of Object.entries(argsOf(cmd))) {
        if (def.type === "positional") continue
        expect(
          new RegExp(`^  (-\\w, )?--(no-)?${name}\\b`, "m").test(r.stdout),
          `${where} lists --${name}`,
        ).toBe(true)
      }
    })
  }, 240_000)
})

describe("compiled binary: strict flags", () => {
  it("refuses a misspelt flag on every command with exit 2 and a suggestion, running nothing", async () => {
    await using t = await tmpdir()
    await eachLimited(await commands(), 4, async ({ path, cmd }) => {
      const own = Object.entries(cmd.args ?? {})
        .filter(([n, d]) => (d as { type?: string }).type !== "positional" && n.length >= 4)
        .map(([n]) => n)
      const name = own[0] ?? "quiet"
      for (const [args, message] of [
        [[...path, `--${typo(name)}`], `error: unknown option --${typo(name)} (did you mean --${name}?)`],
        [[...path, "-x"], "error: unknown option -x"],
      ] as const) {
        const r = await agent([...args], t)
        expect(r.code, args.join(" ")).toBe(2)
        expect(r.stdout, args.join(" ")).toBe("")
        expect(firstError(r), args.join(" ")).toBe(message)
      }
    })
  }, 240_000)

  it("answers the issue's examples: flags, commands and values", async () => {
    await using t = await tmpdir()
    const cases: [string[], string][] = [
      [["mcp", "list", "--ouptut", "json"], "error: unknown option --ouptut (did you mean --output?)"],
      [["config", "validate", "--mpc", "FILE"], "error: unknown option --mpc (did you mean --mcp?)"],
      [["mcp", "list", "-x"], "error: unknown option -x"],
      [["run", "--modle", "openai:gpt-5", "hi"], "error: unknown option --modle (did you mean --model?)"],
      [["mcp", "lsit"], 'error: unknown command "lsit" for agent mcp (did you mean list?)'],
      [["mcp", "list", "--output", "yaml"], 'error: --output must be one of: text, json (got "yaml")'],
      [
        ["mcp", "list", "--output", "jsno"],
        'error: --output must be one of: text, json (got "jsno"; did you mean json?)',
      ],
      [["run", "-o", "yaml", "hi"], 'error: --output must be one of: text, json, stream-json (got "yaml")'],
      [["mcp", "list", "--interactive=no"], "error: option --interactive takes no value"],
      [["mcp", "list", "stray"], 'error: unexpected argument "stray": agent mcp list takes no arguments'],
      [["mcp", "list", "--mcp"], "error: option --mcp needs a value"],
    ]
    for (const [args, message] of cases) {
      const r = await agent(args, t)
      expect(r.code, args.join(" ")).toBe(2)
      expect(r.stdout, args.join(" ")).toBe("")
      expect(firstError(r), args.join(" ")).toBe(message)
    }
  }, 60_000)

  it("prints a group's help: on stdout with --help (exit 0), on stderr when the subcommand is missing (exit 2)", async () => {
    const asked = await agent(["mcp", "--help"])
    expect(asked.code).toBe(0)
    expect(asked.stdout).toContain("Commands:\n  list ")
    const missing = await agent(["mcp"])
    expect(missing.code).toBe(2)
    expect(missing.stdout).toBe("")
    expect(missing.stderr).toContain("Commands:\n  list ")
    expect(firstError(missing)).toBe("error: agent mcp needs a command")
    const bare = await agent([])
    expect(bare.code).toBe(2)
    expect(bare.stderr).toContain("Commands:\n  config ")
    expect(firstError(bare)).toBe("error: agent needs a command")
    for (const args of [
      ["help", "mcp", "call"],
      ["mcp", "-h", "call"],
      ["mcp", "call", "--help", "--ouptut"],
    ]) {
      const help = await agent(args)
      expect(help.code, args.join(" ")).toBe(0)
      expect(help.stdout, args.join(" ")).toStartWith("agent mcp call: ")
      expect(help.stdout, args.join(" ")).toContain(
        "Usage: agent mcp call [options] [SERVER] [TOOL] [-- COMMAND ARGS…]",
      )
    }
  }, 30_000)

  it("accepts every spelling of a declared flag, and leaves what follows -- to the server", async () => {
    await using t = await tmpdir()
    const file = await t.write("mcp.json", { mcpServers: { local: { command: BUN, args: [BASIC] } } })
    for (const args of [
      ["mcp", "tools", "local", "--mcp", file, "--output=json", "--no-interactive"],
      ["-qv", "mcp", "tools", "local", `--mcp=${file}`, "-ojson"],
      ["mcp", "tools", "--debug", "--name", "local", "-o", "json", "--", BUN, BASIC, "--not-our-flag", "-x"],
    ]) {
      const r = await agent(args, t)
      expect(r.code, `${args.join(" ")}\n${r.stderr}`).toBe(0)
      expect(
        r.json<{ tools: { name: string }[] }>().tools.map((x) => x.name),
        args.join(" "),
      ).toContain("local__echo")
    }
  }, 60_000)
})

describe("compiled binary: did-you-mean for servers and tools", () => {
  it("suggests the configured server and the server's tool", async () => {
    await using t = await tmpdir()
    const file = await t.write("mcp.json", { mcpServers: { everything: { command: BUN, args: [BASIC] } } })
    const server = await agent(["mcp", "call", "everythng", "ech", "--mcp", file], t)
    expect(server.code).toBe(2)
    expect(firstError(server)).toBe(
      'error: no server "everythng" in the loaded config (did you mean everything?)',
    )
    const tool = await agent(["mcp", "call", "everything", "ech", "--arg", "text=hi", "--mcp", file], t)
    expect(tool.code).toBe(2)
    expect(firstError(tool)).toBe('error: server "everything" has no tool "ech" (did you mean echo?)')
  }, 60_000)
})

/** The `mcp list` table without its connect-time column's digits and padding. */
const table = (s: string) => s.replace(/\b\d+(\.\d+)?m?s\b/g, "T").replace(/ +/g, " ")

describe("compiled binary: -q and -v in any position", () => {
  it("-q leaves stdout as it is and stderr empty: no progress, no per-server lines", async () => {
    await using t = await tmpdir()
    const file = await t.write("mcp.json", {
      mcpServers: {
        everything: { command: BUN, args: [BASIC] },
        broken: { command: join(t.path, "no-such-server") },
      },
    })
    const loud = await agent(["mcp", "list", "--mcp", file], t)
    expect(loud.code).toBe(0)
    expect(loud.stderr).toContain("[broken] failed")
    for (const args of [
      ["-q", "mcp", "list", "--mcp", file],
      ["mcp", "-q", "list", "--mcp", file],
      ["mcp", "list", "--mcp", file, "--quiet"],
    ]) {
      const quiet = await agent(args, t)
      expect(quiet.code, args.join(" ")).toBe(0)
      expect(table(quiet.stdout), args.join(" ")).toBe(table(loud.stdout))
      expect(quiet.stdout, args.join(" ")).toMatch(/^broken +stdio +- +failed/m)
      expect(quiet.stderr, args.join(" ")).toBe("")
    }
    const progress = ["mcp", "call", "everything", "slow", "--arg", "ms=300", "--mcp", file]
    expect((await agent(progress, t)).stderr).toMatch(/^\[everything\] \d+% tick 1$/m)
    const silent = await agent(["-q", ...progress], t)
    expect(silent.code).toBe(0)
    expect(silent.stdout).toBe("slept 300 ms\n")
    expect(silent.stderr).toBe("")
  }, 60_000)

  it("-v adds the server's log messages, from any position; -q wins over it", async () => {
    // This fixture logs each echo as notifications/message (level info).
    await using srv = await startSessionServer()
    await using t = await tmpdir()
    const call = ["mcp", "call", "echo", "--arg", "text=hi", "--url", srv.url]
    const plain = await agent(call, t)
    expect(plain.code).toBe(0)
    expect(plain.stderr).not.toContain("[adhoc] info:")
    for (const args of [
      ["-v", ...call],
      [...call, "--verbose"],
      ["mcp", "-v", ...call.slice(1)],
    ]) {
      const loud = await agent(args, t)
      expect(loud.code, args.join(" ")).toBe(0)
      expect(loud.stdout, args.join(" ")).toBe(plain.stdout)
      expect(loud.stderr, args.join(" ")).toContain('[adhoc] info: {"echoed":"hi"}')
    }
    const both = await agent(["-qv", ...call], t)
    expect(both.code).toBe(0)
    expect(both.stderr).toBe("")
  }, 60_000)

  it("-q keeps the errors", async () => {
    await using t = await tmpdir()
    const r = await agent(["-q", "mcp", "get", "nope"], t)
    expect(r.code).toBe(2)
    expect(firstError(r)).toStartWith('error: no server "nope"')
  }, 30_000)
})
