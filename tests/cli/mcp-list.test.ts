import { describe, expect, it } from "bun:test"
import { join } from "node:path"
import { startLegacySseServer } from "../fixtures/servers/http-legacy-sse.ts"
import { startSessionServer } from "../fixtures/servers/http-session.ts"
import { startStatelessServer } from "../fixtures/servers/http-stateless.ts"
import { BUN, ROOT, runCli, runCliTty } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"
import { RICH_TOOL } from "./mcp-rich-tool-server.ts"

// `agent mcp list | get | tools` as a black box, against the real fixture servers.
const FIX = join(ROOT, "tests/fixtures/servers")
const CANARY = "list-canary-51f0c2"
const stdio = (file: string, extra: object = {}) => ({ command: BUN, args: [join(FIX, file)], ...extra })
const agent = (t: TmpDir, args: string[], env: Record<string, string> = {}) =>
  runCli(args, { home: t.home, cwd: t.path, env })

interface ListedServer {
  name: string
  scope: string
  file: string
  status: string
  transport: string
  protocolVersion: string | null
  sessionId?: string
  counts: { tools: number; prompts: number; resources: number } | null
  connectMs: number | null
  error?: string
  hint?: string
}

async function servers() {
  const stateless = await startStatelessServer()
  const session = await startSessionServer()
  const sse = await startLegacySseServer()
  return {
    stateless,
    session,
    sse,
    config: {
      mcpServers: {
        local: stdio("stdio-basic.ts"),
        stateless: { url: stateless.url },
        session: { url: session.url },
        legacy: { url: sse.url },
        dead: { command: "/nonexistent/agentrt-no-such-server" },
        off: stdio("stdio-basic.ts", { disabled: true }),
        secret: stdio("stdio-basic.ts", { env: { TOKEN: "${LIST_TOKEN}" } }),
      },
    },
    async [Symbol.asyncDispose]() {
      await Promise.all([stateless.close(), session.close(), sse.close()])
    },
  }
}

