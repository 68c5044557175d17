import { parseJsonText } from "../../config/index.ts"
import {
  type CallOptions,
  handleText,
  McpTimeoutError,
  type NamespacedTool,
  saveHandle,
  type TaskHandle,
  ToolFilteredError,
} from "../../mcp/index.ts"
import { UsageError } from "../../util/errors.ts"
import { escapeTerminal } from "../../util/text.ts"
import { command } from "../command.ts"
import { keyValues } from "../shared/context.ts"
import { connectArgs, connectedServer, positionals, withServers, type Session } from "../shared/connect.ts"
import { firstLine } from "./render-content.ts"
import { printJson, printRaw } from "../shared/output.ts"
import { handleJson, printCallResult, taskReporter } from "./call-output.ts"
import { DEFAULT_TOKENS_MODEL, costsFor, printTools } from "./tools-view.ts"
import { didYouMean } from "../../util/suggest.ts"
import { callProgress } from "../shared/call-progress.ts"

// `agent mcp tools [NAME]` and `agent mcp call SERVER TOOL`.

const argFlags = {
  arg: {
    type: "string",
    valueHint: "KEY=VALUE",
    description:
      "An argument (repeatable); numbers, true/false, null, objects and arrays are read as JSON, anything else as a string",
  },
} as const

export const tools = command({
  name: "tools",
  description:
    "List the tools of every connected server (or of NAME) as the model sees them (server__tool); json adds title, schemas, annotations, icons and execution",
  args: {
    ...connectArgs,
    server: { type: "positional", required: false, valueHint: "NAME", description: "Only this server" },
    tokens: {
      type: "boolean",
      description:
        "Add the estimated tokens each tool's and server's definitions cost the model, and the total",
    },
    model: {
      type: "string",
      valueHint: "PROVIDER:MODEL",
      description: `Whose wire format --tokens measures (default: $AGENT_MODEL, the config's model, ${DEFAULT_TOKENS_MODEL})`,
    },
  },
  examples: [
    "agent mcp tools --mcp mcp.example.json",
    "agent mcp tools --tokens --model openai:gpt-5 --mcp mcp.example.json",
    "agent mcp tools everything --output json",
    "agent mcp tools -- bun server.ts",
    "# exit 5 when NAME (or the ad hoc server) did not connect, 4 when it needs sign-in, 3 approval",
  ],
  run({ args, rawArgs }) {
    const [name] = positionals(args._, rawArgs)
    return withServers(args, rawArgs, { only: name }, async (s) => {
      oneOrAll(s, name)
      const list = (await s.manager.tools()).filter((t) => name === undefined || t.server === name)
      const filtered = (await s.manager.filteredTools()).filter(
        (t) => name === undefined || t.server === name,
      )
      const priced = args.tokens ? await costsFor(s, list, args.model) : undefined
      printTools(s, list, filtered, priced)
    })
  },
})

/**
 * NAME (or the ad hoc server) must be connected, else its exit code (3 approval, 4 sign-in, 5 down);
 * without one, the servers that did not connect are warned about and the others listed.
 */
export function oneOrAll(s: Session, name: string | undefined): void {
  if (name !== undefined || s.isAdhoc) connectedServer(s, name ?? s.states[0]!.name)
  else warnNotConnected(s)
}

/** Servers that did not connect, on stderr, so a shorter list is not mistaken for the whole. */
export function warnNotConnected(s: Session): void {
  for (const x of s.states) {
    if (x.status === "connected" || x.status === "disabled") continue
    const why =
      x.status === "failed"
        ? x.error
        : x.status === "needs_approval"
          ? "needs approval"
          : x.status === "needs_auth"
            ? "needs sign-in"
            : x.status === "blocked"
              ? "blocked by policy"
              : x.status
    s.ctx.log.warn(escapeTerminal(`${x.name}: not connected (${why}); its items are not listed`))
  }
}

