// The span tree in process, against the OTLP receiver fixture: a batch's task spans under the
// batch span (the API the batch runner uses), a failed connect, a turn cut short by a model
// error, a tool call that throws, and one warning for a collector that refuses the spans.
import { describe, expect, it } from "bun:test"
import type { RunEvent } from "../../src/agent/index.ts"
import type { CallToolResult, NamespacedTool, ServerState } from "../../src/mcp/index.ts"
import { NO_TRACE, type TracedTools, startTelemetry, telemetryConfig } from "../../src/telemetry/index.ts"
import { otlpReceiver } from "../fixtures/otlp.ts"

const entry = { name: "s", file: "mcp.json", server: { command: "x" } } as unknown as ServerState["entry"]
const tool: NamespacedTool = {
  name: "s__t",
  server: "s",
  tool: { name: "t", inputSchema: { type: "object" } },
}
const report = (exitReason: "completed" | "model_error", exitCode: number, error?: string): RunEvent => ({
  type: "result",
  exitReason,
  exitCode,
  result: "",
  model: "openai:gpt-test",
  turns: 1,
  durationMs: 1,
  phases: { startupMs: 0, agentMs: 1 },
  usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 },
  toolCalls: [],
  refusals: [],
  servers: [],
  skippedTools: [],
  ...(error && { error }),
})

describe("telemetry spans", () => {
  it("puts each batch task's run under the batch span, in one trace", async () => {
    await using otlp = await otlpReceiver()
    const warnings: string[] = []
    const t = await startTelemetry(telemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url }), {
      warn: (m) => warnings.push(m),
      version: "1.0.0",
    })
    const batch = t.startRun({ attributes: { "agentrt.batch.tasks": 2 } })
    const a = t.startRun({ parent: batch, taskId: "a" })
    const b = t.startRun({ parent: batch, taskId: "b" })
    a.end()
    b.end({ exitCode: 1, error: "model request failed" })
    batch.end()
    await t.shutdown()
    expect(warnings).toEqual([])
    const root = otlp.spans.find((s) => s.name === "invoke_agent agent")!
    const tasks = otlp.spans.filter((s) => s.name === "invoke_agent task")
    expect(root.attributes["agentrt.batch.tasks"]).toBe(2)
    expect(
      tasks.map((s) => [s.attributes["agentrt.task.id"], s.parentSpanId, s.traceId, s.status.code]),
    ).toEqual([
      ["a", root.spanId, root.traceId, 0],
      ["b", root.spanId, root.traceId, 2],
    ])
    expect(batch.traceparent).toBe(`00-${root.traceId}-${root.spanId}-01`)
  })

  it("marks a failed connect, a turn cut by a model error and a tool call that threw as errors", async () => {
    await using otlp = await otlpReceiver()
    const t = await startTelemetry(telemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url }), {
      warn: () => {},
      version: "1.0.0",
    })
    const run = t.startRun()
    run.onServerState({ status: "connecting", name: "s", entry })
    run.onServerState({ status: "failed", name: "s", entry, error: "could not start x" })
    run.onEvent({ type: "init", model: "openai:gpt-test", servers: [], tools: [], skippedTools: [] })
    const source = run.tools<TracedTools>({
      list: async () => [tool],
      call: async (): Promise<CallToolResult> => {
        throw Object.assign(new Error("server s went away"), { code: "unavailable" })
      },
    })
    await source.list()
    await expect(source.call("s__t", {}, {})).rejects.toThrow("went away")
    run.onEvent({ type: "turn", turn: 1 })
    run.onEvent(report("model_error", 1, "model request failed: 500"))
    await t.shutdown()
    const by = (name: string) => otlp.spans.find((s) => s.name === name)!
    expect(by("initialize s").status).toEqual({ code: 2, message: "could not start x" })
    expect(by("initialize s").attributes["error.type"]).toBe("failed")
    expect(by("tools/call t").status.code).toBe(2)
    expect(by("tools/call t").attributes["error.type"]).toBe("unavailable")
    expect(by("chat gpt-test").attributes["gen_ai.provider.name"]).toBe("openai")
    expect(by("chat gpt-test").attributes["error.type"]).toBe("model_error")
    expect(by("invoke_agent agent").status).toEqual({ code: 2, message: "model request failed: 500" })
  })

  it("warns once when the collector refuses the spans, and never throws", async () => {
    await using otlp = await otlpReceiver({ status: 503 })
    const warnings: string[] = []
    const t = await startTelemetry(telemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url }), {
      warn: (m) => warnings.push(m),
      version: "1.0.0",
    })
    t.startRun().end()
    await t.shutdown()
    t.startRun().end()
    await t.shutdown()
    expect(otlp.requests).toHaveLength(2)
    expect(warnings).toEqual([
      `could not export traces to ${otlp.url}/v1/traces: HTTP 503; the run goes on without them`,
    ])
  })

  it("the no-op trace hands the tool source back unchanged", () => {
    const source = { list: async () => [], call: async () => ({ content: [] }) }
    expect(NO_TRACE.tools(source)).toBe(source)
  })
})
