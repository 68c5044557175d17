import { describe, expect, it } from "bun:test"
import { join } from "node:path"
import { startLegacySseServer } from "../fixtures/servers/http-legacy-sse.ts"
import { startSessionServer } from "../fixtures/servers/http-session.ts"
import { startStatelessServer } from "../fixtures/servers/http-stateless.ts"
import { ensureBinary } from "../helpers/binary.ts"
import { BUN, ROOT, runCli } from "../helpers/cli.ts"
import { collect, descendants, isAlive } from "../helpers/processes.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"

// The `agent mcp` commands that talk to servers, on the compiled binary, against the real
// fixture servers: every transport, the failure statuses, calls, timeouts and Ctrl-C (S03).
const BASIC = join(ROOT, "tests/fixtures/servers/stdio-basic.ts")
const HOSTILE = join(ROOT, "tests/cli/mcp-hostile-server.ts")
const CANARY = "e2e-mcp-canary-90be1d"
const agent = (t: TmpDir, args: string[], env: Record<string, string> = {}) =>
  runCli(args, { home: t.home, cwd: t.path, env, binary: true })

describe("compiled binary: agent mcp", () => {
  it("lists stdio, HTTP (stateless and session), legacy SSE, dead, disabled and unapproved servers", async () => {
    await using stateless = await startStatelessServer()
    await using session = await startSessionServer()
    await using sse = await startLegacySseServer()
    await using t = await tmpdir()
    const file = await t.write("mcp.json", {
      mcpServers: {
        local: { command: BUN, args: [BASIC] },
        stateless: { url: stateless.url },
        session: { type: "http", url: session.url },
        legacy: { type: "sse", url: sse.url },
        dead: { url: "http://127.0.0.1:9/mcp" },
        off: { command: BUN, args: [BASIC], disabled: true },
        secret: { command: BUN, args: [BASIC], env: { TOKEN: "${E2E_TOKEN}" } },
      },
    })
    const r = await agent(t, ["mcp", "list", "--mcp", file, "-o", "json"], { E2E_TOKEN: CANARY })
    expect(r.code).toBe(0)
    const got = r.json<{
      servers: {
        name: string
        status: string
        transport: string
        protocolVersion: string | null
        sessionId?: string
      }[]
    }>()
    expect(got.servers.map((s) => [s.name, s.status, s.transport])).toEqual([
      ["local", "connected", "stdio"],
      ["stateless", "connected", "http"],
      ["session", "connected", "http"],
      ["legacy", "connected", "sse"],
      ["dead", "failed", "http"], // auto: the last transport it tried
      ["off", "disabled", "stdio"],
      ["secret", "needs_approval", "stdio"],
    ])
    expect(got.servers[1]!.protocolVersion).toBe("2026-07-28")
    expect(got.servers[2]!.sessionId).toBeString()
    expect(r.stdout + r.stderr).not.toContain(CANARY)

    const strict = await agent(t, ["mcp", "list", "--mcp", file, "--strict"], { E2E_TOKEN: CANARY })
    expect(strict.code).toBe(5)
    expect(strict.stderr).toMatch(/not connected \(--strict\): dead .*secret/)
    const withRequired = await t.write("req.json", {
      mcpServers: { dead: { url: "http://127.0.0.1:9/mcp", required: true } },
    })
    expect((await agent(t, ["mcp", "list", "--mcp", withRequired])).code).toBe(5)
  }, 60_000)

  it("gets, lists tools (escaped), calls with progress, isError and a timeout, prompts and reads", async () => {
    await using t = await tmpdir()
    const file = await t.write("mcp.json", {
      mcpServers: { local: { command: BUN, args: [BASIC] }, hostile: { command: BUN, args: [HOSTILE] } },
    })
    const get = await agent(t, ["mcp", "get", "local", "--mcp", file])
    expect(get.code).toBe(0)
    expect(get.stdout).toContain("fixture-basic 1.2.3")

    const tools = await agent(t, ["mcp", "tools", "--mcp", file])
    expect(tools.stdout).toMatch(/^local__slow\s+Sleep ms, with progress every 100 ms$/m)
    expect(tools.stdout).toContain("hostile__steal")
    expect(tools.stdout).toContain("\\x1b]52;c;")
    expect(tools.stdout).not.toMatch(/[\u001b\u0007\u009b\u202e]/)

    const slow = await agent(t, ["mcp", "call", "local", "slow", "--arg", "ms=300", "--mcp", file])
    expect(slow.code).toBe(0)
    expect(slow.stdout).toBe("slept 300 ms\n")
    expect(slow.stderr).toMatch(/^\[local\] \d+% tick \d$/m)

    const fail = await agent(t, ["mcp", "call", "local", "fail", "--mcp", file])
    expect(fail.code).toBe(1)
    expect(fail.stderr).toContain("this tool always fails")

    const prompt = await agent(t, ["mcp", "prompt", "local", "greet", "--arg", "name=Ada", "--mcp", file])
    expect(prompt.stdout).toContain("Hello, Ada!")
    const read = await agent(t, ["mcp", "read", "local", "fixture://readme", "--mcp", file])
    expect(read.stdout).toBe("# Fixture\nHello.\n")
    const resources = await agent(t, ["mcp", "resources", "local", "--mcp", file])
    expect(resources.stdout).toContain("fixture://items/{id}")
  }, 60_000)

  it("cancels an unanswered call after --timeout: notifications/cancelled reaches the server, exit 5 (T04)", async () => {
    await using srv = await startSessionServer({ cutAfterFirstProgress: true, retryMs: 10_000 })
    await using t = await tmpdir()
    const r = await agent(t, [
      "mcp",
      "call",
      "slow",
      "--arg",
      "ms=8000",
      "--timeout",
      "800",
      "--url",
      srv.url,
    ])
    expect(r.code).toBe(5)
    // The timeout ended it, not the server: the resumed stream would have brought "slept 8000 ms".
    expect(r.stderr).toContain('server "adhoc" did not answer tools/call in time (800 ms without progress)')
    expect(r.stdout).toBe("")
    // Checked at once: the CLI waits for the cancel's POST to be answered before it closes.
    expect(srv.requests.some((q) => q.rpcMethod === "notifications/cancelled")).toBe(true)
  }, 30_000)

  it("works ad hoc with --url and with -- COMMAND", async () => {
    await using srv = await startStatelessServer()
    await using t = await tmpdir()
    const url = await agent(t, ["mcp", "call", "echo", "--arg", "text=over http", "--url", srv.url])
    expect(url.stdout).toBe("over http\n")
    const cmd = await agent(t, ["mcp", "tools", "-o", "json", "--", BUN, BASIC])
    expect(cmd.json<{ tools: { name: string }[] }>().tools.map((x) => x.name)).toContain("adhoc__echo")
  }, 30_000)

  it("Ctrl-C mid-call stops the stdio server, leaves no orphan and exits 130 (S03)", async () => {
    await using t = await tmpdir()
    const bin = await ensureBinary()
    await using proc = Bun.spawn([bin, "mcp", "call", "slow", "--arg", "ms=30000", "--", BUN, BASIC], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", AGENTRT_HOME: t.home, HOME: t.path },
      cwd: t.path,
      stdout: "pipe",
      stderr: "pipe",
    })
    const stderr = collect(proc.stderr)
    const deadline = Date.now() + 15_000
    while (!stderr.text.includes("%") && Date.now() < deadline) await Bun.sleep(20)
    expect(stderr.text).toContain("[adhoc]")
    const children = descendants(proc.pid)
    expect(children.length).toBeGreaterThan(0)
    proc.kill("SIGINT")
    expect(await proc.exited).toBe(130)
    await stderr.done
    expect(stderr.text.match(/interrupted/g)).toHaveLength(1)
    expect(stderr.text).not.toContain("    at ")
    expect(children.filter(isAlive)).toEqual([])
  }, 30_000)
})