export const call = command({
  name: "call",
  description: "Call one tool and print its result (json: the raw CallToolResult); progress goes to stderr",
  args: {
    ...connectArgs,
    ...argFlags,
    json: {
      type: "string",
      valueHint: "'{…}'",
      description: "Arguments as a JSON object, merged with --arg (--arg wins)",
    },
    "max-output": {
      type: "string",
      valueHint: "CHARS",
      description:
        "Print at most this many characters of the result (json: of its text and base64 data; items that do not fit are left out); a line on stderr says what was cut; the exit code stays the tool's",
    },
    task: {
      type: "boolean",
      description:
        'Run the tool as an MCP task when it allows one (execution.taskSupport "optional"; "required" ones always are): status on stderr, Ctrl-C cancels it',
    },
    detach: {
      type: "boolean",
      description:
        "With --task: start the task, print its handle (SERVER/TASKID) and exit 0; collect it later with `agent mcp task`",
    },
    server: {
      type: "positional",
      required: false,
      valueHint: "SERVER",
      description: "The server (may be omitted with an ad hoc --url or -- COMMAND)",
    },
    tool: {
      type: "positional",
      required: false,
      valueHint: "TOOL",
      description: "The tool's own name (not server__tool)",
    },
  },
  examples: [
    "agent mcp call everything echo --arg message=hi --mcp mcp.example.json",
    'agent mcp call everything get-sum --json \'{"a": 1, "b": 2}\' --mcp mcp.example.json',
    "agent mcp call echo --arg text=hi -- bun server.ts           # ad hoc: SERVER omitted",
    "agent mcp call api search --arg q=mcp --timeout 30000 --output json",
    "agent mcp call api search --arg q=mcp --max-output 2000   # scripts: cap what is printed",
    "agent mcp call everything simulate-research-query --arg topic=python --mcp mcp.example.json   # a task",
    "agent mcp call api report --arg month=11 --task --detach   # prints api/<task id>; see agent mcp task",
    "# exit 0 ok; 1 the tool returned isError (its content on stderr); 2 bad arguments or unknown tool;",
    "#   3 needs approval; 4 needs sign-in; 5 server unavailable, or no answer within --timeout",
    "#   (idle time, reset by progress; notifications/cancelled is sent); 130 Ctrl-C (server stopped)",
  ],
  run({ args, rawArgs }) {
    const pos = positionals(args._, rawArgs)
    const isAdhoc = args.url !== undefined || rawArgs.includes("--")
    const [server, toolName] = isAdhoc && pos.length === 1 ? [undefined, pos[0]] : pos
    if (toolName === undefined)
      throw new UsageError("usage: agent mcp call SERVER TOOL [--arg KEY=VALUE]… [--json '{…}']")
    if (pos.length > 2)
      throw new UsageError(`unexpected argument "${escapeTerminal(pos[2]!)}"`, {
        hint: "pass arguments with --arg KEY=VALUE or --json '{…}'",
      })
    const input = toolArguments(rawArgs, args.json)
    const maxOutput = positiveCount(args["max-output"], "--max-output")
    if (args.detach && !args.task)
      throw new UsageError("--detach needs --task", { hint: "agent mcp call SERVER TOOL --task --detach" })
    return withServers(args, rawArgs, { only: server, isSingle: true }, async (s) => {
      const c = connectedServer(s, server ?? s.states[0]!.name)
      const tool = (await s.manager.tools()).find((t) => t.server === c.name && t.tool.name === toolName)
      if (!tool) throw (await filteredError(s, c.name, toolName)) ?? (await noSuchTool(s, c.name, toolName))
      const filled = fillDefaults(tool, input)
      if (args.verbose && filled.length)
        s.ctx.log.info(
          escapeTerminal(
            `using the schema's default for ${filled.map((k) => `${k}=${JSON.stringify(input[k])}`).join(", ")}`,
          ),
        )
      checkRequired(tool, input)
      // -q silences progress like every other informational line (log level below info).
      const progress =
        s.ctx.log.level >= 3
          ? callProgress(c.name, {
              write: (x) => process.stderr.write(x),
              isTty: Boolean(process.stderr.isTTY),
              columns: process.stderr.columns,
            })
          : undefined
      const co = {
        signal: s.signal,
        ...(s.timeoutMs !== undefined && { timeoutMs: s.timeoutMs }),
        onProgress: (p: { progress: number; total?: number; message?: string }) => progress?.update(p),
        ...(args.task && { task: "prefer" as const }),
        onTask: taskReporter(s),
      }
      if (args.detach) return detach(s, c.name, toolName, input, co).finally(() => progress?.done())
      const result = await s.manager
        .callTool(c.name, toolName, input, co)
        .catch((e: unknown) => {
          throw callError(e, s)
        })
        .finally(() => progress?.done())
      return printCallResult(s, result, toolName, c.name, maxOutput)
    })
  },
})

/**
 * `--task --detach`: start the task and keep its handle in the state dir, for `agent mcp task` in
 * another process. A stdio server stops when we exit, and its tasks with it: refused up front.
 */
async function detach(
  s: Session,
  server: string,
  tool: string,
  input: Record<string, unknown>,
  co: CallOptions,
): Promise<number | void> {
  const state = s.manager.state(server)
  if (state?.status === "connected" && state.transport === "stdio")
    throw new UsageError(`server "${server}" is a stdio server: its tasks end when this command does`, {
      hint: "drop --detach (the call waits for the task), or run the server over HTTP",
    })
  if (
    s.manager.taskSupport(server, tool) === "forbidden" &&
    state?.status === "connected" &&
    state.protocolVersion < "2026-07-28"
  )
    throw new UsageError(`tool ${tool} on "${server}" does not run as a task (execution.taskSupport)`, {
      hint: "call it without --task --detach",
    })
  const started = await s.manager.startTask(server, tool, input, co).catch((e: unknown) => {
    throw callError(e, s)
  })
  if (started.kind === "result") {
    s.ctx.log.info(`server "${escapeTerminal(server)}" answered at once; no task to detach`)
    return printCallResult(s, started.result, tool, server)
  }
  const t = started.task
  const now = new Date().toISOString()
  const h: TaskHandle = {
    handle: handleText(server, t.taskId),
    server,
    taskId: t.taskId,
    tool,
    file: s.isAdhoc ? "(command line)" : (state?.entry.file ?? ""),
    protocolVersion: state?.status === "connected" ? state.protocolVersion : "",
    createdAt: t.createdAt ?? now,
    status: t.status,
    ...(t.statusMessage !== undefined && { statusMessage: t.statusMessage }),
    updatedAt: now,
  }
  await saveHandle(s.ctx.paths.stateDir, h)
  if (s.ctx.output === "json") printJson(handleJson(h, t))
  else printRaw(h.handle)
  s.ctx.log.info(escapeTerminal(`collect it with: agent mcp task wait ${h.handle}`))
}

