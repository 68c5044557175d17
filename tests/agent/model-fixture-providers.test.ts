// The Gemini, Bedrock Converse and OpenAI-compatible sides of the model fixture are only right
// if the real provider packages parse them: drive @ai-sdk/google, @ai-sdk/amazon-bedrock (its
// event-stream decoder checks both CRC32s of every frame) and @ai-sdk/openai-compatible at it.
import { createAmazonBedrock } from "@ai-sdk/amazon-bedrock"
import { createGoogleGenerativeAI } from "@ai-sdk/google"
import { createOpenAICompatible } from "@ai-sdk/openai-compatible"
import { APICallError, type LanguageModelV4, type LanguageModelV4StreamPart } from "@ai-sdk/provider"
import { describe, expect, it } from "bun:test"
import { fakeModel, type FakeModel } from "../fixtures/model/server.ts"

const TOOLS = [
  {
    type: "function" as const,
    name: "srv__echo",
    description: "echo",
    inputSchema: {
      type: "object" as const,
      properties: { text: { type: "string" as const } },
      required: ["text"],
    },
  },
]
const PROMPT = [{ role: "user" as const, content: [{ type: "text" as const, text: "hello" }] }]

interface Case {
  make(srv: FakeModel): LanguageModelV4
  api: "google" | "bedrock" | "openai"
  /** Where the request went, streaming. */
  path: string
  /** The offered tools' names, read from the request body in the provider's own format. */
  toolNames(body: Record<string, unknown>): string[]
}

const cases: [string, Case][] = [
  [
    "google",
    {
      make: (srv) =>
        createGoogleGenerativeAI({ baseURL: srv.googleBaseUrl, apiKey: "k" })("gemini-2.5-flash"),
      api: "google",
      path: "/v1beta/models/gemini-2.5-flash:streamGenerateContent",
      toolNames: (b) =>
        (b.tools as { functionDeclarations: { name: string }[] }[]).flatMap((t) =>
          t.functionDeclarations.map((f) => f.name),
        ),
    },
  ],
  [
    "amazon-bedrock",
    {
      make: (srv) =>
        createAmazonBedrock({ baseURL: srv.url, region: "us-east-1", apiKey: "k" })(
          "anthropic.claude-3-5-sonnet-20241022-v2:0",
        ),
      api: "bedrock",
      path: "/model/anthropic.claude-3-5-sonnet-20241022-v2%3A0/converse-stream",
      toolNames: (b) =>
        (b.toolConfig as { tools: { toolSpec: { name: string } }[] }).tools.map((t) => t.toolSpec.name),
    },
  ],
  [
    "openai-compatible",
    {
      make: (srv) =>
        createOpenAICompatible({ name: "compat", baseURL: `${srv.url}/api/v1`, includeUsage: true })(
          "llama-test",
        ),
      api: "openai",
      path: "/api/v1/chat/completions",
      toolNames: (b) => (b.tools as { function: { name: string } }[]).map((t) => t.function.name),
    },
  ],
]

async function collect(model: LanguageModelV4): Promise<LanguageModelV4StreamPart[]> {
  const { stream } = await model.doStream({ prompt: PROMPT, tools: TOOLS })
  const parts: LanguageModelV4StreamPart[] = []
  for await (const p of stream) parts.push(p)
  return parts
}

