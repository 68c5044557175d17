import { afterAll, describe, expect, it } from "bun:test"
import { join } from "node:path"
import { fakeModel } from "../fixtures/model/server.ts"
import { startSessionServer } from "../fixtures/servers/http-session.ts"
import { startStatelessServer } from "../fixtures/servers/http-stateless.ts"
import { ensureBinary } from "../helpers/binary.ts"
import { BUN, ROOT, runCli } from "../helpers/cli.ts"
import { startSlowCall } from "../helpers/processes.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"

// Sessions and streams, as a good client behaves (docs/remote.md: sessions and dead servers),
// on the compiled binary against real fixture servers:
// - every Streamable HTTP session a command opens is ended with DELETE when it exits (errors
//   and Ctrl-C included), and a server that never answers the DELETE cannot hold the exit;
// - a server that dies in the middle of a call is noticed at once on every transport: exit 5,
//   "closed the connection". Calls run with --timeout 60s, longer than this file's 30 s test
//   timeout, so a client that only noticed at its request timeout fails the test.

const SERVERS = join(ROOT, "tests/fixtures/servers")
const BASIC = join(SERVERS, "stdio-basic.ts")
const agent = (t: TmpDir, args: string[], env: Record<string, string> = {}) =>
  runCli(args, { home: t.home, cwd: t.path, env, binary: true, timeoutMs: 25_000 })

const children: Bun.Subprocess[] = []
afterAll(() => {
  for (const c of children) c.kill("SIGKILL")
})

/** A fixture server in its own process (so it can die), once it prints LISTENING. */
async function spawnFixture(file: string, ...args: string[]): Promise<{ url: string; proc: Bun.Subprocess }> {
  const proc = Bun.spawn([BUN, join(SERVERS, file), ...args], { stdout: "pipe", stderr: "ignore" })
  children.push(proc)
  const reader = proc.stdout.getReader()
  let out = ""
  while (!out.includes("\n")) {
    const { value, done } = await reader.read()
    if (done) throw new Error(`${file} exited before listening`)
    out += new TextDecoder().decode(value)
  }
  reader.releaseLock()
  return { url: /LISTENING (\S+)/.exec(out)![1]!, proc }
}

describe("compiled binary: sessions are closed on exit", () => {
  it("every session any command opens gets its DELETE: success, errors, doctor, run and Ctrl-C", async () => {
    await using srv = await startSessionServer()
    await using stateless = await startStatelessServer()
    await using model = await fakeModel([
      { toolCalls: [{ name: "session__echo", args: { text: "from run" } }] },
      { text: "done" },
    ])
    await using t = await tmpdir()
    const file = await t.write("mcp.json", {
      mcpServers: {
        session: { type: "http", url: srv.url },
        stateless: { url: stateless.url },
        local: { command: BUN, args: [BASIC] },
      },
    })
    const m = ["--mcp", file]
    const ok = [
      ["mcp", "list", ...m],
      ["mcp", "tools", "session", ...m],
      ["mcp", "call", "session", "echo", "--arg", "text=hi", ...m],
      ["mcp", "get", "session", ...m],
      ["mcp", "prompts", ...m],
      ["mcp", "resources", ...m],
      ["mcp", "lock", ...m],
    ]
    for (const args of ok) expect((await agent(t, args)).code).toBe(0)
    // Errors: an unknown tool (the server answers an error), a tool error, a usage error after connecting.
    expect((await agent(t, ["mcp", "call", "session", "nope", ...m])).code).not.toBe(0)
    expect((await agent(t, ["mcp", "call", "session", "fail", ...m])).code).not.toBe(0)
    expect((await agent(t, ["mcp", "doctor", "session", ...m])).code).toBeNumber()
    expect((await agent(t, ["mcp", "auth", "session", "--no-interactive", ...m])).code).toBeNumber()
    const run = await agent(t, ["run", ...m, "-m", "anthropic:claude-test", "--yes", "go"], {
      ANTHROPIC_API_KEY: "test-key",
      ANTHROPIC_BASE_URL: model.anthropicBaseUrl,
    })
    expect(run.code).toBe(0)
    // Ctrl-C in the middle of a call.
    const binary = await ensureBinary()
    const { proc } = await startSlowCall(binary, "session", file, t)
    try {
      proc.kill("SIGINT")
      expect(await proc.exited).toBe(130)
    } finally {
      proc.kill("SIGKILL")
    }

    expect(srv.opened.length).toBeGreaterThanOrEqual(ok.length + 6)
    expect(srv.deletesSeen.toSorted()).toEqual(srv.opened.toSorted())
    const answered = srv.requests.filter((r) => r.method === "DELETE")
    expect(answered.every((r) => r.status === 200)).toBe(true)
    expect(srv.sessionIds()).toEqual([]) // the server holds no session any more
    // Stateless 2026-07-28 has no session: nothing to DELETE.
    expect(stateless.requests.filter((r) => r.method === "DELETE")).toEqual([])
  }, 120_000)

  it("a server that never answers the DELETE does not hold the exit", async () => {
    await using srv = await startSessionServer({ hangDelete: true })
    await using t = await tmpdir()
    const file = await t.write("mcp.json", { mcpServers: { session: { type: "http", url: srv.url } } })
    const r = await agent(t, ["mcp", "call", "session", "echo", "--arg", "text=bye", "--mcp", file])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("bye")
    expect(srv.deletesSeen).toEqual(srv.opened)
    expect(srv.requests.filter((x) => x.method === "DELETE")).toEqual([]) // none was answered
  }, 30_000)
})

