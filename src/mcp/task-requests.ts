import type { CallToolResult, RequestOptions } from "@modelcontextprotocol/client"
import { UsageError } from "../util/errors.ts"
import type { Log } from "../util/log.ts"
import { McpRequestError } from "./error-classes.ts"
import { driveTask, type TaskOps, type TaskOutcome } from "./task-driver.ts"
import * as wire from "./tasks.ts"
import type { Slot } from "./requests.ts"
import type { CallOptions, ManagerOptions, Tool } from "./types.ts"

// The manager's task calls: the same connections, timeouts, re-initialise and error mapping as
// every other request (requests.ts `run`), so a later daemon serves them like any call.

type Connection = import("./runtime.ts").Connection
type Run = <T>(
  name: string,
  method: string,
  co: CallOptions | undefined,
  fn: (c: Connection, ro: RequestOptions) => Promise<T>,
) => Promise<T>

interface Deps {
  opts: ManagerOptions
  log: Log
  run: Run
  slotOf(name: string): Slot
  toolDef(slot: Slot, name: string): Tool | undefined
  /** The plain tools/call (requests.ts). */
  callTool(
    server: string,
    tool: string,
    args: Record<string, unknown>,
    co?: CallOptions,
  ): Promise<CallToolResult>
}

/** Asked of a task request at close (Ctrl-C, deadline): bounded, the process is leaving. */
const CANCEL_AT_CLOSE_MS = 1_000
/** tasks/result blocks until the task ends: the idle timeout of a request does not fit it. */
const PAYLOAD_TIMEOUT_MS = 24 * 3_600_000

function unbound(co: CallOptions): CallOptions {
  const { signal: _signal, ...rest } = co
  return { ...rest, timeoutMs: Math.min(rest.timeoutMs ?? CANCEL_AT_CLOSE_MS, CANCEL_AT_CLOSE_MS) }
}

export type TaskSupport = "required" | "optional" | "forbidden"

