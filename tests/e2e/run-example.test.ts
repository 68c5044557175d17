// The README's set-up `agent run`: the repo's recording replayed on the compiled binary against
// the real `everything` server (npx; needs the npm registry, as each run installs it into its own
// npm cache), so its tools are called for real and their results must match what was recorded.
import { describe, expect, it } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { ROOT, runCli } from "../helpers/cli.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { report } from "./run-helpers.ts"

const EXAMPLE = JSON.parse(readFileSync(join(ROOT, "mcp.example.json"), "utf8")) as {
  mcpServers: { everything: { args: string[] } }
}
const PROMPT = "Add 17 and 25 with the everything server, then echo the answer back."
const hasNpx = Bun.which("npx") !== null

/** The Set up section's `npm run agent -- run …` line, as the arguments it passes to agent. */
function readmeSetupArgs(): string[] {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8")
  const line = readme
    .slice(readme.indexOf("## Set up"))
    .split("\n")
    .find((l) => l.startsWith("npm run agent -- run "))!
  return [...line.slice("npm run agent -- ".length).matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!)
}

describe("compiled binary: the README's agent run", () => {
  it.skipIf(!hasNpx)(
    "replays examples/everything-sum.jsonl with real everything tools and no key",
    async () => {
      await using t = await tmpdir()
      // The README's own words, run from the repository; `-o json` added to read the report.
      const args = [...readmeSetupArgs(), "-o", "json"]
      expect(args).toContain("--mcp-only")
      expect(args).toContain(PROMPT)
      // A user config with an unrelated server whose variable is not approved: --mcp-only keeps it
      // out (without it, the run would ask about TOKEN and its tools would break the replay).
      await Bun.write(
        join(t.home, "config", "mcp.json"),
        JSON.stringify({ mcpServers: { other: { command: "other-server", env: { TOKEN: "${TOKEN}" } } } }),
      )
      // HOME is t.path (runCli's default), so npx uses a fresh t.path/.npm cache, never the
      // developer's (agent passes HOME to stdio servers, and no npm_config_*: C05). The server is
      // installed there first: a cold npx install can outlast the 30 s connect timeout on a busy machine.
      const spec = EXAMPLE.mcpServers.everything.args.find((a) =>
        a.startsWith("@modelcontextprotocol/server-everything@"),
      )!
      await using install = Bun.spawn(["npx", "-y", "-p", spec, "--", "true"], {
        cwd: t.path,
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: t.path },
        stdout: "ignore",
        stderr: "pipe",
      })
      const [code, stderr] = await Promise.all([install.exited, new Response(install.stderr).text()])
      expect({ code, stderr }).toMatchObject({ code: 0 })
      const r = await runCli(args, {
        home: t.home,
        cwd: ROOT,
        binary: true,
        timeoutMs: 60_000,
        env: { TOKEN: "x" },
      })
      const doc = report(r)
      expect(doc).toMatchObject({ exitReason: "completed", model: "anthropic:claude-sonnet-4-5", turns: 3 })
      expect(doc.servers.map((x) => x.name)).toEqual(Object.keys(EXAMPLE.mcpServers)) // not "other"
      expect(doc.toolCalls.map((c) => [c.server, c.tool, c.isError])).toEqual([
        ["everything", "get-sum", false],
        ["everything", "echo", false],
      ])
    },
    160_000,
  )
})
