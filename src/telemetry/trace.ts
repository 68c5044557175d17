// The spans of one run (docs/telemetry.md): the run (or batch task) → server connects, model
// turns (GenAI semantic conventions) and MCP tool calls (MCP semantic conventions). They are
// built from what the run already reports (RunEvent, ServerState) plus one wrapper around the
// tool source, so the agent loop and the connection manager know nothing of tracing.
import type { RunEvent } from "../agent/index.ts"
import type { CallOptions, CallToolResult, NamespacedTool, ServerState } from "../mcp/index.ts"
import { redactSecrets, redactTokens } from "../util/secrets.ts"
import type { TelemetryConfig } from "./config.ts"
import {
  type Attrs,
  type Exporter,
  type SpanContext,
  type SpanData,
  SpanKind,
  nanos,
  randomHex,
} from "./otlp.ts"

/** The loop's tool source, as the tracer wraps it (structurally the agent's ToolSource). */
export interface TracedTools {
  list(): Promise<NamespacedTool[]>
  call(name: string, args: Record<string, unknown>, opts: CallOptions): Promise<CallToolResult>
}

export interface RunTrace {
  /** The W3C traceparent of the run's span (what a child process or server should join). */
  readonly traceparent: string
  /** The run's span (a batch task names it as parent); undefined when tracing is off. */
  readonly spanContext: SpanContext | undefined
  /** Feed every RunEvent of the run: turns become spans, the result ends the run's span. */
  onEvent(e: RunEvent): void
  /** Feed the manager's state changes: each connect becomes a span. */
  onServerState(s: ServerState): void
  /** The prompt (and system prompt), recorded only when content capture is on. */
  recordPrompt(prompt: string, system?: string): void
  /** The tool source with a span per call and the trace context in each request's `_meta`. */
  tools<T extends TracedTools>(source: T): T
  /** Ends the run's span (once; later calls do nothing): an error or a non-zero exit marks it failed. */
  end(outcome?: { exitCode?: number; error?: string }): void
}

export interface StartRunOptions {
  /** performance.now() when the run began (its span starts there). */
  startedAt?: number
  /** A batch's own trace: this run is one of its tasks. */
  parent?: RunTrace
  /** The batch task's id (the span is then `invoke_agent task`). */
  taskId?: string
  attributes?: Attrs
}

/** Bounds for captured content: a span attribute is not the place for a 10 MB tool result. */
const MAX_CONTENT = 16_384
const PROVIDERS: Record<string, string> = {
  anthropic: "anthropic",
  openai: "openai",
  google: "gcp.gemini",
  bedrock: "aws.bedrock",
}

class Span {
  readonly data: SpanData
  constructor(
    private readonly exporter: Exporter,
    name: string,
    kind: number,
    parent: SpanContext | undefined,
    attributes: Attrs,
    startedAt?: number,
  ) {
    this.data = {
      traceId: parent?.traceId ?? randomHex(16),
      spanId: randomHex(8),
      ...(parent?.traceState && { traceState: parent.traceState }),
      ...(parent && { parentSpanId: parent.spanId }),
      name,
      kind,
      startNs: nanos(startedAt),
      attributes: { ...attributes },
      events: [],
    }
  }
  get isEnded() {
    return this.data.endNs !== undefined
  }
  set(attrs: Attrs) {
    Object.assign(this.data.attributes, attrs)
  }
  event(name: string, attributes: Attrs = {}) {
    this.data.events.push({ name, timeNs: nanos(), attributes })
  }
  traceparent() {
    return `00-${this.data.traceId}-${this.data.spanId}-01`
  }
  end(error?: { type: string; message?: string }) {
    if (this.isEnded) return
    this.data.endNs = nanos()
    if (error) {
      this.data.attributes["error.type"] = error.type
      this.data.status = { code: 2, ...(error.message && { message: clean(error.message) }) }
    }
    // Never a secret (P03): every string leaving the process passes the run's redaction.
    for (const [k, v] of Object.entries(this.data.attributes)) {
      if (typeof v === "string") this.data.attributes[k] = clean(v)
      else if (Array.isArray(v)) this.data.attributes[k] = v.map(clean)
    }
    for (const e of this.data.events)
      for (const [k, v] of Object.entries(e.attributes)) if (typeof v === "string") e.attributes[k] = clean(v)
    this.exporter.add(this.data)
  }
}

