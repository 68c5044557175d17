// What tool definitions cost the model (issue 14): each tool as the provider's wire format
// carries it (after schema normalisation, tools.ts/schema.ts), measured in estimated tokens.
// No provider tokenizer is bundled: Anthropic, Google and Bedrock publish none for their current
// models, and one table for OpenAI alone would make the figures incomparable. The estimate is
// the JSON text's length / CHARS_PER_TOKEN, the same rule tool search and the output limit use,
// so `agent mcp tools --tokens` predicts exactly when a run turns tool search on.
import type { LanguageModelV4FunctionTool } from "@ai-sdk/provider"
import type { NamespacedTool } from "../mcp/index.ts"
import type { ProviderName } from "./providers.ts"
import { CHARS_PER_TOKEN, prepareTools } from "./tools.ts"

export const TOKEN_METHOD = `estimate: characters of the provider's JSON for the tool definitions / ${CHARS_PER_TOKEN}`

export function estimateTextTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN)
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
    default:
      return {
        type: "function",
        function: { name, ...(description && { description }), parameters: inputSchema },
      }
  }
}

export function specTokens(specs: LanguageModelV4FunctionTool[], provider: ProviderName): number {
  return estimateTextTokens(JSON.stringify(specs.map((s) => wireTool(s, provider))))
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
export function toolCosts(tools: NamespacedTool[], provider: ProviderName): ToolCosts {
  const prepared = prepareTools(tools, provider)
  const costs: ToolCost[] = prepared.specs.map((spec) => {
    const t = prepared.byModelName.get(spec.name)!
    const tokens = estimateTextTokens(JSON.stringify(wireTool(spec, provider)))
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
    method: TOKEN_METHOD,
    total: specTokens(prepared.specs, provider),
    servers: [...byServer.values()],
    tools: costs,
    skipped: prepared.skipped,
  }
}
