// The manager over stdio against the real fixture servers: negotiation, handlers, C05 env,
// S01 crash, S02 flood, T06 oversize, timeouts, and teardown without orphans (S03).
import { describe, expect, it } from "bun:test"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { InterruptedError, McpConnectError } from "../../src/util/errors.ts"
import { elicitDefaults, McpTimeoutError } from "../../src/mcp/index.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { isAlive, manager, stdio, textOf } from "./helpers.ts"

/** The lines stdio-basic.ts wrote to its EVENTS_FILE. */
const eventLines = (file: string) =>
  existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : []

describe("stdio", () => {
  it("connects with one spawn, negotiates 2026-07-28 in place, and serves tools, prompts and resources", async () => {
    const seen: string[] = []
    await using m = await manager([stdio("basic", "stdio-basic.ts")], {
      onState: (s) => void seen.push(s.status),
    })
    const [state] = await m.connect()
    expect(state).toMatchObject({
      status: "connected",
      transport: "stdio",
      protocolVersion: "2026-07-28",
      serverInfo: { name: "fixture-basic" },
    })
    if (state?.status !== "connected") throw new Error("not connected")
    expect(state.counts).toEqual({ tools: 8, prompts: 1, resources: 1 })
    expect(state.instructions).toContain("Fixture")
    expect(seen).toEqual(["connecting", "connected"])
    expect(m.pids()).toHaveLength(1) // no disposable probe sibling
    expect(textOf(await m.callTool("basic", "echo", { text: "hi" }))).toBe("hi")
    expect((await m.callTool("basic", "fail", {})).isError).toBe(true)
    expect((await m.prompts()).map((p) => `${p.server}/${p.prompt.name}`)).toEqual(["basic/greet"])
    expect(JSON.stringify((await m.getPrompt("basic", "greet", { name: "Bo" })).messages)).toContain(
      "Hello, Bo!",
    )
    const [res] = await m.resources()
    expect(res?.resources.map((r) => r.uri)).toEqual(["fixture://readme"])
    expect(res?.templates.map((t) => t.uriTemplate)).toEqual(["fixture://items/{id}"])
    expect((await m.readResource("basic", "fixture://items/7")).contents[0]).toMatchObject({
      text: '{"id":"7"}',
    })
  })

  it("C09: offers no root by default (not even the cwd) and declines elicitation without a handler", async () => {
    await using m = await manager([stdio("basic", "stdio-basic.ts")], { cwd: "/tmp" })
    await m.connect()
    const asked = JSON.parse(textOf(await m.callTool("basic", "ask_user", {})))
    expect(asked.roots).toEqual([])
    expect(asked.answer.action).toBe("decline")
  })

  it("accepts elicitation with the schema defaults through elicitDefaults (SEP-1034)", async () => {
    const asked: string[] = []
    await using m = await manager([stdio("basic", "stdio-basic.ts")], {
      elicit: (server, req) => {
        asked.push(server)
        return elicitDefaults(server, req)
      },
    })
    await m.connect()
    const { answer } = JSON.parse(textOf(await m.callTool("basic", "ask_user", {})))
    expect(answer).toEqual({
      action: "accept",
      content: { name: "Ada", color: "green", count: 3, agree: true },
    })
    expect(asked).toEqual(["basic"])
  })

  it("passes only the minimal environment plus the configured env (C05)", async () => {
    // The manager's parentEnv, not process.env, is what a stdio server inherits from.
    const parentEnv = {
      ...process.env,
      AGENTRT_TEST_CANARY: "canary-4f2a",
      AWS_SECRET_ACCESS_KEY: "canary-aws",
      LANG: "xx_TEST.UTF-8",
    }
    await using m = await manager([stdio("basic", "stdio-basic.ts", { DECLARED: "yes" })], { parentEnv })
    await m.connect()
    const env = JSON.parse(textOf(await m.callTool("basic", "env_dump", {})))
    expect(JSON.stringify(env)).not.toContain("canary")
    expect(env.DECLARED).toBe("yes")
    expect(env.PATH).toBe(process.env.PATH)
    expect(env.LANG).toBe("xx_TEST.UTF-8")
    const allowed = /^(PATH|HOME|USER|LOGNAME|SHELL|TERM|LANG|LC_.*|TZ|TMPDIR|TMP|TEMP|DECLARED)$/
    expect(Object.keys(env).filter((k) => !allowed.test(k))).toEqual([])
  })

  it("fails a pending call with the server name and exit status when the server crashes (S01)", async () => {
    await using m = await manager([stdio("crashy", "stdio-crash.ts", { CRASH_CODE: "7" })])
    await m.connect()
    const [pid] = m.pids()
    expect(textOf(await m.callTool("crashy", "echo", { text: "up" }))).toBe("up")
    const err = await m.callTool("crashy", "crash", {}).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(McpConnectError)
    expect((err as McpConnectError).message).toBe('server "crashy" closed the connection during tools/call')
    expect((err as McpConnectError).hint).toStartWith("it exited with status 7; server stderr:")
    expect((err as McpConnectError).hint).toContain("crashing now")
    expect((err as McpConnectError).exitCode).toBe(5)
    expect(m.state("crashy")).toMatchObject({ status: "failed" })
    expect(isAlive(pid!)).toBe(false) // reaped, no zombie
    const again = await m.callTool("crashy", "echo", { text: "x" }).catch((e: unknown) => e)
    expect(again).toBeInstanceOf(McpConnectError)
  })

  it("keeps answering through a stderr flood and garbage on stdout (S02, T05)", async () => {
    await using m = await manager([stdio("flood", "stdio-flood.ts", { FLOOD_MB: "100" })])
    const [state] = await m.connect()
    expect(state?.status).toBe("connected")
    for (let i = 0; i < 5; i++)
      expect(textOf(await m.callTool("flood", "echo", { text: `n${i}` }))).toBe(`n${i}`)
    const rss = process.memoryUsage.rss()
    await Bun.sleep(1500) // let the flood run while we hold only a capped tail
    expect(textOf(await m.callTool("flood", "echo", { text: "still" }))).toBe("still")
    expect(process.memoryUsage.rss() - rss).toBeLessThan(64 * 1024 * 1024)
    expect(m.log.lines.some((l) => l.tag === "mcp:flood" && l.text.startsWith("dropped a bad message"))).toBe(
      true,
    ) // T05: logged, not fatal
  }, 30_000)

  it("cuts a message over 16 MB with a clear error (T06)", async () => {
    await using m = await manager([stdio("big", "stdio-basic.ts")])
    await m.connect()
    expect(textOf(await m.callTool("big", "big", { mb: 1 })).length).toBe(1024 * 1024)
    const err = await m.callTool("big", "big", { mb: 17 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(McpConnectError)
    expect((err as Error).message).toBe(
      'server "big" sent a message larger than the 16 MB limit during tools/call',
    )
  }, 30_000)
})

describe("stdio timeouts", () => {
  it("keeps a slow call alive while progress arrives, and times out without it (T04)", async () => {
    await using m = await manager([stdio("slow", "stdio-basic.ts")])
    await m.connect()
    const progress: number[] = []
    const ok = await m.callTool(
      "slow",
      "slow",
      { ms: 700 },
      { timeoutMs: 300, onProgress: (p) => void progress.push(p.progress) },
    )
    expect(textOf(ok)).toBe("slept 700 ms")
    expect(progress.length).toBeGreaterThanOrEqual(4)
    const idle = await m.callTool("slow", "slow", { ms: 2000 }, { timeoutMs: 40 }).catch((e: unknown) => e)
    expect(idle).toBeInstanceOf(McpTimeoutError)
    expect((idle as McpTimeoutError).exitCode).toBe(5)
    expect((idle as Error).message).toContain('server "slow" did not answer tools/call in time')
    // Progress every 100 ms keeps resetting the 1 s idle timer, so only the 400 ms cap can end this call.
    const total = await m
      .callTool("slow", "slow", { ms: 3000 }, { timeoutMs: 1000, totalTimeoutMs: 400 })
      .catch((e: unknown) => e)
    expect(total).toBeInstanceOf(McpTimeoutError)
    expect((total as Error).message).toContain("or 400 ms in all")
    expect((total as Error).cause).toMatchObject({
      message: "Maximum total timeout exceeded",
      data: { maxTotalTimeout: 400 },
    })
    // The server is still usable afterwards.
    expect(textOf(await m.callTool("slow", "echo", { text: "ok" }))).toBe("ok")
  })

  it("uses the server's configured timeout over the manager default", async () => {
    // `sleep` sends no progress, so only the idle timeout can end it: the server's 2 s, not the
    // manager's 60 s. 2 s (not less) so a loaded machine still lists tools within it.
    await using m = await manager([stdio("slow", "stdio-agent.ts", {}, { timeout: 2000 })], {
      requestTimeoutMs: 60_000,
    })
    await m.connect()
    const err = await m.callTool("slow", "sleep", { ms: 30_000 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(McpTimeoutError)
    expect(String((err as Error).message)).toContain("2000 ms")
  })
})

describe("stdio teardown", () => {
  it("aborting the signal cancels calls and stops every child, no orphans (S03)", async () => {
    await using t = await tmpdir()
    const events = join(t.path, "events")
    const ac = new AbortController()
    await using m = await manager(
      [
        stdio("a", "stdio-basic.ts", { EVENTS_FILE: events }),
        stdio("b", "stdio-basic.ts"),
        stdio("c", "stdio-crash.ts"),
      ],
      { signal: ac.signal },
    )
    await m.connect()
    const pids = m.pids()
    expect(pids).toHaveLength(3)
    const running = Promise.withResolvers<void>()
    const pending = m
      .callTool("a", "slow", { ms: 10_000 }, { onProgress: () => running.resolve() })
      .catch((e: unknown) => e)
    await running.promise // the server is inside the call
    ac.abort()
    expect(await pending).toBeInstanceOf(InterruptedError)
    await m.close()
    expect(pids.filter(isAlive)).toEqual([])
    expect(eventLines(events)).toContain(`${pids[0]} slow: cancelled`) // T04: the cancel reached the server
  })

  it("close() ends children that exit on stdin close without signalling them (S03)", async () => {
    await using t = await tmpdir()
    const events = join(t.path, "events")
    await using m = await manager([
      stdio("a", "stdio-basic.ts", { EVENTS_FILE: events }),
      stdio("b", "stdio-basic.ts", { EVENTS_FILE: events }),
    ])
    await m.connect()
    await m.callTool("a", "echo", { text: "x" })
    const pids = m.pids()
    await m.close()
    expect(pids.filter(isAlive)).toEqual([])
    // Each wrote its exit line, which SIGTERM or SIGKILL would have skipped: stdin closing was enough.
    expect(eventLines(events).sort()).toEqual(pids.map((p) => `${p} exit 0`).sort())
  })

  it("a silent server fails after the connect timeout and its child is stopped", async () => {
    const marker = `agentrt-silent-${process.pid}-${Date.now()}`
    const silent = stdio("silent", "stdio-basic.ts", {}, {
      command: process.execPath,
      args: ["-e", "setInterval(() => {}, 1000)", marker],
    } as never)
    await using m = await manager([silent, stdio("ok", "stdio-basic.ts")], { connectTimeoutMs: 1500 })
    const [bad, good] = await m.connect()
    expect(bad).toMatchObject({ status: "failed", error: "did not finish connecting within 1.5 s" })
    expect(good).toMatchObject({ status: "connected" }) // one slow server never blocks the others
    expect(Bun.spawnSync(["pgrep", "-f", marker]).stdout.toString().trim()).toBe("")
  })

  it("aborting while servers are still starting leaves no child behind", async () => {
    const marker = `agentrt-abort-${process.pid}-${Date.now()}`
    const ac = new AbortController()
    const list = [0, 1, 2].map((i) =>
      stdio(`s${i}`, "stdio-basic.ts", {}, {
        args: [`${import.meta.dir}/../fixtures/servers/stdio-basic.ts`, marker],
      } as never),
    )
    await using m = await manager(list, { signal: ac.signal })
    const connecting = m.connect()
    await Bun.sleep(60)
    ac.abort()
    const states = await connecting
    await m.close()
    expect(states.every((s) => s.status === "failed")).toBe(true)
    expect(Bun.spawnSync(["pgrep", "-f", marker]).stdout.toString().trim()).toBe("")
  })

  it("reports a command that cannot start as failed with a reason", async () => {
    await using m = await manager([
      stdio("ghost", "stdio-basic.ts", {}, { command: "/nonexistent/agentrt-ghost" } as never),
    ])
    const [state] = await m.connect()
    expect(state).toMatchObject({ status: "failed", transport: "stdio" })
    if (state?.status === "failed") expect(state.error).toContain("/nonexistent/agentrt-ghost")
  })
})
