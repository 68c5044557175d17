// Every `agent …` command in a shell block of README.md or docs/ names a real command and only
// flags that command's --help lists, and every JSON example parses (config examples pass
// `agent config validate`). The README's set-up and quick start are run for real elsewhere
// (run-example.test.ts, quick-start.test.ts).
import { describe, expect, it } from "bun:test"
import { ROOT, runCli } from "../helpers/cli.ts"
import {
  agentCommands,
  codeBlocks,
  commandPath,
  docPages,
  flagsOf,
  readPage,
  shellLines,
  shellWords,
} from "../helpers/doc-blocks.ts"
import { tmpdir } from "../helpers/tmp.ts"

const blocks = docPages(ROOT).flatMap((file) => codeBlocks(file, readPage(ROOT, file)))
const commands = blocks
  .filter((b) => b.lang === "sh")
  .flatMap((b) =>
    shellLines(b.body).flatMap((line) =>
      agentCommands(line).map((c) => ({ where: `${b.file}:${b.line}`, line, ...c })),
    ),
  )

describe("doc-blocks: finding commands", () => {
  it("splits shell words, pipes, env prefixes and comments like a shell", () => {
    expect(shellWords(`a 'b c' "d'e" x$(f g)y | h`)).toEqual(["a", "b c", "d'e", "x$(f g)y", "|", "h"])
    const lines = shellLines(
      "X=$(id -u) agent mcp list --strict  # why\n# only a comment\necho hi | agent run \\\n  --yes > out.json\n",
    )
    expect(lines.flatMap(agentCommands)).toEqual([
      { env: { X: "$(id -u)" }, args: ["mcp", "list", "--strict"] },
      { env: {}, args: ["run", "--yes"] },
    ])
    expect(agentCommands("curl -fsSL https://x/install.sh | sh")).toEqual([])
    expect(flagsOf(["mcp", "add", "fs", "--scope=project", "--", "npx", "-y", "pkg"])).toEqual(["--scope"])
    expect(commandPath(["mcp", "call", "srv", "tool"])).toEqual(["mcp", "call"])
    expect(commandPath(["mcp", "task", "wait", "api/1"])).toEqual(["mcp", "task", "wait"])
  })
})

describe("compiled binary: the commands in README.md and docs/", () => {
  it("finds the commands of every page that has some", () => {
    expect(commands.length).toBeGreaterThan(40)
    const files = new Set(commands.map((c) => c.where.split(":")[0]))
    for (const f of [
      "README.md",
      "docs/commands.md",
      "docs/variables.md",
      "docs/remote.md",
      "docs/runs.md",
      "docs/install-links.md",
      "docs/doctor-and-lock.md",
    ]) {
      expect(files).toContain(f)
    }
  })

  it("names real commands and only flags their --help lists", async () => {
    const helps = new Map<string, { code: number; text: string }>()
    const problems: string[] = []
    for (const c of commands) {
      const path = commandPath(c.args)
      if (path.length === 0) continue // `agent --version`: checked by binary.test.ts
      const key = path.join(" ")
      if (!helps.has(key)) {
        const r = await runCli([...path, "--help"], { binary: true })
        helps.set(key, { code: r.code, text: r.stdout + r.stderr })
      }
      const help = helps.get(key)!
      if (help.code !== 0 || !help.text.includes(`agent ${key}`)) {
        problems.push(`${c.where}: \`agent ${key}\` is not a command (${c.line})`)
        continue
      }
      for (const flag of flagsOf(c.args)) {
        const names = flag.startsWith("--no-") ? [flag, `--${flag.slice(5)}`] : [flag]
        const listed = names.some((n) =>
          new RegExp(`(^|[\\s,(])${n.replaceAll("-", "\\-")}(?=[\\s,=<)]|$)`, "m").test(help.text),
        )
        if (!listed && flag !== "--help")
          problems.push(`${c.where}: \`agent ${key}\` has no ${flag} (${c.line})`)
      }
    }
    expect(problems).toEqual([])
  }, 120_000)

  it("has JSON examples that parse, and config examples that validate", async () => {
    await using t = await tmpdir()
    const problems: string[] = []
    let configs = 0
    for (const b of blocks) {
      const docs = b.lang === "json" ? [b.body] : b.lang === "jsonl" ? b.body.trim().split("\n") : []
      for (const text of docs) {
        let doc: unknown
        try {
          doc = JSON.parse(text)
        } catch (e) {
          problems.push(`${b.file}:${b.line}: ${(e as Error).message}`)
          continue
        }
        if (typeof doc !== "object" || doc === null || !("mcpServers" in doc)) continue
        configs++
        const file = await t.write(`config-${configs}.json`, text)
        // 0: usable; 3: usable once its ${VAR}s are approved. 2 would be an invalid example.
        const r = await runCli(["config", "validate", "--mcp", file], {
          home: t.home,
          cwd: t.path,
          binary: true,
        })
        if (r.code !== 0 && r.code !== 3)
          problems.push(`${b.file}:${b.line}: config validate exited ${r.code}: ${r.stderr.trim()}`)
      }
    }
    expect(configs).toBeGreaterThan(2)
    expect(problems).toEqual([])
  }, 60_000)
})
