import { describe, expect, it } from "bun:test"
import { join } from "node:path"
import { parseConfigFile, parseConfigValue, type ServerConfig } from "../../src/config/index.ts"
import { importFromPeer, peerSources, type Peer } from "../../src/config/import.ts"
import { EXPECTED } from "../fixtures/peers/expected.ts"
import { tmpdir } from "../helpers/tmp.ts"

const FIXTURES = join(import.meta.dir, "..", "fixtures", "peers")

// Where the import is deliberately more faithful than loading the peer file as ours.
const INTENDED_DIFFERENCES: Partial<Record<Peer, (name: string, s: ServerConfig) => ServerConfig>> = {
  // ${input:github-token} becomes the variable it would read anyway.
  vscode: (_n, s) =>
    JSON.parse(
      JSON.stringify(s)
        .replaceAll("${input:github-token}", "${GITHUB_TOKEN}")
        .replaceAll("${workspaceFolder}", "/proj"),
    ),
  // Gemini's typeless `url` is SSE; loading it as ours tries Streamable HTTP first.
  gemini: (n, s) => (n === "events" ? { ...s, transport: "sse" } : s) as ServerConfig,
  // Cursor's `auth` is unknown to the loader (ignored); the import turns it into oauth.
  cursor: (n, s) =>
    (n === "notion"
      ? {
          ...s,
          oauth: {
            grant: "authorization_code",
            clientId: "cursor-notion-client",
            clientSecret: "${env:NOTION_CLIENT_SECRET}",
            scopes: ["read", "write"],
          },
        }
      : s) as ServerConfig,
}

const env = { home: "/nonexistent-home", cwd: "/proj" }

describe("importFromPeer", () => {
  for (const peer of Object.keys(EXPECTED) as Peer[]) {
    const { file, servers, skipped = [], isNative } = EXPECTED[peer]
    const path = join(FIXTURES, file)

    // A native format (TOML, YAML, Zed's settings) is not ours: these two checks are for the
    // peers whose files our loader reads as they are. Not defined at all for the others.
    if (isNative !== true) {
      it(`${peer}: the peer file loads as our config directly`, () => {
        const parsed = parseConfigFile(path, "file")
        expect(parsed.servers.map((s) => s.name)).toEqual(Object.keys(servers))
      })
    }

    it(`${peer}: converts every server with every field accounted for`, async () => {
      const result = await importFromPeer(peer, env, path)
      expect(result.skipped.map((s) => s.name)).toEqual(skipped)
      expect(Object.fromEntries(result.servers.map((s) => [s.name, s.entry]))).toEqual(servers)
      // Key order matters too: the written file should read like a hand-written one.
      expect(JSON.stringify(Object.fromEntries(result.servers.map((s) => [s.name, s.entry])))).toBe(
        JSON.stringify(servers),
      )
    })

    if (isNative !== true) {
      it(`${peer}: the imported entries load to the same canonical servers as the original`, () => {
        const original = parseConfigFile(path, "file").servers
        const imported = parseConfigValue(
          { value: { mcpServers: servers }, locate: () => undefined },
          "imported.json",
          "file",
        ).servers
        const adjust = INTENDED_DIFFERENCES[peer] ?? ((_n: string, s: ServerConfig) => s)
        expect(imported.map((e) => e.server)).toEqual(original.map((e) => adjust(e.name, e.server)))
      })
    }
  }

  it("notes what changed meaning: trust, Gemini url, excludeTools, inputs with their description", async () => {
    const gemini = await importFromPeer("gemini", env, join(FIXTURES, "gemini.settings.json"))
    const notes = Object.fromEntries(gemini.servers.map((s) => [s.name, s.notes]))
    expect(notes.stream).toContain(
      'trust: true → autoApprove ["*"]: every tool of this server runs without asking',
    )
    expect(notes.events).toContain('Gemini "url" is SSE → type sse')
    expect(notes.events).not.toContain("excludeTools → disabledTools") // the same list, same name
    const vscode = await importFromPeer("vscode", env, join(FIXTURES, "vscode.mcp.json"))
    expect(vscode.inputs).toEqual([
      {
        id: "github-token",
        variable: "GITHUB_TOKEN",
        isPassword: true,
        description: "GitHub Personal Access Token",
      },
    ])
    expect(vscode.servers[0]?.notes.join("\n")).toContain("GitHub Personal Access Token")
  })

  it("rewrites Gemini's bare $VAR to ${VAR} and keeps $$ escapes", async () => {
    await using t = await tmpdir()
    const file = await t.write("settings.json", {
      mcpServers: { a: { command: "run", args: ["$TOKEN", "x$$y"], env: { K: "pre-$KEY" } } },
    })
    const [s] = (await importFromPeer("gemini", env, file)).servers
    expect(s?.entry).toEqual({ command: "run", args: ["${TOKEN}", "x$$y"], env: { K: "pre-${KEY}" } })
  })

  it("skips an entry that would not load, with the loader's reason, and keeps the rest", async () => {
    await using t = await tmpdir()
    const file = await t.write("mcp.json", {
      mcpServers: { bad: { command: "x", args: [1] }, ok: { command: "y" }, odd: "nope" },
    })
    const result = await importFromPeer("claude", env, file)
    expect(result.servers.map((s) => s.name)).toEqual(["ok"])
    expect(result.skipped.map((s) => s.name)).toEqual(["bad", "odd"])
    expect(result.skipped[0]?.reason).toContain('field "args[0]": expected string')
  })

  it("reads Claude's user, per-project and .mcp.json servers from HOME; the project wins by name", async () => {
    await using t = await tmpdir()
    const home = join(t.path, "home")
    const cwd = join(t.path, "repo")
    await t.write("home/.claude.json", {
      numStartups: 3,
      mcpServers: { shared: { command: "user-version" }, user: { command: "u" } },
      projects: {
        [cwd]: { mcpServers: { local: { type: "http", url: "https://local.example/mcp" } } },
        "/other": { mcpServers: { nope: { command: "n" } } },
      },
    })
    await t.write("repo/.mcp.json", { mcpServers: { shared: { command: "project-version" } } })
    const result = await importFromPeer("claude", { home, cwd }, undefined)
    expect(result.servers.map((s) => [s.name, s.source])).toEqual([
      ["user", join(home, ".claude.json")],
      ["local", `${join(home, ".claude.json")}#projects.${cwd}.mcpServers`],
      ["shared", join(cwd, ".mcp.json")],
    ])
    expect(result.skipped).toEqual([
      {
        name: "shared",
        source: join(home, ".claude.json"),
        reason: `replaced by the definition in ${join(cwd, ".mcp.json")}`,
      },
    ])
  })
})

