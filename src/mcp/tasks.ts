import type { CallToolResult, Client, RequestOptions, Transport } from "@modelcontextprotocol/client"
import * as v from "valibot"

// MCP tasks on the wire, both generations (docs/design.md §13):
// - "experimental": the core tasks of protocol 2025-11-25 (SEP-1686). The client asks for a task by
//   adding `task: { ttl }` to tools/call; it polls tasks/get, fetches the payload with tasks/result
//   (which also carries the server's input requests, e.g. elicitation, as ordinary requests), and
//   cancels with tasks/cancel. tasks/list lists them.
// - "extension": the `io.modelcontextprotocol/tasks` extension of 2026-07-28 (SEP-2663). The client
//   declares the extension; the server alone decides to answer tools/call with `resultType: "task"`.
//   tasks/get inlines result, error or inputRequests; tasks/update answers input requests; no list.
// The client SDK 2.4.0 parses the 2025 task types but has no task runtime, and rejects a 2026
// `resultType: "task"` result outright; these are raw requests with our own result schemas.

export type TaskGeneration = "experimental" | "extension"
export const TASKS_EXTENSION = "io.modelcontextprotocol/tasks"
/** Where a 2026 task handle waits for us in a rewritten tools/call result (see acceptTaskResults). */
export const TASK_META = "agentrt/task"

export const TASK_STATUSES = ["working", "input_required", "completed", "failed", "cancelled"] as const
export type TaskStatus = (typeof TASK_STATUSES)[number]
export const isTerminal = (s: string) => s === "completed" || s === "failed" || s === "cancelled"

/** One task's state, the same for both generations. */
export interface TaskSnapshot {
  taskId: string
  status: TaskStatus
  statusMessage?: string
  createdAt?: string
  lastUpdatedAt?: string
  /** null: kept until the server drops it. */
  ttlMs?: number | null
  pollIntervalMs?: number
  /** extension: the final result of a completed task, the JSON-RPC error of a failed one. */
  result?: CallToolResult
  error?: { code?: number; message?: string }
  /** extension: outstanding server-to-client requests, by key. */
  inputRequests?: Record<string, { method: string; params?: Record<string, unknown> }>
}

const Status = v.picklist(TASK_STATUSES)
const TaskFields = {
  taskId: v.string(),
  status: Status,
  statusMessage: v.optional(v.string()),
  createdAt: v.optional(v.string()),
  lastUpdatedAt: v.optional(v.string()),
}
const Task2025 = v.looseObject({
  ...TaskFields,
  ttl: v.optional(v.nullable(v.number())),
  pollInterval: v.optional(v.number()),
})
const Task2026 = v.looseObject({
  ...TaskFields,
  ttlMs: v.optional(v.nullable(v.number())),
  pollIntervalMs: v.optional(v.number()),
  result: v.optional(v.looseObject({})),
  error: v.optional(v.looseObject({ code: v.optional(v.number()), message: v.optional(v.string()) })),
  inputRequests: v.optional(
    v.record(v.string(), v.looseObject({ method: v.string(), params: v.optional(v.looseObject({})) })),
  ),
})
const CallResult = v.looseObject({ content: v.optional(v.array(v.looseObject({}))) })
const StartResult2025 = v.union([v.looseObject({ task: Task2025 }), CallResult])
const ListResult = v.looseObject({ tasks: v.array(Task2025), nextCursor: v.optional(v.string()) })
const Empty = v.looseObject({})

function from2025(t: v.InferOutput<typeof Task2025>): TaskSnapshot {
  const { ttl, pollInterval, ...rest } = t
  return {
    ...pick(rest),
    ...(ttl !== undefined && { ttlMs: ttl }),
    ...(pollInterval !== undefined && { pollIntervalMs: pollInterval }),
  }
}

function from2026(t: v.InferOutput<typeof Task2026>): TaskSnapshot {
  return {
    ...pick(t),
    ...(t.ttlMs !== undefined && { ttlMs: t.ttlMs }),
    ...(t.pollIntervalMs !== undefined && { pollIntervalMs: t.pollIntervalMs }),
    ...(t.result !== undefined && { result: t.result as CallToolResult }),
    ...(t.error !== undefined && { error: t.error }),
    ...(t.inputRequests !== undefined && {
      inputRequests: t.inputRequests as NonNullable<TaskSnapshot["inputRequests"]>,
    }),
  }
}

function pick(t: {
  taskId: string
  status: TaskStatus
  statusMessage?: string
  createdAt?: string
  lastUpdatedAt?: string
}): TaskSnapshot {
  return {
    taskId: t.taskId,
    status: t.status,
    ...(t.statusMessage !== undefined && { statusMessage: t.statusMessage }),
    ...(t.createdAt !== undefined && { createdAt: t.createdAt }),
    ...(t.lastUpdatedAt !== undefined && { lastUpdatedAt: t.lastUpdatedAt }),
  }
}

export function generationOf(protocolVersion: string): TaskGeneration {
  return protocolVersion >= "2026-07-28" ? "extension" : "experimental"
}

export type Started = { kind: "task"; task: TaskSnapshot } | { kind: "result"; result: CallToolResult }

/**
 * tools/call as a task. experimental: with `task: { ttl }` (the server may still answer with a plain
 * result when the tool's taskSupport is optional and it chooses to); extension: a plain tools/call
 * whose answer is a task when the server decides so.
 */
