// `agent run` flags on the compiled binary, checked where their effect shows on the wire:
// --system and --max-output-tokens in the provider's own request fields, --base-url as where
// the requests go, --max-tool-output as the head the model is sent back, and --tool-timeout as
// a silent tool cancelled (the server hears it) while one that reports progress runs on.
import { describe, expect, it } from "bun:test"
import { join } from "node:path"
import { fakeModel, type FakeModel } from "../fixtures/model/server.ts"
import { BUN } from "../helpers/cli.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { AGENT_SERVER, config, events, modelEnv, report, run } from "./run-helpers.ts"

const MODEL = ["-m", "anthropic:claude-test"]
type Block = { type: string; tool_use_id?: string; content?: string | { type: string; text: string }[] }

/** The tool results an Anthropic request carries back to the model, by tool_use id. */
function sentResults(srv: FakeModel, request: number): Map<string, string> {
  const messages = srv.requests[request]!.body.messages as { content: string | Block[] }[]
  const blocks = messages
    .flatMap((m) => (Array.isArray(m.content) ? m.content : []))
    .filter((b) => b.type === "tool_result")
  return new Map(
    blocks.map((b) => [
      b.tool_use_id!,
      typeof b.content === "string" ? b.content : b.content!.map((c) => c.text).join(""),
    ]),
  )
}