describe("peerSources", () => {
  const e = { home: "/h", cwd: "/p" }
  it("knows every peer's user and project files", () => {
    const files = (peer: Peer, x = e) => peerSources(peer, x).map((s) => `${s.scope}:${s.file}`)
    expect(files("claude")).toEqual(["user:/h/.claude.json", "user:/h/.claude.json", "project:/p/.mcp.json"])
    expect(files("cursor")).toEqual(["user:/h/.cursor/mcp.json", "project:/p/.cursor/mcp.json"])
    expect(files("kiro")).toEqual(["user:/h/.kiro/settings/mcp.json", "project:/p/.kiro/settings/mcp.json"])
    expect(files("gemini")).toEqual(["user:/h/.gemini/settings.json", "project:/p/.gemini/settings.json"])
    expect(files("opencode")).toEqual([
      "user:/h/.config/opencode/opencode.json",
      "user:/h/.config/opencode/opencode.jsonc",
      "project:/p/opencode.json",
      "project:/p/opencode.jsonc",
    ])
    expect(files("codex")).toEqual(["user:/h/.codex/config.toml", "project:/p/.codex/config.toml"])
    expect(files("codex", { ...e, env: { CODEX_HOME: "/ch" } } as never)[0]).toBe("user:/ch/config.toml")
    expect(files("goose", { ...e, platform: "linux" } as never)).toEqual([
      "user:/h/.config/goose/config.yaml",
    ])
    expect(files("goose", { ...e, platform: "win32", env: { APPDATA: "/ad" } } as never)).toEqual([
      "user:/ad/Block/goose/config/config.yaml",
    ])
    expect(files("antigravity")).toEqual([
      "user:/h/.gemini/antigravity/mcp_config.json",
      "user:/h/.gemini/antigravity-cli/mcp_config.json",
      "project:/p/.agents/mcp_config.json",
    ])
    expect(files("windsurf")).toEqual(["user:/h/.codeium/windsurf/mcp_config.json"])
    expect(files("claude-desktop", { ...e, platform: "darwin" } as never)).toEqual([
      "user:/h/Library/Application Support/Claude/claude_desktop_config.json",
    ])
    expect(files("claude-desktop", { ...e, platform: "win32", env: { APPDATA: "/ad" } } as never)).toEqual([
      "user:/ad/Claude/claude_desktop_config.json",
    ])
    expect(files("zed", { ...e, platform: "linux", env: { XDG_CONFIG_HOME: "/x" } } as never)).toEqual([
      "user:/x/zed/settings.json",
      "project:/p/.zed/settings.json",
    ])
    expect(files("vscode", { ...e, platform: "linux" } as never)).toEqual([
      "user:/h/.config/Code/User/mcp.json",
      "project:/p/.vscode/mcp.json",
    ])
    expect(files("vscode", { ...e, platform: "darwin" } as never)[0]).toBe(
      "user:/h/Library/Application Support/Code/User/mcp.json",
    )
    expect(files("vscode", { ...e, platform: "win32", env: { APPDATA: "/appdata" } } as never)[0]).toBe(
      "user:/appdata/Code/User/mcp.json",
    )
  })
})

