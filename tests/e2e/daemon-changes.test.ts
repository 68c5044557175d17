import { describe, expect, it } from "bun:test"
import { existsSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fakeModel } from "../fixtures/model/server.ts"
import { isAlive, startSlowCall } from "../helpers/processes.ts"
import { BINARY } from "../helpers/binary.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"
import { BASIC, agent, counterServer, daemonLog, startedDaemon, status } from "./daemon-helpers.ts"
import { BUN, runCliTty } from "../helpers/cli.ts"

// What changes while a daemon runs (docs/daemon.md): revoked approvals, config edits, crashed
// servers, a crashed daemon, Ctrl-C, idle timers, and the caller's environment (S31, S32).

const increment = (t: TmpDir, extra: string[] = [], env: Record<string, string> = {}) =>
  agent(t, ["mcp", "call", "counter", "increment", ...extra], env)

async function until(what: () => Promise<boolean> | boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await what())) {
    if (Date.now() > deadline) throw new Error("timed out waiting")
    await Bun.sleep(50)
  }
}

describe("compiled binary: agent daemon while things change", () => {
  it("a revoked project approval stops the held server; the refusal is the cold one (S32)", async () => {
    await using t = await tmpdir({ files: { ".mcp.json": { mcpServers: { counter: counterServer() } } } })
    expect((await agent(t, ["mcp", "approve", "counter", "--yes"])).code).toBe(0)
    await using _d = await startedDaemon(t)
    expect((await increment(t)).stdout).toBe("1\n")
    expect((await increment(t)).stdout).toBe("2\n")
    const pid = (await status(t)).servers![0]!.pid!
    expect((await agent(t, ["mcp", "revoke", "counter"])).code).toBe(0)
    const warm = await increment(t)
    const cold = await increment(t, ["--no-daemon"])
    expect(warm.code).toBe(3)
    expect({ stdout: warm.stdout, stderr: warm.stderr }).toEqual({ stdout: cold.stdout, stderr: cold.stderr })
    expect(warm.stderr).toContain("is not yet trusted")
    await until(() => !isAlive(pid))
    expect((await status(t)).servers).toEqual([])
    expect(daemonLog(t)).toContain("needs approval now")
    expect((await agent(t, ["mcp", "approve", "counter", "--yes"])).code).toBe(0)
    expect((await increment(t)).stdout).toBe("1\n") // a fresh server
  }, 90_000)

  it("an edited definition closes the old server and starts the new one (S32)", async () => {
    await using t = await tmpdir({ files: { "mcp.json": { mcpServers: { counter: counterServer() } } } })
    await using _d = await startedDaemon(t)
    expect((await increment(t, ["--mcp", "mcp.json"])).stdout).toBe("1\n")
    expect((await increment(t, ["--mcp", "mcp.json"])).stdout).toBe("2\n")
    const old = (await status(t)).servers![0]!.pid!
    await t.write("mcp.json", { mcpServers: { counter: counterServer({ env: { EDITED: "yes" } }) } })
    expect((await increment(t, ["--mcp", "mcp.json"])).stdout).toBe("1\n")
    await until(() => !isAlive(old))
    const servers = (await status(t)).servers!
    expect(servers).toHaveLength(1)
    expect(servers[0]!.pid).not.toBe(old)
    expect(daemonLog(t)).toContain("its definition changed")
  }, 90_000)

  it("an edit that keeps the config's size and mtime is seen too: the daemon parses by content (S32)", async () => {
    await using t = await tmpdir()
    const file = join(t.path, "mcp.json")
    const write = (value: string) => {
      writeFileSync(
        file,
        JSON.stringify({ mcpServers: { counter: counterServer({ env: { EDITED: value } }) } }),
      )
      utimesSync(file, 1_700_000_000, 1_700_000_000) // one stamp for both versions, as within one tick
    }
    write("aaa")
    await using _d = await startedDaemon(t)
    expect((await increment(t, ["--mcp", "mcp.json"])).stdout).toBe("1\n")
    expect((await increment(t, ["--mcp", "mcp.json"])).stdout).toBe("2\n")
    const { size, mtimeMs, ino } = statSync(file)
    write("bbb")
    expect(statSync(file)).toMatchObject({ size, mtimeMs, ino })
    expect((await increment(t, ["--mcp", "mcp.json"])).stdout).toBe("1\n") // a new server
    expect(daemonLog(t)).toContain("its definition changed")
  }, 90_000)

  it("approved values come from the caller, asked for by name; others never reach the daemon (S31)", async () => {
    const server = counterServer({ env: { COUNTER_SECRET: "${COUNTER_TOKEN}" } })
    await using t = await tmpdir({ files: { "mcp.json": { mcpServers: { counter: server } } } })
    const env = { COUNTER_TOKEN: "tok-from-caller-1", UNRELATED_TOKEN: "never-sent-9" }
    // Started from a shell that has both: the daemon's own environment keeps neither.
    await using d = await startedDaemon(t, [], env)
    const whoami = ["mcp", "call", "counter", "whoami", "--mcp", "mcp.json"]
    const refused = await agent(t, whoami, env)
    const refusedCold = await agent(t, [...whoami, "--no-daemon"], env)
    expect(refused.code).toBe(3)
    expect(refused.stderr).toBe(refusedCold.stderr)
    expect(daemonLog(t)).not.toContain("COUNTER_TOKEN") // unapproved: not even asked for
    const approved = await agent(t, [...whoami, "--approve-env", "COUNTER_TOKEN"], env)
    expect(approved.code).toBe(0)
    // The value reached the server, and is redacted in what is printed as in a cold run (P03).
    expect(approved.stdout).toMatch(/^\d+ \S+\n$/)
    expect(approved.stdout).not.toContain("tok-from-caller-1")
    const cold = await agent(t, [...whoami, "--approve-env", "COUNTER_TOKEN", "--no-daemon"], env)
    expect(approved.stdout.replace(/^\d+/, "PID")).toBe(cold.stdout.replace(/^\d+/, "PID"))
    expect(daemonLog(t)).toContain("asking the caller for COUNTER_TOKEN")
    expect(daemonLog(t)).not.toContain("UNRELATED_TOKEN")
    const environ = readFileSync(`/proc/${d.pid}/environ`, "utf8")
    expect(environ).not.toContain("tok-from-caller-1")
    expect(environ).not.toContain("never-sent-9")
  }, 90_000)

  it("a crashed server is started again on the next call", async () => {
    await using t = await tmpdir({ files: { "mcp.json": { mcpServers: { counter: counterServer() } } } })
    await using _d = await startedDaemon(t)
    expect((await increment(t, ["--mcp", "mcp.json"])).stdout).toBe("1\n")
    const pid = (await status(t)).servers![0]!.pid!
    process.kill(pid, "SIGKILL")
    await until(() => !isAlive(pid))
    const r = await increment(t, ["--mcp", "mcp.json"])
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 0, stdout: "1\n" })
    expect(daemonLog(t)).toContain("not running any more")
  }, 60_000)

  it("a crashed daemon: the command runs cold, with a warning", async () => {
    await using t = await tmpdir({ files: { "mcp.json": { mcpServers: { counter: counterServer() } } } })
    await using d = await startedDaemon(t)
    expect((await increment(t, ["--mcp", "mcp.json"])).stdout).toBe("1\n")
    process.kill(d.pid, "SIGKILL")
    await until(() => !isAlive(d.pid))
    const r = await increment(t, ["--mcp", "mcp.json"])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe("1\n")
    expect(r.stderr).toContain("the daemon is not answering")
    expect(r.stderr).toContain("running without it")
    // `start` replaces the dead daemon's socket.
    await using _again = await startedDaemon(t)
    expect((await increment(t, ["--mcp", "mcp.json"])).stdout).toBe("1\n")
  }, 60_000)

  it("Ctrl-C in the caller cancels the call in the daemon (notifications/cancelled), and the server stays", async () => {
    await using t = await tmpdir()
    const events = `${t.path}/events.log`
    const file = await t.write("mcp.json", {
      mcpServers: { basic: { command: BUN, args: [BASIC], env: { EVENTS_FILE: events } } },
    })
    await using _d = await startedDaemon(t)
    const { proc, stderr } = await startSlowCall(BINARY, "basic", file, t)
    try {
      expect(stderr.text).toContain("tick")
      proc.kill("SIGINT")
      expect(await proc.exited).toBe(130)
      await until(() => existsSync(events) && readFileSync(events, "utf8").includes("slow: cancelled"))
      const held = (await status(t)).servers!
      expect(held.map((s) => [s.name, s.status])).toEqual([["basic", "connected"]])
      expect(isAlive(held[0]!.pid!)).toBe(true)
    } finally {
      proc.kill("SIGKILL")
    }
  }, 60_000)

  it("closes idle servers, and stops itself after its idle time", async () => {
    await using t = await tmpdir({ files: { "mcp.json": { mcpServers: { counter: counterServer() } } } })
    await using d = await startedDaemon(t, ["--idle-timeout", "300ms", "--exit-after", "3s"])
    expect((await increment(t, ["--mcp", "mcp.json"])).stdout).toBe("1\n")
    const pid = (await status(t)).servers![0]!.pid!
    await until(async () => (await status(t)).servers?.length === 0)
    // Let go of, then stopped: the child's exit may trail the status by a moment.
    await until(async () => !isAlive(pid))
    expect(daemonLog(t)).toMatch(/closing "counter" .*idle for/)
    await until(() => !isAlive(d.pid))
    expect((await status(t)).running).toBe(false)
    expect(daemonLog(t)).toContain("stopping: no request for 3 s")
  }, 60_000)

  it("agent run uses the held servers: the second run sees the state of the first", async () => {
    await using t = await tmpdir({ files: { "mcp.json": { mcpServers: { counter: counterServer() } } } })
    await using srv = await fakeModel([
      { toolCalls: [{ name: "counter__increment" }] },
      { text: "one" },
      { toolCalls: [{ name: "counter__increment" }] },
      { text: "two" },
    ])
    const env = { ANTHROPIC_API_KEY: "test-key", ANTHROPIC_BASE_URL: srv.anthropicBaseUrl }
    const run = ["run", "--mcp", "mcp.json", "-m", "anthropic:claude-test", "--yes", "-o", "json", "count"]
    await using _d = await startedDaemon(t)
    const first = await agent(t, run, env)
    const second = await agent(t, run, env)
    expect([first.code, second.code]).toEqual([0, 0])
    const results = srv.requests.map((r) => JSON.stringify(r.body.messages ?? []))
    expect(results[1]).toContain('"1"')
    expect(results[3]).toContain('"2"') // the same server process: warm
    expect(daemonLog(t)).toContain("asking the caller for")
    expect(daemonLog(t)).toContain("ANTHROPIC_API_KEY")
  }, 90_000)
})

describe("compiled binary: agent daemon prompts in the caller's terminal", () => {
  it("asks the trust question at the caller's terminal, takes the answer there, and stores it", async () => {
    await using t = await tmpdir({ files: { ".mcp.json": { mcpServers: { counter: counterServer() } } } })
    await using _d = await startedDaemon(t)
    const r = await runCliTty(["mcp", "call", "counter", "increment"], {
      home: t.home,
      cwd: t.path,
      binary: true,
      input: ["y"],
      timeoutMs: 30_000,
    })
    expect(r.stdout).toContain('Trust "counter" as shown?')
    expect(r.stdout).toMatch(/\n1\r?\n/) // the call ran after the answer
    expect(r.code).toBe(0)
    expect(daemonLog(t)).toContain('ran "mcp call"') // in the daemon
    // The "yes" was stored: the next call asks nothing and reaches the same server.
    const next = await increment(t)
    expect({ code: next.code, stdout: next.stdout }).toEqual({ code: 0, stdout: "2\n" })
  }, 60_000)
})
