import {
  findHandle,
  handleText,
  parseHandle,
  readHandles,
  saveHandle,
  type TaskHandle,
  type TaskSnapshot,
} from "../../mcp/index.ts"
import { UsageError } from "../../util/errors.ts"
import { escapeTerminal } from "../../util/text.ts"
import { command } from "../command.ts"
import { connectArgs, connectedServer, positionals, withServers, type Session } from "../shared/connect.ts"
import { createContext } from "../shared/context.ts"
import { printJson, printRaw, printTable } from "../shared/output.ts"
import { handleJson, printCallResult, taskLine, taskReporter } from "./call-output.ts"
import { callError } from "./tools.ts"

// `agent mcp tasks [SERVER]` and `agent mcp task get|wait|result|cancel HANDLE`: MCP tasks started
// earlier (`agent mcp call --task --detach`), from this process or another. A handle is
// SERVER/TASKID; the copy in the state dir adds the tool and the last state seen, and is not
// needed: a CI step that starts a task and one that collects it may not share a state dir.

export const tasks = command({
  name: "tasks",
  description:
    "List MCP tasks: the handles kept by `agent mcp call --task --detach`; with SERVER, also the tasks that server lists (2025-11-25 tasks/list)",
  args: {
    ...connectArgs,
    server: {
      type: "positional",
      required: false,
      valueHint: "SERVER",
      description: "Only this server's tasks",
    },
  },
  examples: [
    "agent mcp tasks",
    "agent mcp tasks api --output json --mcp mcp.json",
    "agent mcp tasks --url http://127.0.0.1:8080/mcp   # ad hoc",
  ],
  async run({ args, rawArgs }) {
    const [named] = positionals(args._, rawArgs)
    const isAdhoc = args.url !== undefined || rawArgs.includes("--")
    if (named === undefined && !isAdhoc) {
      const ctx = createContext(args)
      const all = await readHandles(ctx.paths.stateDir)
      return printHandles(
        ctx.output === "json",
        all.map((h) => handleJson(h)),
      )
    }
    return withServers(args, rawArgs, { only: named, isSingle: true }, async (s) => {
      const server = named ?? s.states[0]!.name
      const stored = (await readHandles(s.ctx.paths.stateDir)).filter((h) => h.server === server)
      const live = await serverTasks(s, server)
      const known = new Set(live.map((t) => t.taskId))
      const rows = [
        ...live.map((t) => {
          const h = stored.find((x) => x.taskId === t.taskId)
          return h ? handleJson(h, t) : liveJson(server, t)
        }),
        ...stored.filter((h) => !known.has(h.taskId)).map((h) => handleJson(h)),
      ]
      return printHandles(s.ctx.output === "json", rows)
    })
  },
})

type Row = ReturnType<typeof handleJson>

function liveJson(server: string, t: TaskSnapshot): Row {
  return {
    handle: handleText(server, t.taskId),
    server,
    taskId: t.taskId,
    tool: "",
    file: "",
    createdAt: t.createdAt ?? "",
    status: t.status,
    statusMessage: t.statusMessage ?? null,
  }
}

/** tasks/list when the server offers it (2025-11-25 `capabilities.tasks.list`); else none. */
async function serverTasks(s: Session, server: string): Promise<TaskSnapshot[]> {
  const st = connectedServer(s, server) // not connected: its exit code (3 approval, 4 sign-in, 5 down)
  const caps = st.capabilities as { tasks?: { list?: object } } | undefined
  if (st.protocolVersion >= "2026-07-28" || !caps?.tasks?.list) return []
  return s.manager.listTasks(server, { signal: s.signal })
}

function printHandles(isJson: boolean, rows: Row[]): void {
  if (isJson) printJson({ tasks: rows })
  else if (rows.length === 0) printRaw("no tasks")
  else
    printTable(
      rows.map((r) => [
        r.handle,
        r.tool || "-",
        r.status,
        escapeTerminal(r.statusMessage ?? ""),
        r.createdAt,
      ]),
      ["HANDLE", "TOOL", "STATUS", "MESSAGE", "CREATED"],
    )
}

const handleArg = {
  handle: {
    type: "positional",
    required: false,
    valueHint: "HANDLE",
    description: "SERVER/TASKID, as printed by --detach",
  },
} as const

type Verb = "get" | "wait" | "result" | "cancel"

