import { describe, expect, it } from "bun:test"
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { parseConfigValue } from "../../src/config/index.ts"
import { importFromPeer } from "../../src/config/import.ts"
import { EXPORT_CLIENTS, type ExportClient } from "../../src/install/export-clients.ts"
import { exportDiff, maskLine } from "../../src/install/export-diff.ts"
import { verify } from "../../src/install/export-write.ts"
import { planExport, type ExportServer } from "../../src/install/export.ts"
import { tmpdir } from "../helpers/tmp.ts"

// `agent mcp export` plans against golden files: tests/fixtures/peers/<client>/export-before.*
// is the client's file with its own keys, comments and a server of its own; export-after.* is
// what it must become. UPDATE_GOLDEN=1 rewrites the goldens (then read the diff before committing).
const FIXTURES = join(import.meta.dir, "..", "fixtures", "peers")
const EXT: Record<ExportClient, string> = {
  claude: "json",
  cursor: "json",
  vscode: "json",
  codex: "toml",
  goose: "yaml",
  antigravity: "json",
  zed: "json",
  windsurf: "json",
  "claude-desktop": "json",
}

const server = (name: string, entry: Record<string, unknown>): ExportServer => ({
  name,
  entry,
  scope: "user",
  file: "/cfg/mcp.json",
})

export const SERVERS: ExportServer[] = [
  server("fs", { command: "npx", args: ["-y", "@modelcontextprotocol/server-filesystem", "/srv/data"] }),
  server("github", {
    type: "http",
    url: "https://api.githubcopilot.com/mcp/",
    headers: { Authorization: "Bearer ${GITHUB_TOKEN}" },
  }),
  server("search", {
    command: "uvx",
    args: ["search-mcp"],
    env: { SEARCH_API_KEY: "${SEARCH_API_KEY}", REGION: "eu" },
    includeTools: ["search"],
  }),
  server("events", { type: "sse", url: "https://events.example.com/sse" }),
]

// Which of SERVERS each client can hold without --proxy (the rest are refused, with a reason).
const WRITTEN: Record<ExportClient, string[]> = {
  claude: ["fs", "github", "events"],
  cursor: ["fs", "github", "events"],
  vscode: ["fs", "github", "events"],
  codex: ["fs", "github", "search"],
  goose: ["fs", "search", "events"],
  antigravity: ["fs"],
  zed: ["fs"],
  windsurf: ["fs", "github", "events"],
  "claude-desktop": ["fs"],
}

