// The model side of a run (issue 14): Anthropic prompt caching on the wire and in the report,
// openai: through the Responses API with reasoning effort and reasoning tokens. The fixture
// plays Anthropic's cache for real (a prefix is written on first sight, read after), so the
// report's cache figures come from what the request marked, not from the script.
import { createOpenAI } from "@ai-sdk/openai"
import { describe, expect, it } from "bun:test"
import { runAgent } from "../../src/agent/index.ts"
import { allowAll } from "../../src/agent/permissions.ts"
import { modelOptions } from "../../src/agent/providers.ts"
import { UsageError } from "../../src/util/errors.ts"
import { fakeModel } from "../fixtures/model/server.ts"
import { anthropicModel, fixtureTools } from "./helpers.ts"

type Block = { cache_control?: unknown }

describe("Anthropic prompt caching", () => {
  it("marks the system prompt and the last tool, and reports cache writes then reads", async () => {
    await using tools = await fixtureTools()
    const echo = tools.nameOf("echo")
    await using srv = await fakeModel([
      { toolCalls: [{ name: echo, args: { text: "x" } }] },
      { text: "done" },
    ])
    const r = await runAgent({
      model: anthropicModel(srv),
      tools: tools.source,
      system: "You are terse.",
      prompt: "echo x",
      permissions: allowAll,
    })
    expect(r.exitReason).toBe("completed")
    for (const req of srv.requests) {
      const system = req.body.system as Block[]
      const wireTools = req.body.tools as Block[]
      expect(system.at(-1)!.cache_control).toEqual({ type: "ephemeral" })
      expect(wireTools.at(-1)!.cache_control).toEqual({ type: "ephemeral" })
      // Only the last tool: Anthropic allows four breakpoints in all.
      expect(wireTools.slice(0, -1).every((t) => t.cache_control === undefined)).toBe(true)
    }
    expect(srv.requests).toHaveLength(2)
    expect(r.report.usage.cacheWriteTokens).toBeGreaterThan(0)
    expect(r.report.usage.cacheReadTokens).toBe(r.report.usage.cacheWriteTokens)
    // inputTokens still counts everything the model read, cached or not.
    expect(r.report.usage.inputTokens).toBeGreaterThan(r.report.usage.cacheReadTokens! * 2)
  })

  it("sends no cache_control and reports no cache tokens with promptCache: false", async () => {
    await using tools = await fixtureTools()
    await using srv = await fakeModel([{ text: "a" }])
    const r = await runAgent({
      model: anthropicModel(srv),
      tools: tools.source,
      system: "You are terse.",
      prompt: "hi",
      promptCache: false,
      permissions: allowAll,
    })
    expect(JSON.stringify(srv.requests[0]!.body)).not.toContain("cache_control")
    expect(r.report.usage.cacheWriteTokens ?? 0).toBe(0)
    expect(r.report.usage.cacheReadTokens ?? 0).toBe(0)
  })
})

describe("openai: through the Responses API", () => {
  const responses = (srv: { openaiBaseUrl: string }) =>
    createOpenAI({ baseURL: srv.openaiBaseUrl, apiKey: "k" }).responses("o4-mini")

  it("runs tool turns, sends reasoning effort and reports reasoning tokens", async () => {
    await using tools = await fixtureTools()
    const echo = tools.nameOf("echo")
    await using srv = await fakeModel([
      { toolCalls: [{ name: echo, args: { text: "hey" } }], usage: { input: 50, output: 30, reasoning: 20 } },
      { text: "said hey", usage: { input: 80, output: 12, reasoning: 4 } },
    ])
    const r = await runAgent({
      model: responses(srv),
      tools: tools.source,
      system: "Be brief.",
      prompt: "echo hey",
      permissions: allowAll,
      ...modelOptions("openai", { reasoningEffort: "high" }),
    })
    expect(r.exitReason).toBe("completed")
    expect(r.text).toBe("said hey")
    expect(srv.requests.map((q) => [q.api, q.path])).toEqual([
      ["responses", "/v1/responses"],
      ["responses", "/v1/responses"],
    ])
    const body = srv.requests[0]!.body
    expect(body.reasoning).toMatchObject({ effort: "high" })
    expect((body.tools as { type: string; name: string }[])[0]).toMatchObject({ type: "function" })
    // The tool's result goes back as a function_call_output item with the call's id.
    const input = srv.requests[1]!.body.input as { type?: string; call_id?: string; output?: unknown }[]
    const output = input.find((i) => i.type === "function_call_output")
    expect(output?.call_id).toBe("call_0_0")
    expect(JSON.stringify(output?.output)).toContain("hey")
    expect(r.report.usage).toMatchObject({ inputTokens: 130, outputTokens: 42, reasoningTokens: 24 })
  })

  it("takes only low, medium or high, and only for openai: models", () => {
    expect(() => modelOptions("openai", { reasoningEffort: "max" })).toThrow(UsageError)
    expect(() => modelOptions("anthropic", { reasoningEffort: "low" })).toThrow(UsageError)
    expect(modelOptions("anthropic", {})).toEqual({})
  })
})
