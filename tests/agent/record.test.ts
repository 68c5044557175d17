// --record then --replay: the model side comes from the file, tools run for real, and a run
// that drifts from the recording stops with a diff.
import { describe, expect, it } from "bun:test"
import { loadRecording, recordingModel, replayModel, runAgent } from "../../src/agent/index.ts"
import { allowAll } from "../../src/agent/permissions.ts"
import { RECORD_VERSION } from "../../src/agent/record.ts"
import type { ToolSource } from "../../src/agent/tools.ts"
import { fakeModel } from "../fixtures/model/server.ts"
import { ConfigError } from "../../src/util/errors.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { anthropicModel, fixtureTools } from "./helpers.ts"

async function record(file: string) {
  await using tools = await fixtureTools()
  await using srv = await fakeModel([
    { text: "Adding.", toolCalls: [{ name: tools.nameOf("add"), args: { a: 2, b: 3 } }] },
    { text: "The sum is 5." },
  ])
  const model = await recordingModel(anthropicModel(srv), file)
  return await runAgent({ model, tools: tools.source, prompt: "add 2 and 3", permissions: allowAll })
}

describe("record and replay", () => {
  it("replays a recorded run without the provider, calling MCP tools for real", async () => {
    await using tmp = await tmpdir()
    const file = `${tmp.path}/run.jsonl`
    const recorded = await record(file)
    expect(recorded.error).toBeUndefined()
    expect(recorded.text).toBe("The sum is 5.")
    const lines = (await tmp.read("run.jsonl"))
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string })
    expect(lines.map((l) => l.type)).toEqual(["header", "call", "call"])

    await using tools = await fixtureTools()
    const rec = await loadRecording(file)
    const r = await runAgent({
      model: replayModel(rec),
      tools: tools.source,
      prompt: "add 2 and 3",
      permissions: allowAll,
    })
    expect(r.exitReason).toBe("completed")
    expect(r.text).toBe("The sum is 5.")
    expect(r.usage).toEqual(recorded.usage)
    expect(tools.calls.map((c) => c.args)).toEqual([{ a: 2, b: 3 }])
  })

  it("fails with a diff when a tool result differs from the recording", async () => {
    await using tmp = await tmpdir()
    const file = `${tmp.path}/run.jsonl`
    await record(file)
    await using tools = await fixtureTools()
    const drifting: ToolSource = {
      list: () => tools.source.list(),
      call: async () => ({ content: [{ type: "text", text: "6" }] }),
    }
    const r = await runAgent({
      model: replayModel(await loadRecording(file)),
      tools: drifting,
      prompt: "add 2 and 3",
      permissions: allowAll,
    })
    expect(r.exitReason).toBe("replay_mismatch")
    expect(r.report.exitCode).toBe(1)
    expect(r.error).toContain("model call 2 differs from the recording")
    expect(r.error).toContain('- recorded "5"')
    expect(r.error).toContain('+ now      "6"')
  })

  it("fails with a diff naming the tool list when tools changed", async () => {
    await using tmp = await tmpdir()
    const file = `${tmp.path}/run.jsonl`
    await record(file)
    await using tools = await fixtureTools()
    const fewer: ToolSource = {
      list: async () => (await tools.source.list()).filter((t) => t.tool.name !== "echo"),
      call: tools.source.call,
    }
    const r = await runAgent({
      model: replayModel(await loadRecording(file)),
      tools: fewer,
      prompt: "add 2 and 3",
      permissions: allowAll,
    })
    expect(r.exitReason).toBe("replay_mismatch")
    expect(r.error).toContain("model call 1 differs")
    expect(r.error).toMatch(/tools\[\d+\]/)
  })

  it("rejects a file that is not a recording", async () => {
    await using tmp = await tmpdir()
    const file = await tmp.write("bad.jsonl", '{"hello":1}\n')
    const err = await loadRecording(file).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(ConfigError)
    expect((err as ConfigError).exitCode).toBe(2)
    expect((err as ConfigError).message).toBe(
      `${file}: not an agent recording (version ${RECORD_VERSION} header missing)`,
    )
  })
})
