// Real parts for agent tests: the connection manager on the stdio fixture server, wrapped in a
// ToolSource that notes when each call started and ended (overlap, not timing, proves concurrency).
import { createAnthropic } from "@ai-sdk/anthropic"
import { createOpenAI } from "@ai-sdk/openai"
import { managerToolSource, type RunEvent } from "../../src/agent/index.ts"
import type { ToolSource } from "../../src/agent/tools.ts"
import type { NamespacedTool } from "../../src/mcp/index.ts"
import type { FakeModel } from "../fixtures/model/server.ts"
import { manager, stdio } from "../mcp/helpers.ts"

export interface TimedCall {
  name: string
  args: Record<string, unknown>
  start: number
  end: number
}

export interface FixtureTools extends AsyncDisposable {
  source: ToolSource
  tools: NamespacedTool[]
  calls: TimedCall[]
  /** The namespaced name of the fixture's `tool`. */
  nameOf(tool: string): string
}

export async function fixtureTools(server = "srv"): Promise<FixtureTools> {
  const m = await manager([stdio(server, "stdio-basic.ts")])
  await m.connect()
  const inner = managerToolSource(m)
  const tools = await m.tools()
  const calls: TimedCall[] = []
  const source: ToolSource = {
    list: () => inner.list(),
    async call(name, args, opts) {
      const start = performance.now()
      try {
        return await inner.call(name, args, opts)
      } finally {
        calls.push({ name, args, start, end: performance.now() })
      }
    },
  }
  return {
    source,
    tools,
    calls,
    nameOf(tool) {
      const t = tools.find((x) => x.tool.name === tool)
      if (!t) throw new Error(`fixture has no tool ${tool}`)
      return t.name
    },
    [Symbol.asyncDispose]: () => m.close(),
  }
}

export const anthropicModel = (srv: FakeModel) =>
  createAnthropic({ baseURL: srv.anthropicBaseUrl, apiKey: "test" })("claude-test")
export const openaiModel = (srv: FakeModel) =>
  createOpenAI({ baseURL: srv.openaiBaseUrl, apiKey: "test" }).chat("gpt-test")

export function eventLog() {
  const events: RunEvent[] = []
  return {
    events,
    onEvent: (e: RunEvent) => void events.push(e),
    ofType: <T extends RunEvent["type"]>(t: T) =>
      events.filter((e): e is Extract<RunEvent, { type: T }> => e.type === t),
  }
}
