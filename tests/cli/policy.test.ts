import { describe, expect, it } from "bun:test"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { managedPolicyPath } from "../../src/cli/shared/policy.ts"
import { formatInstallLink } from "../../src/install/index.ts"
import { fakeModel } from "../fixtures/model/server.ts"
import { startRegistry } from "../fixtures/registry/server.ts"
import { BUN, ROOT, runCli } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"

// docs/policy.md through the real CLI (`bun src/main.ts`): one policy file per rule, given with
// AGENTRT_POLICY. The managed file (/etc/agentrt/policy.json on Linux) is never written or
// relied on: these tests stand aside on a machine that has one, since it would apply too.

const BASIC = join(ROOT, "tests/fixtures/servers/stdio-basic.ts")
const basic = { command: BUN, args: [BASIC] }
const hasManaged = existsSync(managedPolicyPath())

async function setup(policy: unknown, config: object = {}) {
  const t = await tmpdir()
  const file = await t.write("policy.json", policy as object)
  await t.write("mcp.json", { mcpServers: config })
  return { t, file }
}
const agent = (t: TmpDir, file: string, args: string[], env: Record<string, string> = {}) =>
  runCli(args, { home: t.home, cwd: t.path, env: { AGENTRT_POLICY: file, ...env } })

interface Listed {
  name: string
  status: string
  error?: string
  hint?: string
}
const listed = async (t: TmpDir, file: string, args: string[] = ["--mcp", "mcp.json"]) => {
  const r = await agent(t, file, ["mcp", "list", "--output", "json", ...args])
  return { code: r.code, stderr: r.stderr, servers: r.json<{ servers: Listed[] }>().servers }
}
const blockedLine = (name: string, file: string, rule: string) =>
  `error: server "${name}" is blocked by policy ${file}: ${rule}\n  hint: the policy is set by your organisation`

