// Tool output limits on the compiled binary (issue 14, docs/runs.md "Large tool results"): a
// result past the limit is saved whole under <stateDir>/runs/<run id>/ (0600 files in a 0700
// directory), the model's real wire request carries only the head and a note, read_tool_output
// reads ranges of it on later turns, images and blobs are saved one file each; the limit comes
// from --max-tool-output, else the server's maxOutputTokens, else $AGENTRT_MAX_TOOL_OUTPUT.
import { describe, expect, it } from "bun:test"
import { readFileSync, statSync } from "node:fs"
import { dirname, join } from "node:path"
import type { RunReport } from "../../src/agent/events.ts"
import { fakeModel, type FakeModel } from "../fixtures/model/server.ts"
import { lineOf, linesText, pictureBytes } from "../fixtures/servers/stdio-spill.ts"
import { BUN, ROOT, runCli } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"
import { config, modelEnv, report, run } from "./run-helpers.ts"

const SPILL_SERVER = join(ROOT, "tests/fixtures/servers/stdio-spill.ts")
const MODEL = ["-m", "anthropic:claude-test"]
type Block = { type: string; tool_use_id?: string; content?: string | { type: string; text: string }[] }

/** The tool results an Anthropic request carries, in order. */
function sentResults(srv: FakeModel, request: number): string[] {
  const messages = srv.requests[request]!.body.messages as { content: string | Block[] }[]
  return messages
    .flatMap((m) => (Array.isArray(m.content) ? m.content : []))
    .filter((b) => b.type === "tool_result")
    .map((b) => (typeof b.content === "string" ? b.content : b.content!.map((c) => c.text).join("")))
}

const toolNames = (srv: FakeModel, request: number) =>
  (srv.requests[request]!.body.tools as { name: string }[]).map((t) => t.name)

const mode = (path: string) => statSync(path).mode & 0o777

const spillConfig = (t: TmpDir, extra: Record<string, object> = {}) =>
  config(t, { big: { command: BUN, args: [SPILL_SERVER] }, ...extra })

