// OpenTelemetry on the compiled binary (docs/telemetry.md): `agent run` with the standard
// OTEL_* variables sends its spans to a local OTLP receiver (tests/fixtures/otlp.ts), which
// decodes them: the run, each server connect, each model turn (GenAI conventions) and each
// tool call (MCP conventions), with the right parents and kinds. Content only on opt-in, never
// a secret; the trace context reaches MCP servers (stdio: _meta; HTTP: _meta and headers).
import { describe, expect, it } from "bun:test"
import { fakeModel } from "../fixtures/model/server.ts"
import { otlpReceiver, type ReceivedSpan } from "../fixtures/otlp.ts"
import { startStatelessServer } from "../fixtures/servers/http-stateless.ts"
import { BUN } from "../helpers/cli.ts"
import { refusedPort, silentServer } from "../helpers/ports.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { AGENT_SERVER, config, events, modelEnv, report, run } from "./run-helpers.ts"

const MODEL = ["-m", "anthropic:claude-test"]
const PROMPT = "prompt-marker-7f3a: look things up"
const ARG = "argument-marker-91bc"
const ANSWER = "answer-marker-c0de"
const CANARY = "sk-canary-otel-1234567890"

const byName = (spans: ReceivedSpan[], prefix: string) => spans.filter((s) => s.name.startsWith(prefix))
const traceparentOf = (s: ReceivedSpan) => `00-${s.traceId}-${s.spanId}-01`

