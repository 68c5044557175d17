// Tool input schemas, normalised per model provider (docs/design.md §5). MCP servers send any JSON
// Schema; providers accept subsets and reject the whole request over one bad tool. So every
// schema is dereferenced, given an object root, and stripped of what its provider refuses.
// A schema we cannot fix (recursive or external $ref, non-object root) leaves its tool out.
// P09: inlining has a budget (MAX_NODES nodes built, MAX_DEPTH levels deep), because a few KB of
// `$defs` that each reference the next one twice expand to 2^n nodes: such a tool is left out
// with a reason naming the budget, in bounded time and memory, and the run goes on.
//
// Per provider:
// - anthropic, bedrock (Converse toolSpec): JSON Schema 2020-12 is accepted broadly; the root
//   must be `type: "object"`. We drop `$schema`/`$id`/`$comment` only.
// - openai, openai-compatible: we do not send `strict: true` (strict mode needs every property
//   required and `additionalProperties: false`, which most MCP schemas are not). Non-strict
//   function parameters still reject `oneOf`/`anyOf`/`allOf`/`enum`/`not` at the root; those
//   root keywords are dropped. Nested ones are fine.
// - google (Gemini function declarations, an OpenAPI 3.0 subset): only the keywords in
//   GOOGLE_KEYWORDS survive; `additionalProperties`, `default`, `examples`, `const`,
//   `exclusiveMinimum`, `$schema`… are rejected, so they go (`const` becomes a one-item `enum`),
//   `format` is kept only for values Gemini knows, `oneOf` becomes `anyOf`.
import { createHash } from "node:crypto"
import type { ProviderName } from "./providers.ts"

export type JsonSchema = Record<string, unknown>
export type Normalized = { ok: true; schema: JsonSchema } | { ok: false; reason: string }

const META = ["$schema", "$id", "$comment", "$defs", "definitions", "$anchor", "$dynamicAnchor"]
const ROOT_COMBINATORS = ["oneOf", "anyOf", "allOf", "enum", "not"]
const GOOGLE_KEYWORDS = new Set([
  "type",
  "format",
  "title",
  "description",
  "nullable",
  "enum",
  "items",
  "minItems",
  "maxItems",
  "properties",
  "required",
  "anyOf",
  "minimum",
  "maximum",
  "minLength",
  "maxLength",
  "pattern",
  "minProperties",
  "maxProperties",
  "propertyOrdering",
])
const GOOGLE_FORMATS = new Set(["enum", "date-time", "int32", "int64", "float", "double"])
// Keywords whose value is a map of name → subschema, or a list of subschemas.
const SCHEMA_MAPS = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"]
const SCHEMA_LISTS = ["anyOf", "oneOf", "allOf", "prefixItems"]
const SCHEMA_ONE = ["items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames"]

/** P09: the most objects and arrays inlining may build for one schema, and how deep. */
export const SCHEMA_BUDGET = { nodes: 10_000, depth: 128 }

class SchemaProblem extends Error {}

/** What inlining has spent so far on one schema (P09). */
interface Spend {
  nodes: number
}

export function normalizeSchema(input: unknown, provider: ProviderName): Normalized {
  if (!isObject(input)) return { ok: false, reason: "input schema is not an object" }
  try {
    let schema = deref(input, input, [], { nodes: 0 }, 0) as JsonSchema
    if (schema.type === undefined) schema = { type: "object", ...schema }
    if (schema.type !== "object")
      return { ok: false, reason: `input schema root has type ${JSON.stringify(schema.type)}, not "object"` }
    if (!isObject(schema.properties)) schema.properties = {}
    schema = strip(schema, provider, true) as JsonSchema
    return { ok: true, schema }
  } catch (e: unknown) {
    if (e instanceof SchemaProblem) return { ok: false, reason: e.message }
    throw e
  }
}

/**
 * Inlines local `$ref`s; `stack` holds the refs being expanded, so a cycle is seen, not looped.
 * Every node built counts against SCHEMA_BUDGET (P09: a doubling `$defs` chain stops here).
 */
