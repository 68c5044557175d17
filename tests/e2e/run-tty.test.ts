// `agent run` at a terminal (a pty via runCliTty), on the compiled binary: tool calls no rule
// allows are asked about (yes / no / always for this tool), sampling asks before the model
// answers, and an elicitation form is filled in field by field.
import { describe, expect, it } from "bun:test"
import { fakeModel } from "../fixtures/model/server.ts"
import { runCliTty } from "../helpers/cli.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { config, modelEnv } from "./run-helpers.ts"

const MODEL = ["-m", "anthropic:claude-test"]

describe("compiled binary: agent run at a terminal", () => {
  it("asks per tool call: always covers the tool's other calls, no refuses and tells the model", async () => {
    await using t = await tmpdir()
    await using srv = await fakeModel([
      {
        toolCalls: [
          { name: "srv__echo", args: { text: "one" } },
          { name: "srv__echo", args: { text: "two" } },
        ],
      },
      { toolCalls: [{ name: "srv__add", args: { a: 1, b: 2 } }] },
      { text: "finished" },
    ])
    const r = await runCliTty(["run", "--mcp", await config(t), ...MODEL, "go"], {
      home: t.home,
      cwd: t.path,
      env: modelEnv(srv),
      binary: true,
      input: ["a", "n"],
      timeoutMs: 30_000,
    })
    expect(r.code).toBe(0)
    expect(r.stdout.match(/Allow srv__echo/g)).toHaveLength(1)
    expect(r.stdout).toContain("[y]es / [n]o / [a]lways for this tool")
    expect(r.stdout).toMatch(/← srv__echo ok/)
    expect(r.stdout).toMatch(/Allow srv__add .*"a":1/)
    expect(r.stdout).toMatch(/← srv__add refused/)
    expect(r.stdout).toContain("finished")
    const refusal = JSON.stringify(srv.requests[2]!.body.messages)
    expect(refusal).toContain("the user refused srv__add")
  }, 40_000)

  it("asks before sampling, then fills in an elicitation form (Enter keeps defaults)", async () => {
    await using t = await tmpdir()
    await using srv = await fakeModel([
      { toolCalls: [{ name: "srv__sample", args: { question: "capital of Peru?" } }] },
      { text: "Lima" },
      { toolCalls: [{ name: "srv__ask_user" }] },
      { text: "thanks" },
    ])
    const input = ["y", "y", "Grace", "", "5", "n"]
    const r = await runCliTty(["run", "--mcp", await config(t), ...MODEL, "--yes", "-o", "json", "go"], {
      home: t.home,
      cwd: t.path,
      env: modelEnv(srv),
      binary: true,
      input,
      timeoutMs: 30_000,
    })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Server "srv" asks the model to answer')
    expect(r.stdout).toContain("capital of Peru?")
    expect(r.stdout).toContain('Server "srv" asks: Tell me about yourself')
    const tools = srv.requests[3]!.body.messages as unknown[]
    const sent = JSON.stringify(tools)
    expect(sent).toContain("Lima")
    expect(sent).toMatch(/accept.*Grace.*green.*5.*false/)
  }, 40_000)
})
