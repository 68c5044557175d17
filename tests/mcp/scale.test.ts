// Scale (T09: 100 servers, 5 dead) and pagination (T10: 20k tools, a cycling cursor).
import { describe, expect, it } from "bun:test"
import { appendFileSync, readFileSync } from "node:fs"
import { join } from "node:path"
import type { ServerState } from "../../src/mcp/index.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { startStatelessServer } from "../fixtures/servers/http-stateless.ts"
import { refusedPort } from "../helpers/ports.ts"
import { isAlive, manager, remote, SERVERS, stdio } from "./helpers.ts"

describe("T09", () => {
  it("connects 95 of 100 servers with 5 dead ones, bounded stdio concurrency, and lists the failures", async () => {
    await using srv = await startStatelessServer()
    using dead = refusedPort() // held for the whole test, so no other server can appear there
    // Each local server appends "start NAME" to one log as its very first act, and onState
    // appends "done NAME" when the manager has finished with it, before its stdio slot is freed.
    // O_APPEND orders both writers' lines, so the log replays exactly how many were starting at once.
    await using t = await tmpdir()
    const log = join(t.path, "starts.log")
    const local = (i: number) =>
      stdio(`local${i}`, "stdio-basic.ts", {}, {
        command: "/bin/sh",
        args: [
          "-c",
          `printf 'start %s\\n' "$0" >> "$1" && exec "$2" "$3"`,
          `local${i}`,
          log,
          process.execPath,
          join(SERVERS, "stdio-basic.ts"),
        ],
      } as never)
    const resolutions = [
      ...Array.from({ length: 20 }, (_, i) => local(i)),
      ...Array.from({ length: 75 }, (_, i) => remote(`web${i}`, srv.url, i % 2 ? "http" : "auto")),
      stdio("dead0", "stdio-basic.ts", {}, { command: "/nonexistent/dead0" } as never),
      stdio("dead1", "stdio-basic.ts", {}, { command: "/bin/false", args: [] } as never),
      stdio("dead2", "stdio-basic.ts", {}, {
        command: process.execPath,
        args: ["-e", "process.exit(9)"],
      } as never),
      remote("dead3", `${dead.url}/mcp`, "http"),
      remote("dead4", `${dead.url}/mcp`, "auto"),
    ]
    const onState = (s: ServerState) => {
      if (s.name.startsWith("local") && s.status !== "connecting") appendFileSync(log, `done ${s.name}\n`)
    }
    await using m = await manager(resolutions, { concurrency: 4, connectTimeoutMs: 15_000, onState })
    const states = await m.connect()
    const failed = states.filter((s) => s.status !== "connected").map((s) => s.name)
    expect(failed.sort()).toEqual(["dead0", "dead1", "dead2", "dead3", "dead4"])
    expect(states.filter((s) => s.status === "connected")).toHaveLength(95)
    const events = readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((l) => l.split(" ") as ["start" | "done", string])
    expect(
      events
        .filter(([e]) => e === "start")
        .map(([, n]) => n)
        .sort(),
    ).toEqual(Array.from({ length: 20 }, (_, i) => `local${i}`).sort())
    expect(events.filter(([e]) => e === "done")).toHaveLength(20)
    let starting = 0
    let peak = 0
    for (const [e] of events) peak = Math.max(peak, (starting += e === "start" ? 1 : -1))
    expect(peak).toBeGreaterThan(0)
    expect(peak).toBeLessThanOrEqual(4) // stdio starts bounded by `concurrency`
    for (const s of states) if (s.status === "failed") expect(s.error.length).toBeGreaterThan(0)
    expect((await m.tools()).length).toBe(95 * 8)
    const pids = m.pids()
    expect(pids).toHaveLength(20)
    await m.close()
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
    await using m = await manager([
      stdio("loop", "stdio-many-tools.ts", { TOOLS: "30", PAGE: "10", CYCLE: "1" }),
    ])
    const [state] = await m.connect()
    expect(state).toMatchObject({ status: "connected", counts: { tools: 30 } })
    expect(m.log.lines.some((l) => l.level === 1 && l.text.includes("cursor repeats"))).toBe(true)
  })
})
