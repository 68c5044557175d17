// MCP tasks, 2025-11-25 generation (SEP-1686), through the manager: the same connection and
// request path as every call. Fixture servers on the v1 SDK's experimental tasks (stdio and
// session HTTP, one task store across sessions) and the reference server-everything.
import { describe, expect, it } from "bun:test"
import { join } from "node:path"
import { startTaskServer } from "../fixtures/servers/http-tasks.ts"
import { startExtTaskServer } from "../fixtures/servers/http-tasks-ext.ts"
import type { TaskSnapshot } from "../../src/mcp/index.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { manager, ready, remote, stdio, textOf } from "./helpers.ts"

const EVERYTHING = join(
  import.meta.dir,
  "../../node_modules/@modelcontextprotocol/server-everything/dist/index.js",
)
const common = { disabled: false, autoApprove: [], disabledTools: [], required: false }

function seen() {
  const states: TaskSnapshot[] = []
  return { states, onTask: (_s: string, t: TaskSnapshot) => void states.push(t) }
}

describe("tasks over stdio", () => {
  it("calls a taskSupport: required tool as a task and returns its result", async () => {
    await using m = await manager([stdio("t", "stdio-tasks.ts")])
    await m.connect()
    expect(m.taskSupport("t", "report")).toBe("required")
    const s = seen()
    const r = await m.callTool("t", "report", { topic: "moths", steps: 2 }, { onTask: s.onTask })
    expect(textOf(r)).toBe("report on moths")
    expect(s.states.map((t) => t.status)).toContain("working")
    expect(s.states.at(-1)?.status).toBe("completed")
    expect(s.states[0]?.status).toBe("working") // the seed state: the call answered with a task
    expect(new Set(s.states.map((t) => t.taskId)).size).toBe(1)
  })

  it("runs an optional tool directly unless asked, as a task when asked", async () => {
    await using m = await manager([stdio("t", "stdio-tasks.ts")])
    await m.connect()
    const direct = seen()
    expect(textOf(await m.callTool("t", "quick", { text: "a" }, { onTask: direct.onTask }))).toBe("quick a")
    expect(direct.states).toEqual([])
    const asTask = seen()
    expect(
      textOf(await m.callTool("t", "quick", { text: "b" }, { task: "prefer", onTask: asTask.onTask })),
    ).toBe("quick b")
    expect(asTask.states.at(-1)?.status).toBe("completed")
  })

  it("answers an input_required task's elicitation through the usual handler", async () => {
    const asked: string[] = []
    await using m = await manager([stdio("t", "stdio-tasks.ts")], {
      elicit: async (server, req) => {
        asked.push(`${server}: ${req.message}`)
        return { action: "accept", content: { colour: "plum" } }
      },
    })
    await m.connect()
    const s = seen()
    expect(textOf(await m.callTool("t", "choose", {}, { onTask: s.onTask }))).toBe("picked plum")
    expect(asked).toEqual(["t: Pick a colour"])
    expect(s.states.map((t) => t.status)).toContain("input_required")
  })

  it("a failed task is a failed call naming the task; its isError result comes back", async () => {
    await using m = await manager([stdio("t", "stdio-tasks.ts")])
    await m.connect()
    const r = await m.callTool("t", "broken", {})
    expect(r.isError).toBe(true)
    expect(textOf(r)).toBe("disk full")
  })

  it("an abort sends tasks/cancel for the task it was following", async () => {
    await using m = await manager([stdio("t", "stdio-tasks.ts")])
    await m.connect()
    const ac = new AbortController()
    let id = ""
    const call = m.callTool(
      "t",
      "forever",
      {},
      {
        signal: ac.signal,
        onTask: (_s, t) => {
          id = t.taskId
          ac.abort(new Error("stop"))
        },
      },
    )
    await expect(call).rejects.toThrow(/cancelled/)
    const t = await m.getTask("t", id)
    expect(t.status).toBe("cancelled")
  })
})

describe("tasks over session HTTP, across connections", () => {
  it("starts a task in one manager and collects it from another; lists it", async () => {
    await using srv = await startTaskServer()
    let taskId = ""
    {
      await using a = await manager([remote("api", srv.url, "http")])
      await a.connect()
      await a.tools()
      const started = await a.startTask("api", "report", { topic: "owls", steps: 2 })
      if (started.kind !== "task") throw new Error("expected a task")
      taskId = started.task.taskId
    }
    await using b = await manager([remote("api", srv.url, "http")])
    await b.connect()
    expect((await b.listTasks("api")).map((t) => t.taskId)).toContain(taskId)
    const out = await b.waitTask("api", taskId)
    expect(out.task.status).toBe("completed")
    expect(textOf(out.result)).toBe("report on owls")
    expect(textOf((await b.taskResult("api", taskId)).result)).toBe("report on owls")
  })

  it("closing the manager mid-task (Ctrl-C, deadline) cancels the task on the server", async () => {
    await using srv = await startTaskServer()
    await using m = await manager([remote("api", srv.url, "http")])
    await m.connect()
    await m.tools()
    let id = ""
    let closed: Promise<void> | undefined
    // No signal on the call itself: only the manager's close can cancel the task.
    const call = m.callTool(
      "api",
      "forever",
      {},
      {
        onTask: (_s, t) => {
          id = t.taskId
          closed ??= m.close()
        },
      },
    )
    await expect(call).rejects.toThrow()
    await closed
    expect(srv.events).toContain(`cancelled ${id}`)
  })
})

