import { describe, expect, it } from "bun:test"
import { join } from "node:path"
import { ConfigError } from "../../src/util/errors.ts"
import { fingerprintServer, loadConfig, parseConfigFile, type ServerConfig } from "../../src/config/index.ts"
import { resolvePaths } from "../../src/util/paths.ts"
import { descendants } from "../helpers/processes.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { witnessServer } from "../helpers/witness.ts"

async function load(files: Record<string, string | object>, only = ["mcp.json"]) {
  await using t = await tmpdir({ files })
  return loadConfig({ paths: resolvePaths({ AGENTRT_HOME: t.home }), cwd: t.path, files: only })
}

function loadError(files: Record<string, string | object>): Promise<ConfigError> {
  return load(files).then(
    () => {
      throw new Error("expected a ConfigError")
    },
    (e: unknown) => {
      expect(e).toBeInstanceOf(ConfigError)
      return e as ConfigError
    },
  )
}

const server = (c: Awaited<ReturnType<typeof load>>, name: string): ServerConfig => {
  const e = c.servers.find((s) => s.name === name)
  if (!e) throw new Error(`no server ${name}`)
  return e.server
}

describe("loading the mcpServers format and the peers' aliases", () => {
  it("normalizes a local and a remote server", async () => {
    const c = await load({
      "mcp.json": {
        mcpServers: {
          fs: { command: "npx", args: ["-y", "pkg"], env: { A: "1" }, cwd: "/tmp" },
          gh: { type: "http", url: "https://h.example/mcp", headers: { Authorization: "Bearer ${T}" } },
        },
      },
    })
    expect(server(c, "fs")).toEqual({
      transport: "stdio",
      command: "npx",
      args: ["-y", "pkg"],
      env: { A: "1" },
      cwd: "/tmp",
      disabled: false,
      autoApprove: [],
      required: false,
    })
    expect(server(c, "gh")).toMatchObject({
      transport: "http",
      url: "https://h.example/mcp",
      headers: { Authorization: "Bearer ${T}" },
    })
  })

  it("reads VS Code servers, opencode mcp, Gemini httpUrl/excludeTools/trust, serverUrl and streamable-http", async () => {
    const c = await load({
      "mcp.json": {
        servers: { vs: { type: "stdio", command: "node", args: ["s.js"] } },
        mcp: {
          oc: { type: "local", command: ["bun", "x", "srv"], environment: { K: "v" }, enabled: false },
          ocr: { type: "remote", url: "https://r.example/mcp" },
        },
        mcpServers: {
          gem: { httpUrl: "https://g.example/mcp", excludeTools: ["rm"], trust: true, timeout: 5000 },
          wind: { serverUrl: "https://w.example/mcp" },
          claude: { type: "streamable-http", url: "https://c.example/mcp" },
        },
      },
    })
    expect(server(c, "vs")).toMatchObject({ transport: "stdio", command: "node", args: ["s.js"] })
    expect(server(c, "oc")).toMatchObject({
      transport: "stdio",
      command: "bun",
      args: ["x", "srv"],
      env: { K: "v" },
      disabled: true,
    })
    expect(server(c, "ocr")).toMatchObject({ transport: "auto", url: "https://r.example/mcp" })
    expect(server(c, "gem")).toMatchObject({
      transport: "http",
      excludeTools: ["rm"],
      autoApprove: ["*"],
      timeout: 5000,
    })
    expect(server(c, "wind")).toMatchObject({ transport: "auto" })
    expect(server(c, "claude")).toMatchObject({ transport: "http" })
  })

  it("maps VS Code inputs to variables", async () => {
    const c = await load({
      "mcp.json": {
        inputs: [{ type: "promptString", id: "github-token", description: "GitHub PAT", password: true }],
        servers: {
          gh: {
            type: "http",
            url: "https://x.example",
            headers: { Authorization: "Bearer ${input:github-token}" },
          },
        },
      },
    })
    expect(c.inputs.get("GITHUB_TOKEN")).toEqual({
      id: "github-token",
      description: "GitHub PAT",
      password: true,
    })
  })

  it("reads JSONC (comments, trailing commas) as VS Code and Gemini write it", async () => {
    const c = await load({ "mcp.json": '{\n  // local\n  "servers": { "a": { "command": "x", }, },\n}\n' })
    expect(c.servers.map((s) => s.name)).toEqual(["a"])
  })
})

