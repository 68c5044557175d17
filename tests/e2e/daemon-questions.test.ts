import { describe, expect, it } from "bun:test"
import { join } from "node:path"
import { fakeModel } from "../fixtures/model/server.ts"
import { BUN, ROOT, runCliTty } from "../helpers/cli.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { connectStdio, textOf } from "../serve/helpers.ts"
import { agent, BASIC, startedDaemon, status } from "./daemon-helpers.ts"

// A held server's questions (elicitation, sampling) reach whoever made the call, on the compiled
// binary: the terminal of a warm `agent mcp call`, the model of a warm `agent run`, and, with two
// serve clients on one held server, the client whose call is running (docs/daemon.md).
const AGENT_SERVER = join(ROOT, "tests/fixtures/servers/stdio-agent.ts")
const MODEL = ["-m", "anthropic:claude-test"]

describe("compiled binary: elicitation and sampling through the daemon", () => {
  it("a warm `agent mcp call`: --elicit defaults, a decline without a terminal, and the form at the caller's terminal", async () => {
    await using t = await tmpdir({
      files: { "mcp.json": { mcpServers: { local: { command: BUN, args: [BASIC] } } } },
    })
    await using _d = await startedDaemon(t)
    const call = (extra: string[] = []) =>
      agent(t, ["mcp", "call", "local", "ask_user", "--mcp", "mcp.json", ...extra])
    const accepted = await call(["--elicit", "defaults"])
    expect(accepted.code).toBe(0)
    expect(JSON.parse(accepted.stdout).answer).toEqual({
      action: "accept",
      content: { name: "Ada", color: "green", count: 3, agree: true },
    })
    const declined = await call()
    expect(JSON.parse(declined.stdout).answer).toMatchObject({ action: "decline" })
    expect(declined.stderr).toContain(
      "elicitation from local declined: no terminal to ask; --elicit defaults",
    )
    const tty = await runCliTty(["mcp", "call", "local", "ask_user", "--mcp", "mcp.json"], {
      home: t.home,
      cwd: t.path,
      binary: true,
      input: ["y", "Grace", "", "5", "n"],
      timeoutMs: 30_000,
    })
    expect(tty.code).toBe(0)
    expect(tty.stdout).toContain('Server "local" asks: Tell me about yourself')
    expect(tty.stdout).toMatch(
      /"answer":\{"action":"accept","content":\{"name":"Grace","color":"green","count":5,"agree":false\}\}/,
    )
    // All three calls went to one held server (else they proved nothing about the daemon).
    expect((await status(t)).servers).toMatchObject([{ name: "local", calls: 3 }])
  }, 90_000)

  it("a warm `agent run --allow-sampling`: each run's sampling goes to its own model", async () => {
    await using t = await tmpdir({
      files: { "mcp.json": { mcpServers: { srv: { command: BUN, args: [AGENT_SERVER] } } } },
    })
    await using _d = await startedDaemon(t)
    for (const [i, answer] of ["Paris", "Lima"].entries()) {
      await using model = await fakeModel([
        { toolCalls: [{ name: "srv__sample", args: { question: `capital ${i}?` } }] },
        { text: answer }, // the sampling request
        { text: `heard ${answer}` },
      ])
      const r = await agent(
        t,
        ["run", "--mcp", "mcp.json", ...MODEL, "--yes", "--allow-sampling", "-o", "json", "ask"],
        {
          ANTHROPIC_API_KEY: "test-key",
          ANTHROPIC_BASE_URL: model.anthropicBaseUrl,
        },
      )
      expect(r.code).toBe(0)
      expect(JSON.stringify(r.json())).toContain(answer)
      expect(model.requests).toHaveLength(3)
      expect(JSON.stringify(model.requests[1]!.body.messages)).toContain(`capital ${i}?`)
    }
    expect((await status(t)).servers).toMatchObject([{ name: "srv", calls: 2 }])
  }, 90_000)

  it("two serve clients on one held server: each one's elicitation and sampling come to it", async () => {
    await using t = await tmpdir({
      files: {
        "mcp.json": {
          mcpServers: { one: { command: BUN, args: [BASIC] }, two: { command: BUN, args: [AGENT_SERVER] } },
        },
      },
    })
    await using _d = await startedDaemon(t)
    const open = async (who: string) => {
      const c = await connectStdio(t, ["mcp", "serve", "--mcp", "mcp.json"], {
        binary: true,
        capabilities: { capabilities: { elicitation: { form: {} }, sampling: {} } },
      })
      c.client.setRequestHandler("elicitation/create", async () => ({
        action: "accept",
        content: { name: who, color: "blue", count: 2, agree: false },
      }))
      c.client.setRequestHandler("sampling/createMessage", async () => ({
        role: "assistant",
        model: `model-of-${who}`,
        content: { type: "text", text: `answer of ${who}` },
      }))
      return c
    }
    await using a = await open("A")
    await using b = await open("B")
    const ask = async (c: typeof a) =>
      JSON.parse(textOf(await c.client.callTool({ name: "one__ask_user", arguments: {} }))).answer.content
        .name
    const sample = async (c: typeof a) =>
      textOf(await c.client.callTool({ name: "two__sample", arguments: { question: "q?" } }))
    expect(await ask(b)).toBe("B")
    expect(await ask(a)).toBe("A") // not the newest session's: the one whose call is running
    expect(await sample(a)).toContain("model-of-A")
    expect(await sample(b)).toContain("model-of-B")
    const held = (await status(t)).servers!
    expect(held.map((s) => [s.name, s.calls]).sort()).toEqual([
      ["one", 2],
      ["two", 2],
    ])
  }, 90_000)
})