function deref(node: unknown, root: JsonSchema, stack: string[], spend: Spend, depth: number): unknown {
  if (typeof node !== "object" || node === null) return node
  if (++spend.nodes > SCHEMA_BUDGET.nodes) {
    throw new SchemaProblem(
      `input schema is too large once its $refs are inlined (over ${SCHEMA_BUDGET.nodes} objects and arrays)`,
    )
  }
  if (depth > SCHEMA_BUDGET.depth)
    throw new SchemaProblem(
      `input schema is nested more than ${SCHEMA_BUDGET.depth} levels deep once its $refs are inlined`,
    )
  if (Array.isArray(node)) return node.map((n) => deref(n, root, stack, spend, depth + 1))
  if (!isObject(node)) return node
  if (typeof node.$ref === "string") {
    const ref = node.$ref
    if (stack.includes(ref)) throw new SchemaProblem(`recursive $ref ${ref}`)
    const target = resolvePointer(root, ref)
    const { $ref: _, ...siblings } = node
    const expanded = deref(target, root, [...stack, ref], spend, depth + 1)
    return isObject(expanded)
      ? { ...expanded, ...(deref(siblings, root, stack, spend, depth) as JsonSchema) }
      : expanded
  }
  const out: JsonSchema = {}
  for (const [k, v] of Object.entries(node)) {
    if (k === "$defs" || k === "definitions") continue
    out[k] = deref(v, root, stack, spend, depth + 1)
  }
  return out
}

function resolvePointer(root: JsonSchema, ref: string): unknown {
  if (!ref.startsWith("#")) throw new SchemaProblem(`external $ref ${ref}`)
  if (ref === "#") return root
  if (!ref.startsWith("#/")) throw new SchemaProblem(`unsupported $ref ${ref}`)
  let at: unknown = root
  for (const raw of ref.slice(2).split("/")) {
    const key = decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~")
    if (!isObject(at) || !(key in at)) throw new SchemaProblem(`unresolvable $ref ${ref}`)
    at = at[key]
  }
  return at
}

function strip(node: unknown, provider: ProviderName, isRoot: boolean): unknown {
  if (!isObject(node)) return node
  let out: JsonSchema = {}
  for (const [k, v] of Object.entries(node)) {
    if (META.includes(k)) continue
    if (isRoot && ROOT_COMBINATORS.includes(k) && provider !== "anthropic" && provider !== "bedrock") continue
    if (SCHEMA_MAPS.includes(k) && isObject(v)) {
      out[k] = Object.fromEntries(Object.entries(v).map(([name, s]) => [name, strip(s, provider, false)]))
    } else if (SCHEMA_LISTS.includes(k) && Array.isArray(v)) {
      out[k] = v.map((s) => strip(s, provider, false))
    } else if (SCHEMA_ONE.includes(k) && isObject(v)) {
      out[k] = strip(v, provider, false)
    } else {
      out[k] = v
    }
  }
  if (provider === "google") out = forGoogle(out)
  return out
}

function forGoogle(node: JsonSchema): JsonSchema {
  const out: JsonSchema = {}
  if (node.const !== undefined && node.enum === undefined) out.enum = [node.const]
  if (Array.isArray(node.oneOf) && node.anyOf === undefined) out.anyOf = node.oneOf
  if (Array.isArray(node.type)) {
    // ["string", "null"] → type string + nullable; any other union → anyOf of single types.
    const types = node.type.filter((t) => t !== "null")
    if (types.length === 1) out.type = types[0]
    else out.anyOf = types.map((t) => ({ type: t }))
    if (types.length < node.type.length) out.nullable = true
  }
  for (const [k, v] of Object.entries(node)) {
    if (!GOOGLE_KEYWORDS.has(k) || k in out) continue
    if (k === "format" && !GOOGLE_FORMATS.has(String(v))) continue
    out[k] = v
  }
  if (Array.isArray(out.required) && isObject(out.properties)) {
    const props = out.properties
    out.required = out.required.filter((r) => typeof r === "string" && r in props)
  }
  return out
}

function isObject(v: unknown): v is JsonSchema {
  return typeof v === "object" && v !== null && !Array.isArray(v)
}

// Tool names as providers accept them: Anthropic and OpenAI both require ^[a-zA-Z0-9_-]{1,64}$.
// The manager already names tools that way (docs/design.md §5); this is the loop's own guard for any
// ToolSource, with a short hash so two long names that share a prefix stay distinct.
const NAME_OK = /^[A-Za-z0-9_-]{1,64}$/

export function modelToolName(name: string, taken: Set<string>): string {
  let candidate = NAME_OK.test(name) ? name : ""
  if (!candidate) {
    const clean = name.replace(/[^A-Za-z0-9_-]/g, "_")
    candidate = clean.length <= 64 ? clean || "tool" : `${clean.slice(0, 55)}_${shortHash(name)}`
  }
  for (let i = 2; taken.has(candidate); i++) candidate = `${candidate.slice(0, 60)}_${i}`
  taken.add(candidate)
  return candidate
}

function shortHash(s: string): string {
  return createHash("sha256").update(s).digest("hex").slice(0, 8)
}
