// The README's first `agent run`: the repo's recording replayed on the compiled binary against
// the real `everything` server (npx; needs the npm registry, as each run installs it into its own
// npm cache), so its tools are called for real and their results must match what was recorded.
import { describe, expect, it } from "bun:test"
import { join } from "node:path"
import { ROOT, runAgent } from "../helpers/cli.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { report } from "./run-helpers.ts"

const PROMPT = "Add 17 and 25 with the everything server, then echo the answer back."
const hasNpx = Bun.which("npx") !== null

describe("compiled binary: the README's agent run", () => {
  it.skipIf(!hasNpx)("replays examples/everything-sum.jsonl with real everything tools and no key", async () => {
    await using t = await tmpdir()
    const args = ["run", "--mcp", join(ROOT, "mcp.example.json"), "--replay", join(ROOT, "examples/everything-sum.jsonl"), "--yes", "-o", "json", PROMPT]
    // HOME is t.path (runAgent's default), so npx installs into a fresh t.path/.npm cache, never
    // the developer's: the server passes only HOME through to stdio servers (C05), not npm_config_*.
    const r = await runAgent(args, { home: t.home, cwd: t.path, binary: true, timeoutMs: 150_000 })
    const doc = report(r)
    expect(doc).toMatchObject({ exitReason: "completed", model: "anthropic:claude-sonnet-4-5", turns: 3 })
    expect(doc.toolCalls.map((c) => [c.server, c.tool, c.isError])).toEqual([
      ["everything", "get-sum", false],
      ["everything", "echo", false],
    ])
  }, 160_000)
})
