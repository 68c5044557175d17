// `agent run` from cached tool lists (docs/runs.md "Cached tool lists"), on the compiled binary
// against the model fixture and tests/fixtures/servers/stdio-cached.ts: a hit sends the first
// model request before the server has answered tools/list (order of events, no durations); a
// miss, an expired entry (the server's own tiny ttlMs), list_changed, a changed live list, a
// server that needs approval and --no-cache.
import { describe, expect, it } from "bun:test"
import {
  appendFileSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs"
import { join } from "node:path"
import { fakeModel, type FakeModel } from "../fixtures/model/server.ts"
import { BUN, ROOT, runCli } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"
import { modelEnv, report, run } from "./run-helpers.ts"

const CACHED = join(ROOT, "tests/fixtures/servers/stdio-cached.ts")
const MODEL = ["-m", "anthropic:claude-test"]

/** A config with one stdio-cached server; its env (part of the fingerprint) never changes between runs. */
async function setup(t: TmpDir, env: Record<string, string> = {}) {
  const files = {
    events: join(t.path, "events.log"),
    gate: join(t.path, "gate"),
    tools: join(t.path, "tools.txt"),
  }
  writeFileSync(files.tools, "alpha,beta")
  writeFileSync(files.gate, "open")
  const mcp = await t.write("mcp.json", {
    mcpServers: {
      srv: {
        command: BUN,
        args: [CACHED],
        env: {
          EVENTS_FILE: files.events,
          GATE_FILE: files.gate,
          GATE_MAX_MS: "8000",
          TOOLS_FILE: files.tools,
          TTL_MS: "600000",
          ...env,
        },
      },
    },
  })
  return { ...files, mcp }
}

const cacheDir = (t: TmpDir) => join(t.home, "state", "list-cache")
const cacheFiles = (t: TmpDir) => (existsSync(cacheDir(t)) ? readdirSync(cacheDir(t)) : [])
const toolNames = (srv: FakeModel, i: number) =>
  (((srv.requests[i]?.body ?? {}) as { tools?: { name: string }[] }).tools ?? []).map((x) => x.name).sort()

describe("compiled binary: agent run with cached tool lists", () => {
  it("a miss saves the lists (0600); a hit sends the first model request before tools/list is answered", async () => {
    await using t = await tmpdir()
    const f = await setup(t)
    await using srv = await fakeModel([{ text: "first" }])
    const miss = report(await run(t, ["--mcp", f.mcp, ...MODEL, "-o", "json", "hi"], modelEnv(srv)))
    expect(miss.toolCache).toEqual({ used: false, changed: [] })
    expect(cacheFiles(t)).toHaveLength(1)
    const file = join(cacheDir(t), cacheFiles(t)[0]!)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({
      serverInfo: { name: "fixture-cached", version: "1.0.0" },
      ttlMs: 600000,
    })

    // The gate closed: tools/list is not answered until the test has seen the model's request.
    rmSync(f.gate)
    writeFileSync(f.events, "")
    srv.push({ toolCalls: [{ name: "srv__alpha" }] }, { text: "done" })
    const running = run(t, ["--mcp", f.mcp, ...MODEL, "--yes", "-o", "json", "go"], modelEnv(srv))
    for (let i = 0; i < 400 && srv.requests.length < 2; i++) await Bun.sleep(25)
    appendFileSync(f.events, "model request\n")
    writeFileSync(f.gate, "open")
    const hit = report(await running)
    const order = readFileSync(f.events, "utf8").trim().split("\n")
    expect(order.indexOf("model request")).toBeGreaterThanOrEqual(0)
    expect(order.indexOf("model request")).toBeLessThan(order.indexOf("tools/list answered"))
    expect(hit.exitCode).toBe(0)
    expect(hit.toolCache).toEqual({ used: true, changed: [] })
    expect(hit.toolCalls).toMatchObject([{ name: "srv__alpha", isError: false }])
    expect(toolNames(srv, 1)).toEqual(["srv__alpha", "srv__beta"])
  }, 60_000)

  it("a changed live list is used from the next request on and recorded", async () => {
    await using t = await tmpdir()
    const f = await setup(t)
    await using srv = await fakeModel([{ text: "first" }])
    expect((await run(t, ["--mcp", f.mcp, ...MODEL, "hi"], modelEnv(srv))).code).toBe(0)
    writeFileSync(f.tools, "alpha,delta")
    srv.push({ toolCalls: [{ name: "srv__delta" }] }, { text: "done" })
    const r = report(await run(t, ["--mcp", f.mcp, ...MODEL, "--yes", "-o", "json", "go"], modelEnv(srv)))
    expect(r.toolCache).toEqual({ used: true, changed: ["srv"] })
    expect(toolNames(srv, 1)).toEqual(["srv__alpha", "srv__beta"]) // from the cache
    expect(toolNames(srv, 2)).toEqual(["srv__alpha", "srv__delta"]) // live
    expect(r.toolCalls).toMatchObject([{ name: "srv__delta", isError: false }])
    // The next run starts from the live list.
    srv.push({ text: "again" })
    const again = report(await run(t, ["--mcp", f.mcp, ...MODEL, "-o", "json", "go"], modelEnv(srv)))
    expect(again.toolCache).toEqual({ used: true, changed: [] })
    expect(toolNames(srv, 3)).toEqual(["srv__alpha", "srv__delta"])
  }, 60_000)

  it("an entry past the server's ttlMs is not used; ttlMs 0 is not saved", async () => {
    await using t = await tmpdir()
    const f = await setup(t, { TTL_MS: "1" })
    await using srv = await fakeModel([{ text: "one" }, { text: "two" }])
    expect((await run(t, ["--mcp", f.mcp, ...MODEL, "hi"], modelEnv(srv))).code).toBe(0)
    expect(cacheFiles(t)).toHaveLength(1)
    const r = report(await run(t, ["--mcp", f.mcp, ...MODEL, "-o", "json", "hi"], modelEnv(srv)))
    expect(r.toolCache).toEqual({ used: false, changed: [] })

    await using u = await tmpdir()
    const g = await setup(u, { TTL_MS: "0" })
    srv.push({ text: "three" })
    expect((await run(u, ["--mcp", g.mcp, ...MODEL, "hi"], modelEnv(srv))).code).toBe(0)
    expect(cacheFiles(u)).toEqual([])
  }, 60_000)

  it("notifications/tools/list_changed drops the entry", async () => {
    await using t = await tmpdir()
    const f = await setup(t, { CHANGE_TOOL: "1" })
    await using srv = await fakeModel([{ text: "one" }, { text: "two" }])
    expect((await run(t, ["--mcp", f.mcp, ...MODEL, "hi"], modelEnv(srv))).code).toBe(0)
    expect(cacheFiles(t)).toHaveLength(1)
    // 2025-11-25: there the server's unsolicited notification reaches this client (2026-07-28 sends
    // it only on a subscriptions/listen stream, which agent does not open).
    const args = ["mcp", "call", "srv", "change", "--mcp", f.mcp, "--protocol-version", "2025-11-25"]
    const call = await runCli(args, {
      home: t.home,
      cwd: t.path,
      binary: true,
    })
    expect(call.code).toBe(0)
    expect(cacheFiles(t)).toEqual([])
    const r = report(await run(t, ["--mcp", f.mcp, ...MODEL, "-o", "json", "hi"], modelEnv(srv)))
    expect(r.toolCache).toEqual({ used: false, changed: [] })
  }, 60_000)

  it("a server that needs approval is never offered from the cache", async () => {
    await using t = await tmpdir()
    const f = await setup(t)
    await t.write(".mcp.json", {
      mcpServers: { proj: { command: BUN, args: [CACHED], env: { TTL_MS: "600000" } } },
    })
    const agent = (args: string[]) => runCli(args, { home: t.home, cwd: t.path, binary: true })
    expect((await agent(["mcp", "approve", "proj", "--yes"])).code).toBe(0)
    await using srv = await fakeModel([{ text: "one" }, { text: "two" }])
    const first = report(await run(t, ["--mcp", f.mcp, ...MODEL, "-o", "json", "hi"], modelEnv(srv)))
    expect(first.servers.every((s) => s.status === "connected")).toBe(true)
    expect(cacheFiles(t)).toHaveLength(2) // both cached
    expect((await agent(["mcp", "revoke", "proj"])).code).toBe(0)
    const r = report(await run(t, ["--mcp", f.mcp, ...MODEL, "-o", "json", "hi"], modelEnv(srv)))
    expect(r.toolCache).toEqual({ used: true, changed: [] }) // srv came from the cache, proj did not
    expect(toolNames(srv, 1)).toEqual(["srv__alpha", "srv__beta"])
    expect(r.servers.find((s) => s.name === "proj")?.status).toBe("needs_approval")
  }, 60_000)

  it("--no-cache neither reads nor writes the cache", async () => {
    await using t = await tmpdir()
    const f = await setup(t)
    await using srv = await fakeModel([{ text: "one" }, { text: "two" }, { text: "three" }])
    const off = report(
      await run(t, ["--mcp", f.mcp, ...MODEL, "--no-cache", "-o", "json", "hi"], modelEnv(srv)),
    )
    expect(off.toolCache).toBeUndefined()
    expect(cacheFiles(t)).toEqual([])
    expect((await run(t, ["--mcp", f.mcp, ...MODEL, "hi"], modelEnv(srv))).code).toBe(0)
    expect(cacheFiles(t)).toHaveLength(1)
    // With a valid cache and the gate closed, --no-cache waits for tools/list before the model.
    rmSync(f.gate)
    writeFileSync(f.events, "")
    const running = run(t, ["--mcp", f.mcp, ...MODEL, "--no-cache", "-o", "json", "hi"], modelEnv(srv))
    for (let i = 0; i < 40 && !readFileSync(f.events, "utf8").includes("tools/list called"); i++)
      await Bun.sleep(25)
    const requestsBefore = srv.requests.length
    writeFileSync(f.gate, "open")
    const r = report(await running)
    expect(r.toolCache).toBeUndefined()
    expect(requestsBefore).toBe(2) // nothing sent while tools/list was unanswered
  }, 60_000)
})
