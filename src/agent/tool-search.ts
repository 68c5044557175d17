// Tool search: when the tool definitions would take more than --tool-budget tokens of the
// model's context, the model gets one `search_tools` tool over the catalogue instead of all of
// them (as Claude Code and Codex do past a share of the context). Tools it finds are offered
// from the next turn on; a tool called by its exact name works even before it was found.
import type { LanguageModelV4FunctionTool } from "@ai-sdk/provider"
import * as v from "valibot"
import type { ProviderName } from "./providers.ts"
import { CHARS_PER_TOKEN } from "./tools.ts"

export const SEARCH_TOOL = "search_tools"
/** Share of the model's context window the tool definitions may take before search kicks in. */
export const TOOL_BUDGET_SHARE = 0.1
const DEFAULT_LIMIT = 5
const MAX_LIMIT = 20

export interface ToolSearch {
  /** What the model is offered this turn: search_tools, then every tool found so far. */
  specs(): LanguageModelV4FunctionTool[]
  /** Runs one search_tools call; the result text goes back to the model. */
  run(args: Record<string, unknown>): { text: string; isError: boolean }
  /** Names found so far, in the order they were found. */
  found(): string[]
}

export function estimateTokens(specs: LanguageModelV4FunctionTool[]): number {
  return Math.ceil(JSON.stringify(specs).length / CHARS_PER_TOKEN)
}

/** Context windows we know of, in tokens; an unknown model gets a cautious 128k (32k for local servers). */
export function contextWindow(provider: ProviderName, modelId: string): number {
  if (provider === "google") return 1_000_000
  if (provider === "anthropic" || provider === "bedrock") return 200_000
  if (provider === "openai") return /^gpt-(4\.1|5)/.test(modelId) ? 400_000 : 128_000
  return 32_000
}

export function defaultToolBudget(provider: ProviderName, modelId: string): number {
  return Math.floor(contextWindow(provider, modelId) * TOOL_BUDGET_SHARE)
}

const SearchArgs = v.object({
  query: v.pipe(v.string(), v.minLength(1)),
  limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
})

export function createToolSearch(all: LanguageModelV4FunctionTool[]): ToolSearch {
  const byName = new Map(all.map((t) => [t.name, t]))
  const found = new Map<string, LanguageModelV4FunctionTool>()
  const searchSpec: LanguageModelV4FunctionTool = {
    type: "function",
    name: SEARCH_TOOL,
    description:
      `Search the ${all.length} available tools (their definitions are not loaded yet). Give keywords or exact tool names ` +
      "(several, separated by spaces or commas); returns matching tools with their descriptions and input schemas, " +
      "and makes them callable from your next step.",
    inputSchema: {
      type: "object",
      properties: {
        query: { type: "string", description: "Keywords, or exact tool names" },
        limit: {
          type: "integer",
          description: `Most tools to return (default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT})`,
        },
      },
      required: ["query"],
      additionalProperties: false,
    },
  }
  return {
    specs: () => [searchSpec, ...found.values()],
    found: () => [...found.keys()],
    run(args) {
      const parsed = v.safeParse(SearchArgs, args)
      if (!parsed.success)
        return {
          text: `${SEARCH_TOOL} needs {"query": "keywords"}: ${parsed.issues[0].message}`,
          isError: true,
        }
      const limit = Math.min(parsed.output.limit ?? DEFAULT_LIMIT, MAX_LIMIT)
      const hits = rank(all, byName, parsed.output.query).slice(0, limit)
      for (const t of hits) found.set(t.name, t)
      if (hits.length === 0)
        return { text: `no tool matches "${parsed.output.query}"; try other keywords`, isError: false }
      const tools = hits.map((t) => ({
        name: t.name,
        description: t.description ?? "",
        inputSchema: t.inputSchema,
      }))
      return { text: JSON.stringify({ tools, note: "these tools can be called now" }), isError: false }
    },
  }
}

/**
 * Named tools only, when the query names any (`server__tool`, or just `tool`); otherwise by
 * keyword score, ties in catalogue order.
 */
function rank(
  all: LanguageModelV4FunctionTool[],
  byName: Map<string, LanguageModelV4FunctionTool>,
  query: string,
): LanguageModelV4FunctionTool[] {
  const raw = query.split(/[\s,]+/).filter(Boolean)
  const exact = [
    ...new Set(raw.flatMap((w) => byName.get(w) ?? all.filter((t) => t.name.endsWith(`__${w}`)))),
  ]
  if (exact.length > 0) return exact
  const words = [
    ...new Set(raw.flatMap((w) => w.toLowerCase().split(/[^a-z0-9]+/)).filter((w) => w.length > 0)),
  ]
  const scored = all
    .map((t, i) => ({ t, i, score: score(t, words) }))
    .filter((x) => x.score > 0)
    .sort((a, b) => b.score - a.score || a.i - b.i)
  return scored.map((x) => x.t)
}

function score(t: LanguageModelV4FunctionTool, words: string[]): number {
  const name = t.name.toLowerCase()
  const nameParts = new Set(name.split(/[^a-z0-9]+/))
  const description = (t.description ?? "").toLowerCase()
  let s = 0
  for (const w of words) {
    if (nameParts.has(w)) s += 4
    else if (name.includes(w)) s += 2
    if (description.includes(w)) s += 1
  }
  return s
}
