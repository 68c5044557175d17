// The model fixture is only right if the real provider packages parse it: drive
// @ai-sdk/anthropic and @ai-sdk/openai (Chat Completions and Responses) against it, streaming and not.
import { createAnthropic } from "@ai-sdk/anthropic"
import { createOpenAI } from "@ai-sdk/openai"
import { APICallError, type LanguageModelV4, type LanguageModelV4StreamPart } from "@ai-sdk/provider"
import { describe, expect, it } from "bun:test"
import { fakeModel, type FakeModel } from "../fixtures/model/server.ts"
import { tmpdir } from "../helpers/tmp.ts"

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

const providers: [string, (srv: FakeModel) => LanguageModelV4][] = [
  ["anthropic", (srv) => createAnthropic({ baseURL: srv.anthropicBaseUrl, apiKey: "k" })("claude-test")],
  ["openai", (srv) => createOpenAI({ baseURL: srv.openaiBaseUrl, apiKey: "k" }).chat("gpt-test")],
  ["responses", (srv) => createOpenAI({ baseURL: srv.openaiBaseUrl, apiKey: "k" }).responses("gpt-test")],
]

async function collect(model: LanguageModelV4): Promise<LanguageModelV4StreamPart[]> {
  const { stream } = await model.doStream({ prompt: PROMPT, tools: TOOLS })
  const parts: LanguageModelV4StreamPart[] = []
  for await (const p of stream) parts.push(p)
  return parts
}

describe.each(providers)("fake model with the real %s provider", (api, make) => {
  it("streams text deltas and reports usage", async () => {
    await using srv = await fakeModel([{ text: "Hello there, world", usage: { input: 12, output: 7 } }])
    const parts = await collect(make(srv))
    const text = parts.flatMap((p) => (p.type === "text-delta" ? [p.delta] : [])).join("")
    expect(text).toBe("Hello there, world")
    expect(parts.filter((p) => p.type === "text-delta").length).toBeGreaterThan(1)
    const finish = parts.find((p) => p.type === "finish")
    expect(finish?.type === "finish" && finish.finishReason.unified).toBe("stop")
    expect(finish?.type === "finish" && finish.usage.inputTokens.total).toBe(12)
    expect(finish?.type === "finish" && finish.usage.outputTokens.total).toBe(7)
    expect(parts.some((p) => p.type === "error")).toBe(false)
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
    const parts = await collect(make(srv))
    const calls = parts.flatMap((p) => (p.type === "tool-call" ? [p] : []))
    expect(calls.map((c) => [c.toolName, JSON.parse(c.input)])).toEqual([
      ["srv__echo", { text: "a" }],
      ["srv__echo", { text: "b" }],
    ])
    expect(new Set(calls.map((c) => c.toolCallId)).size).toBe(2)
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
    const res = await make(srv).doGenerate({ prompt: PROMPT, tools: TOOLS })
    expect(res.content.flatMap((c) => (c.type === "text" ? [c.text] : []))).toEqual(["Sure."])
    const call = res.content.find((c) => c.type === "tool-call")
    expect(call?.type === "tool-call" && [call.toolName, JSON.parse(call.input)]).toEqual([
      "srv__echo",
      { text: "x" },
    ])
    expect(res.finishReason.unified).toBe("tool-calls")
    expect(res.usage.inputTokens.total).toBe(3)
    expect(res.usage.outputTokens.total).toBe(4)
  })

  it("records each request body, including the tools that were offered", async () => {
    await using srv = await fakeModel([{ text: "ok" }])
    await collect(make(srv))
    expect(srv.requests).toHaveLength(1)
    expect(srv.requests[0]!.api).toBe(api as "anthropic" | "openai" | "responses")
    expect(JSON.stringify(srv.requests[0]!.body.tools)).toContain("srv__echo")
    // The Responses API sends the conversation as `input` items.
    const body = srv.requests[0]!.body
    expect(JSON.stringify(api === "responses" ? body.input : body.messages)).toContain("hello")
  })

  it.each([429, 500, 401])("returns a scripted %d as an APICallError", async (status) => {
    await using srv = await fakeModel([{ error: { status, message: "nope" } }])
    const err = await make(srv)
      .doStream({ prompt: PROMPT })
      .then(
        () => undefined,
        (e: unknown) => e,
      )
    expect(APICallError.isInstance(err)).toBe(true)
    expect((err as APICallError).statusCode).toBe(status)
    expect((err as APICallError).isRetryable).toBe(status !== 401)
  })

  it("hangs until the client aborts", async () => {
    await using srv = await fakeModel([{ hang: true }])
    const ac = new AbortController()
    const pending = make(srv)
      .doStream({ prompt: PROMPT, abortSignal: ac.signal })
      .then(
        () => "resolved",
        () => "rejected",
      )
    while (srv.requests.length === 0) await Bun.sleep(5)
    ac.abort()
    expect(await pending).toBe("rejected")
  })
})

describe("fake model script", () => {
  it("answers a 500 naming the script when it runs out of turns", async () => {
    await using srv = await fakeModel([])
    const res = await fetch(`${srv.url}/v1/messages`, { method: "POST", body: "{}" })
    expect(res.status).toBe(500)
    expect(await res.text()).toContain("script exhausted")
  })

  it("runs as a CLI that prints LISTENING and serves the script file", async () => {
    await using t = await tmpdir()
    const file = await t.write("turns.json", [{ text: "from file" }])
    await using proc = Bun.spawn(
      [process.execPath, `${import.meta.dir}/../fixtures/model/server.ts`, "--script", file],
      { stdout: "pipe" },
    )
    const { value } = await proc.stdout.getReader().read()
    const line = new TextDecoder().decode(value)
    expect(line).toMatch(/^LISTENING http:\/\/127\.0\.0\.1:\d+/)
    const url = line.trim().split(" ")[1]!
    const model = createAnthropic({ baseURL: `${url}/v1`, apiKey: "k" })("m")
    const res = await model.doGenerate({ prompt: PROMPT })
    expect(res.content).toEqual([expect.objectContaining({ type: "text", text: "from file" })])
  })
})
