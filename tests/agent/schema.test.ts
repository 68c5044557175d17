import { describe, expect, it } from "bun:test"
import { normalizeSchema } from "../../src/agent/index.ts"
import { SCHEMA_BUDGET } from "../../src/agent/schema.ts"
import { prepareTools } from "../../src/agent/tools.ts"
import type { NamespacedTool } from "../../src/mcp/index.ts"
import { schemaBomb } from "../fixtures/servers/tools.ts"

const ROUTE = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  $defs: {
    point: {
      type: "object",
      properties: { lat: { type: "number" }, lon: { type: "number" } },
      required: ["lat", "lon"],
    },
  },
  properties: { from: { $ref: "#/$defs/point" }, to: { $ref: "#/$defs/point", description: "end" } },
  required: ["from", "to"],
}
const TREE = {
  type: "object",
  $defs: {
    node: { type: "object", properties: { kids: { type: "array", items: { $ref: "#/$defs/node" } } } },
  },
  properties: { root: { $ref: "#/$defs/node" } },
}

const tool = (name: string, inputSchema: unknown): NamespacedTool => ({
  name,
  server: "s",
  tool: { name, inputSchema } as NamespacedTool["tool"],
})

describe("normalizeSchema", () => {
  it("inlines local $refs, keeps sibling keywords and drops $defs and $schema", () => {
    const r = normalizeSchema(ROUTE, "anthropic")
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(JSON.stringify(r.schema)).not.toContain("$")
    expect(r.schema.properties).toEqual({
      from: ROUTE.$defs.point,
      to: { ...ROUTE.$defs.point, description: "end" },
    })
  })

  it("refuses a recursive schema with the ref it loops on", () => {
    expect(normalizeSchema(TREE, "openai")).toEqual({ ok: false, reason: "recursive $ref #/$defs/node" })
  })

  it("refuses external refs and non-object roots", () => {
    expect(
      normalizeSchema(
        { type: "object", properties: { a: { $ref: "https://x.example/s.json" } } },
        "anthropic",
      ),
    ).toMatchObject({ ok: false, reason: expect.stringContaining("external $ref") })
    expect(normalizeSchema({ type: "string" }, "anthropic")).toMatchObject({ ok: false })
    expect(normalizeSchema("nope", "anthropic")).toMatchObject({ ok: false })
  })

  it("P09: refuses a doubling $defs chain within the node budget, naming it, and keeps a smaller one", () => {
    // 13 levels: just over the budget; 32 levels: four billion nodes if nothing stopped it.
    for (const [levels, provider] of [
      [13, "anthropic"],
      [32, "anthropic"],
      [32, "openai"],
      [32, "google"],
    ] as const) {
      expect(normalizeSchema(schemaBomb(levels), provider)).toEqual({
        ok: false,
        reason: `input schema is too large once its $refs are inlined (over ${SCHEMA_BUDGET.nodes} objects and arrays)`,
      })
    }
    // 2^8 leaves: well inside the budget, inlined in full.
    const small = normalizeSchema(schemaBomb(8), "anthropic")
    expect(small.ok).toBe(true)
    if (small.ok) expect(JSON.stringify(small.schema).match(/"type":"string"/g)).toHaveLength(256)
  })

  it("P09: refuses a schema nested past the depth budget instead of overflowing the stack", () => {
    let deep: Record<string, unknown> = { type: "string" }
    for (let i = 0; i < 5_000; i++) deep = { type: "array", items: deep }
    expect(normalizeSchema({ type: "object", properties: { deep } }, "openai")).toEqual({
      ok: false,
      reason: `input schema is nested more than ${SCHEMA_BUDGET.depth} levels deep once its $refs are inlined`,
    })
  })

  it("adds type object and empty properties at the root", () => {
    expect(normalizeSchema({}, "openai")).toEqual({ ok: true, schema: { type: "object", properties: {} } })
  })

  it("drops root combinators for OpenAI but keeps them for Anthropic", () => {
    const s = { type: "object", properties: { a: { type: "string" } }, anyOf: [{ required: ["a"] }] }
    expect(normalizeSchema(s, "openai")).toEqual({
      ok: true,
      schema: { type: "object", properties: { a: { type: "string" } } },
    })
    expect(normalizeSchema(s, "anthropic")).toEqual({ ok: true, schema: s })
  })

  it("reduces schemas to Gemini's subset for Google", () => {
    const s = {
      type: "object",
      additionalProperties: false,
      properties: {
        when: { type: "string", format: "date-time", default: "now" },
        mail: { type: "string", format: "email", examples: ["a@b"] },
        mode: { const: "fast" },
        maybe: { type: ["string", "null"] },
        pick: { oneOf: [{ type: "string" }, { type: "number", exclusiveMinimum: 0 }] },
        map: { type: "object", additionalProperties: { type: "string" } },
      },
      required: ["when", "ghost"],
    }
    const r = normalizeSchema(s, "google")
    expect(r).toEqual({
      ok: true,
      schema: {
        type: "object",
        properties: {
          when: { type: "string", format: "date-time" },
          mail: { type: "string" },
          mode: { enum: ["fast"] },
          maybe: { type: "string", nullable: true },
          pick: { anyOf: [{ type: "string" }, { type: "number" }] },
          map: { type: "object" },
        },
        required: ["when"],
      },
    })
  })
})

describe("prepareTools", () => {
  it("leaves out a tool that cannot be normalised, naming it, and keeps the rest", () => {
    const p = prepareTools([tool("s__tree", TREE), tool("s__route", ROUTE)], "anthropic")
    expect(p.specs.map((t) => t.name)).toEqual(["s__route"])
    expect(p.skipped).toEqual([{ name: "s__tree", reason: "recursive $ref #/$defs/node" }])
  })

  it("P09: leaves out only the tool over the budget; the others are offered", () => {
    const p = prepareTools([tool("s__bomb", schemaBomb()), tool("s__route", ROUTE)], "openai")
    expect(p.specs.map((t) => t.name)).toEqual(["s__route"])
    expect(p.skipped).toEqual([
      { name: "s__bomb", reason: expect.stringContaining("too large once its $refs are inlined") },
    ])
  })

  it("gives over-long or odd names a provider-safe alias that maps back", () => {
    const long = `s__${"t".repeat(70)}`
    const p = prepareTools([tool(long, {}), tool("s__a.b", {})], "openai")
    const names = p.specs.map((t) => t.name)
    for (const n of names) expect(n).toMatch(/^[A-Za-z0-9_-]{1,64}$/)
    expect(p.byModelName.get(names[0]!)!.name).toBe(long)
    expect(p.byModelName.get("s__a_b")!.name).toBe("s__a.b")
  })
})
