import { describe, expect, it } from "bun:test"
import { join } from "node:path"
import {
  checkPolicyForDefinition,
  checkPolicyForLinks,
  checkPolicyForRegistry,
  checkPolicyForServer,
  loadPolicy,
  type Policy,
  type PolicyFile,
} from "../../src/config/policy.ts"
import { commandMatches, urlMatches } from "../../src/config/policy-match.ts"
import type { ServerConfig } from "../../src/config/schema.ts"
import { ConfigError } from "../../src/util/errors.ts"
import { tmpdir } from "../helpers/tmp.ts"

// The policy's file format and its rules, in process (docs/policy.md). The managed path is a
// parameter here (loadPolicy takes the locations), so no test reads /etc/agentrt/policy.json.

const stdio = (command: string, args: string[] = []): ServerConfig => ({
  transport: "stdio",
  command,
  args,
  env: {},
  disabled: false,
  autoApprove: [],
  required: false,
})
const remote = (url: string): ServerConfig => ({
  transport: "auto",
  url,
  headers: {},
  disabled: false,
  autoApprove: [],
  required: false,
})
const policy = (rules: PolicyFile, file = "/managed/policy.json"): Policy => ({
  layers: [{ file, source: "managed", rules }],
})
const check = (rules: PolicyFile, server: ServerConfig, extra: object = {}) =>
  checkPolicyForServer(policy(rules), { name: "x", server, ...extra })?.rule

describe("policy file", () => {
  it("reads JSONC and names nothing when no file exists (a missing managed file is no policy)", async () => {
    await using t = await tmpdir()
    const file = await t.write("p.json", '{\n  // the org\'s rules\n  "deny": {"commands": ["docker"]}\n}\n')
    const p = loadPolicy([
      { file: join(t.path, "absent.json"), source: "managed", required: false },
      { file, source: "AGENTRT_POLICY", required: true },
    ])
    expect(p.layers).toEqual([{ file, source: "AGENTRT_POLICY", rules: { deny: { commands: ["docker"] } } }])
    expect(loadPolicy([{ file: join(t.path, "absent.json"), source: "managed", required: false }])).toEqual({
      layers: [],
    })
  })

  it("fails closed on an unknown key, with a did-you-mean (C13)", async () => {
    await using t = await tmpdir()
    const top = await t.write("top.json", { denny: { commands: ["docker"] } })
    const inner = await t.write("inner.json", { deny: { comands: ["docker"] } })
    const load = (file: string) => () => loadPolicy([{ file, source: "managed", required: false }])
    expect(load(top)).toThrow(`policy file ${top}: unknown field "denny" (did you mean "deny"?)`)
    expect(load(inner)).toThrow(
      `policy file ${inner}: unknown field "comands" in "deny" (did you mean "commands"?)`,
    )
  })

  it("fails closed on bad JSON, a wrong type and a missing AGENTRT_POLICY file (C13)", async () => {
    await using t = await tmpdir()
    const broken = await t.write("broken.json", '{"deny": {"commands": ["docker"]')
    const typed = await t.write("typed.json", { allowInstallLinks: "no" })
    const load = (file: string, required = false) => {
      try {
        loadPolicy([{ file, source: required ? "AGENTRT_POLICY" : "managed", required }])
      } catch (e: unknown) {
        return e
      }
      return undefined
    }
    for (const e of [load(broken), load(typed), load(join(t.path, "nope.json"), true)]) {
      expect(e).toBeInstanceOf(ConfigError)
      expect((e as ConfigError).exitCode).toBe(2)
    }
    expect(String((load(typed) as Error).message)).toContain('"allowInstallLinks"')
    expect(String((load(broken) as Error).message)).toContain(broken)
  })
})

