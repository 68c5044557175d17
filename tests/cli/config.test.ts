import { describe, expect, it } from "bun:test"
import { join } from "node:path"
import { ROOT, runCli } from "../helpers/cli.ts"
import { tmpdir } from "../helpers/tmp.ts"

const EXAMPLE = join(ROOT, "mcp.example.json")
const CANARY = "canary-5ecret-value-93f1"

describe("agent config path", () => {
  it("lists user, project and --mcp files in precedence order, and the state dir", async () => {
    await using t = await tmpdir({ files: { ".mcp.json": "{}" } })
    const r = await runCli(["config", "path", "--mcp", "x.json", "--output", "json"], {
      home: t.home,
      cwd: t.path,
    })
    expect(r.code).toBe(0)
    const doc = r.json<{ files: { scope: string; file: string; exists: boolean }[]; stateDir: string }>()
    expect(doc.files).toEqual([
      { scope: "user", file: join(t.home, "config/mcp.json"), exists: false },
      { scope: "project", file: join(t.path, ".mcp.json"), exists: true },
      { scope: "project", file: join(t.path, ".agentrt/mcp.json"), exists: false },
      { scope: "file", file: join(t.path, "x.json"), exists: false },
    ])
    expect(doc.stateDir).toBe(join(t.home, "state"))
  })
})

describe("agent config show", () => {
  it("prints the merged servers with literal secrets masked and references as written", async () => {
    await using t = await tmpdir({
      files: {
        "mcp.json": {
          mcpServers: {
            api: {
              url: "https://api.example/mcp",
              headers: { Authorization: `Bearer ${CANARY}`, "X-Ref": "${API_KEY}" },
            },
            local: { command: "srv", env: { API_TOKEN: CANARY, DEBUG: "1", REF: "${SECRET}" } },
          },
        },
      },
    })
    const text = await runCli(["config", "show", "--mcp", "mcp.json"], { home: t.home, cwd: t.path })
    const json = await runCli(["config", "show", "--mcp", "mcp.json", "-o", "json"], {
      home: t.home,
      cwd: t.path,
    })
    for (const r of [text, json]) {
      expect(r.code).toBe(0)
      expect(r.stdout + r.stderr).not.toContain(CANARY)
      expect(r.stdout).toContain("${API_KEY}")
      expect(r.stdout).toContain("${SECRET}")
    }
    const doc = json.json<{ servers: { name: string; scope: string; definition: Record<string, any> }[] }>()
    const api = doc.servers.find((s) => s.name === "api")!
    expect(api.definition.headers).toEqual({ Authorization: "***", "X-Ref": "${API_KEY}" })
    const local = doc.servers.find((s) => s.name === "local")!
    // I10: an env value whose name and value look like no credential is shown (it may decide what runs).
    expect(local.definition.env).toEqual({ API_TOKEN: "***", DEBUG: "1", REF: "${SECRET}" })
    expect(local.scope).toBe("file")
  })

  it("escapes control characters from the config instead of sending them to the terminal", async () => {
    await using t = await tmpdir({
      files: { "mcp.json": { mcpServers: { s: { command: "x", args: ["\u001b[2Kevil\u202e"] } } } },
    })
    const r = await runCli(["config", "show", "--mcp", "mcp.json"], { home: t.home, cwd: t.path })
    expect(r.code).toBe(0)
    expect(r.stdout).not.toContain("\u001b")
    expect(r.stdout).not.toContain("\u202e")
  })
})

describe("agent config schema", () => {
  it("prints a JSON Schema that knows every server field", async () => {
    const r = await runCli(["config", "schema"])
    expect(r.code).toBe(0)
    const schema = r.json<any>()
    const server = schema.properties.mcpServers.additionalProperties
    for (const field of [
      "command",
      "args",
      "env",
      "cwd",
      "url",
      "type",
      "headers",
      "oauth",
      "disabled",
      "autoApprove",
      "includeTools",
      "excludeTools",
      "timeout",
      "required",
    ]) {
      expect(server.properties).toHaveProperty(field)
    }
    expect(server.properties.type.enum).toContain("sse")
    expect(schema.properties.servers).toBeDefined()
  })
})

