// runAgent against the real provider packages, the model fixture and a real MCP server.
import { describe, expect, it } from "bun:test"
import { createPermissions, runAgent } from "../../src/agent/index.ts"
import { allowAll } from "../../src/agent/permissions.ts"
import { fakeModel } from "../fixtures/model/server.ts"
import { manager, stdio } from "../mcp/helpers.ts"
import { managerToolSource } from "../../src/agent/index.ts"
import { anthropicModel, eventLog, fixtureTools, openaiModel } from "./helpers.ts"

type Msg = { role: string; content: unknown }
const messagesOf = (body: Record<string, unknown>) => body.messages as Msg[]

describe("runAgent", () => {
  it("runs tool calls across turns and returns the final answer (anthropic)", async () => {
    await using tools = await fixtureTools()
    const echo = tools.nameOf("echo")
    await using srv = await fakeModel([
      { text: "Let me echo.", toolCalls: [{ name: echo, args: { text: "hi there" } }] },
      { text: "Done: hi there" },
    ])
    const log = eventLog()
    const r = await runAgent({
      model: anthropicModel(srv),
      tools: tools.source,
      prompt: "echo hi there",
      permissions: allowAll,
      onEvent: log.onEvent,
    })
    expect(r.exitReason).toBe("completed")
    expect(r.text).toBe("Done: hi there")
    expect(r.turns).toBe(2)
    expect(r.toolCalls).toEqual([
      expect.objectContaining({
        name: echo,
        server: "srv",
        tool: "echo",
        isError: false,
        isRefused: false,
        bytes: 8,
      }),
    ])
    const second = JSON.stringify(messagesOf(srv.requests[1]!.body))
    expect(second).toContain("tool_result")
    expect(second).toContain("hi there")
    expect(
      log
        .ofType("text")
        .map((e) => e.delta)
        .join(""),
    ).toBe("Let me echo.Done: hi there")
    expect(r.usage.totalTokens).toBeGreaterThan(0)
  })

  it("runs tool calls across turns with the OpenAI chat API too", async () => {
    await using tools = await fixtureTools()
    const add = tools.nameOf("add")
    await using srv = await fakeModel([{ toolCalls: [{ name: add, args: { a: 2, b: 3 } }] }, { text: "5" }])
    const r = await runAgent({
      model: openaiModel(srv),
      tools: tools.source,
      prompt: "2+3",
      system: "be brief",
      permissions: allowAll,
    })
    expect(r.text).toBe("5")
    const msgs = messagesOf(srv.requests[1]!.body)
    expect(msgs[0]).toEqual({ role: "system", content: "be brief" })
    expect(msgs.find((m) => m.role === "tool")?.content).toBe("5")
  })

  it("offers every tool with a dereferenced schema", async () => {
    await using tools = await fixtureTools()
    await using srv = await fakeModel([{ text: "ok" }])
    await runAgent({ model: anthropicModel(srv), tools: tools.source, prompt: "x", permissions: allowAll })
    const offered = srv.requests[0]!.body.tools as { name: string; input_schema: Record<string, unknown> }[]
    expect(offered.map((t) => t.name).sort()).toEqual(tools.tools.map((t) => t.name).sort())
    const route = offered.find((t) => t.name === tools.nameOf("route"))!
    expect(JSON.stringify(route.input_schema)).not.toContain("$ref")
    expect(route.input_schema).toMatchObject({
      properties: { from: { properties: { lat: { type: "number" } } } },
    })
  })

  it("runs parallel tool calls concurrently", async () => {
    await using tools = await fixtureTools()
    const slow = tools.nameOf("slow")
    await using srv = await fakeModel([
      {
        toolCalls: [
          { name: slow, args: { ms: 300 } },
          { name: slow, args: { ms: 300 } },
        ],
      },
      { text: "both done" },
    ])
    const r = await runAgent({
      model: anthropicModel(srv),
      tools: tools.source,
      prompt: "x",
      permissions: allowAll,
    })
    expect(r.text).toBe("both done")
    expect(tools.calls).toHaveLength(2)
    const [a, b] = tools.calls as [(typeof tools.calls)[0], (typeof tools.calls)[0]]
    // Overlap: each call started before the other one ended.
    expect(a.start).toBeLessThan(b.end)
    expect(b.start).toBeLessThan(a.end)
  })

  it("sends tool errors and invalid arguments back to the model as error results", async () => {
    await using tools = await fixtureTools()
    await using srv = await fakeModel([
      {
        toolCalls: [
          { name: tools.nameOf("fail") },
          { name: tools.nameOf("echo"), rawArgs: "{not json" },
          { name: "nope__missing" },
        ],
      },
      { text: "recovered" },
    ])
    const r = await runAgent({
      model: anthropicModel(srv),
      tools: tools.source,
      prompt: "x",
      permissions: allowAll,
    })
    expect(r.exitReason).toBe("completed")
    expect(r.toolCalls.map((c) => c.isError)).toEqual([true, true, true])
    const results = messagesOf(srv.requests[1]!.body).at(-1)!.content as {
      is_error?: boolean
      content: unknown
    }[]
    expect(results.every((x) => x.is_error === true)).toBe(true)
    const text = JSON.stringify(results)
    expect(text).toContain("this tool always fails")
    expect(text).toContain("not valid JSON")
    expect(text).toContain("unknown tool nope__missing")
    expect(tools.calls.map((c) => c.name)).toEqual([tools.nameOf("fail")])
  })

  it("reports a refused call to the model with the reason and records it", async () => {
    await using tools = await fixtureTools()
    const echo = tools.nameOf("echo")
    await using srv = await fakeModel([
      { toolCalls: [{ name: echo, args: { text: "x" } }] },
      { text: "I could not." },
    ])
    const permissions = createPermissions({ deny: ["srv__echo"] })
    const r = await runAgent({ model: anthropicModel(srv), tools: tools.source, prompt: "x", permissions })
    expect(r.exitReason).toBe("completed")
    expect(tools.calls).toHaveLength(0)
    expect(r.refusals).toEqual([
      expect.objectContaining({ name: echo, reason: expect.stringContaining("--deny") }),
    ])
    expect(r.toolCalls[0]).toMatchObject({ isRefused: true, isError: true })
    expect(JSON.stringify(messagesOf(srv.requests[1]!.body))).toContain("denied by a --deny rule")
  })

  it("asks, and a refusal from the user carries their reason", async () => {
    await using tools = await fixtureTools()
    await using srv = await fakeModel([
      { toolCalls: [{ name: tools.nameOf("echo"), args: { text: "x" } }] },
      { text: "ok" },
    ])
    const asked: string[] = []
    const permissions = createPermissions({
      ask: async (t) => (asked.push(t.name), { allow: false, reason: "not today" }),
    })
    const r = await runAgent({ model: anthropicModel(srv), tools: tools.source, prompt: "x", permissions })
    expect(asked).toEqual([tools.nameOf("echo")])
    expect(r.refusals[0]!.reason).toBe("not today")
  })

  it("ends with exit reason refused (exit 3) under strict permissions", async () => {
    await using tools = await fixtureTools()
    await using srv = await fakeModel([
      { toolCalls: [{ name: tools.nameOf("echo"), args: { text: "x" } }] },
      { text: "never" },
    ])
    const r = await runAgent({
      model: anthropicModel(srv),
      tools: tools.source,
      prompt: "x",
      permissions: createPermissions({}),
      isStrictPermissions: true,
    })
    expect(r.exitReason).toBe("refused")
    expect(r.report.exitCode).toBe(3)
    expect(r.error).toContain("--allow")
    expect(srv.requests).toHaveLength(1)
  })

  it("stops at --max-turns without running the last turn's calls", async () => {
    await using tools = await fixtureTools()
    const call = { toolCalls: [{ name: tools.nameOf("echo"), args: { text: "again" } }] }
    await using srv = await fakeModel([call, call, call])
    const r = await runAgent({
      model: anthropicModel(srv),
      tools: tools.source,
      prompt: "x",
      permissions: allowAll,
      maxTurns: 2,
    })
    expect(r.exitReason).toBe("max_turns")
    expect(r.report.exitCode).toBe(1)
    expect(r.turns).toBe(2)
    expect(tools.calls).toHaveLength(1)
    expect(srv.requests).toHaveLength(2)
  })

  it("cuts tool output over the limit with a marker", async () => {
    await using tools = await fixtureTools()
    await using srv = await fakeModel([
      { toolCalls: [{ name: tools.nameOf("big"), args: { mb: 0.01 } }] },
      { text: "ok" },
    ])
    const log = eventLog()
    const r = await runAgent({
      model: anthropicModel(srv),
      tools: tools.source,
      prompt: "x",
      permissions: allowAll,
      maxToolOutputTokens: 100,
      onEvent: log.onEvent,
    })
    expect(r.toolCalls[0]).toMatchObject({ isTruncated: true, bytes: 10485 })
    const result = log.ofType("tool_result")[0]!
    expect(result.content.startsWith("x".repeat(400))).toBe(true)
    expect(result.content).toContain("[agent: tool output truncated: showing 400 of 10485 characters")
    expect(JSON.stringify(srv.requests[1]!.body)).toContain("tool output truncated")
  })

  it("maps a shortened 70-character tool name back to its server and tool", async () => {
    const server = `s${"x".repeat(63)}`
    await using m = await manager([stdio(server, "stdio-basic.ts")])
    await m.connect()
    const source = managerToolSource(m)
    const echo = (await m.tools()).find((t) => t.tool.name === "echo")!
    expect(`${server}__echo`.length).toBe(70)
    expect(echo.name.length).toBeLessThanOrEqual(64)
    await using srv = await fakeModel([
      { toolCalls: [{ name: echo.name, args: { text: "long" } }] },
      { text: "ok" },
    ])
    const r = await runAgent({
      model: anthropicModel(srv),
      tools: source,
      prompt: "x",
      permissions: allowAll,
    })
    expect(r.toolCalls[0]).toMatchObject({ name: echo.name, server, tool: "echo", isError: false })
    expect(JSON.stringify(srv.requests[1]!.body)).toContain("long")
  })
})

