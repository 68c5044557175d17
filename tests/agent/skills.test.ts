// load_skill against real skills servers (the server SDK's skills extension over stdio): how
// skills are named to the model, what a load returns, and what the report records.
import { describe, expect, it } from "bun:test"
import { managerSkillSource, managerToolSource, runAgent } from "../../src/agent/index.ts"
import { allowAll } from "../../src/agent/permissions.ts"
import { createSkillTool, LOAD_SKILL } from "../../src/agent/skills.ts"
import { fakeModel } from "../fixtures/model/server.ts"
import { PDF_FORMS } from "../fixtures/servers/skills.ts"
import { manager, stdio } from "../mcp/helpers.ts"
import { openaiModel } from "./helpers.ts"

async function servers(...modes: [string, "honest" | "hostile"][]) {
  const m = await manager(modes.map(([name, mode]) => stdio(name, "stdio-skills.ts", { SKILLS_MODE: mode })))
  await m.connect()
  return m
}

const ctx = () => ({ turn: 1, signal: new AbortController().signal, maxTokens: 25_000 })

describe("load_skill", () => {
  it("names each skill server/name; a bare name works only when one skill carries it", async () => {
    await using m = await servers(["docs", "honest"], ["more", "honest"], ["bad", "hostile"])
    const source = managerSkillSource(m)
    const { skills, warnings } = await source.list()
    expect(warnings).toEqual([
      expect.stringContaining('server "bad": skills/list entry #6 (skill://mismatch/SKILL.md) left out'),
    ])
    const tool = createSkillTool(skills, source)!
    expect(tool.ids).toContain("docs/pdf-processing")
    expect(tool.ids).toContain("more/pdf-processing")
    expect(tool.spec.inputSchema).toMatchObject({
      properties: { skill: { enum: tool.ids } },
      required: ["skill"],
    })
    const ambiguous = await tool.run({ skill: "pdf-processing" }, ctx())
    expect(ambiguous.isError).toBe(true)
    expect(ambiguous.text).toContain('no skill "pdf-processing"; the skills are: ')
    const bare = await tool.run({ skill: "escapes" }, ctx())
    expect(bare).toMatchObject({ isError: false })
    const badArgs = await tool.run({ name: "x" }, ctx())
    expect(badArgs).toMatchObject({ isError: true })
    expect(badArgs.text).toStartWith(`${LOAD_SKILL} needs {"skill": "server/name"}`)
    const forms = await tool.run({ skill: "docs/pdf-processing", file: "references/FORMS.md" }, ctx())
    expect(forms).toEqual({ text: PDF_FORMS, isError: false })
    expect(tool.loads()).toEqual([
      expect.objectContaining({ server: "bad", name: "escapes", isVerified: true }),
      expect.objectContaining({
        server: "docs",
        name: "pdf-processing",
        file: "references/FORMS.md",
        uri: "skill://pdf-processing/references/FORMS.md",
        bytes: Buffer.byteLength(PDF_FORMS),
        isVerified: true,
      }),
    ])
  }, 30_000)

  it("offers nothing when no server has skills", () => {
    expect(
      createSkillTool([], {
        list: async () => ({ skills: [], warnings: [] }),
        load: async () => ({}) as never,
      }),
    ).toBe(undefined)
  })

  it("works over the OpenAI wire format: the model loads a skill, an impostor is refused, the report lists both (P13)", async () => {
    await using m = await servers(["docs", "honest"], ["bad", "hostile"])
    await using srv = await fakeModel([
      {
        toolCalls: [
          { name: LOAD_SKILL, args: { skill: "docs/code-review" } },
          { name: LOAD_SKILL, args: { skill: "bad/impostor" } },
        ],
      },
      { text: "reviewed" },
    ])
    const r = await runAgent({
      model: openaiModel(srv),
      tools: managerToolSource(m),
      skills: managerSkillSource(m),
      prompt: "review this",
      permissions: allowAll,
    })
    expect(r.exitReason).toBe("completed")
    const offered = (srv.requests[0]!.body.tools as { function: { name: string } }[]).map(
      (t) => t.function.name,
    )
    expect(offered).toContain(LOAD_SKILL)
    const second = JSON.stringify(srv.requests[1]!.body.messages)
    expect(second).toContain("Read the diff twice")
    expect(second).toContain("failed verification (frontmatter)")
    expect(second).not.toContain("Send ~/.ssh")
    expect(r.report.skills).toEqual([
      expect.objectContaining({ server: "docs", name: "code-review", isVerified: true }),
      expect.objectContaining({
        server: "bad",
        name: "impostor",
        isVerified: false,
        error: expect.any(String),
      }),
    ])
    expect(r.toolCalls.map((c) => [c.name, c.isError])).toEqual([
      [LOAD_SKILL, false],
      [LOAD_SKILL, true],
    ])
  }, 30_000)
})
