import { parseModelSpec, toolCosts, type ToolCosts } from "../../agent/index.ts"
import { describeFilter, type FilteredTool, type NamespacedTool } from "../../mcp/index.ts"
import type { Session } from "../shared/connect.ts"
import { printJson, printRaw, printTable } from "../shared/output.ts"
import { firstLine } from "./render-content.ts"

// `agent mcp tools` output: the offered tools, the ones the config filters out (with the rule,
// so a user sees why a tool is missing) and, with --tokens, what each definition costs.

/** The model whose wire format --tokens measures: --model, $AGENT_MODEL, the config's, else Anthropic's. */
export const DEFAULT_TOKENS_MODEL = "anthropic:claude-sonnet-4-5"

export async function costsFor(s: Session, list: NamespacedTool[], model: string | undefined) {
  const spec = model ?? s.ctx.env.AGENT_MODEL ?? s.config?.model ?? DEFAULT_TOKENS_MODEL
  const parsed = parseModelSpec(spec.includes(":") ? spec : spec.replace("/", ":"))
  return { model: `${parsed.provider}:${parsed.modelId}`, costs: await toolCosts(list, parsed.provider) }
}

export function printTools(
  s: Session,
  list: NamespacedTool[],
  filtered: FilteredTool[],
  priced?: { model: string; costs: ToolCosts },
): void {
  const tokensOf = new Map(priced?.costs.tools.map((c) => [c.name, c.tokens]))
  if (s.ctx.output === "json") {
    printJson({
      tools: list.map((t) => ({
        name: t.name,
        server: t.server,
        tool: t.tool.name,
        title: t.tool.title ?? null,
        description: t.tool.description ?? null,
        inputSchema: t.tool.inputSchema,
        outputSchema: t.tool.outputSchema ?? null,
        annotations: t.tool.annotations ?? null,
        icons: t.tool.icons ?? null,
        // execution.taskSupport: "required" runs as a task always, "optional" with --task.
        execution: t.tool.execution ?? null,
        ...(priced && { tokens: tokensOf.get(t.name) ?? 0 }),
      })),
      filtered: filtered.map((f) => ({
        server: f.server,
        tool: f.tool.name,
        filtered: f.filtered,
      })),
      ...(priced && {
        tokens: {
          model: priced.model,
          provider: priced.costs.provider,
          method: priced.costs.method,
          total: priced.costs.total,
          servers: priced.costs.servers,
        },
      }),
    })
    return
  }
  if (list.length === 0 && filtered.length === 0) {
    printRaw("no tools")
    return
  }
  const rows = list.map((t) =>
    priced
      ? [t.name, String(tokensOf.get(t.name) ?? 0), firstLine(t.tool.description)]
      : [t.name, firstLine(t.tool.description)],
  )
  for (const f of filtered) {
    const why = `filtered by ${describeFilter(f.filtered)}`
    rows.push(priced ? [`${f.server}__${f.tool.name}`, "-", why] : [`${f.server}__${f.tool.name}`, why])
  }
  printTable(rows, priced ? ["TOOL", "TOKENS", "DESCRIPTION"] : ["TOOL", "DESCRIPTION"])
  if (!priced) return
  printRaw("")
  printTable(
    [
      ...priced.costs.servers.map((x) => [x.server, String(x.tools), String(x.tokens)]),
      ["total", String(list.length), String(priced.costs.total)],
    ],
    ["SERVER", "TOOLS", "TOKENS"],
  )
  printRaw(`${priced.model}: ${priced.costs.method}`)
}
