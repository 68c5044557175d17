// Unicode that hides text (docs/security.md P10), on the compiled binary: tag characters
// (U+E0000-E007F) spelling "IGNORE", the fillers U+3164 and U+115F and a word joiner in a
// server's tool, prompt and resource texts. `agent mcp doctor` names them, every listing shows
// them escaped, and the model reads them written out, in the tool list and in search_tools.
import { describe, expect, it } from "bun:test"
import { join } from "node:path"
import { fakeModel } from "../fixtures/model/server.ts"
import { BUN, ROOT, runCli } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"
import { modelEnv } from "./run-helpers.ts"

const FIXTURE = join(ROOT, "tests/mcp/fixtures/stdio-tools-env.ts")
const TAGS = [..."IGNORE"].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join("")
const ESCAPED_TAGS = "\\u{e0049}\\u{e0047}\\u{e004e}\\u{e004f}\\u{e0052}\\u{e0045}"
/** Any raw character of the hidden kinds the fixture uses. */
const RAW = /[\u{e0000}-\u{e007f}\u3164\u115f\u2060]/u

const agent = (t: TmpDir, args: string[], env: Record<string, string> = {}) =>
  runCli(args, { home: t.home, cwd: t.path, env, binary: true, timeoutMs: 60_000 })
const configFile = (t: TmpDir) =>
  t.write("mcp.json", { mcpServers: { odd: { command: BUN, args: [FIXTURE], env: { HIDDEN: "1" } } } })

interface Finding {
  check: string
  severity: string
  message: string
}

describe("compiled binary: text that hides text", () => {
  it("P10: mcp doctor names each tool, prompt and resource holding hidden code points, with the code points", async () => {
    await using t = await tmpdir()
    const file = await configFile(t)
    const r = await agent(t, ["mcp", "doctor", "--mcp", file, "-o", "json"])
    expect(r.code).toBe(0) // warnings only
    const findings = r.json<{ servers: { findings: Finding[] }[] }>().servers[0]!.findings
    const of = (check: string) =>
      findings.filter((f) => f.check === check).map((f) => `${f.severity} ${f.message}`)
    expect(of("tools.text")).toEqual([
      "warn tool smuggle has hidden or control characters in its title: U+3164; description: U+E0049, U+E0047, U+E004E, U+E004F, U+E0052, U+E0045",
    ])
    expect(of("prompts.text")).toEqual([
      "warn prompt greet has hidden or control characters in its description: U+115F",
    ])
    expect(of("resources.text")).toEqual([
      "warn resource file:///notes.txt has hidden or control characters in its name: U+2060",
    ])
    expect(r.stdout).not.toMatch(RAW)

    const text = await agent(t, ["mcp", "doctor", "--mcp", file])
    expect(text.stdout).toContain("U+E0049")
    expect(text.stdout + text.stderr).not.toMatch(RAW)
  }, 60_000)

  it("P10: mcp tools, prompts and resources show them escaped, in text and JSON (the JSON value is unchanged)", async () => {
    await using t = await tmpdir()
    const file = await configFile(t)
    const tools = await agent(t, ["mcp", "tools", "--mcp", file])
    expect(tools.code).toBe(0)
    expect(tools.stdout).toContain(`Adds numbers.${ESCAPED_TAGS}`)
    const json = await agent(t, ["mcp", "tools", "--mcp", file, "-o", "json"])
    expect(json.code).toBe(0)
    expect(json.stdout).toContain("\\udb40\\udc49") // U+E0049 as a JSON escape
    expect(JSON.stringify(json.json())).toContain(`Adds numbers.${TAGS}`)
    const prompts = await agent(t, ["mcp", "prompts", "--mcp", file])
    expect(prompts.stdout).toContain("Greets.\\u115f")
    const resources = await agent(t, ["mcp", "resources", "--mcp", file, "-o", "json"])
    for (const r of [tools, json, prompts, resources]) expect(r.stdout + r.stderr).not.toMatch(RAW)
  }, 60_000)

  it("P10: the model reads the tool text written out, in the tool list and in search_tools results", async () => {
    await using t = await tmpdir()
    const file = await configFile(t)
    await using srv = await fakeModel([{ text: "done" }])
    const listed = await agent(
      t,
      ["run", "--mcp", file, "-m", "anthropic:claude-test", "--yes", "go"],
      modelEnv(srv),
    )
    expect(listed.code).toBe(0)
    const sent = JSON.stringify(srv.requests[0]!.body.tools)
    expect(sent).toContain(`Adds numbers.${ESCAPED_TAGS.replaceAll("\\", "\\\\")}`)
    expect(sent).not.toMatch(RAW)

    await using search = await fakeModel([
      { toolCalls: [{ name: "search_tools", args: { query: "smuggle" } }] },
      { text: "done" },
    ])
    const found = await agent(
      t,
      ["run", "--mcp", file, "-m", "anthropic:claude-test", "--yes", "--tool-budget", "1", "go"],
      modelEnv(search),
    )
    expect(found.code).toBe(0)
    const result = JSON.stringify(search.requests[1]!.body.messages)
    expect(result).toContain("smuggle")
    expect(result).toContain("Adds numbers.")
    expect(result).not.toMatch(RAW)
  }, 60_000)
})