export function createTaskRequests(d: Deps) {
  /** Tasks this manager is following, so close() can cancel them before the connections go. */
  const active = new Map<string, { server: string; taskId: string }>()

  const generation = (server: string) => wire.generationOf(d.slotOf(server).conn!.protocolVersion)

  function ops(server: string, co: CallOptions | undefined): TaskOps {
    const gen = generation(server)
    // Each poll is one short request; its idle timeout is the call's, its total is not (a task may run long).
    const poll: CallOptions = { ...co, totalTimeoutMs: undefined }
    return {
      generation: gen,
      get: (id) => d.run(server, "tasks/get", poll, (c, ro) => wire.getTask(c.client, gen, id, ro)),
      payload: (id) =>
        d.run(server, "tasks/result", { ...poll, timeoutMs: PAYLOAD_TIMEOUT_MS }, (c, ro) =>
          wire.taskPayload(c.client, id, ro),
        ),
      // Sent after the call's own signal aborted (that is when the driver cancels): not bound to it.
      cancel: (id) =>
        d.run(server, "tasks/cancel", unbound(poll), (c, ro) => wire.cancelTask(c.client, gen, id, ro)),
      update: (id, responses) =>
        d.run(server, "tasks/update", poll, (c, ro) => wire.updateTask(c.client, id, responses, ro)),
      elicit: async (req) => (d.opts.elicit ? d.opts.elicit(server, req) : { action: "decline" }),
    }
  }

  function taskSupport(server: string, tool: string): TaskSupport {
    const def = d.toolDef(d.slotOf(server), tool) as
      | (Tool & { execution?: { taskSupport?: string } })
      | undefined
    const s = def?.execution?.taskSupport
    return s === "required" || s === "optional" ? s : "forbidden"
  }

  /** tools/call as a task; `kind: "result"` when the server answered at once. */
  async function startTask(
    server: string,
    tool: string,
    args: Record<string, unknown>,
    co?: CallOptions,
  ): Promise<wire.Started> {
    const gen = generation(server)
    const def = d.toolDef(d.slotOf(server), tool)
    return d.run(server, "tools/call", co, (c, ro) =>
      wire.startToolTask(
        c.client,
        gen,
        { name: tool, arguments: args },
        { ...ro, ...(def && { toolDefinition: def }) },
      ),
    )
  }

  /** Follows a started task to its end; Ctrl-C or the deadline cancels it (tasks/cancel). */
  async function follow(server: string, first: wire.TaskSnapshot, co?: CallOptions): Promise<TaskOutcome> {
    const key = `${server}\u0000${first.taskId}`
    active.set(key, { server, taskId: first.taskId })
    try {
      return await driveTask(server, ops(server, co), first, {
        ...(co?.signal && { signal: co.signal }),
        onTask: (t) => co?.onTask?.(server, t),
      })
    } finally {
      active.delete(key)
    }
  }

  /**
   * A tool call, as a task when the tool requires one (or allows one and the caller asked), else
   * plain; a 2026 server may still answer a plain call with a task, which is followed the same way.
   */
  async function callTool(
    server: string,
    tool: string,
    args: Record<string, unknown>,
    co?: CallOptions,
  ): Promise<CallToolResult> {
    const support = taskSupport(server, tool)
    const asTask =
      generation(server) === "experimental" &&
      (support === "required" || (support === "optional" && co?.task === "prefer"))
    if (co?.task === "prefer" && support === "forbidden" && generation(server) === "experimental")
      d.log.withTag(`mcp:${server}`).info(`tool ${tool} does not support tasks; calling it directly`)
    // 2026: the SDK checks a result against the tool's outputSchema, and a task handle has no
    // structuredContent; such tools go through the raw request, which any answer passes.
    const hasOutputSchema = d.toolDef(d.slotOf(server), tool)?.outputSchema !== undefined
    const raw = asTask || (generation(server) === "extension" && hasOutputSchema)
    const started = raw
      ? await startTask(server, tool, args, co)
      : wire.startedFrom((await d.callTool(server, tool, args, co)) as Record<string, unknown>)
    if (started.kind === "result") return started.result
    return (await follow(server, started.task, co)).result
  }

  function requireExperimental(server: string, what: string): void {
    if (generation(server) !== "experimental")
      throw new UsageError(
        `server "${server}" speaks ${d.slotOf(server).conn!.protocolVersion}, which has no ${what}`,
        {
          hint: "the tasks extension of 2026-07-28 has no tasks/list and no blocking tasks/result; use `agent mcp task get|wait`",
        },
      )
  }

  return {
    callTool,
    startTask,
    taskSupport,
    getTask: (server: string, taskId: string, co?: CallOptions) => ops(server, co).get(taskId),
    waitTask: async (server: string, taskId: string, co?: CallOptions) =>
      follow(server, await ops(server, co).get(taskId), co),
    /** The task's result now: experimental tasks/result (blocks until it ends); extension: from tasks/get. */
    async taskResult(server: string, taskId: string, co?: CallOptions): Promise<TaskOutcome> {
      const o = ops(server, co)
      if (o.generation === "experimental") {
        const result = await o.payload(taskId)
        return { task: await o.get(taskId), result }
      }
      const task = await o.get(taskId)
      if (task.status === "completed") return { task, result: task.result ?? { content: [] } }
      throw new McpRequestError(
        server,
        undefined,
        `task ${taskId} on server "${server}" is ${task.status}, not completed`,
      )
    },
    cancelTask: async (server: string, taskId: string, co?: CallOptions) => {
      const o = ops(server, co)
      await o.cancel(taskId)
      return o.get(taskId).catch(() => undefined) // a server may drop a cancelled task at once
    },
    async listTasks(server: string, co?: CallOptions): Promise<wire.TaskSnapshot[]> {
      requireExperimental(server, "tasks/list")
      const all: wire.TaskSnapshot[] = []
      let cursor: string | undefined
      for (let page = 0; page < 100; page++) {
        const r = await d.run(server, "tasks/list", co, (c, ro) => wire.listTasks(c.client, cursor, ro))
        all.push(...r.tasks)
        if (r.nextCursor === undefined || r.nextCursor === cursor) break
        cursor = r.nextCursor
      }
      return all
    },
    /** At close: the tasks still followed get tasks/cancel, bounded; taken synchronously, before the abort. */
    cancelActive(connOf: (server: string) => Connection | undefined): Promise<void> {
      const list = [...active.values()]
      active.clear()
      return Promise.all(
        list.map(async ({ server, taskId }) => {
          const conn = connOf(server)
          if (!conn) return
          const gen = wire.generationOf(conn.protocolVersion)
          await wire
            .cancelTask(conn.client, gen, taskId, { timeout: CANCEL_AT_CLOSE_MS })
            .catch((e: unknown) => d.log.debug(`tasks/cancel at close: ${String(e)}`))
          await conn.settle()
        }),
      ).then(() => undefined)
    },
  }
}