describe("compiled binary: OpenTelemetry traces", () => {
  it("exports the run, connects, turns and tool calls with their parents; no content by default; traceparent reaches stdio and HTTP servers", async () => {
    await using t = await tmpdir()
    await using otlp = await otlpReceiver()
    await using web = await startStatelessServer()
    const file = await config(t, {
      srv: { command: BUN, args: [AGENT_SERVER], env: { TRACE_TOOL: "1" } },
      web: { url: web.url },
    })
    await using srv = await fakeModel([
      {
        text: "Looking. ",
        toolCalls: [
          { name: "srv__trace_context", args: { note: ARG } },
          { name: "web__echo", args: { text: ARG } },
        ],
        usage: { input: 120, output: 30 },
      },
      { text: ANSWER, usage: { input: 200, output: 12 } },
    ])
    const r = await run(t, ["--mcp", file, ...MODEL, "--yes", "-o", "stream-json", PROMPT], {
      ...modelEnv(srv),
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_EXPORTER_OTLP_HEADERS: "x-collector-key=k%3Dv,x-team=agents",
      OTEL_SERVICE_NAME: "triage-bot",
      OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=ci,service.name=ignored",
    })
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    const list = events(r)

    // What went over the wire: OTLP/HTTP JSON at /v1/traces, with the configured headers.
    expect(otlp.requests.length).toBeGreaterThan(0)
    for (const q of otlp.requests) {
      expect(q.path).toBe("/v1/traces")
      expect(q.contentType).toBe("application/json")
      expect(q.headers["x-collector-key"]).toBe("k=v")
      expect(q.headers["x-team"]).toBe("agents")
    }
    const spans = otlp.spans
    expect(spans[0]!.resource).toMatchObject({ "service.name": "triage-bot", "deployment.environment": "ci" })
    expect(spans[0]!.scope.name).toBe("agentrt")
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1)

    const [root, ...others] = byName(spans, "invoke_agent")
    expect(others).toEqual([])
    expect(root).toMatchObject({ name: "invoke_agent agent", kind: 1, status: { code: 0 } })
    expect(root!.parentSpanId).toBeUndefined()
    expect(root!.attributes).toMatchObject({
      "gen_ai.operation.name": "invoke_agent",
      "gen_ai.provider.name": "anthropic",
      "gen_ai.request.model": "claude-test",
      "gen_ai.usage.input_tokens": 320,
      "gen_ai.usage.output_tokens": 42,
      "agentrt.exit_reason": "completed",
      "agentrt.exit_code": 0,
      "agentrt.turns": 2,
      "agentrt.tool_calls": 2,
    })
    // Every other span is a child of the run, and lies within it.
    expect(spans.length).toBe(1 + 2 + 2 + 2)
    for (const s of spans.filter((s) => s !== root)) {
      expect(s.parentSpanId).toBe(root!.spanId)
      expect(s.start).toBeGreaterThanOrEqual(root!.start)
      expect(s.end).toBeLessThanOrEqual(root!.end)
      expect(s.end).toBeGreaterThanOrEqual(s.start)
    }

    const connects = byName(spans, "initialize ").sort((a, b) => a.name.localeCompare(b.name))
    expect(connects.map((s) => [s.name, s.kind, s.status.code])).toEqual([
      ["initialize srv", 3, 0],
      ["initialize web", 3, 0],
    ])
    expect(connects[0]!.attributes).toMatchObject({
      "mcp.method.name": "initialize",
      "agentrt.mcp.server": "srv",
      "network.transport": "pipe",
    })
    expect(connects[1]!.attributes).toMatchObject({
      "agentrt.mcp.server": "web",
      "network.transport": "tcp",
      "server.address": "127.0.0.1",
      "server.port": Number(new URL(web.url).port),
    })
    expect(typeof connects[1]!.attributes["mcp.protocol.version"]).toBe("string")

    const turns = byName(spans, "chat ").sort(
      (a, b) => Number(a.attributes["agentrt.turn"]) - Number(b.attributes["agentrt.turn"]),
    )
    expect(turns.map((s) => [s.name, s.kind])).toEqual([
      ["chat claude-test", 3],
      ["chat claude-test", 3],
    ])
    expect(turns[0]!.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "anthropic",
      "gen_ai.system": "anthropic",
      "gen_ai.request.model": "claude-test",
      "gen_ai.usage.input_tokens": 120,
      "gen_ai.usage.output_tokens": 30,
      "gen_ai.response.finish_reasons": ["tool-calls"],
    })
    expect(turns[1]!.attributes["gen_ai.response.finish_reasons"]).toEqual(["stop"])

    const calls = byName(spans, "tools/call ").sort((a, b) => a.name.localeCompare(b.name))
    expect(calls.map((s) => [s.name, s.kind, s.status.code])).toEqual([
      ["tools/call echo", 3, 0],
      ["tools/call trace_context", 3, 0],
    ])
    const [echo, traced] = calls as [ReceivedSpan, ReceivedSpan]
    expect(traced.attributes).toMatchObject({
      "mcp.method.name": "tools/call",
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.name": "trace_context",
      "agentrt.mcp.server": "srv",
      "network.transport": "pipe",
    })
    expect(echo.attributes).toMatchObject({ "gen_ai.tool.name": "echo", "agentrt.mcp.server": "web" })

    // No content unless asked for: not the prompt, the arguments, the results nor the answer.
    for (const q of otlp.requests)
      for (const marker of [PROMPT, ARG, ANSWER, "Looking."]) expect(q.body).not.toContain(marker)
    for (const s of spans)
      for (const key of Object.keys(s.attributes)) expect(key).not.toMatch(/messages|arguments|result$/)

    // SEP-414: the stdio server saw its tool span's traceparent in _meta…
    const result = list.find((e) => e.type === "tool_result" && e.name === "srv__trace_context")
    expect(result?.type === "tool_result" && JSON.parse(result.content)).toEqual({
      traceparent: traceparentOf(traced),
      tracestate: null,
    })
    // …and the HTTP server in _meta and as the traceparent header, on the tools/call only.
    const posts = web.requests.filter((q) => q.rpcMethod === "tools/call")
    expect(posts.map((q) => [q.traceparent, q.metaTraceparent])).toEqual([
      [traceparentOf(echo), traceparentOf(echo)],
    ])
    expect(web.requests.filter((q) => q.rpcMethod !== "tools/call").map((q) => q.traceparent)).not.toContain(
      traceparentOf(echo),
    )
  }, 60_000)

  it("captures prompts, answers, tool arguments and results only with the opt-in, and never a secret (P03)", async () => {
    await using t = await tmpdir()
    await using otlp = await otlpReceiver()
    const file = await config(t, {
      srv: { command: BUN, args: [AGENT_SERVER], env: { TRACE_TOOL: "1", KEY: "${CANARY_KEY}" } },
    })
    await using srv = await fakeModel([
      {
        toolCalls: [
          { name: "srv__trace_context", args: { token: CANARY } },
          { name: "srv__echo", args: { text: ARG } },
        ],
      },
      { text: ANSWER },
    ])
    const r = await run(
      t,
      ["--mcp", file, "--approve-env", "CANARY_KEY", ...MODEL, "--yes", "-o", "json", PROMPT],
      {
        ...modelEnv(srv),
        CANARY_KEY: CANARY,
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${otlp.url}/v1/traces`,
        OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: "true",
      },
    )
    expect(r.code).toBe(0)
    expect(report(r).toolCalls).toHaveLength(2)
    const bodies = otlp.requests.map((q) => q.body).join("\n")
    expect(bodies).not.toContain(CANARY)
    expect(bodies).not.toContain("canary-otel-1234567890")

    const root = byName(otlp.spans, "invoke_agent")[0]!
    expect(JSON.parse(String(root.attributes["gen_ai.input.messages"]))).toEqual([
      { role: "user", parts: [{ type: "text", content: PROMPT }] },
    ])
    expect(String(root.attributes["gen_ai.output.messages"])).toContain(ANSWER)
    const [first, second] = byName(otlp.spans, "chat ").sort(
      (a, b) => Number(a.attributes["agentrt.turn"]) - Number(b.attributes["agentrt.turn"]),
    )
    expect(String(first!.attributes["gen_ai.input.messages"])).toContain(PROMPT)
    expect(String(second!.attributes["gen_ai.output.messages"])).toContain(ANSWER)
    const calls = byName(otlp.spans, "tools/call ")
    const echo = calls.find((s) => s.attributes["gen_ai.tool.name"] === "echo")!
    expect(JSON.parse(String(echo.attributes["gen_ai.tool.call.arguments"]))).toEqual({ text: ARG })
    expect(String(echo.attributes["gen_ai.tool.call.result"])).toContain(ARG)
    const traced = calls.find((s) => s.attributes["gen_ai.tool.name"] === "trace_context")!
    // The secret in the model's arguments is replaced by the variable's name, not dropped silently.
    expect(JSON.parse(String(traced.attributes["gen_ai.tool.call.arguments"]))).toEqual({
      token: "[redacted:CANARY_KEY]",
    })
  }, 60_000)

  it("is off without an endpoint, with OTEL_SDK_DISABLED=true and with OTEL_TRACES_EXPORTER=none", async () => {
    await using t = await tmpdir()
    await using otlp = await otlpReceiver()
    const file = await config(t)
    const cases: Record<string, string>[] = [
      { OTEL_EXPORTER_OTLP_HEADERS: "x-a=b", OTEL_SERVICE_NAME: "nothing" },
      { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_SDK_DISABLED: "true" },
      { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_TRACES_EXPORTER: "none" },
    ]
    for (const extra of cases) {
      await using srv = await fakeModel([
        { toolCalls: [{ name: "srv__echo", args: { text: "x" } }] },
        { text: "ok" },
      ])
      const r = await run(t, ["--mcp", file, ...MODEL, "--yes", "-o", "json", "hi"], {
        ...modelEnv(srv),
        ...extra,
      })
      expect(r.code).toBe(0)
      expect(r.stderr).not.toContain("telemetry")
    }
    expect(otlp.requests).toEqual([])
  }, 60_000)

  it("an unreachable collector costs one warning on stderr, never the run", async () => {
    await using t = await tmpdir()
    using dead = refusedPort()
    const file = await config(t)
    await using srv = await fakeModel([
      { toolCalls: [{ name: "srv__echo", args: { text: "x" } }] },
      { text: "ok" },
    ])
    const r = await run(t, ["--mcp", file, ...MODEL, "--yes", "-o", "json", "hi"], {
      ...modelEnv(srv),
      OTEL_EXPORTER_OTLP_ENDPOINT: `${dead.url}/collector?key=hidden-query-value`,
    })
    expect(r.code).toBe(0)
    expect(report(r).exitReason).toBe("completed")
    const warnings = r.stderr.split("\n").filter((l) => l.includes("could not export traces"))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(`${dead.url}/collector`)
    expect(r.stderr).not.toContain("hidden-query-value")
    // -q silences it, as it does every warning.
    await using again = await fakeModel([{ text: "ok" }])
    const quiet = await run(t, ["--mcp", file, ...MODEL, "-q", "-o", "json", "hi"], {
      ...modelEnv(again),
      OTEL_EXPORTER_OTLP_ENDPOINT: dead.url,
    })
    expect(quiet.code).toBe(0)
    expect(quiet.stderr).toBe("")
  }, 60_000)

  it("a collector that never answers costs one warning too, and the run still ends with its report", async () => {
    await using t = await tmpdir()
    await using silent = await silentServer()
    const file = await config(t)
    await using srv = await fakeModel([{ text: "ok" }])
    const r = await run(t, ["--mcp", file, ...MODEL, "--yes", "-o", "json", "hi"], {
      ...modelEnv(srv),
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: silent.url,
    })
    expect(r.code).toBe(0)
    expect(report(r).result).toBe("ok")
    expect(silent.sockets.length).toBeGreaterThan(0)
    const warnings = r.stderr.split("\n").filter((l) => l.includes("could not export traces"))
    expect(warnings).toEqual([expect.stringContaining("no answer in time")])
  }, 60_000)
})

describe("compiled binary: OpenTelemetry traces of a batch", () => {
  it("a span for the batch, one per task under it, and each task's turns and tool calls under its task", async () => {
    await using t = await tmpdir()
    await using otlp = await otlpReceiver()
    const file = await config(t, { srv: { command: BUN, args: [AGENT_SERVER] } })
    const tasks = await t.write(
      "tasks.jsonl",
      `${JSON.stringify({ id: "one", prompt: "first" })}\n${JSON.stringify({ id: "two", prompt: "second" })}\n`,
    )
    await using srv = await fakeModel([
      { toolCalls: [{ name: "srv__echo", args: { text: ARG } }] },
      { text: "done one" },
      { toolCalls: [{ name: "srv__echo", args: { text: ARG } }] },
      { text: "done two" },
    ])
    const r = await run(
      t,
      ["--batch", tasks, "--concurrency", "1", "--mcp", file, ...MODEL, "--yes", "--results", "out.jsonl"],
      { ...modelEnv(srv), OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url },
    )
    expect(r.code).toBe(0)
    const spans = otlp.spans
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1)
    const runs = byName(spans, "invoke_agent")
    const batch = runs.filter((s) => s.parentSpanId === undefined)
    expect(batch).toHaveLength(1)
    const taskSpans = runs.filter((s) => s.parentSpanId === batch[0]!.spanId)
    expect(taskSpans.map((s) => s.name)).toEqual(["invoke_agent task", "invoke_agent task"])
    expect(taskSpans.map((s) => s.attributes["agentrt.task.id"]).sort()).toEqual(["one", "two"])
    const taskIds = new Set(taskSpans.map((s) => s.spanId))
    const calls = byName(spans, "tools/call")
    expect(calls).toHaveLength(2)
    for (const c of calls) expect(taskIds.has(c.parentSpanId!)).toBe(true)
    expect(new Set(calls.map((c) => c.parentSpanId)).size).toBe(2) // one call under each task
    for (const turn of byName(spans, "chat")) expect(taskIds.has(turn.parentSpanId!)).toBe(true)
    expect(byName(spans, "chat")).toHaveLength(4)
    // The servers connect once, for the batch.
    for (const c of byName(spans, "initialize")) expect(c.parentSpanId).toBe(batch[0]!.spanId)
  }, 60_000)
})
