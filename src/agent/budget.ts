// What tool definitions cost the model (issue 14): each tool as the provider's wire format
// carries it (after schema normalisation, tools.ts/schema.ts), in estimated tokens: the JSON
// text's length / CHARS_PER_TOKEN, the rule tool search and the output limit use too, so
// `agent mcp tools --tokens` predicts exactly when a run turns tool search on.
// No tokenizer is bundled (docs/context-budget.md): Anthropic, Google and Bedrock publish none for
// their current models (@anthropic-ai/tokenizer is Claude 2's, last released in 2024), and
// gpt-tokenizer's o200k_base for OpenAI alone grew dist/agent by 9.9 MB (120.3 → 130.2 MB,
// against a 140 MB limit) for figures within a few percent of this estimate (tests check it).
import type { LanguageModelV4FunctionTool } from "@ai-sdk/provider"
import type { NamespacedTool } from "../mcp/index.ts"
import type { ProviderName } from "./providers.ts"
import { CHARS_PER_TOKEN, prepareTools } from "./tools.ts"

export const ESTIMATE_METHOD = `estimate: characters of the provider's JSON for the tool definitions / ${CHARS_PER_TOKEN}`

export function estimateTextTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN)
}

export interface TokenCounter {
  method: string
  count(text: string): number
}

/**
 * How a provider's tokens are counted: the estimate for all of them today. Async, so a
 * tokenizer loaded on first use can take a provider's place here without touching the callers.
 */
export async function tokenCounter(_provider: ProviderName): Promise<TokenCounter> {
  return { method: ESTIMATE_METHOD, count: estimateTextTokens }
}

/** One tool in the shape the provider's request body carries it. */
export function wireTool(spec: LanguageModelV4FunctionTool, provider: ProviderName): unknown {
  const { name, description, inputSchema } = spec
  switch (provider) {
    case "anthropic":
      return { name, ...(description && { description }), input_schema: inputSchema }
    case "google":
      return { name, ...(description && { description }), parametersJsonSchema: inputSchema }
    case "bedrock":
      return { toolSpec: { name, ...(description && { description }), inputSchema: { json: inputSchema } } }
    case "openai":
      // The Responses API (openai: models): a flat function tool, as @ai-sdk/openai sends it.
      return {
        type: "function",
        name,
        ...(description && { description }),
        parameters: inputSchema,
        strict: false,
      }
    default:
      return {
        type: "function",
        function: { name, ...(description && { description }), parameters: inputSchema },
      }
  }
}

export function specTokens(
  specs: LanguageModelV4FunctionTool[],
  provider: ProviderName,
  counter: TokenCounter,
): number {
  return counter.count(JSON.stringify(specs.map((s) => wireTool(s, provider))))
}

export interface ToolCost {
  name: string
  server: string
  tool: string
  tokens: number
}

export interface ToolCosts {
  provider: ProviderName
  method: string
  total: number
  servers: { server: string; tools: number; tokens: number }[]
  tools: ToolCost[]
  /** Tools the provider's schema rules cannot take: never sent, so they cost nothing. */
  skipped: { name: string; reason: string }[]
}

/** Per tool, per server and in total, for `agent mcp tools --tokens`. */
export async function toolCosts(tools: NamespacedTool[], provider: ProviderName): Promise<ToolCosts> {
  const prepared = prepareTools(tools, provider)
  const counter = await tokenCounter(provider)
  const costs: ToolCost[] = prepared.specs.map((spec) => {
    const t = prepared.byModelName.get(spec.name)!
    const tokens = counter.count(JSON.stringify(wireTool(spec, provider)))
    return { name: spec.name, server: t.server, tool: t.tool.name, tokens }
  })
  const byServer = new Map<string, { server: string; tools: number; tokens: number }>()
  for (const c of costs) {
    const s = byServer.get(c.server) ?? { server: c.server, tools: 0, tokens: 0 }
    s.tools++
    s.tokens += c.tokens
    byServer.set(c.server, s)
  }
  return {
    provider,
    method: counter.method,
    total: specTokens(prepared.specs, provider, counter),
    servers: [...byServer.values()],
    tools: costs,
    skipped: prepared.skipped,
  }
}
