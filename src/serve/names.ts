import type { NamespacedTool, Prompt, Resource } from "../mcp/index.ts"

// How the served names relate to the upstream ones. `agent mcp serve` offers many servers under
// agent's names: tools exactly as `agent run` names them (the manager's `server__tool`, sanitised,
// at most 64 characters: docs/design.md §5), prompts the same way; resource URIs are not renamed
// (a tool result may link to them), a read goes to the server that listed the URI, or whose
// template matches it. `agent mcp proxy` is transparent: one server, every name as it is.

export interface Route {
  server: string
  name: string
}

const SEPARATOR = "__"
const sanitize = (part: string) => part.replace(/[^A-Za-z0-9_-]/g, "_") || "_"

/** Prompt names the way tool names are built: `server__prompt`, first come (sorted) keeps the plain one. */
export function namespacePrompts(list: { server: string; prompt: Prompt }[]): {
  prompts: Prompt[]
  byName: Map<string, Route>
} {
  const byName = new Map<string, Route>()
  const prompts: Prompt[] = []
  const sorted = [...list].sort((a, b) => cmp(a.server, b.server) || cmp(a.prompt.name, b.prompt.name))
  for (const { server, prompt } of sorted) {
    const base = `${sanitize(server)}${SEPARATOR}${sanitize(prompt.name)}`
    let name = base
    for (let n = 2; byName.has(name); n++) name = `${base}_${n}`
    byName.set(name, { server, name: prompt.name })
    prompts.push({ ...prompt, name })
  }
  return { prompts, byName }
}

export function toolRoutes(tools: NamespacedTool[]): Map<string, Route> {
  return new Map(tools.map((t) => [t.name, { server: t.server, name: t.tool.name }]))
}

/** An RFC 6570 level-1 template as a matcher: `{var}` stands for one or more characters but `/`. */
export function templateMatcher(template: string): RegExp {
  const parts = template.split(/\{[^}]*\}/)
  return new RegExp(`^${parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("[^/]+")}$`)
}

export function resourceRoute(
  lists: { server: string; resources: Resource[]; templates: { uriTemplate: string }[] }[],
  uri: string,
): string | undefined {
  const sorted = [...lists].sort((a, b) => cmp(a.server, b.server))
  for (const l of sorted) if (l.resources.some((r) => r.uri === uri)) return l.server
  for (const l of sorted)
    if (l.templates.some((t) => templateMatcher(t.uriTemplate).test(uri))) return l.server
  return undefined
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