describe("compiled binary: a server that dies mid-call is noticed at once", () => {
  const expectClosed = (r: { code: number; stderr: string }, name: string) => {
    expect(r.code).toBe(5)
    expect(r.stderr).toContain(`error: server "${name}" closed the connection during tools/call`)
    expect(r.stderr).toContain("hint: ")
  }
  const call = (t: TmpDir, file: string, name: string, tool: string, args: string[] = []) =>
    agent(t, ["mcp", "call", name, tool, ...args, "--timeout", "60s", "--mcp", file])

  it("stdio: the child exits during the call", async () => {
    await using t = await tmpdir()
    const file = await t.write("mcp.json", {
      mcpServers: { crashy: { command: BUN, args: [join(SERVERS, "stdio-crash.ts")] } },
    })
    const r = await call(t, file, "crashy", "crash")
    expectClosed(r, "crashy")
    expect(r.stderr).toContain("it exited with status 3")
  }, 30_000)

  // [label, type, fixture, its flags, what the hint says happened]
  const remote: [string, string, string, string[], string][] = [
    [
      "session Streamable HTTP (2025-11-25, resumable streams)",
      "http",
      "http-session.ts",
      [],
      "it is no longer listening (its event stream broke and the reconnect was refused)",
    ],
    [
      "stateless Streamable HTTP (2026-07-28), SSE answers",
      "http",
      "http-stateless.ts",
      ["--mode", "sse"],
      "it stopped answering (the request was re-issued once)",
    ],
    [
      "stateless Streamable HTTP (2026-07-28), JSON answers",
      "http",
      "http-stateless.ts",
      ["--mode", "json"],
      "it stopped answering (the request was re-issued once)",
    ],
    ["legacy HTTP+SSE", "sse", "http-legacy-sse.ts", [], "it broke its event stream"],
  ]
  for (const [label, type, fixture, args, why] of remote) {
    it(`${label}: the server process exits during the call`, async () => {
      const { url, proc } = await spawnFixture(fixture, "--die-on", "slow", ...args)
      await using t = await tmpdir()
      const file = await t.write("mcp.json", { mcpServers: { dying: { type, url } } })
      const r = await call(t, file, "dying", "slow", ["--arg", "ms=20000"])
      expect(await proc.exited).toBe(1) // it did die, of --die-on
      expectClosed(r, "dying")
      expect(r.stderr).toContain(`hint: ${why}`)
    }, 30_000)
  }

  it("2026-07-28: a broken answer stream is re-issued once with a new id, and the call succeeds", async () => {
    await using srv = await startStatelessServer({ responseMode: "sse", dropStreams: 1 })
    await using t = await tmpdir()
    const file = await t.write("mcp.json", { mcpServers: { flaky: { url: srv.url } } })
    const r = await call(t, file, "flaky", "slow", ["--arg", "ms=300"])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("slept 300 ms")
    const calls = srv.requests.filter((x) => x.rpcMethod === "tools/call")
    expect(calls).toHaveLength(2)
    expect(calls[0]!.rpcId).not.toEqual(calls[1]!.rpcId)
  }, 30_000)

  it("2026-07-28: a stream that breaks again after the re-issue ends the call: exit 5", async () => {
    await using srv = await startStatelessServer({ responseMode: "sse", dropStreams: 5 })
    await using t = await tmpdir()
    const file = await t.write("mcp.json", { mcpServers: { flaky: { url: srv.url } } })
    const r = await call(t, file, "flaky", "slow", ["--arg", "ms=300"])
    expectClosed(r, "flaky")
    expect(srv.requests.filter((x) => x.rpcMethod === "tools/call")).toHaveLength(2) // re-issued once only
  }, 30_000)
})
