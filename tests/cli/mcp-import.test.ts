import { describe, expect, it } from "bun:test"
import { existsSync, statSync } from "node:fs"
import { copyFile, readFile } from "node:fs/promises"
import { basename, join } from "node:path"
import { parseConfigFile } from "../../src/config/index.ts"
import type { Peer } from "../../src/config/import.ts"
import { EXPECTED } from "../fixtures/peers/expected.ts"
import { runCli } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"
import { witnessServer } from "../helpers/witness.ts"

// Black box: `bun src/main.ts mcp import`, HOME = t.path (peer files go under it), AGENTRT_HOME = t.home.
const FIXTURES = join(import.meta.dir, "..", "fixtures", "peers")
// --yes: these tests are about what is read and written; the approval itself (I13) is in tests/e2e/import-approve.test.ts.
const run = (t: TmpDir, args: string[]) =>
  runCli(["mcp", "import", "--yes", ...args], { home: t.home, cwd: t.path })
const userFile = (t: TmpDir) => join(t.home, "config", "mcp.json")
const readJson = async (file: string) => JSON.parse(await readFile(file, "utf8"))

interface Report {
  from: string
  target: { scope: string; file: string }
  dryRun: boolean
  imported: { name: string; action: string; source: string; notes: string[]; server: unknown }[]
  skipped: { name: string; source: string; reason: string }[]
  inputs: unknown[]
  result?: Record<string, unknown>
}