describe("importFromPeer: peers that keep values literal (issue 15)", () => {
  it("escapes $, % and {env: from Codex, Goose, Zed and Claude Desktop so they load back unchanged", async () => {
    await using t = await tmpdir()
    const file = await t.write(
      "config.toml",
      '[mcp_servers.a]\ncommand = "run"\nargs = ["$HOME", "50%", "{env:X}"]\n',
    )
    const [a] = (await importFromPeer("codex", env, file)).servers
    expect(a?.entry.args).toEqual(["$$HOME", "50%%", "\\{env:X}"])
    const { expandTemplate } = await import("../../src/config/interpolate.ts")
    const back = ((a?.entry.args ?? []) as string[]).map((s) => expandTemplate(s, () => undefined))
    expect(back).toEqual([
      { ok: true, value: "$HOME" },
      { ok: true, value: "50%" },
      { ok: true, value: "{env:X}" },
    ])
  })

  it("reports a TOML or YAML syntax error with the file name (exit 2)", async () => {
    await using t = await tmpdir()
    const toml = await t.write("config.toml", "[mcp_servers.a\ncommand = 1\n")
    await expect(importFromPeer("codex", env, toml)).rejects.toThrow(/config\.toml: not valid TOML/)
    const yaml = await t.write("config.yaml", "extensions:\n  a: [unclosed\n")
    await expect(importFromPeer("goose", env, yaml)).rejects.toThrow(/config\.yaml: not valid YAML/)
  })
})

describe("importFromPeer: tool filters (issue 14)", () => {
  it("carries opencode's top-level tool globs over as the server's excludeTools", async () => {
    await using t = await tmpdir()
    const file = await t.write("opencode.json", {
      mcp: {
        gh: { type: "local", command: ["gh-mcp"] },
        fs: { type: "local", command: ["fs-mcp"] },
        web: { type: "remote", url: "https://w.example/mcp" },
      },
      tools: { "gh_delete_*": false, gh_create_issue: false, "fs*": false, web_fetch: true, bash: false },
    })
    const byName = Object.fromEntries(
      (await importFromPeer("opencode", env, file)).servers.map((s) => [s.name, s]),
    )
    expect(byName.gh?.entry.excludeTools).toEqual(["delete_*", "create_issue"])
    expect(byName.gh?.notes).toContain('opencode "tools" switches → excludeTools "delete_*", "create_issue"')
    expect(byName.fs?.entry.excludeTools).toEqual(["*"])
    expect(byName.web?.entry.excludeTools).toBeUndefined()
  })

  it("renames Kiro's disabledTools and Codex's enabled_tools/disabled_tools", async () => {
    await using t = await tmpdir()
    const kiro = await t.write("kiro.json", { mcpServers: { k: { command: "k", disabledTools: ["rm_*"] } } })
    const [k] = (await importFromPeer("kiro", env, kiro)).servers
    expect(k?.entry).toEqual({ command: "k", excludeTools: ["rm_*"] })
    expect(k?.notes).toContain("disabledTools → excludeTools")
    const codex = await t.write("codex.json", {
      mcpServers: { c: { command: "c", enabled_tools: ["read_*"], disabled_tools: ["read_secret"] } },
    })
    const [c] = (await importFromPeer("claude", env, codex)).servers
    expect(c?.entry).toEqual({ command: "c", includeTools: ["read_*"], excludeTools: ["read_secret"] })
  })
})
