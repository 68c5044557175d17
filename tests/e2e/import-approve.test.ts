// Import is an install, literal secrets, and per-server run approvals, on the compiled binary
// (docs/security.md I13, I14, C10): `agent mcp import` reads project files agent itself does not
// trust and writes the trusted user config, so it shows every server and asks first.
import { describe, expect, it } from "bun:test"
import { existsSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { runCli, runCliTty } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"

const SECRET = "sk-live-canary-0987654321"
const agent = (t: TmpDir, args: string[], env: Record<string, string> = {}) =>
  runCli(args, { home: t.home, cwd: t.path, env, binary: true, timeoutMs: 60_000 })
const userConfig = (t: TmpDir) => join(t.home, "config", "mcp.json")

/** A cloned repository's ./.mcp.json, as Claude Code reads it. */
const PROJECT = {
  mcpServers: {
    tools: {
      command: "npx",
      args: ["-y", "some-pkg", "--flag\nruns: npx -y harmless"],
      env: { API_KEY: SECRET, DEBUG: "1" },
    },
    web: {
      url: "https://api.example.com/mcp",
      headers: { Authorization: `Bearer ${SECRET}`, Accept: "application/json" },
    },
  },
}

describe("compiled binary: agent mcp import is an install", () => {
  it("I13: without a terminal and without --yes it shows every server, writes nothing and exits 3", async () => {
    await using t = await tmpdir({ files: { ".mcp.json": PROJECT } })
    const r = await agent(t, ["mcp", "import", "--from", "claude"])
    expect(r.code).toBe(3)
    expect(existsSync(userConfig(t))).toBe(false)
    expect(r.stderr).toContain("nothing was imported: there is no terminal to ask, and --yes was not given")
    // The install screen for each server, with the forged line break escaped.
    expect(r.stderr).toContain('server:  "tools"  (imported from')
    expect(r.stderr).toContain("arg 3:   '--flag\\nruns: npx -y harmless'")
    expect(r.stderr).toContain('server:  "web"  (imported from')
    expect(r.stderr).toContain("url:     https://api.example.com/mcp")
    expect(r.stdout + r.stderr).not.toContain(SECRET)

    const yes = await agent(t, ["mcp", "import", "--from", "claude", "--yes", "-o", "json"])
    expect(yes.code).toBe(0)
    expect(Object.keys(JSON.parse(await readFile(userConfig(t), "utf8")).mcpServers)).toEqual([
      "tools",
      "web",
    ])
  }, 60_000)

  it("I13: at a terminal it asks once for all servers; no writes nothing, yes writes them", async () => {
    await using t = await tmpdir({ files: { ".mcp.json": PROJECT } })
    const opts = { home: t.home, cwd: t.path, binary: true, timeoutMs: 30_000 }
    const no = await runCliTty(["mcp", "import", "--from", "claude"], { ...opts, input: ["n"] })
    expect(no.code).toBe(3)
    expect(no.stdout).toContain("Import these 2 servers into")
    expect(no.stdout).toContain("nothing was imported")
    expect(existsSync(userConfig(t))).toBe(false)

    const yes = await runCliTty(["mcp", "import", "--from", "claude"], { ...opts, input: ["y"] })
    expect(yes.code).toBe(0)
    expect(yes.stdout.match(/Import these 2 servers into/g)).toHaveLength(1)
    expect(yes.stdout).toContain("2 servers written to")
    expect(Object.keys(JSON.parse(await readFile(userConfig(t), "utf8")).mcpServers)).toEqual([
      "tools",
      "web",
    ])
  }, 60_000)

  it("I13: a server that sets a variable deciding what runs (NODE_OPTIONS) is refused unless --allow-dangerous-env names it", async () => {
    await using t = await tmpdir({
      files: {
        ".mcp.json": {
          mcpServers: {
            boot: {
              command: "node",
              args: ["server.js"],
              env: { NODE_OPTIONS: "--import=data:text/javascript,1" },
            },
          },
        },
      },
    })
    const refused = await agent(t, ["mcp", "import", "--from", "claude", "--yes"])
    expect(refused.code).toBe(3)
    expect(refused.stderr).toContain('nothing was imported: "boot" sets NODE_OPTIONS')
    expect(refused.stderr).toContain("--allow-dangerous-env NODE_OPTIONS")
    expect(existsSync(userConfig(t))).toBe(false)
    const allowed = await agent(t, [
      "mcp",
      "import",
      "--from",
      "claude",
      "--yes",
      "--allow-dangerous-env",
      "NODE_OPTIONS",
    ])
    expect(allowed.code).toBe(0)
    expect(JSON.parse(await readFile(userConfig(t), "utf8")).mcpServers.boot.env.NODE_OPTIONS).toBe(
      "--import=data:text/javascript,1",
    )
  }, 60_000)

  it("I14: literal secrets are written only with a warning naming the ${VAR} form; --secrets-to-env rewrites them", async () => {
    await using t = await tmpdir({ files: { ".mcp.json": PROJECT } })
    const r = await agent(t, ["mcp", "import", "--from", "claude", "--yes"])
    expect(r.code).toBe(0)
    expect(r.stderr).toContain(
      'server "tools": env API_KEY holds a literal secret, written as is; prefer "${API_KEY}"',
    )
    expect(r.stderr).toContain(
      'server "web": headers Authorization holds a literal secret, written as is; prefer "${WEB_AUTHORIZATION}"',
    )
    // Plain settings are not secrets.
    expect(r.stderr).not.toContain("DEBUG holds")
    expect(r.stderr).not.toContain("Accept holds")
    expect(r.stdout + r.stderr).not.toContain(SECRET)

    await using u = await tmpdir({ files: { ".mcp.json": PROJECT } })
    const moved = await agent(u, ["mcp", "import", "--from", "claude", "--yes", "--secrets-to-env"])
    expect(moved.code).toBe(0)
    const written = JSON.parse(await readFile(userConfig(u), "utf8")).mcpServers
    expect(written.tools.env).toEqual({ API_KEY: "${API_KEY}", DEBUG: "1" })
    expect(written.web.headers).toEqual({
      Authorization: "Bearer ${WEB_AUTHORIZATION}",
      Accept: "application/json",
    })
    expect(moved.stderr).toContain("agent env approve WEB_AUTHORIZATION --server web")
    expect(moved.stdout + moved.stderr).not.toContain(SECRET)
  }, 60_000)

  it("I14: mcp add --env KEY=literal and a literal Authorization header warn; --secrets-to-env writes ${VAR}", async () => {
    await using t = await tmpdir()
    const add = await agent(t, [
      "mcp",
      "add",
      "gh",
      "--env",
      `GITHUB_TOKEN=ghp_${SECRET}`,
      "--",
      "npx",
      "-y",
      "gh-mcp",
    ])
    expect(add.code).toBe(0)
    expect(add.stderr).toContain(
      'server "gh": env GITHUB_TOKEN holds a literal secret, written as is; prefer "${GITHUB_TOKEN}"',
    )
    const json = await agent(t, [
      "mcp",
      "add-json",
      "api",
      JSON.stringify({ url: "https://api.example.com/mcp", headers: { Authorization: `Bearer ${SECRET}` } }),
      "--secrets-to-env",
    ])
    expect(json.code).toBe(0)
    const written = JSON.parse(await readFile(userConfig(t), "utf8")).mcpServers
    expect(written.gh.env.GITHUB_TOKEN).toBe(`ghp_${SECRET}`)
    expect(written.api.headers.Authorization).toBe("Bearer ${API_AUTHORIZATION}")
    for (const r of [add, json]) expect(r.stdout + r.stderr).not.toContain(SECRET)
  }, 60_000)
})

describe("compiled binary: --approve-env SERVER:VAR", () => {
  it("C10: SERVER:VAR approves the variable for that server only; VAR alone for every server", async () => {
    await using t = await tmpdir()
    const file = await t.write("mcp.json", {
      mcpServers: {
        one: { url: "https://one.example/mcp", headers: { Authorization: "Bearer ${SHARED_TOKEN}" } },
        two: { url: "https://two.example/mcp", headers: { Authorization: "Bearer ${SHARED_TOKEN}" } },
      },
    })
    const env = { SHARED_TOKEN: SECRET }
    type Validate = { servers: { name: string; status: string }[] }
    const one = await agent(
      t,
      ["config", "validate", "--mcp", file, "--approve-env", "one:SHARED_TOKEN", "-o", "json"],
      env,
    )
    expect(one.code).toBe(3)
    expect(one.json<Validate>().servers.map((s) => [s.name, s.status])).toEqual([
      ["one", "ready"],
      ["two", "needs_approval"],
    ])
    const all = await agent(
      t,
      ["config", "validate", "--mcp", file, "--approve-env", "SHARED_TOKEN", "-o", "json"],
      env,
    )
    expect(all.code).toBe(0)
    // A SERVER that is not in the config is a usage error with a did-you-mean, never a silent
    // approval of nothing (a prefix of a server's name is not that server).
    const other = await agent(
      t,
      ["config", "validate", "--mcp", file, "--approve-env", "three:SHARED_TOKEN"],
      env,
    )
    expect(other.code).toBe(2)
    expect(other.stderr).toContain('--approve-env three:SHARED_TOKEN: no server "three" in the loaded config')
    const typo = await agent(t, ["mcp", "list", "--mcp", file, "--approve-env", "on:SHARED_TOKEN"], env)
    expect(typo.code).toBe(2)
    expect(typo.stderr).toContain('no server "on" in the loaded config (did you mean one?)')
    for (const r of [one, all, other, typo]) expect(r.stdout + r.stderr).not.toContain(SECRET)
  }, 60_000)
})
