import { describe, expect, it } from "bun:test"
import { chmodSync, statSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { runCli, runCliTty } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"

// Black box: `bun src/main.ts mcp export`, HOME = t.path (the clients' files go under it),
// agent's servers from t/agent.json through --mcp … --mcp-only.
const SECRET = "sk-live-0123456789abcdefghij"
const OTHER_SECRET = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"

async function setup(t: TmpDir) {
  await t.write("agent.json", {
    mcpServers: {
      fs: { command: "npx", args: ["-y", "@modelcontextprotocol/server-filesystem", "/srv"] },
      gh: {
        type: "http",
        url: "https://api.githubcopilot.com/mcp/",
        headers: { Authorization: "Bearer ${GITHUB_TOKEN}" },
      },
      lit: { command: "lit", env: { API_KEY: SECRET } },
    },
  })
}
const run = (t: TmpDir, args: string[]) =>
  runCli(["mcp", "export", "--mcp", join(t.path, "agent.json"), "--mcp-only", ...args], {
    home: t.home,
    cwd: t.path,
  })

describe("agent mcp export", () => {
  it("writes Cursor's ~/.cursor/mcp.json with ${env:VAR}, keeps its other servers and the file's mode (I19)", async () => {
    await using t = await tmpdir()
    await setup(t)
    const file = await t.write(".cursor/mcp.json", { mcpServers: { mine: { command: "mine" } }, extra: true })
    chmodSync(file, 0o640)
    const r = await run(t, ["--to", "cursor", "--yes", "-o", "json"])
    expect(r.code).toBe(0)
    const written = JSON.parse(await readFile(file, "utf8"))
    expect(written).toEqual({
      mcpServers: {
        mine: { command: "mine" },
        fs: { command: "npx", args: ["-y", "@modelcontextprotocol/server-filesystem", "/srv"] },
        gh: {
          url: "https://api.githubcopilot.com/mcp/",
          headers: { Authorization: "Bearer ${env:GITHUB_TOKEN}" },
        },
      },
      extra: true,
    })
    expect(statSync(file).mode & 0o777).toBe(0o640)
    const report = r.json<{
      written: { name: string }[]
      skipped: { name: string; reason: string; hint: string }[]
    }>()
    expect(report.written.map((w) => w.name)).toEqual(["fs", "gh"])
    expect(report.skipped.map((s) => s.name)).toEqual(["lit"])
    expect(report.skipped[0]?.hint).toContain("--proxy")
  })

  it("never prints or writes a literal secret, its own or the other client's (I18)", async () => {
    await using t = await tmpdir()
    await setup(t)
    const file = await t.write(".config/Claude/claude_desktop_config.json", {
      mcpServers: { mine: { command: "mine", env: { MINE_API_TOKEN: OTHER_SECRET } } },
    })
    const r = await run(t, ["--to", "claude-desktop", "--yes"])
    expect(r.code).toBe(0)
    const all = r.stdout + r.stderr
    expect(all).toContain('+     "fs": {')
    expect(all).not.toContain(SECRET)
    expect(all).not.toContain(OTHER_SECRET)
    const text = await readFile(file, "utf8")
    expect(text).not.toContain(SECRET)
    expect(text).toContain(OTHER_SECRET) // theirs is kept as it was
    expect(r.stderr).toContain("lit skipped: env API_KEY holds a literal secret")
  })

  it("without a terminal and without --yes writes nothing and exits 3 (I19)", async () => {
    await using t = await tmpdir()
    await setup(t)
    const before = '{\n  "servers": {}\n}\n'
    const file = await t.write(".config/Code/User/mcp.json", before)
    const r = await run(t, ["--to", "vscode"])
    expect(r.code).toBe(3)
    expect(r.stderr).toContain("nothing was exported: there is no terminal to ask, and --yes was not given")
    expect(r.stderr).toContain('+     "fs": {') // the diff was the screen
    expect(await readFile(file, "utf8")).toBe(before)
  })

  it("at a terminal, asks after the diff: no writes nothing (exit 3), yes writes (I19)", async () => {
    await using t = await tmpdir()
    await setup(t)
    const args = ["mcp", "export", "--mcp", join(t.path, "agent.json"), "--mcp-only", "--to", "windsurf"]
    const opts = { home: t.home, cwd: t.path, timeoutMs: 30_000 }
    const file = join(t.path, ".codeium", "windsurf", "mcp_config.json")
    const no = await runCliTty(args, { ...opts, input: ["n"] })
    expect(no.code).toBe(3)
    expect(no.stdout).toContain(`Write 2 servers into ${file}?`)
    expect(no.stdout).toContain('+     "gh": {')
    expect(await Bun.file(file).exists()).toBe(false)
    const yes = await runCliTty(args, { ...opts, input: ["y"] })
    expect(yes.code).toBe(0)
    expect(Object.keys(JSON.parse(await readFile(file, "utf8")).mcpServers)).toEqual(["fs", "gh"])
  }, 60_000)

  it("--dry-run prints the diff on stdout and writes nothing (I19)", async () => {
    await using t = await tmpdir()
    await setup(t)
    const r = await run(t, ["--to", "codex", "--dry-run"])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`new file ${join(t.path, ".codex", "config.toml")}`)
    expect(r.stdout).toContain('+ bearer_token_env_var = "GITHUB_TOKEN"')
    expect(r.stdout).toMatch(/fs\s+would be added/)
    expect(await Bun.file(join(t.path, ".codex", "config.toml")).exists()).toBe(false)
  })

  it("keeps the client's own entry of the same name unless --force (I19)", async () => {
    await using t = await tmpdir()
    await setup(t)
    const file = await t.write(".codex/config.toml", '# mine\n[mcp_servers.fs]\ncommand = "my-fs"\n')
    const kept = await run(t, ["--to", "codex", "--only", "fs", "--yes"])
    expect(kept.code).toBe(2)
    expect(kept.stderr).toContain('Codex already has a different "fs"')
    expect(await readFile(file, "utf8")).toBe('# mine\n[mcp_servers.fs]\ncommand = "my-fs"\n')
    const forced = await run(t, ["--to", "codex", "--only", "fs", "--yes", "--force"])
    expect(forced.code).toBe(0)
    expect(await readFile(file, "utf8")).toBe(
      '# mine\n\n[mcp_servers.fs]\ncommand = "npx"\nargs = [ "-y", "@modelcontextprotocol/server-filesystem", "/srv" ]\n',
    )
  })

  it("--proxy writes `agent mcp proxy NAME` for every server, secrets included (they stay in agent)", async () => {
    await using t = await tmpdir()
    await setup(t)
    const r = await run(t, ["--to", "goose", "--proxy", "--yes", "-o", "json"])
    expect(r.code).toBe(0)
    const text = await t.read(".config/goose/config.yaml")
    expect(text).not.toContain(SECRET)
    const { parse } = await import("yaml")
    const ext = parse(text).extensions
    expect(Object.keys(ext)).toEqual(["fs", "gh", "lit"])
    expect(ext.lit.args.slice(-5)).toEqual(["mcp", "proxy", "lit", "--mcp", join(t.path, "agent.json")])
  })

  it("fails clearly: unknown client with a suggestion, unknown --only name, --scope with --file", async () => {
    await using t = await tmpdir()
    await setup(t)
    const bad = await run(t, ["--to", "cursr"])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('(got "cursr"; did you mean cursor?)')
    const only = await run(t, ["--to", "cursor", "--only", "fz"])
    expect(only.code).toBe(2)
    expect(only.stderr).toContain('no server "fz" in agent\'s config (did you mean fs?)')
    const both = await run(t, ["--to", "cursor", "--scope", "user", "--file", "x.json"])
    expect(both.code).toBe(2)
    // ./.mcp.json is Claude Code's project file and agent's too: a proxy entry there would loop.
    const own = await runCli(["mcp", "export", "--to", "claude", "--scope", "project", "--proxy", "--yes"], {
      home: t.home,
      cwd: t.path,
    })
    expect(own.code).toBe(2)
    expect(own.stderr).toContain("is one of agent's own config files")
  })
})
