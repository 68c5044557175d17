// The task driver (src/mcp/task-driver.ts) with scripted task states and a fake sleep: the
// interval it waits is the server's pollInterval (bounded), input requests are answered once
// each, an abort cancels; and the handle store (task-handles.ts) keeps files 0600.
import { describe, expect, it } from "bun:test"
import { statSync } from "node:fs"
import { readdir } from "node:fs/promises"
import { join } from "node:path"
import { driveTask, pollDelay, type TaskOps } from "../../src/mcp/task-driver.ts"
import { findHandle, parseHandle, readHandles, saveHandle } from "../../src/mcp/task-handles.ts"
import type { TaskSnapshot } from "../../src/mcp/tasks.ts"
import { tmpdir } from "../helpers/tmp.ts"

const task = (patch: Partial<TaskSnapshot>): TaskSnapshot => ({ taskId: "t1", status: "working", ...patch })

function scripted(generation: TaskOps["generation"], states: TaskSnapshot[]) {
  const calls: string[] = []
  const ops: TaskOps = {
    generation,
    get: async () => {
      calls.push("get")
      return states.shift() ?? task({ status: "completed" })
    },
    payload: async () => {
      calls.push("payload")
      return { content: [{ type: "text", text: "done" }] }
    },
    cancel: async () => void calls.push("cancel"),
    update: async (_id, r) => void calls.push(`update ${JSON.stringify(r)}`),
    elicit: async (req) => {
      calls.push(`elicit ${req.message}`)
      return { action: "accept", content: { x: "y" } }
    },
  }
  return { ops, calls }
}

describe("driveTask", () => {
  it("waits the server's pollInterval between polls, bounded to 50 ms … 60 s", async () => {
    const waits: number[] = []
    const { ops } = scripted("experimental", [
      task({ pollIntervalMs: 10 }),
      task({ pollIntervalMs: 999_999 }),
    ])
    const out = await driveTask("s", ops, task({ pollIntervalMs: 250 }), {
      sleep: async (ms) => void waits.push(ms),
    })
    expect(out.result.content).toEqual([{ type: "text", text: "done" }])
    expect(waits).toEqual([250, 50, 60_000])
    expect(pollDelay(task({}))).toBe(1_000) // no interval named: 1 s
  })

  it("extension: answers each input request once, with tasks/update, then takes the inlined result", async () => {
    const ask = {
      inputRequests: {
        k1: { method: "elicitation/create", params: { message: "Name?", requestedSchema: {} } },
      },
    }
    const { ops, calls } = scripted("extension", [
      task({ status: "input_required", ...ask }), // listed again on the next poll: not asked twice
      task({ status: "completed", result: { content: [{ type: "text", text: "hi" }] } }),
    ])
    const out = await driveTask("s", ops, task({ status: "input_required", ...ask }), {
      sleep: async () => {},
    })
    expect(out.result.content).toEqual([{ type: "text", text: "hi" }])
    expect(calls.filter((c) => c.startsWith("elicit"))).toEqual(["elicit Name?"])
    expect(calls).toContain('update {"k1":{"action":"accept","content":{"x":"y"}}}')
  })

  it("an abort sends tasks/cancel and reports the task cancelled", async () => {
    const ac = new AbortController()
    const seen: string[] = []
    const { ops, calls } = scripted("experimental", [])
    const run = driveTask("s", ops, task({}), {
      signal: ac.signal,
      onTask: (t) => void seen.push(t.status),
      sleep: async () => {
        ac.abort(new Error("stop")) // Ctrl-C during the wait between polls
        throw ac.signal.reason
      },
    })
    await expect(run).rejects.toThrow(/task t1 on server "s" was cancelled/)
    expect(calls).toContain("cancel")
    expect(seen).toEqual(["working", "cancelled"])
  })
})

describe("task handles", () => {
  it("splits SERVER/TASKID at the first slash (server names hold none)", () => {
    expect(parseHandle("api/a/b")).toEqual({ server: "api", taskId: "a/b" })
    expect(parseHandle("nohandle")).toBeUndefined()
    expect(parseHandle("api/")).toBeUndefined()
  })

  it("keeps one 0600 file per handle under <state>/tasks, newest first", async () => {
    await using t = await tmpdir()
    const base = {
      server: "api",
      tool: "report",
      file: "x",
      protocolVersion: "2025-11-25",
      status: "working" as const,
    }
    await saveHandle(t.path, {
      ...base,
      handle: "api/1",
      taskId: "1",
      createdAt: "2026-01-01T00:00:00Z",
      updatedAt: "",
    })
    await saveHandle(t.path, {
      ...base,
      handle: "api/2",
      taskId: "2",
      createdAt: "2026-01-02T00:00:00Z",
      updatedAt: "",
    })
    const files = await readdir(join(t.path, "tasks"))
    expect(files).toHaveLength(2)
    for (const f of files) expect(statSync(join(t.path, "tasks", f)).mode & 0o777).toBe(0o600)
    expect(statSync(join(t.path, "tasks")).mode & 0o777).toBe(0o700)
    expect((await readHandles(t.path)).map((h) => h.handle)).toEqual(["api/2", "api/1"])
    expect((await findHandle(t.path, "api/1"))?.taskId).toBe("1")
    expect(await findHandle(t.path, "api/3")).toBeUndefined()
  })
})