describe("agent mcp list", () => {
  it("connects stdio, stateless HTTP, session HTTP and legacy SSE in one run and reports the rest, field by field", async () => {
    await using s = await servers()
    await using t = await tmpdir()
    const file = await t.write("mcp.json", s.config)
    const r = await agent(t, ["mcp", "list", "--mcp", file, "-o", "json", "--no-interactive"], {
      LIST_TOKEN: CANARY,
    })
    expect(r.code).toBe(0)
    const list = r.json<{ servers: ListedServer[] }>().servers
    const by = Object.fromEntries(list.map((x) => [x.name, x]))
    expect(list.map((x) => x.name)).toEqual([
      "local",
      "stateless",
      "session",
      "legacy",
      "dead",
      "off",
      "secret",
    ])
    for (const x of list) {
      expect(x.scope).toBe("file")
      expect(x.file).toBe(file)
    }

    expect(by.local).toMatchObject({
      status: "connected",
      transport: "stdio",
      counts: { tools: 8, prompts: 1 },
    })
    expect(by.local!.protocolVersion).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    expect(by.local!.connectMs).toBeGreaterThan(0)
    expect(by.local!.counts!.resources).toBeGreaterThanOrEqual(1)
    expect(by.stateless).toMatchObject({
      status: "connected",
      transport: "http",
      protocolVersion: "2026-07-28",
      counts: { tools: 8, prompts: 1 },
    })
    expect(by.stateless!.sessionId).toBeUndefined()
    expect(by.session).toMatchObject({
      status: "connected",
      transport: "http",
      counts: { tools: 8, prompts: 0 },
    })
    expect(by.session!.protocolVersion).toStartWith("2025-")
    expect(s.session.opened).toContain(by.session!.sessionId!)
    expect(s.session.sessionIds()).not.toContain(by.session!.sessionId!) // ended with DELETE on exit
    expect(by.legacy).toMatchObject({ status: "connected", transport: "sse", counts: { tools: 3 } })

    expect(by.dead).toMatchObject({
      status: "failed",
      protocolVersion: null,
      counts: null,
      transport: "stdio",
    })
    expect(by.dead!.error).toBeString()
    expect(by.off).toMatchObject({ status: "disabled", counts: null })
    expect(by.secret).toMatchObject({ status: "needs_approval", counts: null })
    expect(by.secret!.hint).toContain("agent env approve LIST_TOKEN --server secret")
    expect(r.stdout + r.stderr).not.toContain(CANARY)
  }, 60_000)

  it("prints a table on stdout and one progress line per server on stderr", async () => {
    await using s = await servers()
    await using t = await tmpdir()
    const file = await t.write("mcp.json", s.config)
    const r = await agent(t, ["mcp", "list", "--mcp", file])
    expect(r.code).toBe(0)
    const lines = r.stdout.trim().split("\n")
    expect(lines[0]).toMatch(/^NAME\s+TRANSPORT\s+PROTOCOL\s+STATUS\s+TOOLS\s+PROMPTS\s+RESOURCES\s+TIME$/)
    expect(lines.find((l) => l.startsWith("local "))).toMatch(
      /stdio .*connected\s+8\s+1\s+\d+\s+\d+(ms|\.\ds)$/,
    )
    expect(lines.find((l) => l.startsWith("legacy "))).toMatch(/sse .*connected/)
    expect(lines.find((l) => l.startsWith("dead "))).toContain("failed: ")
    expect(lines.find((l) => l.startsWith("off "))).toContain("disabled")
    expect(lines.find((l) => l.startsWith("secret "))).toContain("needs-approval")
    expect(r.stderr).toContain("[local] connected")
    expect(r.stderr).toContain("[dead] failed")
    expect(r.stdout).not.toContain("[local]")
  }, 60_000)

  it("--strict exits 5 and names the servers that did not connect", async () => {
    await using t = await tmpdir()
    const file = await t.write("mcp.json", {
      mcpServers: {
        local: stdio("stdio-basic.ts"),
        dead: { command: "/nonexistent/agentrt-no-such-server" },
        off: stdio("stdio-basic.ts", { disabled: true }),
      },
    })
    expect((await agent(t, ["mcp", "list", "--mcp", file])).code).toBe(0)
    const r = await agent(t, ["mcp", "list", "--mcp", file, "--strict"])
    expect(r.code).toBe(5)
    expect(r.stderr).toContain("dead")
    expect(r.stderr).not.toMatch(/not connected.*\boff\b/)
  }, 30_000)

  it("exits 5 when a required server is down, and 0 once --approve-env lets an unapproved one start", async () => {
    await using t = await tmpdir()
    const file = await t.write("mcp.json", {
      mcpServers: {
        local: stdio("stdio-basic.ts"),
        dead: { command: "/nonexistent/agentrt-no-such-server", required: true },
      },
    })
    const r = await agent(t, ["mcp", "list", "--mcp", file, "-o", "json"])
    expect(r.code).toBe(5)
    expect(r.json<{ servers: ListedServer[] }>().servers).toHaveLength(2)
    expect(r.stderr).toContain("required")
    expect(r.stderr).toContain("dead")

    const secret = await t.write("secret.json", {
      mcpServers: { secret: stdio("stdio-basic.ts", { env: { TOKEN: "${LIST_TOKEN}" }, required: true }) },
    })
    expect((await agent(t, ["mcp", "list", "--mcp", secret], { LIST_TOKEN: CANARY })).code).toBe(5)
    const ok = await agent(t, ["mcp", "list", "--mcp", secret, "--approve-env", "LIST_TOKEN", "-o", "json"], {
      LIST_TOKEN: CANARY,
    })
    expect(ok.code).toBe(0)
    expect(ok.json<{ servers: ListedServer[] }>().servers[0]!.status).toBe("connected")
  }, 30_000)

  it("at a terminal, offers the approval prompt first and then connects the approved server", async () => {
    await using t = await tmpdir()
    const file = await t.write("mcp.json", {
      mcpServers: { secret: stdio("stdio-basic.ts", { env: { TOKEN: "${LIST_TOKEN}" } }) },
    })
    const r = await runCliTty(["mcp", "list", "--mcp", file], {
      home: t.home,
      cwd: t.path,
      env: { LIST_TOKEN: CANARY },
      input: ["y"],
    })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("wants to read the environment variable LIST_TOKEN")
    expect(r.stdout).toMatch(/^secret\s+stdio\s+\S+\s+connected\s+8/m)
    expect(r.stdout).not.toContain(CANARY)
    // --no-interactive: no question, the server is listed as needing approval
    await using t2 = await tmpdir()
    const file2 = await t2.write("mcp.json", {
      mcpServers: { secret: stdio("stdio-basic.ts", { env: { TOKEN: "${LIST_TOKEN}" } }) },
    })
    const quiet = await runCliTty(["mcp", "list", "--mcp", file2, "--no-interactive"], {
      home: t2.home,
      cwd: t2.path,
      input: [],
    })
    expect(quiet.stdout).not.toContain("wants to read")
    expect(quiet.stdout).toContain("needs-approval")
  }, 30_000)

  it("says so when there are no servers", async () => {
    await using t = await tmpdir()
    const r = await agent(t, ["mcp", "list", "-o", "json"])
    expect(r.code).toBe(0)
    expect(r.json()).toEqual({ servers: [] })
  })
})

