import { describe, expect, it } from "bun:test"
import { statSync } from "node:fs"
import { join } from "node:path"
import { isAlive } from "../helpers/processes.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { agent, counterServer, daemonDir, daemonLog, startedDaemon, status } from "./daemon-helpers.ts"

// `agent daemon` on the compiled binary (docs/daemon.md): servers kept between commands, the same
// output as a cold run, approvals and config edits honoured while it runs, and a cold run when
// the daemon is gone.

async function until(what: () => boolean, ms = 10_000): Promise<void> {
  for (const deadline = Date.now() + ms; !what(); await Bun.sleep(25))
    if (Date.now() > deadline) throw new Error("timed out waiting")
}

const call = (t: Parameters<typeof agent>[0], extra: string[] = [], env: Record<string, string> = {}) =>
  agent(t, ["mcp", "call", "counter", "increment", "--mcp", "mcp.json", ...extra], env)

describe("compiled binary: agent daemon", () => {
  it("start, status and stop; a stateful server keeps its state across calls while it runs", async () => {
    await using t = await tmpdir({ files: { "mcp.json": { mcpServers: { counter: counterServer() } } } })
    expect((await status(t)).running).toBe(false)
    expect((await agent(t, ["daemon", "status"])).code).toBe(5)
    // Cold: each command starts the server afresh.
    expect((await call(t)).stdout).toBe("1\n")
    expect((await call(t)).stdout).toBe("1\n")
    {
      await using d = await startedDaemon(t)
      const again = await agent(t, ["daemon", "start", "-o", "json"])
      expect(again.json<{ alreadyRunning: boolean; pid: number }>()).toMatchObject({
        alreadyRunning: true,
        pid: d.pid,
      })
      expect((await call(t)).stdout).toBe("1\n")
      expect((await call(t)).stdout).toBe("2\n")
      expect((await call(t, ["--no-daemon"])).stdout).toBe("1\n") // bypassed: a cold server of its own
      expect((await call(t)).stdout).toBe("3\n")
      const s = await status(t)
      expect(s.running).toBe(true)
      expect(s.servers).toHaveLength(1)
      const held = s.servers![0]!
      expect(held).toMatchObject({ name: "counter", status: "connected", calls: 3 })
      expect(isAlive(held.pid!)).toBe(true)
      expect(held.rssBytes).toBeGreaterThan(1_000_000)
      const text = await agent(t, ["daemon", "status"])
      expect(text.stdout).toMatch(/^counter +connected +stdio +\d+ +\d+s +3 +[\d.]+ MB/m)
      const stop = await agent(t, ["daemon", "stop", "-o", "json"])
      expect(stop.json()).toEqual({ stopped: true })
      await until(() => !isAlive(d.pid))
      expect(isAlive(held.pid!)).toBe(false) // its servers were stopped before it said so
    }
    expect((await agent(t, ["daemon", "stop"])).stdout).toBe("no daemon was running\n")
    expect((await call(t)).stdout).toBe("1\n")
    expect(daemonLog(t)).toContain('starting "counter"')
  }, 90_000)

  it("prints the same output and exit codes warm as cold", async () => {
    await using t = await tmpdir({ files: { "mcp.json": { mcpServers: { counter: counterServer() } } } })
    const commands = [
      ["mcp", "tools", "--mcp", "mcp.json", "-o", "json"],
      ["mcp", "tools", "counter", "--mcp", "mcp.json"],
      ["mcp", "call", "counter", "whoami", "--mcp", "mcp.json", "-o", "json"],
      ["mcp", "call", "counter", "incremnt", "--mcp", "mcp.json"],
      ["mcp", "call", "nosuch", "x", "--mcp", "mcp.json", "-o", "json"],
      ["mcp", "prompts", "--mcp", "mcp.json"],
      ["mcp", "list", "--mcp", "mcp.json", "--bogus-flag"],
    ]
    const pidFree = (s: string) => s.replace(/\b\d{2,7} -/g, "PID -")
    const cold = []
    for (const c of commands) cold.push(await agent(t, c))
    await using _d = await startedDaemon(t)
    for (const [i, c] of commands.entries()) {
      const warm = await agent(t, c)
      expect({ c, code: warm.code, stderr: warm.stderr, stdout: pidFree(warm.stdout) }).toEqual({
        c,
        code: cold[i]!.code,
        stderr: cold[i]!.stderr,
        stdout: pidFree(cold[i]!.stdout),
      })
    }
    expect(cold.map((r) => r.code)).toEqual([0, 0, 0, 2, 2, 0, 2])
    expect(daemonLog(t)).toContain('ran "mcp call"') // the warm ones did go through the daemon
    // Each ran once: reading a variable the caller did not send (none of these need one) asks the
    // caller for it and runs the whole command again, which doubled every warm call's time.
    expect(daemonLog(t)).not.toContain("asking the caller for")
  }, 90_000)

  it("the socket is 0600 in a 0700 directory named for the user, and nowhere else (S30)", async () => {
    await using t = await tmpdir()
    await using _d = await startedDaemon(t)
    const dir = daemonDir(t)
    expect(dir).toEndWith(`daemon-${process.getuid!()}`)
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    const sock = statSync(join(dir, "d.sock"))
    expect(sock.isSocket()).toBe(true)
    expect(sock.mode & 0o777).toBe(0o600)
    expect(sock.uid).toBe(process.getuid!())
    expect(statSync(join(dir, "daemon.log")).mode & 0o777).toBe(0o600)
  }, 30_000)
})

describe("compiled binary: starting a daemon on demand", () => {
  it("--daemon starts one when none runs, and the next command uses it without the flag", async () => {
    await using t = await tmpdir({ files: { "mcp.json": { mcpServers: { counter: counterServer() } } } })
    try {
      expect((await call(t, ["--daemon"])).stdout).toBe("1\n")
      const s = await status(t)
      expect(s.running).toBe(true)
      expect((await call(t)).stdout).toBe("2\n")
    } finally {
      await stopAny(t)
    }
  }, 60_000)

  it('"daemon": {"autoStart": true} in the user config does what --daemon does; --no-daemon still runs cold', async () => {
    await using t = await tmpdir({ files: { "mcp.json": { mcpServers: { counter: counterServer() } } } })
    await t.write("agentrt-home/config/mcp.json", { daemon: { autoStart: true } })
    try {
      expect((await call(t, ["--no-daemon"])).stdout).toBe("1\n")
      expect((await status(t)).running).toBe(false)
      expect((await call(t)).stdout).toBe("1\n")
      expect((await status(t)).running).toBe(true)
      expect((await call(t)).stdout).toBe("2\n")
      // The setting validates as part of the config.
      expect((await agent(t, ["config", "validate"])).code).toBe(0)
    } finally {
      await stopAny(t)
    }
  }, 60_000)
})

/** Stops a daemon a command started on demand (and kills it should stop fail). */
async function stopAny(t: Parameters<typeof agent>[0]): Promise<void> {
  const pid = (await status(t)).pid
  await agent(t, ["daemon", "stop"])
  if (pid !== undefined && isAlive(pid)) process.kill(pid, "SIGKILL")
}