describe("compiled binary: agent run flags", () => {
  it("--base-url wins over ANTHROPIC_BASE_URL; --system and --max-output-tokens arrive as Anthropic's system and max_tokens", async () => {
    await using t = await tmpdir()
    await using fromEnv = await fakeModel([{ text: "wrong endpoint" }])
    await using srv = await fakeModel([{ text: "Terse." }])
    const args = [
      "--mcp",
      await config(t),
      ...MODEL,
      "--base-url",
      srv.anthropicBaseUrl,
      "--system",
      "You are terse.",
      "--max-output-tokens",
      "321",
      "-o",
      "json",
      "hi",
    ]
    const r = await run(t, args, modelEnv(fromEnv))
    expect(report(r)).toMatchObject({ exitReason: "completed", result: "Terse." })
    expect(fromEnv.requests).toEqual([])
    expect(srv.requests).toHaveLength(1)
    expect(srv.requests[0]!.body).toMatchObject({
      system: [{ type: "text", text: "You are terse." }],
      max_tokens: 321,
    })
    expect(JSON.stringify(srv.requests[0]!.body.messages)).not.toContain("You are terse.")
  }, 30_000)

  it("--system and --max-output-tokens arrive as the Responses API's system input and max_output_tokens, at --base-url", async () => {
    await using t = await tmpdir()
    await using fromEnv = await fakeModel([{ text: "wrong endpoint" }])
    await using srv = await fakeModel([{ text: "Terse." }])
    const env = { OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: fromEnv.openaiBaseUrl }
    const args = [
      "--mcp",
      await config(t),
      "-m",
      "openai:gpt-test",
      "--base-url",
      srv.openaiBaseUrl,
      "--system",
      "You are terse.",
      "--max-output-tokens",
      "321",
      "-o",
      "json",
      "hi",
    ]
    expect(report(await run(t, args, env))).toMatchObject({
      exitReason: "completed",
      result: "Terse.",
      model: "openai:gpt-test",
    })
    expect(fromEnv.requests).toEqual([])
    expect(srv.requests[0]!.path).toBe("/v1/responses")
    expect(srv.requests[0]!.body).toMatchObject({
      max_output_tokens: 321,
      input: [{ role: "system", content: "You are terse." }, { role: "user" }],
    })
  }, 30_000)

  it("--max-tool-output: a longer result reaches the model as its head and a note (the rest is saved); shorter ones pass whole", async () => {
    await using t = await tmpdir()
    const file = await config(t)
    const size = Math.floor(0.001 * 1024 * 1024) // what `big {mb: 0.001}` returns: 1048 x's
    await using srv = await fakeModel([
      {
        toolCalls: [
          { name: "srv__big", args: { mb: 0.001 } },
          { name: "srv__echo", args: { text: "short" } },
        ],
      },
      { text: "seen" },
    ])
    const r = await run(
      t,
      ["--mcp", file, ...MODEL, "--yes", "--max-tool-output", "100", "-o", "stream-json", "go"],
      modelEnv(srv),
    )
    expect(r.code).toBe(0)
    const list = events(r)
    type ToolResult = Extract<(typeof list)[0], { type: "tool_result" }>
    const big = list.find((e) => e.type === "tool_result" && e.name === "srv__big") as ToolResult
    // 100 tokens ≈ 400 characters (docs/runs.md: ≈ 4 characters a token).
    expect(big).toMatchObject({ isTruncated: true, isError: false, bytes: size })
    expect(
      big.content.startsWith(`${"x".repeat(400)}\n\n[agent: this tool result is ${size} characters`),
    ).toBe(true)
    expect(big.content).toContain("over the 100-token limit; showing characters 0–400 (lines 1–1 of 1)")
    const echo = list.find((e) => e.type === "tool_result" && e.name === "srv__echo") as ToolResult
    expect(echo).toMatchObject({ isTruncated: false, content: "short" })
    const sent = sentResults(srv, 1)
    expect(sent.get(big.id)).toBe(big.content)
    expect(sent.get(echo.id)).toBe("short")
    const res = list.at(-1) as Extract<(typeof list)[0], { type: "result" }>
    expect(res.toolCalls.map((c) => [c.tool, c.isTruncated, c.bytes])).toEqual([
      ["big", true, size],
      ["echo", false, 5],
    ])
  }, 30_000)

  it("without --max-tool-output, the model gets the first 25000 tokens (100000 characters) of a longer result", async () => {
    await using t = await tmpdir()
    await using srv = await fakeModel([
      { toolCalls: [{ name: "srv__big", args: { mb: 0.2 } }] },
      { text: "seen" },
    ])
    const r = await run(t, ["--mcp", await config(t), ...MODEL, "--yes", "-o", "json", "go"], modelEnv(srv))
    expect(report(r).toolCalls).toEqual([
      expect.objectContaining({ tool: "big", isTruncated: true, bytes: Math.floor(0.2 * 1024 * 1024) }),
    ])
    const sent = [...sentResults(srv, 1).values()][0]!
    expect(sent.startsWith(`${"x".repeat(100_000)}\n\n[agent: this tool result is`)).toBe(true)
    expect(sent).toContain("over the 25000-token limit")
  }, 30_000)

  it("--tool-timeout cancels a silent call (error result, the server told) while progress keeps another alive", async () => {
    await using t = await tmpdir()
    const cancelLog = join(t.path, "cancelled.log")
    const file = await config(t, {
      srv: { command: BUN, args: [AGENT_SERVER], env: { CANCEL_FILE: cancelLog } },
    })
    await using srv = await fakeModel([
      {
        toolCalls: [
          { name: "srv__sleep", args: { ms: 120_000 } },
          { name: "srv__slow", args: { ms: 3000 } },
        ],
      },
      // A later call on the same stdio stream: the server has read the cancel before it answers.
      { toolCalls: [{ name: "srv__echo", args: { text: "after" } }] },
      { text: "Gave up on the sleep." },
    ])
    const r = await run(
      t,
      ["--mcp", file, ...MODEL, "--yes", "--tool-timeout", "2s", "-o", "json", "wait"],
      modelEnv(srv),
      60_000,
    )
    const doc = report(r)
    expect(doc).toMatchObject({
      exitReason: "completed",
      exitCode: 0,
      result: "Gave up on the sleep.",
      turns: 3,
    })
    expect(doc.toolCalls.map((c) => [c.tool, c.isError])).toEqual([
      ["sleep", true],
      ["slow", false],
      ["echo", false],
    ])
    const sent = sentResults(srv, 1)
    const sleepId = doc.toolCalls[0]!.id
    expect(sent.get(sleepId)).toContain(
      'server "srv" did not answer tools/call in time (2000 ms without progress); the request was cancelled',
    )
    // slow sends progress every 100 ms, which resets the 2 s idle timer, so it ran to the end.
    expect(sent.get(doc.toolCalls[1]!.id)).toBe("slept 3000 ms")
    expect(await Bun.file(cancelLog).text()).toBe("sleep cancelled\n")
  }, 60_000)
})
