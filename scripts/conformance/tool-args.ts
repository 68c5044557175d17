#!/usr/bin/env bun
// For the conformance adapter: the arguments a user would type, as JSON for `agent mcp call --json`.
// Reads only what the scenario hands a client (MCP_CONFORMANCE_CONTEXT) or what agent itself
// printed (`agent mcp tools --output json` on stdin); prints one `TOOL<TAB>ARGS` line per call.
//   bun tool-args.ts context        the context's toolCalls, in order
//   bun tool-args.ts listed         every listed tool, with a value of the right type for each required property
//   bun tool-args.ts echo FROM TO   a call of TO with {"schema": FROM's inputSchema as listed}
export {}

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; required?: string[] }
type Listed = { tools: { tool: string; inputSchema?: Schema }[] }

const mode = process.argv[2]
const out = (name: string, args: unknown) => console.log(`${name}\t${JSON.stringify(args)}`)
const sample: Record<string, unknown> = {
  string: "conformance",
  integer: 1,
  number: 1.5,
  boolean: true,
  object: {},
  array: [],
  null: null,
}

if (mode === "context") {
  const ctx = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT || "{}") as {
    toolCalls?: { name: string; arguments?: unknown }[]
  }
  for (const c of ctx.toolCalls ?? []) out(c.name, c.arguments ?? {})
} else {
  const listed = JSON.parse(await Bun.stdin.text()) as Listed
  if (mode === "listed") {
    for (const t of listed.tools) {
      const args: Record<string, unknown> = {}
      for (const key of t.inputSchema?.required ?? []) {
        const type = t.inputSchema?.properties?.[key]?.type
        args[key] = sample[String(Array.isArray(type) ? type[0] : (type ?? "string"))] ?? "conformance"
      }
      out(t.tool, args)
    }
  } else if (mode === "echo") {
    const [from, to] = process.argv.slice(3) as [string, string]
    const t = listed.tools.find((x) => x.tool === from)
    if (t) out(to, { schema: t.inputSchema })
  } else {
    console.error("usage: bun tool-args.ts context | listed | echo FROM TO")
    process.exit(2)
  }
}