describe("agent mcp import", () => {
  for (const peer of Object.keys(EXPECTED) as Peer[]) {
    it(`${peer}: imports its fixture into the user config, which then loads`, async () => {
      await using t = await tmpdir()
      const src = join(t.path, basename(EXPECTED[peer].file))
      await copyFile(join(FIXTURES, EXPECTED[peer].file), src)
      const r = await run(t, ["--from", peer, src, "-o", "json"])
      expect(r.code).toBe(0)
      const expected = JSON.parse(JSON.stringify(EXPECTED[peer].servers).replaceAll("/proj", t.path))
      expect(await readJson(userFile(t))).toEqual({ mcpServers: expected })
      const report = r.json<Report>()
      expect(report.imported.map((i) => [i.name, i.action, i.source])).toEqual(
        Object.keys(expected).map((n) => [n, "added", src]),
      )
      expect(report.skipped.map((s) => s.name)).toEqual(EXPECTED[peer].skipped ?? [])
      expect(parseConfigFile(userFile(t), "user").servers.map((s) => s.name)).toEqual(Object.keys(expected))
      expect(statSync(userFile(t)).mode & 0o777).toBe(0o600)
    })
  }

  it("reads Codex's ~/.codex/config.toml, Goose's ~/.config/goose/config.yaml and Zed's settings under HOME", async () => {
    await using t = await tmpdir()
    await t.write(".codex/config.toml", await readFile(join(FIXTURES, "codex/config.toml"), "utf8"))
    await t.write(".config/goose/config.yaml", await readFile(join(FIXTURES, "goose/config.yaml"), "utf8"))
    await t.write(".config/zed/settings.json", await readFile(join(FIXTURES, "zed/settings.json"), "utf8"))
    for (const [peer, file] of [
      ["codex", ".codex/config.toml"],
      ["goose", ".config/goose/config.yaml"],
      ["zed", ".config/zed/settings.json"],
    ] as const) {
      const r = await run(t, ["--from", peer, "--dry-run", "-o", "json"])
      expect(r.code).toBe(0)
      const report = r.json<Report>()
      expect(report.imported.map((i) => i.name)).toEqual(Object.keys(EXPECTED[peer].servers))
      expect(new Set(report.imported.map((i) => i.source))).toEqual(new Set([join(t.path, file)]))
    }
  })

  it("Codex and Goose literal secrets: a warning naming the ${VAR} form, or ${VAR} with --secrets-to-env (I14)", async () => {
    await using t = await tmpdir()
    const secret = "sk-live-codex-0123456789abcdef"
    await t.write(
      ".codex/config.toml",
      `[mcp_servers.db]\ncommand = "db"\nenv = { DB_API_KEY = "${secret}" }\n`,
    )
    const warned = await run(t, ["--from", "codex", "--dry-run"])
    expect(warned.code).toBe(0)
    expect(warned.stderr).toContain(
      'env DB_API_KEY holds a literal secret, written as is; prefer "${DB_API_KEY}"',
    )
    expect(warned.stdout + warned.stderr).not.toContain(secret)
    await t.write(
      ".config/goose/config.yaml",
      `extensions:\n  gh:\n    type: stdio\n    cmd: gh-mcp\n    envs:\n      GITHUB_TOKEN: ${secret}\n`,
    )
    const moved = await run(t, ["--from", "goose", "--secrets-to-env"])
    expect(moved.code).toBe(0)
    expect((await readJson(userFile(t))).mcpServers.gh).toEqual({
      command: "gh-mcp",
      env: { GITHUB_TOKEN: "${GITHUB_TOKEN}" },
    })
  })

  it("reads Claude's default locations under HOME and prints a table of what it did", async () => {
    await using t = await tmpdir()
    await t.write(".claude.json", {
      mcpServers: { a: { command: "a" } },
      projects: { [t.path]: { mcpServers: { b: { type: "http", url: "https://b.example/mcp" } } } },
    })
    await t.write(".mcp.json", { mcpServers: { c: { type: "stdio", command: "c", args: ["--x"] } } })
    const r = await run(t, ["--from", "claude"])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/NAME\s+RESULT\s+FROM/)
    expect(r.stdout).toMatch(new RegExp(`a\\s+added\\s+${join(t.path, ".claude.json")}`))
    expect(r.stdout).toMatch(/b\s+added\s+.*#projects\..*\.mcpServers/)
    expect(r.stdout).toMatch(new RegExp(`c\\s+added\\s+${join(t.path, ".mcp.json")}`))
    expect((await readJson(userFile(t))).mcpServers).toEqual({
      a: { command: "a" },
      b: { type: "http", url: "https://b.example/mcp" },
      c: { command: "c", args: ["--x"] },
    })
  })

  it("VS Code: reads ./.vscode/mcp.json (JSONC), maps ${input:id} and notes the input's description", async () => {
    await using t = await tmpdir()
    await t.write(".vscode/mcp.json", await readFile(join(FIXTURES, "vscode.mcp.json"), "utf8"))
    const r = await run(t, ["--from", "vscode", "--scope", "project"])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(
      "${input:github-token} → ${GITHUB_TOKEN} (GitHub Personal Access Token, secret)",
    )
    const written = await readJson(join(t.path, ".mcp.json"))
    expect(written.mcpServers.github.headers).toEqual({ Authorization: "Bearer ${GITHUB_TOKEN}" })
    expect(written.mcpServers.playwright.args).toEqual([
      "@playwright/mcp@latest",
      "--output-dir",
      `${t.path}/out`,
    ])
    expect(statSync(join(t.path, ".mcp.json")).mode & 0o777).toBe(0o644)
  })

  it("--dry-run writes nothing and prints the resulting config with literal secrets masked", async () => {
    await using t = await tmpdir()
    const src = await t.write("kiro.json", {
      mcpServers: { k: { command: "k", env: { TOKEN: "literal-s3cret", REF: "${REF}" } } },
    })
    const r = await run(t, ["--from", "kiro", src, "--dry-run", "-o", "json"])
    expect(r.code).toBe(0)
    expect(r.stdout).not.toContain("literal-s3cret")
    const report = r.json<Report>()
    expect(report.dryRun).toBe(true)
    expect(report.result).toEqual({
      mcpServers: { k: { command: "k", env: { TOKEN: "***", REF: "${REF}" } } },
    })
    expect(existsSync(userFile(t))).toBe(false)
    expect(existsSync(join(t.home, "config"))).toBe(false)
    const text = await run(t, ["--from", "kiro", src, "--dry-run"])
    expect(text.stdout).toContain("would be added")
    expect(text.stdout).toContain('"REF": "${REF}"')
    expect(existsSync(userFile(t))).toBe(false)
  })

  it("skips a name that already exists with a note; --force replaces it", async () => {
    await using t = await tmpdir()
    await t.write("agentrt-home/config/mcp.json", {
      mcpServers: { k: { command: "mine" }, other: { command: "o" } },
    })
    const src = await t.write("cursor.json", {
      mcpServers: { k: { command: "theirs" }, n: { command: "new" } },
    })
    const r = await run(t, ["--from", "cursor", src, "-o", "json"])
    expect(r.code).toBe(0)
    const report = r.json<Report>()
    expect(report.imported.map((i) => [i.name, i.action])).toEqual([["n", "added"]])
    expect(report.skipped).toEqual([
      { name: "k", source: src, reason: `already in ${userFile(t)}; --force replaces it` },
    ])
    expect((await readJson(userFile(t))).mcpServers.k).toEqual({ command: "mine" })
    const forced = await run(t, ["--from", "cursor", src, "--force", "-o", "json"])
    expect(forced.json<Report>().imported.map((i) => [i.name, i.action])).toEqual([
      ["k", "replaced"],
      ["n", "replaced"],
    ])
    expect(await readJson(userFile(t))).toEqual({
      mcpServers: { k: { command: "theirs" }, other: { command: "o" }, n: { command: "new" } },
    })
  })

  it("stores hostile commands verbatim and runs nothing", async () => {
    await using t = await tmpdir()
    const w = await witnessServer(t)
    const src = await t.write("evil.json", {
      mcp: { evil: { type: "local", command: [w.command, ...w.args] } },
    })
    const r = await run(t, ["--from", "opencode", src])
    expect(r.code).toBe(0)
    expect((await readJson(userFile(t))).mcpServers.evil).toEqual({ command: w.command, args: w.args })
    expect(w.ran()).toBe(false)
  })

  it("fails clearly: unknown peer, nothing found (lists where it looked), missing FILE, oversized file", async () => {
    await using t = await tmpdir()
    const bad = await run(t, ["--from", "emacs"])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain("one of: claude, cursor, vscode, kiro, gemini, opencode")
    const none = await run(t, ["--from", "gemini"])
    expect(none.code).toBe(2)
    expect(none.stderr).toContain(join(t.path, ".gemini", "settings.json"))
    const missing = await run(t, ["--from", "claude", "nope.json"])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("does not exist")
    const big = await t.write("big.json", {
      mcpServers: { a: { command: "a", args: ["x".repeat(10 * 1024 * 1024)] } },
    })
    const huge = await run(t, ["--from", "claude", big])
    expect(huge.code).toBe(2)
    expect(huge.stderr).toMatch(/error: .*big\.json/)
    expect(existsSync(userFile(t))).toBe(false)
  })

  it("skips entries that would not load, with the reason, and imports the rest", async () => {
    await using t = await tmpdir()
    const src = await t.write("g.json", {
      mcpServers: { ok: { httpUrl: "https://ok.example/mcp" }, bad: { url: "ftp://x" } },
    })
    const r = await run(t, ["--from", "gemini", src])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/bad\s+skipped/)
    expect(r.stdout).toContain("URL scheme ftp: is not allowed")
    expect((await readJson(userFile(t))).mcpServers).toEqual({
      ok: { type: "http", url: "https://ok.example/mcp" },
    })
  })
})