describe.each(cases)("fake model with the real %s provider", (_, c) => {
  it("streams text deltas and reports usage", async () => {
    await using srv = await fakeModel([{ text: "Hello there, world", usage: { input: 12, output: 7 } }])
    const parts = await collect(c.make(srv))
    expect(parts.filter((p) => p.type === "error")).toEqual([])
    expect(parts.flatMap((p) => (p.type === "text-delta" ? [p.delta] : [])).join("")).toBe(
      "Hello there, world",
    )
    expect(parts.filter((p) => p.type === "text-delta").length).toBeGreaterThan(1)
    const finish = parts.find((p) => p.type === "finish")
    expect(
      finish?.type === "finish" && [
        finish.finishReason.unified,
        finish.usage.inputTokens.total,
        finish.usage.outputTokens.total,
      ],
    ).toEqual(["stop", 12, 7])
  })

  it("streams parallel tool calls with their JSON arguments", async () => {
    await using srv = await fakeModel([
      {
        text: "Calling.",
        toolCalls: [
          { name: "srv__echo", args: { text: "a" } },
          { name: "srv__echo", args: { text: "b" } },
        ],
      },
    ])
    const parts = await collect(c.make(srv))
    const calls = parts.flatMap((p) => (p.type === "tool-call" ? [p] : []))
    expect(calls.map((x) => [x.toolName, JSON.parse(x.input)])).toEqual([
      ["srv__echo", { text: "a" }],
      ["srv__echo", { text: "b" }],
    ])
    expect(new Set(calls.map((x) => x.toolCallId)).size).toBe(2)
    const finish = parts.find((p) => p.type === "finish")
    expect(finish?.type === "finish" && finish.finishReason.unified).toBe("tool-calls")
  })

  it("answers non-streaming requests with text, tool calls and usage", async () => {
    await using srv = await fakeModel([
      {
        text: "Sure.",
        toolCalls: [{ name: "srv__echo", args: { text: "x" } }],
        usage: { input: 3, output: 4 },
      },
    ])
    const res = await c.make(srv).doGenerate({ prompt: PROMPT, tools: TOOLS })
    expect(res.content.flatMap((x) => (x.type === "text" ? [x.text] : []))).toEqual(["Sure."])
    const call = res.content.find((x) => x.type === "tool-call")
    expect(call?.type === "tool-call" && [call.toolName, JSON.parse(call.input)]).toEqual([
      "srv__echo",
      { text: "x" },
    ])
    expect([res.finishReason.unified, res.usage.inputTokens.total, res.usage.outputTokens.total]).toEqual([
      "tool-calls",
      3,
      4,
    ])
  })

  it("records the request: its path and the tools in the provider's format", async () => {
    await using srv = await fakeModel([{ text: "ok" }])
    await collect(c.make(srv))
    expect(srv.requests).toHaveLength(1)
    expect(srv.requests[0]).toMatchObject({ api: c.api, path: c.path })
    expect(c.toolNames(srv.requests[0]!.body)).toEqual(["srv__echo"])
    expect(JSON.stringify(srv.requests[0]!.body)).toContain("hello")
  })

  it.each([429, 500, 401])("returns a scripted %d as an APICallError", async (status) => {
    await using srv = await fakeModel([{ error: { status, message: "nope" } }])
    const err = await c
      .make(srv)
      .doStream({ prompt: PROMPT })
      .then(
        () => undefined,
        (e: unknown) => e,
      )
    expect(APICallError.isInstance(err)).toBe(true)
    expect((err as APICallError).statusCode).toBe(status)
    expect((err as APICallError).message).toContain("nope")
    expect((err as APICallError).isRetryable).toBe(status !== 401)
  })
})

describe("fake model: Gemini details", () => {
  it("streams over SSE with ?alt=sse, and as one JSON array without it", async () => {
    await using srv = await fakeModel([{ text: "one" }, { text: "two words" }])
    await collect(createGoogleGenerativeAI({ baseURL: srv.googleBaseUrl, apiKey: "k" })("gemini-2.5-flash"))
    expect(srv.requests[0]!.query).toBe("?alt=sse")
    const res = await fetch(`${srv.googleBaseUrl}/models/gemini-2.5-flash:streamGenerateContent`, {
      method: "POST",
      body: "{}",
    })
    const chunks = (await res.json()) as {
      candidates: { content: { parts: { text: string }[] }; finishReason?: string }[]
    }[]
    expect(chunks.map((x) => x.candidates[0]!.content.parts[0]!.text).join("")).toBe("two words")
    expect(chunks.at(-1)!.candidates[0]!.finishReason).toBe("STOP")
  })
})