describe("agent mcp get", () => {
  it("shows what was negotiated with one server", async () => {
    await using t = await tmpdir()
    const file = await t.write("mcp.json", {
      mcpServers: { local: stdio("stdio-basic.ts"), dead: { command: "/nonexistent/x" } },
    })
    const r = await agent(t, ["mcp", "get", "local", "--mcp", file, "-o", "json"])
    expect(r.code).toBe(0)
    const info = r.json<Record<string, any>>()
    expect(info).toMatchObject({
      name: "local",
      status: "connected",
      transport: "stdio",
      serverInfo: { name: "fixture-basic", version: "1.2.3" },
    })
    expect(info.instructions).toBe("Fixture server for agentrt tests.")
    expect(info.capabilities.tools).toBeDefined()
    const text = await agent(t, ["mcp", "get", "local", "--mcp", file])
    expect(text.stdout).toContain("fixture-basic 1.2.3")
    expect(text.stdout).toContain("Fixture server for agentrt tests.")
    expect(text.stderr).not.toContain("[dead]") // only the named server is started
  }, 30_000)

  it("exits 5 (failed or disabled), 3 (needs approval) or 2 (unknown name)", async () => {
    await using t = await tmpdir()
    const file = await t.write("mcp.json", {
      mcpServers: {
        dead: { command: "/nonexistent/agentrt-no-such-server" },
        off: stdio("stdio-basic.ts", { disabled: true }),
        secret: stdio("stdio-basic.ts", { env: { TOKEN: "${LIST_TOKEN}" } }),
      },
    })
    const dead = await agent(t, ["mcp", "get", "dead", "--mcp", file])
    expect(dead.code).toBe(5)
    expect(dead.stderr).toContain('server "dead" is unavailable')
    expect((await agent(t, ["mcp", "get", "off", "--mcp", file])).code).toBe(5)
    const secret = await agent(t, ["mcp", "get", "secret", "--mcp", file], { LIST_TOKEN: CANARY })
    expect(secret.code).toBe(3)
    expect(secret.stderr).toContain("--approve-env LIST_TOKEN")
    expect((await agent(t, ["mcp", "get", "nope", "--mcp", file])).code).toBe(2)
  }, 30_000)
})

describe("agent mcp tools", () => {
  it("lists namespaced tools, and schemas in json", async () => {
    await using t = await tmpdir()
    const file = await t.write("mcp.json", { mcpServers: { local: stdio("stdio-basic.ts") } })
    const r = await agent(t, ["mcp", "tools", "--mcp", file])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^local__echo\s+Echo the text back \(and log it\)$/m)
    const json = await agent(t, ["mcp", "tools", "local", "--mcp", file, "-o", "json"])
    const tools = json.json<{ tools: { name: string; server: string; tool: string; inputSchema: any }[] }>()
      .tools
    expect(tools.find((x) => x.tool === "echo")).toMatchObject({
      name: "local__echo",
      server: "local",
      inputSchema: { required: ["text"] },
    })
  }, 30_000)

  it("json carries each tool's title, output schema, annotations, icons and execution.taskSupport", async () => {
    await using t = await tmpdir()
    const file = await t.write("mcp.json", {
      mcpServers: { rich: { command: BUN, args: [join(import.meta.dir, "mcp-rich-tool-server.ts")] } },
    })
    // `execution` is a 2025-11-25 field (2026-07-28 moved tasks to an extension): pin that revision.
    const r = await agent(t, [
      "mcp",
      "tools",
      "rich",
      "--mcp",
      file,
      "-o",
      "json",
      "--protocol-version",
      "2025-11-25",
    ])
    expect(r.code).toBe(0)
    const { name, ...tool } = RICH_TOOL
    expect(r.json<{ tools: object[] }>().tools).toEqual([
      { ...tool, name: "rich__forecast", server: "rich", tool: name },
    ])
  }, 30_000)

  it("escapes terminal control sequences in descriptions and output (P01)", async () => {
    await using t = await tmpdir()
    const file = await t.write("mcp.json", {
      mcpServers: { hostile: { command: BUN, args: [join(import.meta.dir, "mcp-hostile-server.ts")] } },
    })
    for (const args of [
      ["tools"],
      ["prompts"],
      ["call", "hostile", "steal"],
      ["prompt", "hostile", "trap"],
      ["list"],
    ]) {
      const r = await agent(t, ["mcp", ...args, "--mcp", file])
      expect(r.code).toBe(0)
      expect(r.stdout + r.stderr).not.toMatch(/[\u001b\u0007\u009b\u202e]/)
      if (args[0] !== "list") expect(r.stdout).toContain("\\x1b]52;c;")
    }
    const tools = await agent(t, ["mcp", "tools", "--mcp", file])
    expect(tools.stdout).not.toContain("second line")
  }, 30_000)
})
