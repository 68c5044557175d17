import { describe, expect, it } from "bun:test"
import { createModel, resolveModelSpec, runAgent } from "../../src/agent/index.ts"
import { parseModelSpec } from "../../src/agent/providers.ts"
import { allowAll } from "../../src/agent/permissions.ts"
import { UsageError } from "../../src/util/errors.ts"
import { fakeModel } from "../fixtures/model/server.ts"

const usage = async (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as UsageError,
  )
const noTools = { list: async () => [], call: async () => ({ content: [] }) }

describe("createModel", () => {
  it.each([
    ["anthropic:claude-sonnet-4-5", "ANTHROPIC_API_KEY"],
    ["openai:gpt-5", "OPENAI_API_KEY"],
    ["google:gemini-2.5-pro", "GOOGLE_GENERATIVE_AI_API_KEY"],
    ["bedrock:anthropic.claude-3-5-sonnet-20241022-v2:0", "AWS_REGION"],
  ])("%s without a key is a usage error naming %s", async (spec, variable) => {
    const e = await usage(createModel(spec, { env: {} }))
    expect(e).toBeInstanceOf(UsageError)
    expect(e!.exitCode).toBe(2)
    expect(e!.message).toStartWith(`${variable} is not set`)
  })

  it("takes bedrock credentials from a key, static keys or (lazily) the AWS chain once the region is set", async () => {
    // No key at all is not an error here: the AWS credential chain is asked on the first request.
    const chained = await createModel("bedrock:m", { env: { AWS_REGION: "us-east-1" } })
    expect(chained.model.modelId).toBe("m")
    const ok = await createModel("bedrock:m", {
      env: { AWS_REGION: "us-east-1", AWS_BEARER_TOKEN_BEDROCK: "t" },
    })
    expect(ok.model.modelId).toBe("m")
  })

  it("needs a base URL for openai-compatible, and no key", async () => {
    expect((await usage(createModel("openai-compatible:llama", { env: {} })))!.message).toContain("base URL")
    const m = await createModel("openai-compatible:llama", { env: {}, baseUrl: "http://127.0.0.1:1/v1" })
    expect(m).toMatchObject({ provider: "openai-compatible", modelId: "llama" })
  })

  it("rejects specs without a known provider", () => {
    expect(() => parseModelSpec("claude")).toThrow(UsageError)
    expect(() => parseModelSpec("foo:bar")).toThrow(/unknown model provider "foo"/)
    expect(parseModelSpec("bedrock:a.b-v2:0")).toEqual({ provider: "bedrock", modelId: "a.b-v2:0" })
  })

  it("takes --model, then AGENT_MODEL, then the config default", () => {
    expect(resolveModelSpec("openai:a", { AGENT_MODEL: "openai:b" }, "openai:c")).toBe("openai:a")
    expect(resolveModelSpec(undefined, { AGENT_MODEL: "openai:b" }, "openai:c")).toBe("openai:b")
    expect(resolveModelSpec(undefined, {}, "openai:c")).toBe("openai:c")
    expect(() => resolveModelSpec(undefined, {}, undefined)).toThrow(UsageError)
  })

  it.each([
    ["anthropic:claude-test", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "anthropic"],
    ["openai:gpt-test", "OPENAI_API_KEY", "OPENAI_BASE_URL", "responses"],
  ])("%s honours %s and %s from env", async (spec, keyVar, urlVar, api) => {
    await using srv = await fakeModel([{ text: "from the fixture" }])
    const { model } = await createModel(spec, { env: { [keyVar]: "sk-test", [urlVar]: `${srv.url}/v1` } })
    const r = await runAgent({ model, tools: noTools, prompt: "hi", permissions: allowAll })
    expect(r.text).toBe("from the fixture")
    expect(srv.requests[0]!.api).toBe(api as "anthropic" | "responses")
    expect(JSON.stringify(srv.requests[0]!.headers)).toContain("sk-test")
  })
})
