// The loop's view of MCP (CONTRIBUTING.md "Who may import whom": agent uses mcp through a small ToolSource interface): list the
// namespaced tools, call one by its namespaced name. The CLI backs it with the manager.
import type { LanguageModelV4FunctionTool, LanguageModelV4ToolResultOutput } from "@ai-sdk/provider"
import {
  runFilter,
  type CallOptions,
  type CallToolResult,
  type Manager,
  type NamespacedTool,
  type RunToolFilter,
} from "../mcp/index.ts"
import { FailureError } from "../util/errors.ts"
import { escapeTerminal } from "../util/text.ts"
import type { ServerStatus, SkippedTool } from "./events.ts"
import type { ProviderName } from "./providers.ts"
import { modelToolName, normalizeSchema } from "./schema.ts"

export interface ToolSource {
  list(): Promise<NamespacedTool[]>
  call(name: string, args: Record<string, unknown>, opts: CallOptions): Promise<CallToolResult>
  /**
   * Present when list() first answered from cached lists: waits for the live servers and
   * compares. The loop calls it before any tool is called (and before the report); `changed`
   * names the servers whose live lists differ, and list() answers live from then on. It rejects
   * when the run cannot go on (a required server down): the run then ends with that error.
   */
  settle?(): Promise<{ changed: string[]; servers?: ServerStatus[] }>
}

/**
 * The CLI's ToolSource: the connection manager, called by the namespaced names it listed.
 * `only` (--tools/--exclude-tools) hides more for this run; a hidden tool is never listed, so never called.
 */
export function managerToolSource(
  manager: Pick<Manager, "tools" | "callTool">,
  only?: RunToolFilter,
): ToolSource {
  const byName = new Map<string, NamespacedTool>()
  return {
    async list() {
      const all = await manager.tools()
      const tools = only ? all.filter((t) => runFilter(t.server, t.tool.name, only) === undefined) : all
      for (const t of tools) byName.set(t.name, t)
      return tools
    },
    call(name, args, opts) {
      const t = byName.get(name)
      if (!t) throw new FailureError(`unknown tool ${name}`)
      return manager.callTool(t.server, t.tool.name, args, opts)
    },
  }
}

export interface PreparedTools {
  /** What the model is offered. */
  specs: LanguageModelV4FunctionTool[]
  /** model-facing name → the tool it stands for. */
  byModelName: Map<string, NamespacedTool>
  skipped: SkippedTool[]
}

export function prepareTools(tools: NamespacedTool[], provider: ProviderName): PreparedTools {
  const specs: LanguageModelV4FunctionTool[] = []
  const byModelName = new Map<string, NamespacedTool>()
  const skipped: SkippedTool[] = []
  const taken = new Set<string>()
  for (const t of tools) {
    const normalized = normalizeSchema(t.tool.inputSchema, provider)
    if (!normalized.ok) {
      skipped.push({ name: t.name, reason: normalized.reason })
      continue
    }
    const name = modelToolName(t.name, taken)
    byModelName.set(name, t)
    const given = t.tool.description ?? t.tool.title ?? t.tool.annotations?.title
    // P10: tag characters and other invisible code points are written out (`\u{e0041}`), so the
    // model reads no instruction a person reviewing the tool cannot see; search_tools shows this text too.
    const description = given === undefined ? undefined : escapeTerminal(given)
    specs.push({
      type: "function",
      name,
      ...(description ? { description } : {}),
      inputSchema: normalized.schema,
    })
  }
  return { specs, byModelName, skipped }
}

/** ≈ 4 characters per token: cheap, provider-neutral, errs on the generous side for code/JSON. */
export const CHARS_PER_TOKEN = 4

export interface ToolText {
  text: string
  bytes: number
  isTruncated: boolean
}

/** Flattens an MCP result to the text the model sees, cut to `maxTokens` with a marker. */
export function resultText(result: CallToolResult, maxTokens: number): ToolText {
  const full = flatten(result)
  const bytes = Buffer.byteLength(full)
  const limit = maxTokens * CHARS_PER_TOKEN
  if (full.length <= limit) return { text: full, bytes, isTruncated: false }
  const marker = `\n\n[agent: tool output truncated: showing ${limit} of ${full.length} characters (--max-tool-output ${maxTokens} tokens)]`
  return { text: full.slice(0, limit) + marker, bytes, isTruncated: true }
}

function flatten(result: CallToolResult): string {
  const parts: string[] = []
  for (const c of result.content ?? []) {
    if (c.type === "text") parts.push(c.text)
    else if (c.type === "image" || c.type === "audio")
      parts.push(`[${c.type}: ${c.mimeType}, ${Math.floor((c.data.length * 3) / 4)} bytes]`)
    else if (c.type === "resource")
      parts.push("text" in c.resource ? c.resource.text : `[resource ${c.resource.uri}]`)
    else if (c.type === "resource_link") parts.push(`[resource link ${c.uri}${c.name ? ` (${c.name})` : ""}]`)
  }
  if (parts.length === 0 && result.structuredContent !== undefined)
    parts.push(JSON.stringify(result.structuredContent))
  return parts.join("\n")
}

export function toolOutput(text: string, kind: "ok" | "error" | "refused"): LanguageModelV4ToolResultOutput {
  if (kind === "refused") return { type: "execution-denied", reason: text }
  return kind === "error" ? { type: "error-text", value: text } : { type: "text", value: text }
}