describe("policy rules", () => {
  it("denies by command: the executable by name or path, and argument globs as a prefix (C11)", () => {
    expect(check({ deny: { commands: ["docker"] } }, stdio("docker", ["run"]))).toBe(
      'deny.commands[0] "docker"',
    )
    expect(check({ deny: { commands: ["docker"] } }, stdio("/usr/bin/docker"))).toBeDefined()
    expect(check({ deny: { commands: ["docker"] } }, stdio("C:\\Tools\\Docker.EXE"))).toBeDefined()
    expect(check({ deny: { commands: ["docker"] } }, stdio("npx", ["docker"]))).toBeUndefined()
    const evil = { deny: { commands: ["npx -y @evil/*"] } }
    expect(check(evil, stdio("npx", ["-y", "@evil/x", "--port", "1"]))).toBe(
      'deny.commands[0] "npx -y @evil/*"',
    )
    expect(check(evil, stdio("npx", ["-y", "@good/x"]))).toBeUndefined()
  })

  it("allows by command only what the rule accounts for: every argument, or a final ** (C11)", () => {
    const exact = { allow: { commands: ["npx -y @acme/*"] } }
    expect(check(exact, stdio("npx", ["-y", "@acme/server"]))).toBeUndefined()
    expect(check(exact, stdio("npx", ["-y", "@acme/server", "--evil"]))).toBe(
      "not in the allow list (allow.commands)",
    )
    expect(check(exact, stdio("uvx", ["-y", "@acme/server"]))).toBeDefined()
    const rest = { allow: { commands: ["npx -y @acme/* **"] } }
    expect(check(rest, stdio("npx", ["-y", "@acme/server", "--port", "3"]))).toBeUndefined()
    expect(commandMatches("/opt/tools/*", "/opt/tools/srv", [], "allow")).toBe(true)
    expect(commandMatches("/opt/tools/*", "/tmp/tools/srv", [], "allow")).toBe(false)
  })

  it("matches URLs by scheme, host and path; a host glob never crosses into the path (C11)", () => {
    expect(urlMatches("https://*.acme.com/*", "https://mcp.acme.com/mcp")).toBe(true)
    expect(urlMatches("https://*.acme.com/*", "https://evil.example/x.acme.com/mcp")).toBe(false)
    expect(urlMatches("*.acme.com", "https://acme.com.evil.example/mcp")).toBe(false)
    expect(urlMatches("*.acme.com", "http://a.b.acme.com:8080/x?y=1")).toBe(true)
    expect(urlMatches("https://mcp.acme.com", "http://mcp.acme.com/")).toBe(false)
    expect(urlMatches("https://MCP.acme.com/mcp", "https://mcp.acme.com/mcp")).toBe(true)
    expect(urlMatches("https://mcp.acme.com/mcp", "https://mcp.acme.com/mcp/other")).toBe(false)
    expect(urlMatches("localhost:*", "http://localhost:3000/mcp")).toBe(true)
    expect(urlMatches("localhost:8080", "http://localhost/mcp")).toBe(false)
    expect(urlMatches("localhost:443", "https://localhost/mcp")).toBe(true)
    expect(check({ deny: { urls: ["*.evil.example"] } }, remote("https://mcp.evil.example/mcp"))).toBe(
      'deny.urls[0] "*.evil.example"',
    )
    expect(check({ allow: { urls: ["https://mcp.acme.com/*"] } }, remote("https://other.example/"))).toBe(
      "not in the allow list (allow.urls)",
    )
  })

  it("matches names only against a registry or catalog name, never the config's own name (C11)", () => {
    const rules = { deny: { names: ["io.github.evil/*"] } }
    expect(check(rules, stdio("npx"), { registryName: "io.github.evil/server" })).toBe(
      'deny.names[0] "io.github.evil/*"',
    )
    expect(checkPolicyForServer(policy(rules), { name: "io.github.evil/server", server: stdio("npx") })).toBe(
      undefined,
    )
    const allow = { allow: { names: ["io.github.acme/*"] } }
    expect(check(allow, stdio("npx"), { registryName: "io.github.acme/one" })).toBeUndefined()
    expect(check(allow, stdio("npx"))).toBe("not in the allow list (allow.names)")
  })

  it("a registry name recorded in the config can deny a server but never admit one (C11)", () => {
    const recorded = {
      registryName: "io.github.acme/one",
      registry: "https://r.example",
      isOriginRecorded: true,
    }
    expect(check({ allow: { names: ["io.github.acme/*"] } }, stdio("evil"), recorded)).toBe(
      "not in the allow list (allow.names)",
    )
    expect(check({ deny: { names: ["io.github.acme/*"] } }, stdio("npx"), recorded)).toBe(
      'deny.names[0] "io.github.acme/*"',
    )
  })

  it("deny wins over allow, and an empty allow list allows nothing", () => {
    const rules = { allow: { commands: ["docker"] }, deny: { commands: ["docker"] } }
    expect(check(rules, stdio("docker"))).toBe('deny.commands[0] "docker"')
    expect(check({ allow: {} }, stdio("npx"))).toBe("not in the allow list (allow is empty)")
  })

  it("switches: project servers, ad hoc servers and install links; registries by URL pattern (C15, C16)", () => {
    expect(check({ allowProjectServers: false }, stdio("npx"), { scope: "project" })).toBe(
      "allowProjectServers: false",
    )
    expect(check({ allowProjectServers: false }, stdio("npx"), { scope: "user" })).toBeUndefined()
    expect(check({ allowAdHoc: false }, stdio("npx"), { isAdhoc: true })).toBe("allowAdHoc: false")
    expect(check({ allowInstallLinks: false }, stdio("npx"), { isLink: true })).toBe(
      "allowInstallLinks: false",
    )
    expect(checkPolicyForLinks(policy({ allowInstallLinks: true }))).toBeUndefined()
    const regs = policy({ registries: ["https://registry.acme.com"] })
    expect(checkPolicyForRegistry(regs, "https://registry.acme.com/v0.1/servers")).toBeUndefined()
    expect(checkPolicyForRegistry(regs, "https://registry.modelcontextprotocol.io")?.rule).toBe(
      'registries ["https://registry.acme.com"] does not list https://registry.modelcontextprotocol.io',
    )
    expect(
      checkPolicyForServer(regs, { name: "x", server: stdio("npx"), registry: "https://evil.example/" })
        ?.rule,
    ).toContain("does not list https://evil.example/")
  })

  it("applies every file: a second, permissive file cannot weaken the managed one (C14)", () => {
    const both: Policy = {
      layers: [
        { file: "/managed.json", source: "managed", rules: { deny: { commands: ["docker"] } } },
        { file: "/ci.json", source: "AGENTRT_POLICY", rules: { allow: { commands: ["docker", "npx"] } } },
      ],
    }
    expect(checkPolicyForServer(both, { name: "d", server: stdio("docker") })).toEqual({
      file: "/managed.json",
      rule: 'deny.commands[0] "docker"',
    })
    expect(checkPolicyForServer(both, { name: "u", server: stdio("uvx") })?.file).toBe("/ci.json")
    expect(checkPolicyForServer(both, { name: "n", server: stdio("npx") })).toBeUndefined()
  })

  it("holds a definition that still has ${VAR}s in what it runs only to the deny rules until it starts (C12)", () => {
    const rules = policy({ allow: { urls: ["https://mcp.acme.com/*"] }, deny: { commands: ["docker"] } })
    expect(
      checkPolicyForDefinition(rules, { name: "x", server: remote("https://${HOST}/mcp") }),
    ).toBeUndefined()
    expect(
      checkPolicyForDefinition(rules, { name: "x", server: remote("https://other.example/") })?.rule,
    ).toBe("not in the allow list (allow.urls)")
    expect(checkPolicyForDefinition(rules, { name: "x", server: stdio("docker", ["${X}"]) })?.rule).toBe(
      'deny.commands[0] "docker"',
    )
  })
})
