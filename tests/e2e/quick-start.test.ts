// The README's quick start, line by line, on the compiled binary in a fresh home: add the
// `everything` server (npx; needs the npm registry), approve its variable, list, call, replay the
// recorded run, install from a link. Each command must exit 0 and do what the comment above it says.
import { describe, expect, it } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { ROOT, runCli } from "../helpers/cli.ts"
import { agentCommands, codeBlocks, shellLines } from "../helpers/doc-blocks.ts"
import { tmpdir } from "../helpers/tmp.ts"

const README = readFileSync(join(ROOT, "README.md"), "utf8")
const start = README.indexOf("## Quick start")
const quickStart = codeBlocks("README.md", README.slice(start, README.indexOf("\n## ", start + 1))).find(
  (b) => b.lang === "sh",
)
const hasNpx = Bun.which("npx") !== null

describe("compiled binary: the README's quick start", () => {
  it("is a short block of agent commands", () => {
    const lines = shellLines(quickStart?.body ?? "")
    expect(quickStart!.body.split("\n").length).toBeLessThanOrEqual(30)
    expect(lines.filter((l) => agentCommands(l).length === 1).length).toBeGreaterThanOrEqual(6)
  })

  it.skipIf(!hasNpx)(
    "runs every command for real, each exiting 0",
    async () => {
      await using t = await tmpdir()
      const env: Record<string, string> = {}
      const outputs: { args: string[]; stdout: string; stderr: string }[] = []
      // The server is installed into this test's npm cache (HOME is t.path) first: a cold npx
      // install can outlast the 30 s connect timeout on a busy machine.
      const spec = /@modelcontextprotocol\/server-everything@[\w.]+/.exec(quickStart!.body)![0]
      await using install = Bun.spawn(["npx", "-y", "-p", spec, "--", "true"], {
        cwd: t.path,
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: t.path },
        stdout: "ignore",
        stderr: "pipe",
      })
      expect({ code: await install.exited, stderr: await new Response(install.stderr).text() }).toMatchObject(
        { code: 0 },
      )

      for (const line of shellLines(quickStart!.body)) {
        const exported = /^export ([A-Za-z_]\w*)=(\S+)$/.exec(line)
        if (exported) {
          env[exported[1]!] = exported[2]!
          continue
        }
        const [cmd] = agentCommands(line)
        if (!cmd) throw new Error(`not an agent command: ${line}`)
        // cwd is the repository, as after `npm ci`: the run replays examples/everything-sum.jsonl.
        const r = await runCli(cmd.args, {
          home: t.home,
          cwd: ROOT,
          binary: true,
          env: { ...env, ...cmd.env },
          timeoutMs: 60_000,
        })
        expect({ line, code: r.code, stderr: r.stderr }).toMatchObject({ line, code: 0 })
        outputs.push({ args: cmd.args, stdout: r.stdout, stderr: r.stderr })
      }

      const out = (...prefix: string[]) => outputs.filter((o) => prefix.every((p, i) => o.args[i] === p))
      expect(out("mcp", "list")[0]!.stdout).toMatch(/everything\s.*connected/)
      expect(out("mcp", "call")[0]!.stdout).toContain("42")
      expect(out("run")[0]!.stdout).toContain("42")
      const config = JSON.parse(await t.read("agentrt-home/config/mcp.json")) as {
        mcpServers: Record<string, { command?: string; env?: Record<string, string> }>
      }
      expect(config.mcpServers.everything?.env).toEqual({ GREETING: "${GREETING}" })
      expect(config.mcpServers.memory?.command).toBe("npx")
      expect(out("config", "show")[0]!.stdout).toContain("memory")
    },
    240_000,
  )
})
