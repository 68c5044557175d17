// `agent run` on the compiled binary against Google (Gemini API), Amazon Bedrock (Converse
// stream, bearer key and SigV4) and an OpenAI-compatible server, each spoken by the model
// fixture in that provider's own wire format: the run calls an MCP fixture tool and finishes,
// the report names the provider, sums the tokens and lists the call, and the recorded requests
// show the tools, the tool result, the system prompt and the token cap as that provider spells them.
import { describe, expect, it } from "bun:test"
import { fakeModel, type FakeModel, type RecordedRequest } from "../fixtures/model/server.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { config, report, run } from "./run-helpers.ts"

// Provider request JSON, read field by field.
type Body = Record<string, any>

interface Case {
  model: string
  env(srv: FakeModel): Record<string, string>
  args?(srv: FakeModel): string[]
  /** Where the streamed request went (path and query). */
  path: string
  query: string
  /** What proves the credential was sent, as the provider sends it. */
  auth(headers: RecordedRequest["headers"]): void
  /** The offered tool named srv__add: its name and the property names of its input schema. */
  tool(b: Body): { name: string; properties: string[] }
  /** The result of the call sent back to the model in the second request, and what it should be. */
  toolResult(b: Body): unknown
  sentResult: object
  /** Where --system and --max-output-tokens land, and how --system should look there. */
  system(b: Body): unknown
  sentSystem: unknown
  maxTokens(b: Body): unknown
}

const BEDROCK_MODEL = "anthropic.claude-3-5-sonnet-20241022-v2:0"
const bedrock = {
  model: `bedrock:${BEDROCK_MODEL}`,
  // Bedrock names the model in the path; the colon is percent-encoded.
  path: "/model/anthropic.claude-3-5-sonnet-20241022-v2%3A0/converse-stream",
  query: "",
  tool: (b: Body) => {
    const spec = b.toolConfig.tools.find((t: Body) => t.toolSpec.name === "srv__add").toolSpec
    return { name: spec.name, properties: Object.keys(spec.inputSchema.json.properties) }
  },
  toolResult: (b: Body) =>
    b.messages.flatMap((m: Body) => m.content).find((c: Body) => c.toolResult)?.toolResult,
  sentResult: { toolUseId: "tooluse_0_0", content: [{ text: "5" }] },
  system: (b: Body) => b.system,
  sentSystem: [{ text: "Be exact." }],
  maxTokens: (b: Body) => b.inferenceConfig?.maxTokens,
}

