// Scale (T09: 100 servers, 5 dead) and pagination (T10: 20k tools, a cycling cursor).
import { describe, expect, it } from "bun:test"
import { startStatelessServer } from "../fixtures/servers/http-stateless.ts"
import { isAlive, manager, remote, stdio } from "./helpers.ts"

describe("T09", () => {
  it("connects 95 of 100 servers with 5 dead ones, bounded stdio concurrency, and lists the failures", async () => {
    await using srv = await startStatelessServer()
    const dead = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("x") })
    const deadPort = dead.port
    dead.stop(true)
    const resolutions = [
      ...Array.from({ length: 20 }, (_, i) => stdio(`local${i}`, "stdio-basic.ts")),
      ...Array.from({ length: 75 }, (_, i) => remote(`web${i}`, srv.url, i % 2 ? "http" : "auto")),
      stdio("dead0", "stdio-basic.ts", {}, { command: "/nonexistent/dead0" } as never),
      stdio("dead1", "stdio-basic.ts", {}, { command: "/bin/false", args: [] } as never),
      stdio("dead2", "stdio-basic.ts", {}, { command: process.execPath, args: ["-e", "process.exit(9)"] } as never),
      remote("dead3", `http://127.0.0.1:${deadPort}/mcp`, "http"),
      remote("dead4", `http://127.0.0.1:${deadPort}/mcp`, "auto"),
    ]
    let peak = 0
    await using m = await manager(resolutions, { concurrency: 4, connectTimeoutMs: 15_000 })
    // Children alive but not yet connected = stdio servers starting at once; bounded by `concurrency`.
    const started = performance.now()
    const connecting = m.connect()
    const timer = setInterval(() => void (peak = Math.max(peak, m.pids().length - m.states().filter((s) => s.status === "connected" && s.name.startsWith("local")).length)), 5)
    const states = await connecting
    clearInterval(timer)
    const ms = performance.now() - started
    const failed = states.filter((s) => s.status !== "connected").map((s) => s.name)
    expect(failed.sort()).toEqual(["dead0", "dead1", "dead2", "dead3", "dead4"])
    expect(states.filter((s) => s.status === "connected")).toHaveLength(95)
    expect(peak).toBeLessThanOrEqual(4)
    for (const s of states) if (s.status === "failed") expect(s.error.length).toBeGreaterThan(0)
    expect((await m.tools()).length).toBe(95 * 8)
    const pids = m.pids()
    expect(pids).toHaveLength(20)
    const closing = performance.now()
    await m.close()
    console.log(`T09: 100 servers connected in ${Math.round(ms)} ms, closed in ${Math.round(performance.now() - closing)} ms`)
    expect(pids.filter(isAlive)).toEqual([])
  }, 60_000)
})

describe("T10", () => {
  it("lists 20k tools over 200 pages", async () => {
    await using m = await manager([stdio("many", "stdio-many-tools.ts", { TOOLS: "20000", PAGE: "100" })])
    const [state] = await m.connect()
    expect(state).toMatchObject({ status: "connected", counts: { tools: 20000 } })
    const tools = await m.tools()
    expect(tools).toHaveLength(20000)
    expect(new Set(tools.map((t) => t.name)).size).toBe(20000)
  }, 30_000)

  it("stops a cycling cursor with a warning and keeps what it got", async () => {
    await using m = await manager([stdio("loop", "stdio-many-tools.ts", { TOOLS: "30", PAGE: "10", CYCLE: "1" })])
    const [state] = await m.connect()
    expect(state).toMatchObject({ status: "connected", counts: { tools: 30 } })
    expect(m.log.lines.some((l) => l.level === 1 && l.text.includes("cursor repeats"))).toBe(true)
  })
})
