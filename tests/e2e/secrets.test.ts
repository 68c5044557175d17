// Secrets never printed, on the compiled binary (docs/security.md P03–P06): a value approved for a
// server through `--approve-env` or `agent env approve` shows up in no output of any command, in
// any format, with or without --debug; a URL holding a password or key is never published by
// `install --link` nor printed by `config show`; --debug escapes what servers write to stderr.
import { describe, expect, it } from "bun:test"
import { fakeModel } from "../fixtures/model/server.ts"
import { BUN, runCli, type CliResult } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"
import { AGENT_SERVER, events, modelEnv, report } from "./run-helpers.ts"

const CANARY = "sk-canary-1234567890"
const MARK = "[redacted:CANARY_KEY]"
const ENV = { CANARY_KEY: CANARY }

const agent = (t: TmpDir, args: string[], env: Record<string, string> = {}) =>
  runCli(args, { home: t.home, cwd: t.path, env: { ...ENV, ...env }, binary: true, timeoutMs: 60_000 })

/** Neither stream holds the canary in any spelling a printer might use. */
function expectNoCanary(r: CliResult): void {
  for (const out of [r.stdout, r.stderr]) {
    expect(out).not.toContain(CANARY)
    expect(out).not.toContain("canary-1234567890")
  }
}

/** Three servers that fail with the canary in their definition: in args, in a URL query, and echoed on stderr. */
const FAILING = {
  nocmd: { command: "/nonexistent-dir/agent-missing", args: ["--key=${CANARY_KEY}"] },
  remote: { url: "http://127.0.0.1:1/mcp?api_key=${CANARY_KEY}" },
  // Writes the canary to stderr between an OSC 52 clipboard write, a BEL and a CR, then fails.
  noisy: {
    command: "sh",
    args: ["-c", "printf 'boom \\033]52;c;eA==\\007 %s\\r\\n' \"$$KEY\" >&2; exit 1"],
    env: { KEY: "${CANARY_KEY}" },
  },
}