function clean(s: string): string {
  return redactTokens(redactSecrets(s))
}

function content(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value)
  return text.length > MAX_CONTENT ? `${text.slice(0, MAX_CONTENT)}…` : text
}

export function startRun(exporter: Exporter, config: TelemetryConfig, o: StartRunOptions): RunTrace {
  const parent = o.parent ? o.parent.spanContext : config.parent
  const run = new Span(
    exporter,
    o.taskId === undefined ? "invoke_agent agent" : "invoke_agent task",
    SpanKind.internal,
    parent,
    {
      "gen_ai.operation.name": "invoke_agent",
      "gen_ai.agent.name": "agent",
      ...(o.taskId !== undefined && { "agentrt.task.id": o.taskId }),
      ...o.attributes,
    },
    o.startedAt,
  )
  const capture = config.isCapturingContent
  let model: { provider: string; id: string } | undefined
  let prompt: string | undefined
  let turn: { span: Span; text: string } | undefined
  const connects = new Map<string, Span>()
  const servers = new Map<string, Attrs>()

  const modelAttrs = (): Attrs =>
    model
      ? {
          "gen_ai.provider.name": model.provider,
          "gen_ai.system": model.provider,
          "gen_ai.request.model": model.id,
        }
      : {}

  const trace: RunTrace = {
    get traceparent() {
      return run.traceparent()
    },
    get spanContext() {
      const { traceId, spanId, traceState } = run.data
      return { traceId, spanId, ...(traceState && { traceState }) }
    },
    recordPrompt(text, system) {
      if (!capture) return
      prompt = JSON.stringify([
        ...(system ? [{ role: "system", parts: [{ type: "text", content: system }] }] : []),
        { role: "user", parts: [{ type: "text", content: text }] },
      ])
      run.set({ "gen_ai.input.messages": content(prompt) })
    },
    onEvent(e) {
      switch (e.type) {
        case "init": {
          const i = e.model.indexOf(":")
          const given = i > 0 ? e.model.slice(0, i) : "unknown"
          model = { provider: PROVIDERS[given] ?? given, id: i > 0 ? e.model.slice(i + 1) : e.model }
          run.set({ ...modelAttrs(), "agentrt.tools.count": e.tools.length })
          break
        }
        case "turn": {
          turn?.span.end()
          const span = new Span(exporter, `chat ${model?.id ?? ""}`.trim(), SpanKind.client, run.data, {
            "gen_ai.operation.name": "chat",
            ...modelAttrs(),
            "agentrt.turn": e.turn,
            ...(capture &&
              e.turn === 1 &&
              prompt !== undefined && { "gen_ai.input.messages": content(prompt) }),
          })
          turn = { span, text: "" }
          break
        }
        case "text":
          if (capture && turn) turn.text += e.delta
          break
        case "usage":
          if (!turn) break
          turn.span.set({
            "gen_ai.usage.input_tokens": e.usage.inputTokens,
            "gen_ai.usage.output_tokens": e.usage.outputTokens,
            "gen_ai.response.finish_reasons": [e.finishReason],
            ...(capture && {
              "gen_ai.output.messages": content([
                {
                  role: "assistant",
                  parts: turn.text ? [{ type: "text", content: turn.text }] : [],
                  finish_reason: e.finishReason,
                },
              ]),
            }),
          })
          turn.span.end()
          turn = undefined
          break
        case "tool_result":
          if (e.isRefused) run.event("tool refused", { "gen_ai.tool.name": e.name, "agentrt.turn": e.turn })
          break
        case "result":
          if (turn) turn.span.end({ type: e.exitReason, ...(e.error && { message: e.error }) })
          turn = undefined
          run.set({
            "agentrt.exit_reason": e.exitReason,
            "agentrt.exit_code": e.exitCode,
            "agentrt.turns": e.turns,
            "agentrt.tool_calls": e.toolCalls.length,
            "gen_ai.usage.input_tokens": e.usage.inputTokens,
            "gen_ai.usage.output_tokens": e.usage.outputTokens,
            ...(model === undefined && e.model && { "gen_ai.request.model": e.model }),
            ...(capture &&
              e.result && {
                "gen_ai.output.messages": content([
                  { role: "assistant", parts: [{ type: "text", content: e.result }] },
                ]),
              }),
          })
          trace.end({ exitCode: e.exitCode, ...(e.error && { error: e.error }) })
          break
      }
    },
    onServerState(s) {
      if (s.status === "connecting") {
        connects.get(s.name)?.end()
        const url = "url" in s.entry.server ? s.entry.server.url : undefined
        const addr = url ? address(url) : {}
        servers.set(s.name, { "agentrt.mcp.server": s.name, ...addr })
        connects.set(
          s.name,
          new Span(exporter, `initialize ${s.name}`, SpanKind.client, run.data, {
            "mcp.method.name": "initialize",
            "agentrt.mcp.server": s.name,
            ...addr,
          }),
        )
        return
      }
      const span = connects.get(s.name)
      if (!span) return
      connects.delete(s.name)
      if (s.status === "connected") {
        const attrs: Attrs = {
          "network.transport": s.transport === "stdio" ? "pipe" : "tcp",
          "agentrt.mcp.transport": s.transport,
          "mcp.protocol.version": s.protocolVersion,
        }
        servers.set(s.name, { ...servers.get(s.name), ...attrs })
        span.set({ ...attrs, "agentrt.mcp.tools": s.counts.tools })
        span.end()
      } else {
        const message = s.status === "failed" ? s.error : "reason" in s ? s.reason : undefined
        span.end({ type: s.status, ...(message && { message }) })
      }
    },
    tools(source) {
      const byName = new Map<string, NamespacedTool>()
      const traced: TracedTools = {
        async list() {
          const tools = await source.list()
          for (const t of tools) byName.set(t.name, t)
          return tools
        },
        async call(name, args, opts) {
          const t = byName.get(name)
          const tool = t?.tool.name ?? name
          const span = new Span(exporter, `tools/call ${tool}`, SpanKind.client, run.data, {
            "mcp.method.name": "tools/call",
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": tool,
            ...(t && servers.get(t.server)),
            ...(capture && { "gen_ai.tool.call.arguments": content(args) }),
          })
          // SEP-414: the trace context rides in the request's _meta (and, on HTTP, in headers: src/mcp).
          const meta = {
            ...opts.meta,
            traceparent: span.traceparent(),
            ...(span.data.traceState && { tracestate: span.data.traceState }),
          }
          try {
            const result = await source.call(name, args, { ...opts, meta })
            if (capture) span.set({ "gen_ai.tool.call.result": content(result.content) })
            span.end(result.isError ? { type: "tool_error" } : undefined)
            return result
          } catch (e: unknown) {
            span.end({ type: errorType(e), message: e instanceof Error ? e.message : String(e) })
            throw e
          }
        },
      }
      return Object.assign(Object.create(source), traced) as typeof source
    },
    end(outcome = {}) {
      if (run.isEnded) return
      for (const span of connects.values()) span.end({ type: "interrupted" })
      connects.clear()
      turn?.span.end({ type: "interrupted" })
      turn = undefined
      const isFailed = outcome.error !== undefined || (outcome.exitCode ?? 0) !== 0
      run.end(
        isFailed
          ? {
              type: String(run.data.attributes["agentrt.exit_reason"] ?? "error"),
              ...(outcome.error && { message: outcome.error }),
            }
          : undefined,
      )
    },
  }
  return trace
}

function address(url: string): Attrs {
  try {
    const u = new URL(url)
    const port = u.port ? Number(u.port) : u.protocol === "https:" ? 443 : 80
    return { "server.address": u.hostname, "server.port": port }
  } catch {
    return {}
  }
}

function errorType(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code
  if (typeof code === "string" && /^[a-z_]{1,32}$/i.test(code)) return code
  return e instanceof Error ? e.name : "error"
}