export async function startToolTask(
  client: Client,
  gen: TaskGeneration,
  call: { name: string; arguments: Record<string, unknown>; ttlMs?: number },
  ro: RequestOptions,
): Promise<Started> {
  const params = {
    name: call.name,
    arguments: call.arguments,
    ...(gen === "experimental" && { task: call.ttlMs !== undefined ? { ttl: call.ttlMs } : {} }),
  }
  const raw = await client.request({ method: "tools/call", params }, StartResult2025, ro)
  return startedFrom(raw as Record<string, unknown>)
}

/** A tools/call answer: a task (either generation's shape) or the tool's result. */
export function startedFrom(raw: Record<string, unknown>): Started {
  if ("task" in raw && raw.task && typeof raw.task === "object") {
    return { kind: "task", task: from2025(v.parse(Task2025, raw.task)) }
  }
  const meta = raw._meta as Record<string, unknown> | undefined
  const handle = meta?.[TASK_META]
  if (handle && typeof handle === "object") return { kind: "task", task: from2026(v.parse(Task2026, handle)) }
  return { kind: "result", result: raw as CallToolResult }
}

export async function getTask(
  client: Client,
  gen: TaskGeneration,
  taskId: string,
  ro: RequestOptions,
): Promise<TaskSnapshot> {
  if (gen === "experimental")
    return from2025(await client.request({ method: "tasks/get", params: { taskId } }, Task2025, ro))
  return from2026(await client.request({ method: "tasks/get", params: { taskId } }, Task2026, ro))
}

/**
 * experimental only: the task's payload (tasks/result). It blocks until the task is terminal; on
 * the way the server sends its input requests (elicitation…) as ordinary server-to-client requests,
 * which the connection's handlers answer.
 */
export async function taskPayload(
  client: Client,
  taskId: string,
  ro: RequestOptions,
): Promise<CallToolResult> {
  const raw = await client.request({ method: "tasks/result", params: { taskId } }, CallResult, ro)
  return raw as CallToolResult
}

export async function cancelTask(
  client: Client,
  gen: TaskGeneration,
  taskId: string,
  ro: RequestOptions,
): Promise<void> {
  await client.request({ method: "tasks/cancel", params: { taskId } }, Empty, ro)
  void gen // both generations: the same request; the 2026 answer is an empty ack, 2025's the task
}

/** extension only: answers to the task's outstanding input requests, by key. */
export async function updateTask(
  client: Client,
  taskId: string,
  inputResponses: Record<string, unknown>,
  ro: RequestOptions,
): Promise<void> {
  await client.request({ method: "tasks/update", params: { taskId, inputResponses } }, Empty, ro)
}

/** experimental only: one page of tasks/list. */
export async function listTasks(
  client: Client,
  cursor: string | undefined,
  ro: RequestOptions,
): Promise<{ tasks: TaskSnapshot[]; nextCursor?: string }> {
  const raw = await client.request(
    { method: "tasks/list", params: cursor !== undefined ? { cursor } : {} },
    ListResult,
    ro,
  )
  return {
    tasks: raw.tasks.map(from2025),
    ...(raw.nextCursor !== undefined && { nextCursor: raw.nextCursor }),
  }
}

/**
 * 2026-07-28: the SDK's result decoding refuses `resultType: "task"` (it knows only complete and
 * input_required) and would drop the handle. Incoming results of that type are rewritten, before
 * the SDK sees them, into a complete result that carries the task under `_meta[TASK_META]`;
 * startedFrom reads it back. Installed on a transport before the client connects: the client
 * sets `onmessage` during connect (and again after the era probe), so the setter wraps each one.
 */
export function acceptTaskResults(transport: Transport): void {
  type OnMessage = NonNullable<Transport["onmessage"]>
  // The getter binds the handler current at read time, so code that reads onmessage, wraps it
  // and sets the wrapper back (streams.ts) chains through without looping; rewriting twice is harmless.
  const unwrapInto =
    (deliver: OnMessage): OnMessage =>
    (message, extra) => {
      const m = message as { result?: Record<string, unknown> }
      if (m.result?.resultType !== "task") return deliver(message, extra)
      const { resultType: _t, _meta, ...task } = m.result
      const rewritten = {
        ...message,
        result: {
          resultType: "complete",
          content: [],
          _meta: { ...(_meta as Record<string, unknown> | undefined), [TASK_META]: task },
        },
      }
      return deliver(rewritten as typeof message, extra)
    }
  // Another accessor already on onmessage (result-type.ts's fill): keep it, wrap what it yields.
  const prev = Object.getOwnPropertyDescriptor(transport, "onmessage")
  if (prev?.get && prev.set) {
    const { get, set } = prev
    Object.defineProperty(transport, "onmessage", {
      configurable: true,
      enumerable: true,
      get: () => {
        const handler = get.call(transport) as OnMessage | undefined
        return handler ? unwrapInto(handler) : undefined
      },
      set: (fn: OnMessage | undefined) => set.call(transport, fn),
    })
    return
  }
  let inner: OnMessage | undefined = transport.onmessage
  Object.defineProperty(transport, "onmessage", {
    configurable: true,
    enumerable: true,
    get: () => (inner ? unwrapInto(inner) : undefined),
    set: (fn: OnMessage | undefined) => {
      inner = fn
    },
  })
}