function positiveCount(raw: string | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag} must be a positive whole number, got "${escapeTerminal(raw)}"`)
  return n
}

/** `--arg k=v` values: JSON when they look like JSON, else the string as typed. */
export function parseArgValue(raw: string): unknown {
  if (/^\s*(-?\d|true\s*$|false\s*$|null\s*$|[{["])/.test(raw)) {
    try {
      return JSON.parse(raw)
    } catch {
      return raw // looked like JSON but is not (e.g. "1.2.3"): the user meant the string
    }
  }
  return raw
}

function toolArguments(rawArgs: string[], json: string | undefined): Record<string, unknown> {
  let base: Record<string, unknown> = {}
  if (json !== undefined) {
    const value = parseJsonText(json, { file: "--json" }).value
    if (value === null || typeof value !== "object" || Array.isArray(value))
      throw new UsageError('--json must be a JSON object, e.g. \'{"text": "hi"}\'')
    base = value as Record<string, unknown>
  }
  return { ...base, ...keyValues(rawArgs, parseArgValue) }
}

/** Minimal check before sending: every required property is present (the server validates the rest). */
/**
 * Required arguments the schema gives a `default` for, filled in (playwright's
 * browser_take_screenshot requires `scale` yet defaults it). Returns the keys it filled.
 */
function fillDefaults(t: NamespacedTool, input: Record<string, unknown>): string[] {
  const schema = t.tool.inputSchema as {
    required?: unknown
    properties?: Record<string, { default?: unknown }>
  }
  const required = Array.isArray(schema.required)
    ? schema.required.filter((k): k is string => typeof k === "string")
    : []
  const filled = required.filter(
    (k) => !Object.hasOwn(input, k) && schema.properties?.[k]?.default !== undefined,
  )
  for (const k of filled) input[k] = schema.properties![k]!.default
  return filled
}

function checkRequired(t: NamespacedTool, input: Record<string, unknown>): void {
  const schema = t.tool.inputSchema as {
    required?: unknown
    properties?: Record<string, { type?: unknown; description?: string }>
  }
  const required = Array.isArray(schema.required)
    ? schema.required.filter((k): k is string => typeof k === "string")
    : []
  const missing = required.filter((k) => !Object.hasOwn(input, k))
  if (missing.length === 0) return
  const describe = (k: string) => {
    const p = schema.properties?.[k]
    return `${k}${typeof p?.type === "string" ? ` (${p.type})` : ""}${p?.description ? `: ${firstLine(p.description)}` : ""}`
  }
  throw new UsageError(
    escapeTerminal(`tool ${t.tool.name} on "${t.server}" needs ${missing.map(describe).join("; ")}`),
    {
      hint: escapeTerminal(
        `pass ${missing.map((k) => `--arg ${k}=…`).join(" ")}; \`agent mcp tools ${t.server} --output json\` shows the schema`,
      ),
    },
  )
}

/** A tool the config hides: the error names the rule (exit 2), not "no such tool". */
async function filteredError(
  s: Session,
  server: string,
  name: string,
): Promise<ToolFilteredError | undefined> {
  const hit = (await s.manager.filteredTools()).find((t) => t.server === server && t.tool.name === name)
  if (!hit) return undefined
  const file = s.states.find((x) => x.name === server)?.entry.file ?? "the config"
  return new ToolFilteredError(server, name, hit.filtered, file)
}

async function noSuchTool(s: Session, server: string, name: string): Promise<UsageError> {
  const names = (await s.manager.tools()).filter((t) => t.server === server).map((t) => t.tool.name)
  return new UsageError(
    escapeTerminal(`server "${server}" has no tool "${name}"${didYouMean(name, names)}`),
    {
      hint: `\`agent mcp tools ${server}\` lists them (with the ones includeTools/excludeTools hide); give the tool's own name, not server__tool`,
    },
  )
}

/** A server that does not answer in time is an unavailable server (T04: exit 5, not 124). */
export function callError(e: unknown, s: Session): unknown {
  if (!(e instanceof McpTimeoutError) || e.hint) return e
  return new McpTimeoutError(e.server, e.message, {
    cause: e,
    hint: `raise --timeout (now ${s.timeoutMs ?? "the default"} ms), or check the server with \`agent mcp get ${e.server}\``,
  })
}