describe("planExport: golden files", () => {
  for (const client of EXPORT_CLIENTS) {
    it(`${client}: writes only its entries, keeping the rest of the file byte for byte`, async () => {
      const dir = join(FIXTURES, client)
      const plan = await planExport({
        client,
        file: join(dir, `export-before.${EXT[client]}`),
        servers: SERVERS,
        force: false,
      })
      expect(plan.written.map((w) => w.name)).toEqual(WRITTEN[client])
      expect(plan.skipped.map((s) => s.name).sort()).toEqual(
        SERVERS.map((s) => s.name)
          .filter((n) => !WRITTEN[client].includes(n))
          .sort(),
      )
      const golden = join(dir, `export-after.${EXT[client]}`)
      if (process.env.UPDATE_GOLDEN || !existsSync(golden)) writeFileSync(golden, plan.after)
      expect(plan.after).toBe(readFileSync(golden, "utf8"))
      // Nothing of the original is lost: every line is still there, in order (a sibling may gain
      // the comma before ours, and a comment at its end moves past our entry), comments included.
      const bare = (l: string) =>
        l
          .replace(/\s*\/\/.*$/, "")
          .replace(/,$/, "")
          .replace(/\{\}$/, "{")
      const after = plan.after.split("\n").map(bare)
      let at = 0
      for (const line of plan.before.split("\n").map(bare)) {
        const found = after.indexOf(line, at)
        expect(found).toBeGreaterThanOrEqual(0)
        at = found + 1
      }
      for (const comment of plan.before.match(/(\/\/|#).*$/gm) ?? []) expect(plan.after).toContain(comment)
    })
  }
})

describe("planExport: round trip", () => {
  for (const client of EXPORT_CLIENTS) {
    it(`${client}: export then import gives the same servers`, async () => {
      await using t = await tmpdir()
      const file = join(t.path, `out.${EXT[client]}`)
      const plan = await planExport({ client, file, servers: SERVERS, force: false })
      writeFileSync(file, plan.after)
      const back = await importFromPeer(client, { home: t.path, cwd: t.path }, file)
      expect(back.servers.map((s) => s.name)).toEqual(WRITTEN[client])
      for (const s of back.servers) {
        const original = SERVERS.find((x) => x.name === s.name)!.entry
        // Cursor, VS Code and Windsurf write ${env:VAR}: the same variable as our ${VAR}.
        const same = JSON.parse(JSON.stringify(s.entry).replaceAll("${env:", "${"))
        // Cursor and Windsurf tell Streamable HTTP from SSE themselves: no type is written.
        const { type: _t, ...untyped } = original
        const expected = client === "cursor" || client === "windsurf" ? untyped : original
        expect(canonical(s.name, same)).toEqual(canonical(s.name, expected))
      }
    })
  }

  it("--proxy entries import back as `agent mcp proxy NAME` for every client", async () => {
    for (const client of EXPORT_CLIENTS) {
      await using t = await tmpdir()
      const file = join(t.path, `out.${EXT[client]}`)
      const argv = ["/opt/agent/bin/agent"]
      const plan = await planExport({ client, file, servers: SERVERS, proxy: argv, force: false })
      expect(plan.skipped).toEqual([])
      writeFileSync(file, plan.after)
      const back = await importFromPeer(client, { home: t.path, cwd: t.path }, file)
      expect(back.servers.map((s) => [s.name, s.entry.command, s.entry.args])).toEqual(
        SERVERS.map((s) => [s.name, "/opt/agent/bin/agent", ["mcp", "proxy", s.name]]),
      )
    }
  })
})

function canonical(name: string, entry: Record<string, unknown>) {
  return parseConfigValue(
    { value: { mcpServers: { [name]: entry } }, locate: () => undefined },
    "x.json",
    "file",
  ).servers[0]!.server
}

describe("planExport: what is never written (I18)", () => {
  it("refuses a literal secret, a project server and a reference the client cannot express", async () => {
    const plan = await planExport({
      client: "cursor",
      file: "/nonexistent/dir/mcp.json",
      servers: [
        server("lit", { command: "lit", env: { API_KEY: "sk-live-0123456789abcdef" } }),
        { ...server("proj", { command: "proj" }), scope: "project", file: "/repo/.mcp.json" },
        server("dflt", { command: "d", args: ["${MODE:-fast}"] }),
      ],
      force: false,
    })
    expect(plan.written).toEqual([])
    expect(plan.skipped.map((s) => [s.name, s.reason])).toEqual([
      ["lit", "env API_KEY holds a literal secret, which is not copied into another client's file"],
      ["proj", "a project server (/repo/.mcp.json): agent asks before it runs, another client would not"],
      ["dflt", '${MODE:-…} (in "${MODE:-fast}"): Cursor has no default-value form'],
    ])
    expect(JSON.stringify(plan)).not.toContain("sk-live-0123456789abcdef")
    expect(plan.after).toBe("")
  })

  it("Codex: a variable under another name, or one inside args, has no Codex form", async () => {
    const plan = await planExport({
      client: "codex",
      file: "/nonexistent/config.toml",
      servers: [
        server("renamed", { command: "r", env: { API_KEY: "${MY_KEY}" } }),
        server("inargs", { command: "r", args: ["--token=${TOKEN}"] }),
      ],
      force: false,
    })
    expect(plan.written).toEqual([])
    expect(plan.skipped.map((s) => s.name)).toEqual(["renamed", "inargs"])
    expect(plan.skipped.every((s) => s.hint?.includes("--proxy"))).toBe(true)
  })

  it("masks the other client's own secrets in the diff it shows", () => {
    const before =
      '{\n  "mcpServers": {\n    "mine": { "env": { "MINE_API_TOKEN": "ghp_abcdefghijklmnop0123456789" } }\n  }\n}\n'
    const after = before.replace('"mcpServers": {', '"mcpServers": {\n    "fs": { "command": "npx" },')
    const diff = exportDiff(before, after).join("\n")
    expect(diff).toContain('+     "fs": { "command": "npx" },')
    expect(diff).not.toContain("ghp_abcdefghijklmnop0123456789")
    expect(maskLine('MINE_TOKEN = "abcdefgh12345678"')).toBe('MINE_TOKEN = "***"')
    expect(maskLine('bearer_token_env_var = "GITHUB_TOKEN"')).toBe('bearer_token_env_var = "GITHUB_TOKEN"')
    expect(maskLine("Authorization: Bearer abcdefghijkl")).not.toContain("abcdefghijkl")
  })
})

describe("planExport: an entry the client already has", () => {
  it("is left alone unless force; unchanged when identical; replaced with force", async () => {
    await using t = await tmpdir()
    const file = await t.write(".cursor/mcp.json", { mcpServers: { fs: { command: "other" } } })
    const fs = SERVERS.slice(0, 1)
    const kept = await planExport({ client: "cursor", file, servers: fs, force: false })
    expect(kept.skipped).toEqual([
      { name: "fs", reason: 'Cursor already has a different "fs"', hint: "--force replaces it" },
    ])
    expect(kept.after).toBe(kept.before)
    const replaced = await planExport({ client: "cursor", file, servers: fs, force: true })
    expect(replaced.written).toEqual([{ name: "fs", action: "replaced", notes: [] }])
    writeFileSync(file, replaced.after)
    const again = await planExport({ client: "cursor", file, servers: fs, force: false })
    expect(again.unchanged).toEqual(["fs"])
  })

  it("Codex: --force cuts the old [mcp_servers.NAME] tables, and refuses an inline definition", async () => {
    await using t = await tmpdir()
    const file = join(FIXTURES, "codex", "export-before.toml")
    const mine = [server("mine", { command: "new-mine" })]
    const plan = await planExport({ client: "codex", file, servers: mine, force: true })
    expect(plan.after).not.toContain("MINE_LEVEL")
    expect(plan.after).toContain("[profiles.fast]")
    expect(plan.after).toContain('[mcp_servers.mine]\ncommand = "new-mine"')
    const inline = await t.write("config.toml", 'mcp_servers.mine = { command = "x" }\n')
    await expect(planExport({ client: "codex", file: inline, servers: mine, force: true })).rejects.toThrow(
      /written inline/,
    )
  })
})

describe("the edit changes only the exported entries (I19)", () => {
  it("refuses a result that differs anywhere else, or whose entry is not the one meant", () => {
    const puts = [{ name: "fs", value: { command: "npx" } }]
    const before = { model: "x", mcp_servers: { mine: { command: "m" } } }
    const ok = { model: "x", mcp_servers: { mine: { command: "m" }, fs: { command: "npx" } } }
    expect(() => verify("toml", before, ok, "mcp_servers", puts, "c.toml")).not.toThrow()
    const otherChanged = { model: "y", mcp_servers: { mine: { command: "m" }, fs: { command: "npx" } } }
    expect(() => verify("toml", before, otherChanged, "mcp_servers", puts, "c.toml")).toThrow(
      /would have changed more than the exported servers; nothing was written/,
    )
    const siblingLost = { model: "x", mcp_servers: { fs: { command: "npx" } } }
    expect(() => verify("toml", before, siblingLost, "mcp_servers", puts, "c.toml")).toThrow(
      /nothing was written/,
    )
    const wrongEntry = { model: "x", mcp_servers: { mine: { command: "m" }, fs: { command: "other" } } }
    expect(() => verify("toml", before, wrongEntry, "mcp_servers", puts, "c.toml")).toThrow(
      /nothing was written/,
    )
  })

  it("TOML: a table header inside a multi-line string is not cut into (the edit is refused)", async () => {
    await using t = await tmpdir()
    const file = await t.write(
      "config.toml",
      '[mcp_servers.notes]\ncommand = "n"\ndescription = """\n[mcp_servers.fs]\nnot a table\n"""\n',
    )
    const before = readFileSync(file, "utf8")
    await expect(
      planExport({ client: "codex", file, servers: SERVERS.slice(0, 1), force: false }),
    ).rejects.toThrow(/nothing was written/)
    expect(readFileSync(file, "utf8")).toBe(before)
  })
})