describe("scopes", () => {
  it("lets project override user and --mcp override project, by name", async () => {
    await using t = await tmpdir({
      files: {
        "agentrt-home/config/mcp.json": { mcpServers: { a: { command: "user" }, u: { command: "u" } } },
        ".mcp.json": { mcpServers: { a: { command: "project" }, p: { command: "p" } } },
        ".agentrt/mcp.json": { mcpServers: { p: { command: "p2" } } },
        "extra.json": { mcpServers: { a: { command: "file" } } },
      },
    })
    const c = loadConfig({
      paths: resolvePaths({ AGENTRT_HOME: t.home }),
      cwd: t.path,
      files: ["extra.json"],
    })
    const byName = Object.fromEntries(c.servers.map((s) => [s.name, s]))
    expect(byName.a?.scope).toBe("file")
    expect(byName.a?.server).toMatchObject({ command: "file" })
    expect(byName.p?.server).toMatchObject({ command: "p2" })
    expect(byName.p?.file).toBe(join(t.path, ".agentrt/mcp.json"))
    expect(byName.u?.scope).toBe("user")
    expect(c.shadowed.map((s) => `${s.name}:${s.scope}`)).toEqual(["a:user", "p:project", "a:project"])
  })

  it("fails when a --mcp file is missing, and says so", async () => {
    const e = await loadError({ "other.json": "{}" })
    expect(e.message).toContain("mcp.json does not exist")
  })
})

describe("errors name the file, the line, the server and the field", () => {
  it("gives line and column for a JSON syntax error (C07)", async () => {
    const e = await loadError({
      "mcp.json": '{\n  "mcpServers": {\n    "a": { "command": "x" "args": [] }\n  }\n}',
    })
    expect(e.message).toMatch(/mcp\.json:3:\d+: /)
  })

  it("names the server and the field for a wrong type, with a hint", async () => {
    const e = await loadError({ "mcp.json": { mcpServers: { api: { command: "x", args: "-y" } } } })
    expect(e.message).toMatch(/mcp\.json:\d+:\d+: server "api" field "args": expected Array/)
    expect(e.hint).toContain("list of strings")
  })

  it("refuses a server with both command and url, or neither", async () => {
    expect(
      (await loadError({ "mcp.json": { mcpServers: { s: { command: "x", url: "https://a" } } } })).message,
    ).toContain("both a command and a url")
    expect((await loadError({ "mcp.json": { mcpServers: { s: { args: [] } } } })).hint).toContain('"command"')
  })

  it("jwt_bearer needs exactly one JWT source: none or two is a config error naming oauth.assertion", async () => {
    const jwt = (oauth: object) => ({
      "mcp.json": { mcpServers: { ci: { url: "https://a.example/mcp", oauth } } },
    })
    const none = await loadError(jwt({ grant: "jwt_bearer" }))
    expect(none.message).toContain('server "ci": "oauth.assertion" is required by the jwt_bearer grant')
    expect(none.hint).toContain("github-actions")
    const two = await loadError(
      jwt({ grant: "jwt_bearer", assertion: "${X}", assertionFrom: "github-actions" }),
    )
    expect(two.message).toContain("more than once")
    const ok = server(await load(jwt({ grant: "jwt_bearer", assertionFile: "/run/token", dpop: true })), "ci")
    expect(ok.transport !== "stdio" && ok.oauth).toMatchObject({
      grant: "jwt_bearer",
      assertionFile: "/run/token",
      dpop: true,
    })
  })

  it("refuses a url that is not http(s)", async () => {
    const e = await loadError({ "mcp.json": { mcpServers: { s: { url: "file:///etc/passwd" } } } })
    expect(e.message).toContain("file: is not allowed")
  })

  it("refuses a bare $VAR and %VAR% instead of passing them on", async () => {
    expect(
      (await loadError({ "mcp.json": { mcpServers: { s: { command: "x", args: ["$TOKEN"] } } } })).message,
    ).toContain("args[0]")
    expect(
      (await loadError({ "mcp.json": { mcpServers: { s: { command: "x", env: { A: "%TOKEN%" } } } } })).path,
    ).toBe("mcpServers.s.env.A")
    expect(
      (await loadError({ "mcp.json": { mcpServers: { s: { url: "https://a/${${X}}" } } } })).message,
    ).toContain('"s"')
  })

  it("refuses invalid server names and a name defined twice", async () => {
    expect((await loadError({ "mcp.json": { mcpServers: { "a/b": { command: "x" } } } })).message).toContain(
      "slashes",
    )
    expect(
      (
        await loadError({
          "mcp.json": { mcpServers: { a: { command: "x" } }, servers: { a: { command: "y" } } },
        })
      ).message,
    ).toContain("both")
  })

  it("warns about unknown fields with a did-you-mean, and still loads", async () => {
    const c = await load({
      "mcp.json": { mcpServers: { a: { command: "x", arg: ["y"], color: "red" } }, theme: "dark" },
    })
    const messages = c.warnings.map((w) => w.message)
    expect(messages).toContainEqual(
      expect.stringContaining('"arg" in mcpServers.a is ignored (did you mean "args"?)'),
    )
    expect(messages).toContainEqual(expect.stringContaining('"color"'))
    expect(messages).toContainEqual(expect.stringContaining('"theme"'))
    expect(c.servers).toHaveLength(1)
  })
})

