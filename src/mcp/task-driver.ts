import type { CallToolResult, ElicitRequest, ElicitResult } from "@modelcontextprotocol/client"
import { InterruptedError } from "../util/errors.ts"
import { McpRequestError } from "./error-classes.ts"
import { isTerminal, type TaskGeneration, type TaskSnapshot } from "./tasks.ts"

// Follows one task to its end (both generations, see tasks.ts): polls tasks/get at the server's
// pollInterval, reports each new state, answers input requests, fetches the result. An abort
// (Ctrl-C, the run's deadline) sends tasks/cancel before it gives up.

/** The requests the driver needs, bound to one server by the manager (its timeouts and re-init). */
export interface TaskOps {
  generation: TaskGeneration
  get(taskId: string): Promise<TaskSnapshot>
  /** experimental: tasks/result, which blocks and carries the server's input requests. */
  payload(taskId: string): Promise<CallToolResult>
  cancel(taskId: string): Promise<void>
  /** extension: tasks/update with answers to input requests. */
  update(taskId: string, responses: Record<string, unknown>): Promise<void>
  /** The connection's elicitation answer (prompt, --elicit, or decline). */
  elicit(request: ElicitRequest["params"]): Promise<ElicitResult>
}

export interface DriveOptions {
  signal?: AbortSignal
  /** Each state change (status or message), for progress on stderr and the run report. */
  onTask?: (task: TaskSnapshot) => void
  /** Clock seam for tests; default a timer that the signal interrupts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
}

export interface TaskOutcome {
  task: TaskSnapshot
  result: CallToolResult
}

/** When the server names no interval (spec: SHOULD honour it when it does). */
export const DEFAULT_POLL_MS = 1_000
/** A server asking for a tighter loop than this is not obeyed: it would spin the CPU. */
const MIN_POLL_MS = 50
/** A server naming a huge interval still gets a look once a minute. */
const MAX_POLL_MS = 60_000

export function pollDelay(task: TaskSnapshot): number {
  const ms = task.pollIntervalMs ?? DEFAULT_POLL_MS
  return Math.min(MAX_POLL_MS, Math.max(MIN_POLL_MS, ms))
}

export async function driveTask(
  server: string,
  ops: TaskOps,
  first: TaskSnapshot,
  opts: DriveOptions = {},
): Promise<TaskOutcome> {
  const sleep = opts.sleep ?? abortableSleep
  let task = first
  let last = ""
  const answered = new Set<string>()
  const report = (t: TaskSnapshot) => {
    const key = `${t.status}\u0000${t.statusMessage ?? ""}`
    if (key !== last) opts.onTask?.(t)
    last = key
  }
  report(task)
  try {
    for (;;) {
      if (opts.signal?.aborted) throw opts.signal.reason
      if (isTerminal(task.status)) return await finish(server, ops, task)
      if (task.status === "input_required") {
        if (ops.generation === "experimental") {
          // SEP-1686: input_required → tasks/result, which delivers the server's requests and ends
          // with the task's result once they are answered.
          const result = await ops.payload(task.taskId)
          task = await ops.get(task.taskId).catch(() => ({ ...task, status: "completed" as const }))
          report(task)
          return settled(server, task, result)
        }
        await answerInputs(ops, task, answered)
      }
      await sleep(pollDelay(task), opts.signal)
      task = await ops.get(task.taskId)
      report(task)
    }
  } catch (e: unknown) {
    if (!opts.signal?.aborted) throw e
    // Ctrl-C or the deadline: the server should stop working on it too (spec: tasks/cancel).
    await ops.cancel(task.taskId).catch(() => undefined) // best effort: we are leaving either way
    report({ ...task, status: "cancelled" })
    throw new InterruptedError(`task ${task.taskId} on server "${server}" was cancelled`, { cause: e })
  }
}

async function finish(server: string, ops: TaskOps, task: TaskSnapshot): Promise<TaskOutcome> {
  if (task.status === "cancelled")
    throw new McpRequestError(server, undefined, taskFailure(server, task, "was cancelled"))
  if (ops.generation === "extension") {
    if (task.status === "failed") throw failed(server, task)
    return settled(server, task, task.result ?? { content: [] })
  }
  if (task.status === "failed") {
    // The payload of a failed task is its error (a JSON-RPC error, or an isError result).
    const result = await ops.payload(task.taskId).catch((e: unknown) => {
      throw new McpRequestError(server, undefined, taskFailure(server, task, "failed"), { cause: e })
    })
    if (result.isError) return { task, result }
    throw failed(server, task)
  }
  return settled(server, task, await ops.payload(task.taskId))
}

function settled(_server: string, task: TaskSnapshot, result: CallToolResult): TaskOutcome {
  return { task, result }
}

function failed(server: string, task: TaskSnapshot): McpRequestError {
  const why = task.error?.message ?? task.statusMessage
  return new McpRequestError(
    server,
    task.error?.code,
    taskFailure(server, task, why ? `failed: ${why}` : "failed"),
  )
}

function taskFailure(server: string, task: TaskSnapshot, what: string): string {
  return `task ${task.taskId} on server "${server}" ${what}`
}

/**
 * extension: every input request not answered yet goes through the same path as a direct one
 * (spec: same trust model and user-facing behaviour); keys already answered are skipped, as the
 * next polls may still list them. Requests this client cannot serve are answered with an error.
 */
async function answerInputs(ops: TaskOps, task: TaskSnapshot, answered: Set<string>): Promise<void> {
  const responses: Record<string, unknown> = {}
  for (const [key, req] of Object.entries(task.inputRequests ?? {})) {
    if (answered.has(key)) continue
    answered.add(key)
    responses[key] =
      req.method === "elicitation/create"
        ? await ops.elicit(req.params as ElicitRequest["params"])
        : { error: { code: -32601, message: `agent does not answer ${req.method} inside a task` } }
  }
  if (Object.keys(responses).length > 0) await ops.update(task.taskId, responses)
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort)
      resolve()
    }, ms)
    signal?.addEventListener("abort", onAbort, { once: true })
  })
}
