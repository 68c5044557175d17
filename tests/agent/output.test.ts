// The writers, fed by a real run, checked against the event and report schemas.
import { describe, expect, it } from "bun:test"
import * as v from "valibot"
import {
  createWriter,
  RunEvent,
  runAgent,
  type RunOutputFormat,
  type ServerStatus,
} from "../../src/agent/index.ts"
import { allowAll } from "../../src/agent/permissions.ts"
import { RunReport } from "../../src/agent/events.ts"
import { fakeModel } from "../fixtures/model/server.ts"
import { anthropicModel, fixtureTools } from "./helpers.ts"

const SERVERS: ServerStatus[] = [
  { name: "srv", status: "connected", transport: "stdio", tools: 8 },
  { name: "down", status: "failed", error: "spawn ENOENT" },
]

async function capture(format: RunOutputFormat) {
  await using tools = await fixtureTools()
  await using srv = await fakeModel([
    {
      text: "Echoing.",
      toolCalls: [
        { name: tools.nameOf("echo"), args: { text: "\u001b]52;c;evil\u0007" } },
        { name: tools.nameOf("fail") },
      ],
    },
    { text: "All done." },
  ])
  const stdout: string[] = []
  const stderr: string[] = []
  const writer = createWriter(format, {
    stdout: (s) => void stdout.push(s),
    stderr: (l) => void stderr.push(l),
  })
  const r = await runAgent({
    model: anthropicModel(srv),
    modelName: "anthropic:claude-test",
    tools: tools.source,
    prompt: "x",
    permissions: allowAll,
    servers: SERVERS,
    onEvent: writer.onEvent,
  })
  return { stdout: stdout.join(""), stderr, r }
}

describe("output writers", () => {
  it("stream-json: one valid event per line, init first with server status, result last", async () => {
    const { stdout, r } = await capture("stream-json")
    const lines = stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as unknown)
    for (const l of lines) expect(v.safeParse(RunEvent, l).issues).toBeUndefined()
    const events = lines as RunEvent[]
    expect(events[0]).toMatchObject({ type: "init", model: "anthropic:claude-test", servers: SERVERS })
    expect(events.at(-1)).toEqual(r.report)
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(["turn", "text", "tool_use", "tool_result", "usage"]),
    )
  })

  it("json: exactly one report document", async () => {
    const { stdout, r } = await capture("json")
    const doc = JSON.parse(stdout) as unknown
    expect(v.safeParse(RunReport, doc).issues).toBeUndefined()
    expect(doc).toMatchObject({
      exitReason: "completed",
      exitCode: 0,
      result: "All done.",
      turns: 2,
      servers: SERVERS,
    })
    expect((doc as RunReport).toolCalls.map((c) => [c.tool, c.isError])).toEqual([
      ["echo", false],
      ["fail", true],
    ])
    expect(doc).toEqual(r.report)
  })

  it("text: the answer on stdout, tool activity on stderr, escapes shown not executed", async () => {
    const { stdout, stderr } = await capture("text")
    expect(stdout).toBe("Echoing.\nAll done.\n")
    const err = stderr.join("\n")
    expect(err).toContain("server down: failed (spawn ENOENT)")
    expect(err).toContain("→ srv__echo")
    expect(err).toMatch(/← srv__fail error \d+ ms, 22 B: this tool always fails/)
    expect(err).not.toContain("\u001b")
    expect(err).toContain("\\u001b]52")
  })
})
