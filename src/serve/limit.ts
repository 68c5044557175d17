import type { CallToolResult } from "../mcp/index.ts"
import {
  CHARS_PER_TOKEN,
  createSpill,
  limitToolResult,
  READ_TOOL_OUTPUT,
  readRange,
  writeSpill,
} from "../agent/index.ts"
import { readFileSync } from "node:fs"

// Tool output limits for `agent mcp serve` (issue 14, docs/serve.md "Large tool results"): off
// unless --max-tool-output is given. Then a tools/call result past the limit goes whole to
// files in `dir` (0700, files 0600) and the client gets the head and a note, as `agent run`'s
// model does (src/agent/spill.ts), and a `read_tool_output` tool appears to read on. Ids
// (out1, out2 …) count per serve, so every session of it can read every saved result.

export interface ServeLimitOptions {
  /** The limit in tokens (≈ 4 characters each) for every server … */
  maxTokens: number
  /** … except those with their own (config `maxOutputTokens`), by server name. */
  perServer?: Record<string, number>
  /** Where results past the limit go; created on the first one. */
  dir: string
}

export interface ServeLimit {
  /** The result as the client gets it; `first` is true for the first one saved (tools/list changes). */
  apply(result: CallToolResult, server: string): { result: CallToolResult; first: boolean }
  /** True once something was saved: read_tool_output is listed from then on. */
  isUsed(): boolean
  /** read_tool_output's MCP definition (the same schema as agent run's). */
  tool: { name: string; description: string; inputSchema: { type: "object"; [k: string]: unknown } }
  read(args: Record<string, unknown>): CallToolResult
}

export { READ_TOOL_OUTPUT }

export function createServeLimit(o: ServeLimitOptions): ServeLimit {
  const saved = new Map<string, { path: string; limitChars: number }>()
  const spec = createSpill({ maxTokens: o.maxTokens }).spec
  let n = 0
  return {
    apply(result, server) {
      const maxTokens = o.perServer?.[server] ?? o.maxTokens
      const id = `out${n + 1}`
      const limited = limitToolResult(result, { maxTokens, id, dir: o.dir })
      const plan = limited.spill
      if (!plan) return { result, first: false }
      n++ // claimed before the write, so concurrent calls never share an id
      try {
        writeSpill(plan, o.dir)
      } catch (e: unknown) {
        // Not saved: the head alone, saying so (never the whole result past the limit).
        const why = e instanceof Error ? e.message : String(e)
        const head = plan.text.data.slice(0, plan.headChars)
        const text = `${head}\n\n[agent: this tool result is ${plan.chars} characters, over the ${maxTokens}-token limit; the whole result could not be saved: ${why}]`
        return {
          result: { content: [{ type: "text", text }], ...(result.isError && { isError: true }) },
          first: false,
        }
      }
      const first = saved.size === 0
      saved.set(id, { path: plan.text.path, limitChars: maxTokens * CHARS_PER_TOKEN })
      return { result: limited.result, first }
    },
    isUsed: () => saved.size > 0,
    tool: {
      name: READ_TOOL_OUTPUT,
      description: spec.description ?? "",
      inputSchema: { ...spec.inputSchema, type: "object" },
    },
    read(args) {
      const id = typeof args.id === "string" ? args.id : ""
      const found = saved.get(id)
      const r = found
        ? readRange(readFileSync(found.path, "utf8"), id, args, found.limitChars)
        : { text: `no saved tool output "${id}"; saved: ${[...saved.keys()].join(", ")}`, isError: true }
      return { content: [{ type: "text", text: r.text }], ...(r.isError && { isError: true }) }
    },
  }
}