describe.skipIf(hasManaged)("policy: servers that start (C11)", () => {
  it("deny by command: shown as blocked among the others, never started; naming it is exit 6", async () => {
    const { t, file } = await setup(
      { deny: { commands: ["docker"] } },
      { basic, d: { command: "docker", args: ["run", "-i", "x"] } },
    )
    await using _ = t
    const l = await listed(t, file)
    expect(l.code).toBe(0)
    expect(l.servers.map((s) => [s.name, s.status])).toEqual([
      ["basic", "connected"],
      ["d", "blocked"],
    ])
    expect(l.servers[1]!.error).toBe(`server "d" is blocked by policy ${file}: deny.commands[0] "docker"`)
    for (const args of [
      ["mcp", "tools", "d", "--mcp", "mcp.json"],
      ["mcp", "call", "d", "echo", "--mcp", "mcp.json"],
      ["mcp", "serve", "--only", "d", "--mcp", "mcp.json"],
      ["mcp", "proxy", "d", "--mcp", "mcp.json"],
    ]) {
      const r = await agent(t, file, args)
      expect({ args, code: r.code }).toEqual({ args, code: 6 })
      expect(r.stderr).toContain(blockedLine("d", file, 'deny.commands[0] "docker"'))
    }
    const strict = await agent(t, file, ["mcp", "list", "--strict", "--mcp", "mcp.json"])
    expect(strict.code).toBe(6)
    const v = await agent(t, file, ["config", "validate", "--mcp", "mcp.json", "--output", "json"])
    expect(v.code).toBe(6)
    expect(v.json<{ servers: { name: string; status: string; policy?: object }[] }>().servers[1]).toEqual({
      name: "d",
      scope: "file",
      file: join(t.path, "mcp.json"),
      status: "blocked",
      policy: { file, rule: 'deny.commands[0] "docker"' },
    } as never)
  }, 60_000)

  it("agent run: a blocked server is reported blocked and offers no tools; a required one is exit 6", async () => {
    const { t, file } = await setup(
      { deny: { commands: ["docker"] } },
      { local: basic, d: { command: "docker" } },
    )
    await using _ = t
    await using srv = await fakeModel([{ text: "done" }])
    const env = { ANTHROPIC_API_KEY: "k", ANTHROPIC_BASE_URL: srv.anthropicBaseUrl }
    const run = ["run", "-m", "anthropic:claude-test", "-o", "stream-json", "go"]
    const r = await agent(t, file, [...run, "--mcp", "mcp.json"], env)
    expect(r.code).toBe(0)
    const init = JSON.parse(r.stdout.split("\n")[0]!) as { servers: { name: string; status: string }[] }
    expect(init.servers.map((x) => [x.name, x.status])).toEqual([
      ["local", "connected"],
      ["d", "blocked"],
    ])
    const tools = JSON.stringify((srv.requests.at(-1)!.body as { tools?: unknown }).tools)
    expect(tools).toContain("local__echo")
    expect(tools).not.toContain("d__")
    await t.write("req.json", { mcpServers: { d: { command: "docker", required: true } } })
    const req = await agent(t, file, [...run, "--mcp", "req.json"], env)
    expect(req.code).toBe(6)
    expect(req.stderr).toContain(blockedLine("d", file, 'deny.commands[0] "docker"'))
  }, 60_000)

  it("an allow list: only what it names starts", async () => {
    const { t, file } = await setup(
      { allow: { commands: [`${BUN} **`] } },
      { basic, other: { command: "node", args: [BASIC] } },
    )
    await using _ = t
    const l = await listed(t, file)
    expect(l.servers.map((s) => [s.name, s.status])).toEqual([
      ["basic", "connected"],
      ["other", "blocked"],
    ])
    expect(l.servers[1]!.error).toContain("not in the allow list (allow.commands)")
  })

  it("deny by URL, for a configured server and an ad hoc --url", async () => {
    const { t, file } = await setup(
      { deny: { urls: ["127.0.0.1:*"] } },
      { remote: { url: "http://127.0.0.1:9/mcp" } },
    )
    await using _ = t
    const l = await listed(t, file)
    expect(l.servers).toMatchObject([{ name: "remote", status: "blocked" }])
    const r = await agent(t, file, ["mcp", "tools", "--url", "http://127.0.0.1:9/mcp"])
    expect(r.code).toBe(6)
    expect(r.stderr).toContain(blockedLine("adhoc", file, 'deny.urls[0] "127.0.0.1:*"'))
  })

  it("a ${VAR} that expands to a denied command is blocked once read (C12)", async () => {
    const { t, file } = await setup(
      { deny: { commands: ["docker"] } },
      { v: { command: "${RUNNER}", args: [] } },
    )
    await using _ = t
    const r = await agent(t, file, ["mcp", "tools", "v", "--mcp", "mcp.json", "--approve-env", "RUNNER"], {
      RUNNER: "docker",
    })
    expect(r.code).toBe(6)
    // The rule's text equals the approved value, so every output redacts it (P03) like any other place.
    expect(r.stderr).toContain(blockedLine("v", file, 'deny.commands[0] "[redacted:RUNNER]"'))
  })

  it("neither the user config nor an --mcp file can lift it: a 'policy' key there is just an unknown field", async () => {
    const { t, file } = await setup({ deny: { commands: ["docker"] } })
    await using _ = t
    await t.write("agentrt-home/config/mcp.json", {
      policy: {},
      mcpServers: { d: { command: "docker" } },
    })
    await t.write("only.json", { policy: { allowAdHoc: true }, mcpServers: { d2: { command: "docker" } } })
    const user = await listed(t, file, [])
    expect(user.servers).toMatchObject([{ name: "d", status: "blocked" }])
    const only = await listed(t, file, ["--mcp-only", "--mcp", "only.json"])
    expect(only.servers).toMatchObject([{ name: "d2", status: "blocked" }])
  })

  it("ad hoc off: --url and -- COMMAND are refused (C16)", async () => {
    const { t, file } = await setup({ allowAdHoc: false })
    await using _ = t
    for (const args of [
      ["mcp", "tools", "--", BUN, BASIC],
      ["mcp", "list", "--url", "http://127.0.0.1:9/mcp"],
    ]) {
      const r = await agent(t, file, args)
      expect(r.code).toBe(6)
      expect(r.stderr).toContain(
        `error: an ad hoc server (--url URL or -- COMMAND) is blocked by policy ${file}: allowAdHoc: false`,
      )
    }
  })
})