describe("the reference server-everything", () => {
  it("runs simulate-research-query (taskSupport required) to its report, clarifying by elicitation", async () => {
    const server = {
      ...common,
      transport: "stdio",
      command: process.execPath,
      args: [EVERYTHING, "stdio"],
      env: {},
    }
    await using m = await manager([ready("everything", server as never)], {
      elicit: async () => ({ action: "accept", content: { interpretation: "snake" } }),
    })
    await m.connect()
    await m.tools()
    expect(m.taskSupport("everything", "simulate-research-query")).toBe("required")
    const s = seen()
    const r = await m.callTool(
      "everything",
      "simulate-research-query",
      { topic: "python", ambiguous: true },
      { onTask: s.onTask },
    )
    expect(textOf(r)).toContain("# Research Report: python (snake)")
    expect(s.states.map((t) => t.status)).toContain("input_required")
  }, 30_000)
})

describe("the 2026-07-28 tasks extension over stdio", () => {
  it("follows a task the server chose to create and returns its inlined result", async () => {
    await using m = await manager([stdio("x", "stdio-tasks-ext.ts")])
    const [state] = await m.connect()
    expect(state).toMatchObject({ status: "connected", protocolVersion: "2026-07-28" })
    const s = seen()
    const r = await m.callTool("x", "report", { topic: "newts" }, { onTask: s.onTask })
    expect(textOf(r)).toBe("report on newts")
    expect(s.states[0]?.status).toBe("working") // the seed state: the call answered with a task
    expect(s.states.at(-1)?.status).toBe("completed")
  })

  it("answers input requests with tasks/update, through the usual elicitation handler", async () => {
    const asked: string[] = []
    await using m = await manager([stdio("x", "stdio-tasks-ext.ts")], {
      elicit: async (server, req) => {
        asked.push(`${server}: ${req.message}`)
        return { action: "accept", content: { colour: "plum" } }
      },
    })
    await m.connect()
    expect(textOf(await m.callTool("x", "choose", {}))).toBe("picked plum")
    expect(asked).toEqual(["x: Pick a colour"]) // asked once, though several polls listed it
  })

  it("a tool with an outputSchema still answers directly (its call takes the raw path)", async () => {
    await using m = await manager([stdio("x", "stdio-tasks-ext.ts")])
    await m.connect()
    await m.tools()
    const s = seen()
    const r = await m.callTool("x", "measure", {}, { onTask: s.onTask })
    expect(r.structuredContent).toEqual({ cm: 12 })
    expect(s.states).toEqual([])
  })

  it("a failed task is a failed call with the server's error", async () => {
    await using m = await manager([stdio("x", "stdio-tasks-ext.ts")])
    await m.connect()
    await expect(m.callTool("x", "broken", {})).rejects.toThrow(/failed: disk full/)
  })

  it("an abort sends tasks/cancel", async () => {
    await using t = await tmpdir()
    const events = join(t.path, "events")
    await using m = await manager([stdio("x", "stdio-tasks-ext.ts", { EVENTS_FILE: events })])
    await m.connect()
    const ac = new AbortController()
    let id = ""
    const call = m.callTool(
      "x",
      "forever",
      {},
      {
        signal: ac.signal,
        onTask: (_s, task) => {
          id = task.taskId
          ac.abort(new Error("stop"))
        },
      },
    )
    await expect(call).rejects.toThrow(/cancelled/)
    expect(await Bun.file(events).text()).toContain(`cancelled ${id}`)
    expect((await m.getTask("x", id)).status).toBe("cancelled")
  })
})

describe("the 2026-07-28 tasks extension over stateless HTTP, across connections", () => {
  it("a task started by one manager is followed to its result by another", async () => {
    await using srv = await startExtTaskServer()
    let taskId = ""
    {
      await using a = await manager([remote("api", srv.url, "http")])
      await a.connect()
      const started = await a.startTask("api", "report", { topic: "voles" })
      if (started.kind !== "task") throw new Error("expected a task")
      taskId = started.task.taskId
    }
    await using b = await manager([remote("api", srv.url, "http")])
    const [state] = await b.connect()
    expect(state).toMatchObject({ status: "connected", protocolVersion: "2026-07-28" })
    const out = await b.waitTask("api", taskId)
    expect(textOf(out.result)).toBe("report on voles")
    expect(textOf((await b.taskResult("api", taskId)).result)).toBe("report on voles")
    await expect(b.listTasks("api")).rejects.toThrow(/no tasks\/list/)
  })
})
