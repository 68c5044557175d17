import {
  OUTPUT_FORMATS,
  createModel,
  createPermissions,
  createWriter,
  loadRecording,
  managerToolSource,
  recordingModel,
  replayModel,
  resolveModelSpec,
  runAgent,
  type RunOutputFormat,
  type ServerStatus,
} from "../agent/index.ts"
import type { ServerState } from "../mcp/index.ts"
import { McpConnectError, UsageError } from "../util/errors.ts"
import { escapeTerminal } from "../util/text.ts"
import { command } from "./command.ts"
import { repeated } from "./context.ts"
import { connectArgs, missingRequired, positionals, withServers, type Session } from "./mcp-connect.ts"
import { writeStdout } from "./output.ts"

// `agent run [PROMPT | -]` (DESIGN §9): config → servers → manager → ToolSource → runAgent →
// writer. The exit code is the report's (0 done, 1 failed/turn limit, 3 refused under
// --strict-permissions, 124 timeout, 130 Ctrl-C); 2 for bad flags or a missing key, 5 when a
// `required` server is down.

const runArgs = {
  ...connectArgs,
  prompt: { type: "positional", required: false, valueHint: "PROMPT", description: "The task; `-` or nothing with piped stdin reads it from stdin" },
  model: { type: "string", alias: "m", valueHint: "PROVIDER:MODEL", description: "e.g. anthropic:claude-sonnet-4-5 (default: $AGENT_MODEL)" },
  "base-url": { type: "string", valueHint: "URL", description: "Provider endpoint (required for openai-compatible)" },
  system: { type: "string", valueHint: "TEXT", description: "System prompt" },
  "max-turns": { type: "string", valueHint: "N", description: "Stop after N model turns (default 25; exit 1)" },
  timeout: { type: "string", valueHint: "MS", description: "Stop the whole run after MS milliseconds (exit 124)" },
  "tool-timeout": { type: "string", valueHint: "MS", description: "Per tool call idle timeout, reset by progress" },
  "max-output-tokens": { type: "string", valueHint: "N", description: "Cap on each model response" },
  "max-tool-output": { type: "string", valueHint: "TOKENS", description: "Cut tool results past this many tokens (default 25000, ≈4 chars each)" },
  allow: { type: "string", valueHint: "PATTERN", description: "Allow tools matching server__tool (`*` wildcard; repeatable)" },
  deny: { type: "string", valueHint: "PATTERN", description: "Refuse tools matching server__tool (repeatable; beats --allow)" },
  yes: { type: "boolean", alias: "y", description: "Allow every tool no --deny rule refuses" },
  "strict-permissions": { type: "boolean", description: "A refused tool call ends the run with exit 3 instead of telling the model" },
  output: { type: "string", alias: "o", valueHint: "text|json|stream-json", description: "text (default), one JSON report, or one JSON event per line" },
  record: { type: "string", valueHint: "FILE", description: "Save the model side of the run as JSONL" },
  replay: { type: "string", valueHint: "FILE", description: "Answer from a recording instead of the provider (no key needed); tools run for real" },
} as const

export default command({
  name: "run",
  description: "Run an agent on a prompt with the configured MCP servers' tools",
  args: runArgs,
  examples: [
    'agent run --mcp mcp.json --model anthropic:claude-sonnet-4-5 --allow "fs__*" "summarise README.md"',
    "echo 'list open issues' | agent run -o stream-json --yes",
    "agent run --replay run.jsonl --yes 'same prompt as recorded'",
  ],
  async run({ args, rawArgs }) {
    const format = (args.output ?? "text") as RunOutputFormat
    if (!OUTPUT_FORMATS.includes(format)) throw new UsageError(`--output must be one of ${OUTPUT_FORMATS.join(", ")}, got "${escapeTerminal(format)}"`)
    const prompt = await readPrompt(positionals(args._, rawArgs)[0])
    const limits = {
      maxTurns: count(args["max-turns"], "--max-turns"),
      timeoutMs: count(args.timeout, "--timeout"),
      toolTimeoutMs: count(args["tool-timeout"], "--tool-timeout"),
      maxOutputTokens: count(args["max-output-tokens"], "--max-output-tokens"),
      maxToolOutputTokens: count(args["max-tool-output"], "--max-tool-output"),
    }
    // The connection flags mean what they mean for `agent mcp`; --timeout here is the run's.
    const connectFlags = { ...args, output: format === "text" ? "text" : "json", timeout: undefined }
    return withServers(connectFlags, rawArgs, {}, async (s) => {
      const down = missingRequired(s.states)
      if (down.length > 0) throw new McpConnectError(`required server ${down.map((d) => d.name).join(", ")} did not connect`)
      const { model, modelName } = await chooseModel(args, s)
      const writer = createWriter(format, { stdout: writeStdout, stderr: (l) => process.stderr.write(`${l}\n`) }, { isVerbose: Boolean(args.verbose) })
      const autoApprove = Object.fromEntries(s.states.map((x) => [x.name, x.entry.server.autoApprove ?? []]))
      const result = await runAgent({
        model,
        modelName,
        tools: managerToolSource(s.manager),
        prompt,
        system: args.system,
        ...limits,
        signal: s.signal,
        permissions: createPermissions({ allow: repeated(rawArgs, "allow"), deny: repeated(rawArgs, "deny"), autoApprove, isYes: Boolean(args.yes) }),
        isStrictPermissions: Boolean(args["strict-permissions"]),
        servers: s.states.map(serverStatus),
        onEvent: writer.onEvent,
      })
      return result.report.exitCode
    })
  },
})

async function chooseModel(args: { model?: string; "base-url"?: string; record?: string; replay?: string }, s: Session) {
  if (args.replay) {
    const rec = await loadRecording(args.replay)
    return { model: replayModel(rec), modelName: `${rec.provider}:${rec.modelId}` }
  }
  const spec = resolveModelSpec(args.model, s.ctx.env)
  const created = await createModel(spec, { baseUrl: args["base-url"], env: s.ctx.env })
  const model = args.record ? await recordingModel(created.model, args.record) : created.model
  return { model, modelName: spec }
}

async function readPrompt(arg: string | undefined): Promise<string> {
  if (arg !== undefined && arg !== "-") return arg
  if (arg === undefined && process.stdin.isTTY) {
    throw new UsageError("no prompt", { hint: 'agent run "what to do", or pipe it: echo "…" | agent run -' })
  }
  const text = (await new Response(Bun.stdin.stream()).text()).trim()
  if (!text) throw new UsageError("the prompt on stdin is empty")
  return text
}

function count(raw: string | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive whole number, got "${escapeTerminal(raw)}"`)
  return n
}

function serverStatus(s: ServerState): ServerStatus {
  return {
    name: s.name,
    status: s.status,
    ...(s.status === "connected" ? { transport: s.transport, tools: s.counts.tools } : {}),
    ...(s.status === "failed" ? { error: s.error } : s.status === "needs_approval" ? { error: s.reason } : s.status === "needs_auth" ? { error: `needs sign-in: ${s.url}` } : {}),
  }
}