describe("compiled binary: tool results past the limit spill to the run's directory", () => {
  it("a 5 MB result: the model gets the head; the file holds it all; read_tool_output reads ranges over turns", async () => {
    await using t = await tmpdir()
    const full = linesText(5)
    const lines = full.split("\n").length // 81920
    await using srv = await fakeModel([
      { toolCalls: [{ name: "big__lines", args: { mb: 5 } }] },
      { toolCalls: [{ name: "read_tool_output", args: { id: "out1", offset: 64 * 100, limit: 63 } }] },
      {
        toolCalls: [{ name: "read_tool_output", args: { id: "out1", startLine: lines - 1, endLine: lines } }],
      },
      { toolCalls: [{ name: "read_tool_output", args: { id: "nope" } }] },
      { text: "read it" },
    ])
    const r = await run(
      t,
      ["--mcp", await spillConfig(t), ...MODEL, "--yes", "-o", "json", "go"],
      modelEnv(srv),
    )
    const doc = report(r)
    expect(doc.exitReason).toBe("completed")
    const spills = doc.spills!
    expect(spills).toHaveLength(1)
    const s = spills[0]!
    expect(s).toMatchObject({
      id: "out1",
      name: "big__lines",
      server: "big",
      tool: "lines",
      turn: 1,
      chars: full.length,
      bytes: full.length,
      limitTokens: 25_000,
      estimatedTokens: Math.ceil(full.length / 4),
      files: [],
    })
    expect(doc.toolCalls[0]).toMatchObject({ isTruncated: true, bytes: full.length })
    // Under the state dir, one directory per run, private.
    expect(dirname(dirname(s.path))).toBe(join(t.home, "state", "runs"))
    expect(mode(s.path)).toBe(0o600)
    expect(mode(dirname(s.path))).toBe(0o700)
    expect(readFileSync(s.path, "utf8")).toBe(full)

    // Request 1 (turn 2): the head only, whole lines, with the note; read_tool_output is now offered.
    const [head] = sentResults(srv, 1)
    expect(head!.startsWith(`${lineOf(1)}\n`)).toBe(true)
    expect(head).toContain(lineOf(1562))
    expect(head).not.toContain(lineOf(1563))
    expect(head!.length).toBeLessThan(100_000 + 1000)
    expect(head).toContain(`this tool result is ${full.length} characters`)
    expect(head).toContain(
      `over the 25000-token limit; showing characters 0–${1562 * 64} (lines 1–1562 of ${lines})`,
    )
    expect(head).toContain(`saved in ${s.path}`)
    expect(head).toContain(`read_tool_output {"id":"out1","offset":${1562 * 64}}`)
    expect(toolNames(srv, 0)).not.toContain("read_tool_output")
    expect(toolNames(srv, 1)).toContain("read_tool_output")
    // Each later request carries the range asked for in the turn before.
    expect(sentResults(srv, 2)[1]).toBe(
      `${lineOf(101)}\n\n[agent: characters 6400–6463 of ${full.length}; more from {"id":"out1","offset":6463}]`,
    )
    expect(sentResults(srv, 3)[2]).toBe(
      `${lineOf(lines - 1)}\n${lineOf(lines)}\n\n[agent: characters ${full.length - 127}–${full.length} of ${full.length}; the end]`,
    )
    expect(sentResults(srv, 4)[3]).toBe('no saved tool output "nope"; saved: out1')
    // The whole 5 MB never went to the model.
    for (const req of srv.requests) expect(JSON.stringify(req.body).length).toBeLessThan(200_000)
  }, 60_000)

  it("images and blobs count by their size and are saved one file each, with their MIME type", async () => {
    await using t = await tmpdir()
    await using srv = await fakeModel([
      {
        toolCalls: [
          { name: "big__picture", args: { kb: 64 } },
          { name: "big__small", args: {} },
        ],
      },
      { text: "seen" },
    ])
    const args = [
      "--mcp",
      await spillConfig(t),
      ...MODEL,
      "--yes",
      "--max-tool-output",
      "1000",
      "-o",
      "json",
      "go",
    ]
    const doc = report(await run(t, args, modelEnv(srv)))
    const s = doc.spills![0]!
    const bytes = pictureBytes(64)
    const b64 = bytes.toString("base64").length
    expect(doc.spills).toHaveLength(1)
    expect(s).toMatchObject({ name: "big__picture", limitTokens: 1000 })
    expect(s.estimatedTokens).toBe(Math.ceil((s.chars + 2 * b64) / 4))
    expect(s.files.map((f) => [f.path.slice(dirname(s.path).length + 1), f.mimeType, f.bytes])).toEqual([
      ["out1-1.png", "image/png", bytes.length],
      ["out1-2.bin", "application/octet-stream", bytes.length],
    ])
    for (const f of s.files) {
      expect(mode(f.path)).toBe(0o600)
      expect(readFileSync(f.path).equals(bytes)).toBe(true)
    }
    const saved = readFileSync(s.path, "utf8")
    expect(saved).toBe(
      `a picture\n[image: image/png, ${bytes.length} bytes, saved to ${s.files[0]!.path}]\n[resource fixture://spill/blob: application/octet-stream, ${bytes.length} bytes, saved to ${s.files[1]!.path}]`,
    )
    const [picture, small] = sentResults(srv, 1)
    expect(picture!.startsWith(saved)).toBe(true) // the text is short: shown whole, with the note
    expect(picture).toContain("and 2 binary items")
    expect(picture).not.toContain(bytes.toString("base64").slice(0, 100))
    expect(small).toBe("a few words")
  }, 60_000)

  it("the limit: --max-tool-output, else the server's maxOutputTokens, else $AGENTRT_MAX_TOOL_OUTPUT, else 25000", async () => {
    await using t = await tmpdir()
    const file = await config(t, {
      a: { command: BUN, args: [SPILL_SERVER], maxOutputTokens: 100 },
      b: { command: BUN, args: [SPILL_SERVER] },
    })
    const limits = async (extra: string[], env: Record<string, string> = {}) => {
      await using srv = await fakeModel([
        {
          toolCalls: [
            { name: "a__lines", args: { mb: 0.01 } },
            { name: "b__lines", args: { mb: 0.01 } },
          ],
        },
        { text: "ok" },
      ])
      const doc: RunReport = report(
        await run(t, ["--mcp", file, ...MODEL, "--yes", ...extra, "-o", "json", "go"], {
          ...modelEnv(srv),
          ...env,
        }),
      )
      const sent = sentResults(srv, 1)
      const spilled = Object.fromEntries((doc.spills ?? []).map((s) => [s.server, s.limitTokens]))
      // What the model got is no longer than the limit (+ the note) for each spilled one.
      for (const [i, server] of ["a", "b"].entries())
        if (spilled[server]) expect(sent[i]!.length).toBeLessThan(spilled[server] * 4 + 600)
        else expect(sent[i]).toBe(linesText(0.01))
      return spilled
    }
    expect(await limits([])).toEqual({ a: 100 })
    expect(await limits([], { AGENTRT_MAX_TOOL_OUTPUT: "200" })).toEqual({ a: 100, b: 200 })
    expect(await limits(["--max-tool-output", "300"], { AGENTRT_MAX_TOOL_OUTPUT: "200" })).toEqual({
      a: 300,
      b: 300,
    })
  }, 90_000)

  it("a bad $AGENTRT_MAX_TOOL_OUTPUT is a usage error (exit 2) naming the variable", async () => {
    await using t = await tmpdir()
    await using srv = await fakeModel([{ text: "never" }])
    const r = await run(t, ["--mcp", await spillConfig(t), ...MODEL, "--yes", "go"], {
      ...modelEnv(srv),
      AGENTRT_MAX_TOOL_OUTPUT: "lots",
    })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('error: AGENTRT_MAX_TOOL_OUTPUT must be a positive whole number, got "lots"')
    expect(srv.requests).toEqual([])
  }, 30_000)
})