describe("compiled binary: secrets never printed", () => {
  it("P03: mcp list (text, json, --debug) and the error of a failing server never show an approved value", async () => {
    await using t = await tmpdir()
    const file = await t.write("mcp.json", { mcpServers: FAILING })
    const base = ["--mcp", file, "--approve-env", "CANARY_KEY"]
    const text = await agent(t, ["mcp", "list", ...base])
    const json = await agent(t, ["mcp", "list", ...base, "-o", "json"])
    const debug = await agent(t, ["mcp", "list", ...base, "--debug"])
    for (const r of [text, json, debug]) expectNoCanary(r)
    const servers = json.json<{
      servers: { name: string; status: string; error?: string; hint?: string }[]
    }>().servers
    expect(servers.map((s) => [s.name, s.status])).toEqual([
      ["nocmd", "failed"],
      ["remote", "failed"],
      ["noisy", "failed"],
    ])
    expect(servers.find((s) => s.name === "nocmd")!.error).toContain("could not start")
    // The server's stderr is still reported, with the value replaced by the variable's name.
    expect(servers.find((s) => s.name === "noisy")!.hint).toContain(MARK)
    expect(debug.stderr).toContain(MARK)

    // An error message and its hint (exit 5: the server is unavailable).
    const tools = await agent(t, ["mcp", "tools", "noisy", ...base])
    expect(tools.code).toBe(5)
    expect(tools.stderr).toContain(`hint: server stderr: boom`)
    expect(tools.stderr).toContain(MARK)
    expectNoCanary(tools)
  }, 120_000)

  it("P03: mcp doctor, text and json, after `agent env approve`", async () => {
    await using t = await tmpdir()
    const file = await t.write("mcp.json", { mcpServers: FAILING })
    for (const server of Object.keys(FAILING)) {
      expect((await agent(t, ["env", "approve", "CANARY_KEY", "--server", server, "--mcp", file])).code).toBe(
        0,
      )
    }
    const text = await agent(t, ["mcp", "doctor", "--mcp", file])
    const json = await agent(t, ["mcp", "doctor", "--mcp", file, "-o", "json", "--debug"])
    expect(text.code).toBe(1)
    expect(json.code).toBe(1)
    for (const r of [text, json]) expectNoCanary(r)
    // The doctor still says where the value goes: the definition is shown with the name in its place.
    expect(text.stdout).toContain(`http://127.0.0.1:1/mcp?api_key=${MARK}`)
    const doc = json.json<{ servers: { name: string; findings: { message: string }[] }[] }>()
    expect(
      doc.servers
        .find((s) => s.name === "nocmd")!
        .findings.map((f) => f.message)
        .join("\n"),
    ).toContain(`--key=${MARK}`)
  }, 120_000)

  it("P03/P06: agent run reports (json, stream-json, text, --debug) never show the value, even when a tool or the model echoes it", async () => {
    await using t = await tmpdir()
    const file = await t.write("mcp.json", {
      mcpServers: { srv: { command: BUN, args: [AGENT_SERVER], env: { API_KEY: "${CANARY_KEY}" } } },
    })
    const turns = () => [
      { text: "Checking. ", toolCalls: [{ name: "srv__echo", args: { text: `key=${CANARY}` } }] },
      { text: `The key is ${CANARY} indeed.` },
    ]
    await using srv = await fakeModel([...turns(), ...turns(), ...turns(), ...turns()])
    const args = ["run", "--mcp", file, "--approve-env", "CANARY_KEY", "-m", "anthropic:claude-test", "--yes"]
    const env = modelEnv(srv)

    const json = await agent(t, [...args, "-o", "json", "go"], env)
    expect(json.code).toBe(0)
    const doc = report(json) // still a valid RunReport
    expect(doc.result).toBe(`The key is ${MARK} indeed.`)

    const stream = await agent(t, [...args, "-o", "stream-json", "go"], env)
    const list = events(stream) // every line still valid JSON and a valid RunEvent
    const result = list.find((e) => e.type === "tool_result")
    expect(result).toMatchObject({ name: "srv__echo", content: `key=${MARK}` })

    const text = await agent(t, [...args, "--verbose", "go"], env)
    expect(text.code).toBe(0)
    expect(text.stdout).toContain(`The key is ${MARK} indeed.`)

    const debug = await agent(t, [...args, "--debug", "-o", "json", "go"], env)
    expect(debug.code).toBe(0)
    for (const r of [json, stream, text, debug]) expectNoCanary(r)
    // What the model saw is not output: the tool result reached it unchanged.
    expect(JSON.stringify(srv.requests[1]!.body)).toContain(`key=${CANARY}`)
  }, 120_000)

  it("P04: install --link refuses a password or key in any URL (exit 2); config show masks it; doctor redacts it", async () => {
    await using t = await tmpdir()
    const file = await t.write("mcp.json", {
      mcpServers: {
        userinfo: { url: "https://alice:hunter2-pw@mcp.example.com/mcp" },
        query: { url: "https://mcp.example.com/mcp?api_key=literal-key-123&region=eu" },
        arg: { command: "db-mcp", args: ["--db=postgres://app:db-pass-99@127.0.0.1:5432/app"] },
        referenced: { url: "https://mcp.example.com/mcp?token=${MCP_TOKEN}" },
        // Nothing listens on port 1: the only server here that anything connects to.
        local: { url: "http://127.0.0.1:1/mcp?access_token=local-key-456" },
      },
    })
    for (const [name, secret] of [
      ["userinfo", "hunter2-pw"],
      ["query", "literal-key-123"],
      ["arg", "db-pass-99"],
    ] as const) {
      const r = await agent(t, ["install", "--link", name, "--mcp", file])
      expect(r.code).toBe(2)
      expect(r.stdout).toBe("")
      expect(r.stderr).toContain("a link would publish it")
      expect(r.stderr).not.toContain(secret)
    }
    // A reference is what a link should carry: the user approves the variable after installing.
    const ok = await agent(t, ["install", "--link", "referenced", "--mcp", file, "-o", "json"])
    expect(ok.code).toBe(0)

    for (const format of ["text", "json"]) {
      const shown = await agent(t, ["config", "show", "--mcp", file, "-o", format])
      expect(shown.code).toBe(0)
      for (const secret of ["hunter2-pw", "literal-key-123", "db-pass-99", "local-key-456"])
        expect(shown.stdout).not.toContain(secret)
      expect(shown.stdout).toContain("https://alice:***@mcp.example.com/mcp")
      expect(shown.stdout).toContain("api_key=***&region=eu")
      expect(shown.stdout).toContain("token=${MCP_TOKEN}")
    }

    // A key the user wrote into their own config is redacted by every other output as well.
    for (const format of ["text", "json"]) {
      const doctor = await agent(t, ["mcp", "doctor", "local", "--mcp", file, "-o", format, "--debug"])
      expect(doctor.code).toBe(1)
      expect(doctor.stdout).toContain("access_token=[redacted:url-credential]")
      expect(doctor.stdout + doctor.stderr).not.toContain("local-key-456")
    }
  }, 120_000)

  it("P05: --debug shows a server's stderr with control characters escaped", async () => {
    await using t = await tmpdir()
    const file = await t.write("mcp.json", { mcpServers: { noisy: FAILING.noisy } })
    const r = await agent(t, ["mcp", "list", "--mcp", file, "--approve-env", "CANARY_KEY", "--debug"])
    expect(r.stderr).toContain("boom \\x1b]52;c;eA==\\x07")
    expect(r.stderr).toContain("\\x0d")
    // No raw ESC, BEL or CR anywhere: neither the server's bytes nor a stack can drive the terminal.
    expect(r.stderr).not.toMatch(/[\x1b\x07\r]/)
    expect(r.stdout).not.toMatch(/[\x1b\x07\r]/)
    expectNoCanary(r)
  }, 60_000)
})
