import { sha256Hex } from "../util/hash.ts"
import { configFilter, type ToolFilter } from "./filters.ts"
import type { FilteredTool, NamespacedTool, Tool } from "./types.ts"

// Tool names as the model sees them (docs/design.md §5, P02): `server__tool`, only [A-Za-z0-9_-],
// at most 64 characters, unique. Deterministic: the same servers and tools always give the
// same names, whatever order the servers answered in. Names and descriptions stay raw in the
// data; the CLI escapes them when printing (P01).

export const MAX_TOOL_NAME = 64
const SEPARATOR = "__"

export interface ServerTools extends ToolFilter {
  server: string
  tools: Tool[]
}

export interface ToolNames {
  tools: NamespacedTool[]
  /** `server__tool` → the server and the tool's original name. */
  mapBack(name: string): { server: string; tool: string } | undefined
}

export function sanitize(part: string): string {
  const clean = part.replace(/[^A-Za-z0-9_-]/g, "_")
  return clean || "_"
}

function shortHash(text: string): string {
  return sha256Hex(text).slice(0, 6)
}

/** Fits `base` into `max` chars; when it has to cut, a hash of the full original keeps it unique. */
function fit(base: string, original: string, max = MAX_TOOL_NAME): string {
  if (base.length <= max) return base
  const hash = shortHash(original)
  return `${base.slice(0, max - hash.length - 1)}_${hash}`
}

/** Whether the config lets this tool through (`excludeTools` wins over `includeTools`). */
export function isToolAllowed(tool: string, filter: ToolFilter): boolean {
  return configFilter(tool, filter) === undefined
}

/** The tools the config hides, sorted like namespaceTools' order. */
export function filteredTools(servers: ServerTools[]): FilteredTool[] {
  const out: FilteredTool[] = []
  for (const s of [...servers].sort((a, b) => cmp(a.server, b.server)))
    for (const tool of [...s.tools].sort((a, b) => cmp(a.name, b.name))) {
      const filtered = configFilter(tool.name, s)
      if (filtered) out.push({ server: s.server, tool, filtered })
    }
  return out
}

export function namespaceTools(servers: ServerTools[]): ToolNames {
  const entries: { server: string; tool: Tool }[] = []
  for (const s of [...servers].sort((a, b) => cmp(a.server, b.server))) {
    const seen = new Set<string>()
    for (const tool of [...s.tools].sort((a, b) => cmp(a.name, b.name))) {
      if (seen.has(tool.name) || !isToolAllowed(tool.name, s)) continue // a server listing a name twice: keep the first
      seen.add(tool.name)
      entries.push({ server: s.server, tool })
    }
  }
  const taken = new Set<string>()
  const byName = new Map<string, { server: string; tool: string }>()
  const tools: NamespacedTool[] = []
  for (const { server, tool } of entries) {
    const original = `${server}${SEPARATOR}${tool.name}`
    let name = fit(`${sanitize(server)}${SEPARATOR}${sanitize(tool.name)}`, original)
    // Collisions (a/b and a_b both become a_b): later entries in the sorted order get _2, _3…
    for (let n = 2; taken.has(name); n++) {
      const suffix = `_${n}`
      name =
        fit(
          `${sanitize(server)}${SEPARATOR}${sanitize(tool.name)}`,
          original,
          MAX_TOOL_NAME - suffix.length,
        ) + suffix
    }
    taken.add(name)
    byName.set(name, { server, tool: tool.name })
    tools.push({ name, server, tool })
  }
  return { tools, mapBack: (name) => byName.get(name) }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