describe.skipIf(hasManaged)("policy: project servers and writes (C15)", () => {
  it("project servers off: shown blocked without a question; approve and --scope project refused", async () => {
    const { t, file } = await setup({ allowProjectServers: false })
    await using _ = t
    await t.write(".mcp.json", { mcpServers: { proj: basic } })
    const l = await listed(t, file, [])
    expect(l.servers).toMatchObject([{ name: "proj", status: "blocked" }])
    expect(l.servers[0]!.error).toContain("allowProjectServers: false")
    const approve = await agent(t, file, ["mcp", "approve", "proj", "--yes"])
    expect(approve.code).toBe(6)
    const add = await agent(t, file, ["mcp", "add", "x", "--scope", "project", "--", "npx", "y"])
    expect(add.code).toBe(6)
    expect(add.stderr).toContain(blockedLine("x", file, "allowProjectServers: false"))
    expect(await t.read(".mcp.json")).not.toContain('"x"')
  })

  it("add, add-json and import write nothing the policy forbids", async () => {
    const { t, file } = await setup({ deny: { commands: ["docker"], urls: ["*.evil.example"] } })
    await using _ = t
    const user = join(t.home, "config", "mcp.json")
    const add = await agent(t, file, ["mcp", "add", "d", "--", "docker", "run"])
    expect(add.code).toBe(6)
    expect(add.stderr).toContain(blockedLine("d", file, 'deny.commands[0] "docker"'))
    const json = await agent(t, file, ["mcp", "add-json", "e", '{"url":"https://mcp.evil.example/mcp"}'])
    expect(json.code).toBe(6)
    expect(json.stderr).toContain(blockedLine("e", file, 'deny.urls[0] "*.evil.example"'))
    const peer = await t.write("claude.json", {
      mcpServers: { ok: { command: "npx" }, d: { command: "docker" } },
    })
    const imp = await agent(t, file, ["mcp", "import", "--from", "claude", peer, "--yes"])
    expect(imp.code).toBe(6)
    expect(existsSync(user)).toBe(false)
    const fine = await agent(t, file, ["mcp", "add", "n", "--", "npx", "y"])
    expect(fine.code).toBe(0)
  })

  it("export hands no blocked server to another client, with or without --proxy", async () => {
    const { t, file } = await setup(
      { deny: { commands: ["docker"] } },
      { basic, d: { command: "docker", args: ["run", "-i", "x"] } },
    )
    await using _ = t
    for (const extra of [[], ["--proxy"]]) {
      const r = await agent(t, file, [
        "mcp",
        "export",
        "--to",
        "cursor",
        "--file",
        "cursor.json",
        "--mcp",
        "mcp.json",
        "--mcp-only",
        "--yes",
        ...extra,
      ])
      expect(r.code).toBe(6)
      expect(r.stderr).toContain(blockedLine("d", file, 'deny.commands[0] "docker"'))
      expect(existsSync(join(t.path, "cursor.json"))).toBe(false)
    }
    const only = await agent(t, file, [
      "mcp",
      "export",
      "--to",
      "cursor",
      "--file",
      "cursor.json",
      "--mcp",
      "mcp.json",
      "--mcp-only",
      "--only",
      "basic",
      "--yes",
    ])
    expect(only.code).toBe(0)
    expect(await t.read("cursor.json")).toContain('"basic"')
  })

  it("install: links off refuses a link before the screen; a catalog name can be denied", async () => {
    const { t, file } = await setup({ allowInstallLinks: false, deny: { names: ["git*"] } })
    await using _ = t
    // Every link format: ours, its https form (the web install page), and the peers' (LM Studio, Cursor).
    for (const format of ["agentrt", "url", "lmstudio", "cursor"] as const) {
      const link = formatInstallLink("m", { command: "npx", args: ["-y", "x"] }, format)
      const r = await agent(t, file, ["install", link, "--yes"])
      expect({ format, code: r.code }).toEqual({ format, code: 6 })
      expect(r.stderr).toContain(
        `error: installing from a link is blocked by policy ${file}: allowInstallLinks: false`,
      )
      expect(r.stderr).not.toContain("npx")
    }
    const reg = await agent(t, file, ["install", "--register"])
    expect(reg.code).toBe(6)
    const cat = await agent(t, file, ["install", "github", "--yes"])
    expect(cat.code).toBe(6)
    expect(cat.stderr).toContain(blockedLine("github", file, 'deny.names[0] "git*"'))
    expect((await agent(t, file, ["install", "memory", "--yes"])).code).toBe(0)
    expect(existsSync(join(t.home, "config", "mcp.json"))).toBe(true)
  })
})