describe("runAgent limits and model failures", () => {
  const noTools = { list: async () => [], call: async () => ({ content: [] }) }

  it("times out (exit 124) while the model hangs", async () => {
    await using srv = await fakeModel([{ hang: true }])
    const r = await runAgent({
      model: anthropicModel(srv),
      tools: noTools,
      prompt: "x",
      permissions: allowAll,
      timeoutMs: 150,
    })
    expect(r.exitReason).toBe("timeout")
    expect(r.report.exitCode).toBe(124)
  })

  it("is interrupted (exit 130) when the caller aborts", async () => {
    await using srv = await fakeModel([{ hang: true }])
    const ac = new AbortController()
    const pending = runAgent({
      model: anthropicModel(srv),
      tools: noTools,
      prompt: "x",
      permissions: allowAll,
      signal: ac.signal,
    })
    while (srv.requests.length === 0) await Bun.sleep(5)
    ac.abort()
    const r = await pending
    expect(r.exitReason).toBe("interrupted")
    expect(r.report.exitCode).toBe(130)
  })

  it("retries a 429 and reports a 401 as a model error", async () => {
    await using srv = await fakeModel([
      { error: { status: 429, retryAfterSeconds: 0 } },
      { text: "after retry" },
    ])
    const log = eventLog()
    const ok = await runAgent({
      model: anthropicModel(srv),
      tools: noTools,
      prompt: "x",
      permissions: allowAll,
      onEvent: log.onEvent,
    })
    expect(ok.text).toBe("after retry")
    expect(log.ofType("warning")[0]!.message).toContain("429")
    srv.push({ error: { status: 401, message: "invalid x-api-key" } })
    const bad = await runAgent({
      model: anthropicModel(srv),
      tools: noTools,
      prompt: "x",
      permissions: allowAll,
    })
    expect(bad.exitReason).toBe("model_error")
    expect(bad.report.exitCode).toBe(1)
    expect(bad.error).toContain("invalid x-api-key")
  })
})
