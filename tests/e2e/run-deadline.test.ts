// `agent run --timeout` covers the whole run, servers' start-up included, and the report's
// durationMs is the wall time from the command's start, split into phases. On the compiled
// binary; no timing assertions: outcomes, and durationMs consistent with its phases.
import { describe, expect, it } from "bun:test"
import { join } from "node:path"
import type { RunReport } from "../../src/agent/events.ts"
import { fakeModel } from "../fixtures/model/server.ts"
import { BUN, ROOT } from "../helpers/cli.ts"
import { silentServer } from "../helpers/ports.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { modelEnv, report, run } from "./run-helpers.ts"

const MODEL = ["-m", "anthropic:claude-sonnet-4-5"]
const BASIC = join(ROOT, "tests/fixtures/servers/stdio-basic.ts")

function expectConsistent(doc: RunReport) {
  expect(doc.phases.startupMs).toBeGreaterThanOrEqual(0)
  expect(doc.phases.agentMs).toBeGreaterThanOrEqual(0)
  expect(doc.durationMs).toBeGreaterThanOrEqual(doc.phases.startupMs + doc.phases.agentMs)
}

describe("compiled binary: agent run --timeout covers start-up", () => {
  it("a remote server that accepts and never answers: exit 124, the report says timeout, the model is never asked", async () => {
    await using srv = await silentServer()
    await using model = await fakeModel([{ text: "never" }])
    await using t = await tmpdir()
    const file = await t.write("mcp.json", { mcpServers: { hung: { url: srv.url } } })
    // The connect timeout (30 s by default) is far longer than --timeout: only the run's deadline ends this.
    const r = await run(
      t,
      ["--mcp", file, ...MODEL, "--yes", "--timeout", "1s", "-o", "json", "hi"],
      modelEnv(model),
      40_000,
    )
    expect(r.code).toBe(124)
    const doc = report(r)
    expect(doc).toMatchObject({
      exitReason: "timeout",
      exitCode: 124,
      turns: 0,
      error: expect.stringContaining("--timeout"),
    })
    expect(doc.phases.agentMs).toBe(0)
    expectConsistent(doc)
    expect(srv.sockets.length).toBeGreaterThan(0) // it did connect, and then waited
    expect(model.requests).toHaveLength(0)
    expect(r.stderr).toContain("error: run timed out")
  }, 60_000)

  it("a stdio server that never answers: text output, exit 124 with the error on stderr", async () => {
    await using t = await tmpdir()
    const file = await t.write("mcp.json", {
      mcpServers: {
        mute: { command: BUN, args: ["-e", "process.stdin.resume(); setInterval(() => {}, 1000)"] },
      },
    })
    const r = await run(
      t,
      ["--mcp", file, ...MODEL, "--yes", "--timeout", "1s", "hi"],
      { ANTHROPIC_API_KEY: "k" },
      40_000,
    )
    expect(r.code).toBe(124)
    expect(r.stdout).toBe("")
    expect(r.stderr).toContain("run timed out after 1000 ms (--timeout)")
  }, 60_000)

  it("a completed run: durationMs covers start-up and the loop", async () => {
    await using model = await fakeModel([{ text: "done" }])
    await using t = await tmpdir()
    const file = await t.write("mcp.json", { mcpServers: { basic: { command: BUN, args: [BASIC] } } })
    const r = await run(
      t,
      ["--mcp", file, ...MODEL, "--yes", "--timeout", "30s", "-o", "json", "hi"],
      modelEnv(model),
    )
    const doc = report(r)
    expect(doc).toMatchObject({ exitReason: "completed", exitCode: 0, result: "done" })
    expectConsistent(doc)
    // Start-up spawned and connected a server before the loop began: it took some time.
    expect(doc.phases.startupMs).toBeGreaterThan(0)
  }, 60_000)

  it("an early config error with -o json still prints one report (startup_error, exit 2)", async () => {
    await using t = await tmpdir()
    const r = await run(t, ["--mcp", join(t.path, "missing.json"), ...MODEL, "-o", "json", "hi"], {
      ANTHROPIC_API_KEY: "k",
    })
    expect(r.code).toBe(2)
    expect(report(r)).toMatchObject({
      exitReason: "startup_error",
      exitCode: 2,
      error: expect.stringContaining("missing.json"),
    })
    expect(r.stderr).toContain("error: config file")
  })
})
