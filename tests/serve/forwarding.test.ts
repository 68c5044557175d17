import { describe, expect, it } from "bun:test"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { startSessionServer } from "../fixtures/servers/http-session.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { AGENT_FIXTURE, BASIC, connectStdio, stdioConfig, textOf } from "./helpers.ts"

// What `agent mcp serve` passes on, both ways, between a real SDK client and fixture servers:
// progress and cancellation go up to the server; list changes, elicitation and sampling come down
// to the client.

async function waitFor(what: string, check: () => Promise<boolean>, budgetMs = 15_000) {
  // A budget so a broken forward fails with a message instead of hanging (not a timing assertion).
  for (const end = Date.now() + budgetMs; Date.now() < end; await Bun.sleep(50)) if (await check()) return
  throw new Error(`never happened: ${what}`)
}

describe("agent mcp serve forwards", () => {
  it("progress notifications of a running call to the client", async () => {
    await using t = await tmpdir()
    const cfg = await stdioConfig(t, { one: BASIC })
    await using c = await connectStdio(t, ["mcp", "serve", "--mcp", cfg])
    const seen: { progress: number; total?: number; message?: string }[] = []
    const r = await c.client.callTool(
      { name: "one__slow", arguments: { ms: 450 } },
      { onprogress: (p) => seen.push(p) },
    )
    expect(textOf(r)).toBe("slept 450 ms")
    expect(seen.length).toBeGreaterThan(0)
    expect(seen[0]!.total).toBe(450)
    expect(seen[0]!.message).toBe("tick 1")
  }, 30_000)

  it("a server's log messages to the client, the logger naming the server", async () => {
    await using t = await tmpdir()
    // This fixture logs each echo as notifications/message (level info, its logger "fixture").
    await using srv = await startSessionServer()
    const cfg = await t.write("mcp.json", { mcpServers: { s: { url: srv.url } } })
    await using c = await connectStdio(t, ["mcp", "serve", "--mcp", cfg])
    const logs: { logger?: string; level: string; data: unknown }[] = []
    c.client.setNotificationHandler("notifications/message", (n) => void logs.push(n.params))
    await c.client.callTool({ name: "s__echo", arguments: { text: "logged" } })
    await waitFor("the log message reached the client", async () => logs.length > 0)
    expect(logs[0]).toEqual({ level: "info", logger: "s", data: { echoed: "logged" } })
  }, 30_000)

  it("a client's cancel to the server that runs the call", async () => {
    await using t = await tmpdir()
    const events = join(t.path, "events.log")
    const cfg = await stdioConfig(t, { one: BASIC }, { EVENTS_FILE: events })
    await using c = await connectStdio(t, ["mcp", "serve", "--mcp", cfg])
    const abort = new AbortController()
    const call = c.client.callTool(
      { name: "one__slow", arguments: { ms: 20_000 } },
      { signal: abort.signal, onprogress: () => abort.abort("user cancelled") },
    )
    await expect(call).rejects.toThrow()
    const log = () => readFile(events, "utf8").catch(() => "")
    await waitFor("the server saw notifications/cancelled", async () =>
      (await log()).includes("slow: cancelled"),
    )
    // The session goes on after a cancel.
    expect(textOf(await c.client.callTool({ name: "one__echo", arguments: { text: "still here" } }))).toBe(
      "still here",
    )
  }, 30_000)

  it("tools/list_changed from a server, with the new tool listed under agent's name", async () => {
    await using t = await tmpdir()
    await using srv = await startSessionServer()
    const cfg = await t.write("mcp.json", { mcpServers: { s: { url: srv.url } } })
    await using c = await connectStdio(t, ["mcp", "serve", "--mcp", cfg])
    let changed = 0
    c.client.setNotificationHandler("notifications/tools/list_changed", () => void changed++)
    expect((await c.client.listTools()).tools.map((x) => x.name)).not.toContain("s__fresh")
    await c.client.callTool({ name: "s__grow", arguments: { name: "fresh" } })
    await waitFor("tools/list_changed reached the client", async () => changed > 0)
    expect((await c.client.listTools()).tools.map((x) => x.name)).toContain("s__fresh")
    expect(textOf(await c.client.callTool({ name: "s__fresh", arguments: {} }))).toBe("added")
  }, 30_000)

  it("a server's elicitation to the client, and the client's answer back", async () => {
    await using t = await tmpdir()
    const cfg = await stdioConfig(t, { one: BASIC })
    await using c = await connectStdio(t, ["mcp", "serve", "--mcp", cfg], {
      capabilities: { capabilities: { elicitation: { form: {} } } },
    })
    const asked: string[] = []
    c.client.setRequestHandler("elicitation/create", async (req) => {
      asked.push(req.params.message)
      return { action: "accept", content: { name: "Grace", color: "blue", count: 2, agree: false } }
    })
    const r = await c.client.callTool({ name: "one__ask_user", arguments: {} })
    expect(asked).toEqual(["Tell me about yourself"])
    expect(JSON.parse(textOf(r)).answer).toEqual({
      action: "accept",
      content: { name: "Grace", color: "blue", count: 2, agree: false },
    })
  }, 30_000)

  it("a client without elicitation gets the server a decline, not a hang", async () => {
    await using t = await tmpdir()
    const cfg = await stdioConfig(t, { one: BASIC })
    await using c = await connectStdio(t, ["mcp", "serve", "--mcp", cfg])
    const r = await c.client.callTool({ name: "one__ask_user", arguments: {} })
    expect(JSON.parse(textOf(r)).answer).toMatchObject({ action: "decline" })
  }, 30_000)

  it("a server's sampling request to the client, and the completion back", async () => {
    await using t = await tmpdir()
    const cfg = await stdioConfig(t, { two: AGENT_FIXTURE })
    await using c = await connectStdio(t, ["mcp", "serve", "--mcp", cfg], {
      capabilities: { capabilities: { sampling: {} } },
    })
    const questions: string[] = []
    c.client.setRequestHandler("sampling/createMessage", async (req) => {
      questions.push(JSON.stringify(req.params.messages))
      return { role: "assistant", model: "client-model", content: { type: "text", text: "forty-two" } }
    })
    const r = await c.client.callTool({ name: "two__sample", arguments: { question: "meaning of life?" } })
    expect(questions.join("")).toContain("meaning of life?")
    expect(textOf(r)).toContain("forty-two")
    expect(textOf(r)).toContain("client-model")
  }, 30_000)
})