describe("compiled binary: agent mcp call prints results whole, --max-output caps them", () => {
  const call = (t: TmpDir, args: string[]) =>
    runCli(["mcp", "call", ...args], { home: t.home, cwd: t.path, binary: true, timeoutMs: 30_000 })

  it("text: 5 MB printed whole without the flag; with it, the first N characters and a line on stderr, exit 0", async () => {
    await using t = await tmpdir()
    const file = await spillConfig(t)
    const full = linesText(5)
    // Several times: a slow reader once got only the first 64 KB (the exit did not wait for the pipe).
    for (let i = 0; i < 3; i++) {
      const whole = await call(t, ["big", "lines", "--arg", "mb=5", "--mcp", file])
      expect(whole.code).toBe(0)
      expect(whole.stdout.length).toBe(full.length + 1)
      expect(whole.stdout).toBe(`${full}\n`)
    }
    const cut = await call(t, ["big", "lines", "--arg", "mb=5", "--max-output", "100", "--mcp", file])
    expect(cut.code).toBe(0)
    expect(cut.stdout).toBe(`${full.slice(0, 100)}\n`)
    expect(cut.stderr).toContain(`output cut at 100 of ${full.length} characters (--max-output 100)`)
    const under = await call(t, ["big", "small", "--max-output", "100", "--mcp", file])
    expect(under.stdout).toBe("a few words\n")
    expect(under.stderr).not.toContain("output cut")
  }, 60_000)

  it("json: still one CallToolResult; text cut, a binary item that does not fit left out", async () => {
    await using t = await tmpdir()
    const file = await spillConfig(t)
    const b64 = pictureBytes(64).toString("base64").length
    const r = await call(t, [
      "big",
      "picture",
      "--arg",
      "kb=64",
      "--max-output",
      "5",
      "-o",
      "json",
      "--mcp",
      file,
    ])
    expect(r.code).toBe(0)
    expect(r.json<{ content: unknown[] }>().content).toEqual([{ type: "text", text: "a pic" }])
    expect(r.stderr).toContain(`output cut at 5 of ${9 + 2 * b64} characters (--max-output 5)`)
    const bad = await call(t, ["big", "small", "--max-output", "0", "--mcp", file])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('error: --max-output must be a positive whole number, got "0"')
  }, 60_000)
})
