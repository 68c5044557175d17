// Per-server tool filters (issue 14): `includeTools` / `excludeTools` in the config (the peers'
// spellings are normalised to these in config/normalize.ts), and `--tools` / `--exclude-tools`
// for one run. A filtered tool is never offered to the model and never called; every decision
// names the rule that made it, so `agent mcp tools` and `agent mcp call` can say why.

/** The config's filter lists, as normalised (globs on the server's own tool names). */
export interface ToolFilter {
  includeTools?: string[]
  excludeTools?: string[]
}

/** Why a tool is hidden: which list, and which pattern matched (includeTools: none did). */
export interface FilteredBy {
  by: "excludeTools" | "includeTools" | "--tools" | "--exclude-tools"
  pattern?: string
}

/** `*` any run of characters, `?` one character; everything else literal; whole-name match. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("")
  return new RegExp(`^${body}$`, "s")
}

export function matchesGlob(name: string, glob: string): boolean {
  return globToRegExp(glob).test(name)
}

/** The config rule that hides `tool`, or undefined when it is offered (excludeTools wins). */
export function configFilter(tool: string, filter: ToolFilter): FilteredBy | undefined {
  const excluded = filter.excludeTools?.find((g) => matchesGlob(tool, g))
  if (excluded !== undefined) return { by: "excludeTools", pattern: excluded }
  if (filter.includeTools && !filter.includeTools.some((g) => matchesGlob(tool, g)))
    return { by: "includeTools" }
  return undefined
}

/** One run's `--tools` / `--exclude-tools`: globs on `server__tool`, or `server:tool`. */
export interface RunToolFilter {
  tools: string[]
  excludeTools: string[]
}

/**
 * Whether a `--tools`/`--exclude-tools` pattern names this tool. `server:tool` and
 * `server__tool` both split into a server glob and a tool glob (the tool's own name, so the
 * names agent run shows work as typed); a pattern with neither matches the tool on any server.
 */
export function matchesRunPattern(server: string, tool: string, pattern: string): boolean {
  const at = pattern.includes(":") ? pattern.indexOf(":") : pattern.indexOf("__")
  if (at < 0) return matchesGlob(tool, pattern)
  const sep = pattern[at] === ":" ? 1 : 2
  const serverGlob = pattern.slice(0, at)
  const toolGlob = pattern.slice(at + sep)
  return (
    matchesGlob(server, serverGlob) && (matchesGlob(tool, toolGlob) || matchesGlob(sanitized(tool), toolGlob))
  )
}

/** The run rule that hides this tool, or undefined (--exclude-tools wins over --tools). */
export function runFilter(server: string, tool: string, filter: RunToolFilter): FilteredBy | undefined {
  const excluded = filter.excludeTools.find((p) => matchesRunPattern(server, tool, p))
  if (excluded !== undefined) return { by: "--exclude-tools", pattern: excluded }
  if (filter.tools.length > 0 && !filter.tools.some((p) => matchesRunPattern(server, tool, p)))
    return { by: "--tools" }
  return undefined
}

/** Comma-separated lists from repeated flags: `--tools 'fs__*,git:status' --tools web__fetch`. */
export function splitPatterns(values: string[]): string[] {
  return values
    .flatMap((v) => v.split(","))
    .map((p) => p.trim())
    .filter(Boolean)
}

/** Readable form of a rule: `excludeTools "delete_*"`, `includeTools (no pattern matches)`. */
export function describeFilter(f: FilteredBy): string {
  if (f.pattern !== undefined) return `${f.by} "${f.pattern}"`
  return `${f.by} (no pattern matches)`
}

function sanitized(part: string): string {
  return part.replace(/[^A-Za-z0-9_-]/g, "_") || "_"
}