const cases: [string, Case][] = [
  [
    "google (GEMINI_API_KEY, GOOGLE_GENERATIVE_AI_BASE_URL)",
    {
      model: "google:gemini-2.5-flash",
      env: (srv) => ({ GEMINI_API_KEY: "gemini-key", GOOGLE_GENERATIVE_AI_BASE_URL: srv.googleBaseUrl }),
      path: "/v1beta/models/gemini-2.5-flash:streamGenerateContent",
      query: "?alt=sse",
      auth: (h) => expect(h["x-goog-api-key"]).toBe("gemini-key"),
      tool: (b) => {
        const fn = b.tools
          .flatMap((t: Body) => t.functionDeclarations ?? [])
          .find((f: Body) => f.name === "srv__add")
        return {
          name: fn.name,
          properties: Object.keys((fn.parametersJsonSchema ?? fn.parameters).properties),
        }
      },
      toolResult: (b) =>
        b.contents.flatMap((c: Body) => c.parts).find((p: Body) => p.functionResponse)?.functionResponse,
      sentResult: { name: "srv__add", response: { name: "srv__add", content: "5" } },
      system: (b) => b.systemInstruction,
      sentSystem: { parts: [{ text: "Be exact." }] },
      maxTokens: (b) => b.generationConfig?.maxOutputTokens,
    },
  ],
  [
    "bedrock (AWS_BEARER_TOKEN_BEDROCK, AWS_BEDROCK_BASE_URL)",
    {
      ...bedrock,
      env: (srv) => ({
        AWS_REGION: "us-east-1",
        AWS_BEARER_TOKEN_BEDROCK: "bedrock-key",
        AWS_BEDROCK_BASE_URL: srv.url,
      }),
      auth: (h) => expect(h.authorization).toBe("Bearer bedrock-key"),
    },
  ],
  [
    "bedrock (AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY: SigV4)",
    {
      ...bedrock,
      env: (srv) => ({
        AWS_REGION: "eu-west-1",
        AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
        AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        AWS_SESSION_TOKEN: "session-token",
        AWS_BEDROCK_BASE_URL: srv.url,
      }),
      auth: (h) => {
        expect(h.authorization).toMatch(
          /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/bedrock\/aws4_request, SignedHeaders=\S+, Signature=[0-9a-f]{64}$/,
        )
        expect(h["x-amz-security-token"]).toBe("session-token")
      },
    },
  ],
  [
    "openai-compatible (--base-url under a path prefix, OPENAI_COMPATIBLE_API_KEY)",
    {
      model: "openai-compatible:llama-3.1-8b",
      env: () => ({ OPENAI_COMPATIBLE_API_KEY: "compat-key" }),
      args: (srv) => ["--base-url", `${srv.url}/api/v1`],
      path: "/api/v1/chat/completions",
      query: "",
      auth: (h) => expect(h.authorization).toBe("Bearer compat-key"),
      tool: (b) => {
        const fn = b.tools.find((t: Body) => t.function.name === "srv__add").function
        return { name: fn.name, properties: Object.keys(fn.parameters.properties) }
      },
      toolResult: (b) => b.messages.find((m: Body) => m.role === "tool"),
      sentResult: { role: "tool", tool_call_id: "call_0_0", content: "5" },
      system: (b) => b.messages[0],
      sentSystem: { role: "system", content: "Be exact." },
      maxTokens: (b) => b.max_tokens,
    },
  ],
]

describe("compiled binary: agent run against each provider's wire format", () => {
  it.each(cases)(
    "%s: calls an MCP tool and finishes; report and requests in that provider's terms",
    async (_, c) => {
      await using t = await tmpdir()
      await using srv = await fakeModel([
        {
          text: "Adding. ",
          toolCalls: [{ name: "srv__add", args: { a: 2, b: 3 } }],
          usage: { input: 101, output: 11 },
        },
        { text: "2 + 3 = 5", usage: { input: 202, output: 22 } },
      ])
      const args = [
        "--mcp",
        await config(t),
        "-m",
        c.model,
        ...(c.args?.(srv) ?? []),
        "--yes",
        "--system",
        "Be exact.",
        "--max-output-tokens",
        "777",
        "-o",
        "json",
        "add 2 and 3",
      ]
      const doc = report(await run(t, args, c.env(srv)))
      expect(doc).toMatchObject({
        exitReason: "completed",
        exitCode: 0,
        model: c.model,
        result: "2 + 3 = 5",
        turns: 2,
      })
      // Plus cacheReadTokens etc. where the provider reports them (0 here).
      expect(doc.usage).toMatchObject({ inputTokens: 303, outputTokens: 33, totalTokens: 336 })
      expect(doc.toolCalls).toEqual([
        expect.objectContaining({
          name: "srv__add",
          server: "srv",
          tool: "add",
          turn: 1,
          isError: false,
          isRefused: false,
        }),
      ])

      expect(srv.requests).toHaveLength(2)
      const [first, second] = srv.requests as [RecordedRequest, RecordedRequest]
      for (const r of [first, second]) {
        expect({ path: r.path, query: r.query }).toEqual({ path: c.path, query: c.query })
        c.auth(r.headers)
      }
      expect(c.tool(first.body)).toEqual({ name: "srv__add", properties: ["a", "b"] })
      expect(c.system(first.body)).toEqual(c.sentSystem)
      expect(c.maxTokens(first.body)).toBe(777)
      expect(c.toolResult(first.body)).toBeUndefined()
      // No asymmetric matchers here: Bun's toMatchObject writes them into the object it checks (oven-sh/bun#3521).
      expect(c.toolResult(second.body)).toMatchObject(c.sentResult)
    },
    30_000,
  )
})
