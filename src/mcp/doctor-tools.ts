import { escapeTerminal } from "../util/text.ts"
import { hiddenTextFinding } from "./doctor-text.ts"
import { finding, type Finding, type SchemaProvider } from "./doctor-types.ts"
import { MAX_TOOL_NAME, namespaceTools, sanitize, type ServerTools } from "./tools.ts"

// What the model would see of each server's tools (docs/design.md §5, P01/P02): names that get cut
// or renamed to fit [A-Za-z0-9_-]{1,64} as `server__tool`, collisions that get a suffix,
// control or bidi characters in names and descriptions, and per model provider the input
// schemas it would refuse (the tool is left out) or that we rewrite for it.

export function checkTools(servers: ServerTools[], providers: SchemaProvider[]): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>(servers.map((s) => [s.server, []]))
  const named = namespaceTools(servers)
  for (const t of named.tools) {
    const list = out.get(t.server)!
    const shown = escapeTerminal(t.tool.name)
    const plain = `${sanitize(t.server)}__${sanitize(t.tool.name)}`
    if (t.tool.name.length > MAX_TOOL_NAME) {
      list.push(
        finding(
          "tools.name",
          "warn",
          `tool ${shown.slice(0, 40)}… has a ${t.tool.name.length}-character name; the model sees it as ${t.name}`,
          `providers cap tool names at ${MAX_TOOL_NAME} characters; ask the server's author for a shorter name`,
        ),
      )
    } else if (plain.length > MAX_TOOL_NAME) {
      list.push(
        finding(
          "tools.name",
          "info",
          `tool ${shown}: ${plain} is over ${MAX_TOOL_NAME} characters, so the model sees ${t.name}`,
          "a shorter server name keeps tool names whole",
        ),
      )
    } else if (t.name !== plain) {
      list.push(
        finding(
          "tools.collision",
          "warn",
          `tool ${shown} collides with another tool after namespacing; the model sees it as ${t.name}`,
          "rename one of the servers, or hide one tool with excludeTools",
        ),
      )
    } else if (sanitize(t.tool.name) !== t.tool.name) {
      list.push(
        finding(
          "tools.name",
          "info",
          `tool ${shown} has characters outside [A-Za-z0-9_-]; the model sees it as ${t.name}`,
        ),
      )
    }
    // P01/P10: the set escapeTerminal escapes (controls, bidi, tags, fillers, every default-ignorable), named.
    list.push(
      ...hiddenTextFinding("tools.text", `tool ${shown}`, {
        name: t.tool.name,
        title: t.tool.title ?? t.tool.annotations?.title,
        description: t.tool.description,
      }),
    )
    for (const p of providers) {
      const f = schemaFinding(t.tool.name, t.tool.inputSchema, p)
      if (f) list.push(f)
    }
  }
  for (const [server, list] of out) {
    if (!list.some((f) => f.check.startsWith("tools."))) {
      const count = named.tools.filter((t) => t.server === server).length
      list.push(
        finding(
          "tools",
          "ok",
          `${count} tool${count === 1 ? "" : "s"}: names, descriptions and schemas fit every provider`,
        ),
      )
    }
  }
  return out
}

function schemaFinding(tool: string, schema: unknown, p: SchemaProvider): Finding | undefined {
  const shown = escapeTerminal(tool)
  const r = p.normalize(schema)
  if (!r.ok) {
    return finding(
      `tools.schema.${p.name}`,
      "warn",
      `${p.name}: tool ${shown} would be left out: ${r.reason}`,
      "ask the server's author for a self-contained object schema (no recursive or external $ref, and small once its $refs are inlined)",
    )
  }
  const kept = keywords(r.schema)
  const dropped = [...keywords(schema)].filter((k) => !kept.has(k) && !REF_KEYWORDS.has(k))
  if (dropped.length === 0) return undefined
  return finding(
    `tools.schema.${p.name}`,
    "info",
    `${p.name}: tool ${shown}'s schema is rewritten: ${dropped.sort().join(", ")} dropped`,
    "harmless unless the model needs those constraints",
  )
}

// $ref/$defs are inlined for every provider; that is not worth a line per tool.
const REF_KEYWORDS = new Set(["$ref", "$defs", "definitions", "$schema", "$id", "$comment"])
/** As deep as agent/schema.ts's SCHEMA_BUDGET lets inlining go (mcp does not import agent). */
const SCHEMA_DEPTH = 128

/**
 * Keywords used anywhere in a schema (property names under `properties` are not keywords).
 * P09: it walks the schema as sent ($refs not followed), and no deeper than inlining may go,
 * so an unused but absurdly nested `$defs` cannot exhaust the stack.
 */
function keywords(node: unknown, into = new Set<string>(), depth = 0): Set<string> {
  if (depth > SCHEMA_DEPTH) return into
  if (Array.isArray(node)) for (const n of node) keywords(n, into, depth + 1)
  if (typeof node !== "object" || node === null || Array.isArray(node)) return into
  for (const [k, v] of Object.entries(node)) {
    into.add(k)
    if (
      (k === "properties" || k === "patternProperties" || k === "$defs" || k === "definitions") &&
      typeof v === "object" &&
      v !== null
    ) {
      for (const sub of Object.values(v)) keywords(sub, into, depth + 2)
    } else if (typeof v === "object") keywords(v, into, depth + 1)
  }
  return into
}