describe("hostile configs", () => {
  it("refuses a 10 MB file before parsing it", async () => {
    const e = await loadError({
      "mcp.json": `{"mcpServers":{"a":{"command":"${"x".repeat(10 * 1024 * 1024)}"}}}`,
    })
    expect(e.message).toMatch(/MB/)
  })

  it("refuses deep nesting without a crash", async () => {
    const e = await loadError({
      "mcp.json": `{"mcpServers":{"a":{"command":"x","x":${"[".repeat(5000)}${"]".repeat(5000)}}}}`,
    })
    expect(e.message).toMatch(/nest/i)
  })

  it("refuses __proto__ keys and leaves prototypes alone", async () => {
    const e = await loadError({
      "mcp.json": '{"mcpServers":{"a":{"command":"x","env":{"__proto__":{"polluted":"1"}}}}}',
    })
    expect(e.message).toContain("__proto__")
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it("stores a command with shell metacharacters verbatim and runs nothing", async () => {
    await using t = await tmpdir()
    const w = await witnessServer(t)
    await t.write("mcp.json", {
      mcpServers: { s: { command: w.command, args: w.args.map((a) => a.replace("$(", "$$(")) } },
    })
    const before = descendants(process.pid)
    const c = await loadConfig({
      paths: resolvePaths({ AGENTRT_HOME: t.home }),
      cwd: t.path,
      files: ["mcp.json"],
    })
    expect(server(c, "s")).toMatchObject({ command: w.command, args: w.args })
    // A server started by loading would still be our child (running, or exited and unreaped), or
    // it has already run and left its mark: both are checked, so no wait is needed.
    expect(descendants(process.pid).filter((pid) => !before.includes(pid))).toEqual([])
    expect(w.ran()).toBe(false)
  })
})

describe("fingerprints", () => {
  it("ignore key order but change with the definition", async () => {
    await using t = await tmpdir({
      files: {
        "a.json": '{"mcpServers":{"s":{"command":"x","args":["1"],"env":{"A":"${A}"}}}}',
        "b.json": '{"mcpServers":{"s":{"env":{"A":"${A}"},"args":["1"],"command":"x"}}}',
        "c.json": '{"mcpServers":{"s":{"command":"x","args":["2"],"env":{"A":"${A}"}}}}',
      },
    })
    const fp = (f: string) => parseConfigFile(join(t.path, f), "file").servers[0]?.fingerprint
    expect(fp("a.json")).toBe(fp("b.json") as string)
    expect(fp("a.json")).not.toBe(fp("c.json") as string)
    const s = parseConfigFile(join(t.path, "a.json"), "file").servers[0]!
    expect(fingerprintServer("other", s.server)).not.toBe(s.fingerprint)
  })
})

describe("tool filter spellings (issue 14)", () => {
  it("reads each peer's spelling into includeTools/excludeTools", async () => {
    const c = await load({
      "mcp.json": {
        mcpServers: {
          gemini: { command: "g", includeTools: ["a*"], excludeTools: ["ab"] },
          codex: { command: "c", enabled_tools: ["read_*"], disabled_tools: ["read_x"] },
          kiro: { command: "k", disabledTools: ["rm"] },
        },
      },
    })
    expect(server(c, "gemini")).toMatchObject({ includeTools: ["a*"], excludeTools: ["ab"] })
    expect(server(c, "codex")).toMatchObject({ includeTools: ["read_*"], excludeTools: ["read_x"] })
    expect(server(c, "kiro")).toMatchObject({ excludeTools: ["rm"] })
  })

  it("reads opencode's top-level tool switches as the servers' excludeTools", async () => {
    const c = await load({
      "mcp.json": {
        mcp: {
          gh: { type: "local", command: ["gh"], environment: {} },
          fs: { type: "local", command: ["fs"] },
        },
        tools: { "gh_delete_*": false, gh_read: true, "fs*": false, bash: false },
      },
    })
    expect(server(c, "gh").excludeTools).toEqual(["delete_*"])
    expect(server(c, "fs").excludeTools).toEqual(["*"])
  })

  it("refuses one list written twice (an alias beside the canonical key)", async () => {
    const e = await loadError({
      "mcp.json": { mcpServers: { s: { command: "s", excludeTools: ["a"], disabledTools: ["b"] } } },
    })
    expect(e.message).toContain("disabledTools")
    expect(e.message).toContain("excludeTools")
    expect(e.hint).toContain('"excludeTools"')
  })
})