const DESCRIPTIONS: Record<Verb, string> = {
  get: "Show a task's status (json: the task as the server reports it)",
  wait: "Follow a task until it ends (status on stderr, input requests answered, Ctrl-C cancels it), then print its result",
  result:
    "Print a finished task's result, as `agent mcp call` prints a result (2025-11-25: waits for the end)",
  cancel: "Ask the server to cancel a task (tasks/cancel) and show its status",
}

function verb(name: Verb) {
  return command({
    name,
    description: DESCRIPTIONS[name],
    args: { ...connectArgs, ...handleArg },
    examples: [
      `agent mcp task ${name} api/786512e2-9e0d-44bd-8f29-789f320fe840 --mcp mcp.json`,
      `agent mcp task ${name} "$(agent mcp call api report --task --detach)"`,
      "# exit 0 ok; 1 the task failed or was cancelled (or its result isError); 2 bad handle; 5 server unavailable",
    ],
    run({ args, rawArgs }) {
      const [text, extra] = positionals(args._, rawArgs)
      if (extra !== undefined) throw new UsageError(`unexpected argument "${escapeTerminal(extra)}"`)
      const parsed = text === undefined ? undefined : parseHandle(text)
      if (!parsed)
        throw new UsageError(`usage: agent mcp task ${name} SERVER/TASKID`, {
          hint: "`agent mcp tasks` lists the handles kept here",
        })
      const handle = handleText(parsed.server, parsed.taskId)
      return withServers(args, rawArgs, { only: parsed.server, isSingle: true }, async (s) => {
        const stored = await findHandle(s.ctx.paths.stateDir, handle)
        const co = { signal: s.signal, ...(s.timeoutMs !== undefined && { timeoutMs: s.timeoutMs }) }
        try {
          return await VERBS[name](s, parsed.server, parsed.taskId, co, stored)
        } catch (e: unknown) {
          throw callError(e, s)
        }
      })
    },
  })
}

type Co = { signal: AbortSignal; timeoutMs?: number }
type Run = (s: Session, server: string, taskId: string, co: Co, stored?: TaskHandle) => Promise<number | void>

const VERBS: Record<Verb, Run> = {
  async get(s, server, taskId, co, stored) {
    const t = await s.manager.getTask(server, taskId, co)
    await remember(s, stored, t)
    if (s.ctx.output === "json") return printJson({ handle: handleText(server, taskId), server, ...t })
    printRaw(taskLine(t))
  },
  async wait(s, server, taskId, co, stored) {
    const out = await s.manager.waitTask(server, taskId, { ...co, onTask: taskReporter(s) })
    await remember(s, stored, out.task)
    return printCallResult(s, out.result, stored?.tool ?? "(task)", server)
  },
  async result(s, server, taskId, co, stored) {
    const out = await s.manager.taskResult(server, taskId, co)
    await remember(s, stored, out.task)
    return printCallResult(s, out.result, stored?.tool ?? "(task)", server)
  },
  async cancel(s, server, taskId, co, stored) {
    const t = await s.manager.cancelTask(server, taskId, co)
    const now = t ?? { taskId, status: "cancelled" as const }
    await remember(s, stored, now)
    if (s.ctx.output === "json") return printJson({ handle: handleText(server, taskId), server, ...now })
    printRaw(taskLine(now))
  },
}

/** The stored copy follows what we saw, so `agent mcp tasks` shows the last known state. */
async function remember(
  s: Session,
  stored: TaskHandle | undefined,
  t: Pick<TaskSnapshot, "status" | "statusMessage">,
) {
  if (!stored) return
  const { statusMessage: _old, ...rest } = stored
  await saveHandle(s.ctx.paths.stateDir, {
    ...rest,
    status: t.status,
    ...(t.statusMessage !== undefined && { statusMessage: t.statusMessage }),
    updatedAt: new Date().toISOString(),
  })
}

export const task = command({
  name: "task",
  description:
    "One MCP task by its handle (SERVER/TASKID): get, wait, result, cancel; from any process, later",
  examples: [
    "h=$(agent mcp call api report --arg month=11 --task --detach)",
    'agent mcp task get "$h"',
    'agent mcp task wait "$h" --output json',
    'agent mcp task cancel "$h"',
  ],
  subCommands: {
    get: async () => verb("get"),
    wait: async () => verb("wait"),
    result: async () => verb("result"),
    cancel: async () => verb("cancel"),
  },
})