describe.skipIf(hasManaged)("policy: MCP registries (C11, C15)", () => {
  it("a registry the policy does not list is never asked: search, install", async () => {
    await using reg = await startRegistry()
    const { t, file } = await setup({ registries: ["https://registry.acme.example"] })
    await using _ = t
    for (const args of [
      ["mcp", "search", "weather", "--registry", reg.url],
      ["install", "io.github.example/weather", "--registry", reg.url, "--yes"],
    ]) {
      const r = await agent(t, file, args)
      expect({ args, code: r.code }).toEqual({ args, code: 6 })
      expect(r.stderr).toContain(
        `error: registry ${reg.url} is blocked by policy ${file}: registries ["https://registry.acme.example"] does not list ${reg.url}`,
      )
    }
    expect(reg.requests).toEqual([])
  })

  it("deny.names refuses a registry install, and a recorded registry name at start; a recorded name admits nothing", async () => {
    await using reg = await startRegistry()
    const { t, file } = await setup({
      registries: [reg.url],
      deny: { names: ["io.github.example/weather"] },
    })
    await using _ = t
    const r = await agent(t, file, ["install", "io.github.example/weather", "--registry", reg.url, "--yes"])
    expect(r.code).toBe(6)
    expect(r.stderr).toContain(blockedLine("weather", file, 'deny.names[0] "io.github.example/weather"'))
    expect(existsSync(join(t.home, "config", "mcp.json"))).toBe(false)
    const recorded = (name: string) => ({ url: reg.url, name, version: "1.2.0" })
    await t.write("mcp.json", {
      mcpServers: { w: { ...basic, registry: recorded("io.github.example/weather") } },
    })
    expect((await listed(t, file)).servers).toMatchObject([{ name: "w", status: "blocked" }])
    // allow.names admits installs by name; a name written into the config by hand admits nothing.
    const allow = await t.write("allow.json", { allow: { names: ["io.github.example/*"] } })
    await t.write("mcp.json", {
      mcpServers: { x: { ...basic, registry: recorded("io.github.example/notes") } },
    })
    const l = await listed(t, allow)
    expect(l.servers).toMatchObject([{ name: "x", status: "blocked" }])
    expect(l.servers[0]!.error).toContain("not in the allow list (allow.names)")
  })
})

describe.skipIf(hasManaged)("policy file itself (C13)", () => {
  it("a malformed file stops every command that uses it (exit 2, path and hint); config path still names it", async () => {
    const { t, file } = await setup({ deny: { comands: ["docker"] } }, { basic })
    await using _ = t
    const r = await agent(t, file, ["mcp", "list", "--mcp", "mcp.json"])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(
      `error: policy file ${file}: unknown field "comands" in "deny" (did you mean "commands"?)`,
    )
    expect(r.stderr).toContain("hint: fix the file or ask whoever manages it")
    expect((await agent(t, file, ["mcp", "add", "n", "--", "npx"])).code).toBe(2)
    const path = await agent(t, file, ["config", "path", "--output", "json"])
    expect(path.json<{ policy: object[] }>().policy).toEqual([{ source: "AGENTRT_POLICY", file }])
    const missing = await agent(t, join(t.path, "nope.json"), ["mcp", "list", "--mcp", "mcp.json"])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("(from AGENTRT_POLICY) does not exist")
  })

  it("config path: none without a policy, the file with one", async () => {
    await using t = await tmpdir()
    const none = await runCli(["config", "path"], { home: t.home, cwd: t.path })
    expect(none.stdout).toMatch(/^policy\s+none\s*$/m)
    const json = await runCli(["config", "path", "--output", "json"], { home: t.home, cwd: t.path })
    expect(json.json<{ policy: object[] }>().policy).toEqual([])
    const file = await t.write("p.json", {})
    const some = await agent(t, file, ["config", "path"])
    expect(some.stdout).toMatch(
      new RegExp(`^policy\\s+${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s+\\(AGENTRT_POLICY\\)`, "m"),
    )
  })
})