describe("agent config validate", () => {
  it("accepts mcp.example.json as shipped (exit 0)", async () => {
    await using t = await tmpdir()
    const r = await runCli(["config", "validate", "--mcp", EXAMPLE, "-o", "json"], {
      home: t.home,
      cwd: t.path,
    })
    expect(r.code).toBe(0)
    const doc = r.json<{ valid: boolean; servers: { name: string; status: string }[] }>()
    expect(doc.valid).toBe(true)
    expect(Object.fromEntries(doc.servers.map((s) => [s.name, s.status]))).toEqual({
      everything: "ready",
      github: "disabled",
      linear: "disabled",
      "legacy-sse": "disabled",
    })
  })

  it("exits 3 and names the variable and the server when a variable is not approved", async () => {
    await using t = await tmpdir({
      files: {
        "mcp.json": {
          mcpServers: {
            api: { url: "https://api.example/mcp", headers: { Authorization: "Bearer ${API_KEY}" } },
          },
        },
      },
    })
    const r = await runCli(["config", "validate", "--mcp", "mcp.json"], {
      home: t.home,
      cwd: t.path,
      env: { API_KEY: CANARY },
    })
    expect(r.code).toBe(3)
    expect(r.stdout).toContain("API_KEY")
    expect(r.stdout).toContain("api")
    expect(r.stdout).toContain("agent env approve API_KEY --server api")
    expect(r.stdout + r.stderr).not.toContain(CANARY)
  })

  it("exits 0 with --approve-env, and 2 when the approved variable is unset", async () => {
    await using t = await tmpdir({
      files: {
        "mcp.json": {
          mcpServers: {
            api: { url: "https://api.example/mcp", headers: { Authorization: "Bearer ${API_KEY}" } },
          },
        },
      },
    })
    const ok = await runCli(["config", "validate", "--mcp", "mcp.json", "--approve-env", "API_KEY"], {
      home: t.home,
      cwd: t.path,
      env: { API_KEY: CANARY },
    })
    expect(ok.code).toBe(0)
    expect(ok.stdout + ok.stderr).not.toContain(CANARY)
    const unset = await runCli(
      ["config", "validate", "--mcp", "mcp.json", "--approve-env", "API_KEY", "-o", "json"],
      { home: t.home, cwd: t.path },
    )
    expect(unset.code).toBe(2)
    expect(unset.json<any>().servers[0]).toMatchObject({
      name: "api",
      status: "unset",
      missing: [{ variable: "API_KEY" }],
    })
  })

  it("exits 2 with one error line and a hint for a broken file, and one JSON document with -o json", async () => {
    await using t = await tmpdir({ files: { "mcp.json": '{"mcpServers": {"a": {"command": 1}}}' } })
    const r = await runCli(["config", "validate", "--mcp", "mcp.json"], { home: t.home, cwd: t.path })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^error: .*mcp\.json:1:\d+: server "a" field "command"/m)
    expect(r.stderr).toContain("hint:")
    expect(r.stderr).not.toContain("    at ")
    const j = await runCli(["config", "validate", "--mcp", "mcp.json", "-o", "json"], {
      home: t.home,
      cwd: t.path,
    })
    expect(j.code).toBe(2)
    expect(j.json<any>()).toMatchObject({ valid: false, error: { path: "mcpServers.a.command" } })
  })

  it("shows a stack trace only with --debug", async () => {
    await using t = await tmpdir({ files: { "mcp.json": "{" } })
    const plain = await runCli(["config", "validate", "--mcp", "mcp.json"], { home: t.home, cwd: t.path })
    const debug = await runCli(["config", "validate", "--mcp", "mcp.json", "--debug"], {
      home: t.home,
      cwd: t.path,
    })
    expect(plain.code).toBe(2)
    expect(debug.code).toBe(2)
    expect(plain.stderr).not.toContain("    at ")
    expect(debug.stderr).toContain("    at ")
  })

  it("needs approval for a project server (exit 3)", async () => {
    await using t = await tmpdir({
      files: { ".mcp.json": { mcpServers: { proj: { command: "node", args: ["srv.js"] } } } },
    })
    const r = await runCli(["config", "validate"], { home: t.home, cwd: t.path })
    expect(r.code).toBe(3)
    expect(r.stdout).toContain("agent mcp approve proj")
  })

  it("refuses a relative or world-writable AGENTRT_HOME", async () => {
    await using t = await tmpdir()
    const rel = await runCli(["config", "validate"], { cwd: t.path, env: { AGENTRT_HOME: "relative/home" } })
    expect(rel.code).toBe(2)
    expect(rel.stderr).toContain("absolute")
  })
})

describe("AGENTRT_HOME safety (C08)", () => {
  it("creates a missing state directory with mode 0700", async () => {
    await using t = await tmpdir({
      files: { "mcp.json": { mcpServers: { api: { url: "https://a.example", headers: { A: "${K}" } } } } },
    })
    const home = join(t.path, "new-home")
    const r = await runCli(["env", "approve", "K", "--mcp", "mcp.json"], { home, cwd: t.path })
    expect(r.code).toBe(0)
    const { statSync } = await import("node:fs")
    expect(statSync(join(home, "state")).mode & 0o777).toBe(0o700)
  })

  it("refuses a world-writable AGENTRT_HOME and says which directory", async () => {
    await using t = await tmpdir({
      files: { "mcp.json": { mcpServers: { api: { url: "https://a.example", headers: { A: "${K}" } } } } },
    })
    const home = join(t.path, "shared-home")
    const { mkdirSync, chmodSync } = await import("node:fs")
    mkdirSync(home)
    chmodSync(home, 0o777)
    const r = await runCli(["env", "approve", "K", "--mcp", "mcp.json"], { home, cwd: t.path })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`${home} is writable by every user`)
  })
})
