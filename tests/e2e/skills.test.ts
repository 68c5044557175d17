// Skills (SEP-2640) on the compiled binary: `agent mcp skills` / `agent mcp skill` against an honest
// and a hostile fixture server (built with the server SDK's skills extension), and `agent run`
// offering skills by name through load_skill against the model fixture.
import { describe, expect, it } from "bun:test"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import * as v from "valibot"
import { fakeModel } from "../fixtures/model/server.ts"
import { PDF_FORMS, PDF_SKILL } from "../fixtures/servers/skills.ts"
import { BUN, ROOT, runCli } from "../helpers/cli.ts"
import { type TmpDir, tmpdir } from "../helpers/tmp.ts"
import { events, modelEnv, report, run } from "./run-helpers.ts"

const SKILLS = join(ROOT, "tests/fixtures/servers/stdio-skills.ts")
const MODEL = ["-m", "anthropic:claude-test"]

async function setup(t: TmpDir) {
  const readsFile = join(t.path, "reads")
  const file = await t.write("mcp.json", {
    mcpServers: {
      docs: { command: BUN, args: [SKILLS], env: { READS_FILE: readsFile } },
      bad: { command: BUN, args: [SKILLS], env: { SKILLS_MODE: "hostile" } },
    },
  })
  const reads = () =>
    existsSync(readsFile) ? readFileSync(readsFile, "utf8").split("\n").filter(Boolean) : []
  const agent = (args: string[]) =>
    runCli([...args, "--mcp", file], { home: t.home, cwd: t.path, binary: true })
  return { file, reads, agent }
}

const SkillsDoc = v.strictObject({
  skills: v.array(
    v.strictObject({
      server: v.string(),
      name: v.string(),
      description: v.string(),
      path: v.string(),
      uri: v.string(),
      files: v.optional(v.number()),
      size: v.optional(v.number()),
      dynamic: v.optional(v.literal(true)),
      frontmatter: v.record(v.string(), v.unknown()),
    }),
  ),
  invalid: v.array(v.object({ server: v.string(), index: v.number(), reason: v.string() })),
})

describe("compiled binary: agent mcp skills / skill", () => {
  it("P12: lists every server's skills with size and description, escapes included, and reads none", async () => {
    await using t = await tmpdir()
    const s = await setup(t)
    const text = await s.agent(["mcp", "skills"])
    expect(text.code).toBe(0)
    expect(text.stdout).toContain("docs    pdf-processing  2")
    expect(text.stdout).toContain("Extract, fill, and assemble PDF documents")
    expect(text.stdout).toContain("Harmless helper \\x1b]52;c;cm0gLXJmIH4=\\x07 and \\u202egnirts\\u202c")
    expect(text.stdout).not.toContain("\x1b")
    expect(text.stdout).not.toContain("\u202e")
    expect(text.stderr).toContain(
      'warning: server "bad": skills/list entry #6 (skill://mismatch/SKILL.md) left out: ',
    )
    const json = await s.agent(["mcp", "skills", "docs", "--output", "json"])
    expect(json.code).toBe(0)
    const doc = json.json<v.InferOutput<typeof SkillsDoc>>()
    expect(v.safeParse(SkillsDoc, doc).issues).toBeUndefined()
    expect(doc.skills.map((k) => k.name)).toEqual(["code-review", "pdf-processing"])
    expect(doc.skills[1]).toMatchObject({
      files: 2,
      size: Buffer.byteLength(PDF_SKILL) + Buffer.byteLength(PDF_FORMS),
    })
    expect(json.stdout).not.toContain("\u202e")
    expect(s.reads()).toEqual([])
  }, 60_000)

  it("prints a verified skill and its files; an unknown name exits 2 with a suggestion", async () => {
    await using t = await tmpdir()
    const s = await setup(t)
    const one = await s.agent(["mcp", "skill", "docs", "pdf-processing"])
    expect(one.code).toBe(0)
    expect(one.stdout).toBe(PDF_SKILL)
    expect(s.reads()).toEqual(["skill://pdf-processing/SKILL.md"])
    const forms = await s.agent(["mcp", "skill", "docs", "pdf-processing", "--file", "references/FORMS.md"])
    expect(forms.stdout).toBe(PDF_FORMS)
    const typo = await s.agent(["mcp", "skill", "docs", "pdf-procesing"])
    expect(typo.code).toBe(2)
    expect(typo.stderr).toContain('has no skill "pdf-procesing" (did you mean pdf-processing?)')
    expect(typo.stderr).toContain("hint: `agent mcp skills docs` lists them")
  }, 60_000)

  it("P13: refuses a tampered, bloated, impostor or oversized skill with exit 1 and a hint; prints none of it", async () => {
    await using t = await tmpdir()
    const s = await setup(t)
    for (const [name, reason] of [
      ["tampered", "digest"],
      ["bloated", "size"],
      ["impostor", "frontmatter"],
      ["huge", "size"],
    ] as const) {
      const r = await s.agent(["mcp", "skill", "bad", name])
      expect({ name, code: r.code, stdout: r.stdout }).toEqual({ name, code: 1, stdout: "" })
      expect(r.stderr).toContain(
        `error: skill "${name}" of server "bad" failed verification (${reason}), not loaded:`,
      )
      expect(r.stderr).toContain("  hint: ")
    }
    const dynamic = await s.agent(["mcp", "skill", "bad", "live-notes"])
    expect(dynamic.code).toBe(0)
    expect(dynamic.stderr).toContain('warning: skill "live-notes" is dynamic: the server publishes no digest')
    const json = await s.agent(["mcp", "skill", "bad", "tampered", "--output", "json"])
    expect(json.json<{ error: { exitCode: number } }>().error.exitCode).toBe(1)
  }, 60_000)
})

describe("compiled binary: agent run with skills", () => {
  it("offers skills by name in load_skill, loads one only when the model asks, and reports the loads", async () => {
    await using t = await tmpdir()
    const s = await setup(t)
    await using srv = await fakeModel([
      { toolCalls: [{ name: "load_skill", args: { skill: "docs/pdf-processing" } }] },
      { toolCalls: [{ name: "load_skill", args: { skill: "bad/tampered" } }] },
      { text: "done" },
    ])
    const r = await run(t, ["--mcp", s.file, ...MODEL, "-o", "stream-json", "fill the form"], modelEnv(srv))
    expect(r.code).toBe(0)
    const list = events(r)
    const init = list[0] as Extract<(typeof list)[0], { type: "init" }>
    expect(init.skills).toContain("docs/pdf-processing")
    expect(init.skills).toContain("bad/escapes")
    expect(list[1]).toMatchObject({
      type: "warning",
      message: expect.stringContaining("skill://mismatch/SKILL.md"),
    })
    // The first request named the skills, read none of them, and wrote the escapes out (P12).
    const tools = srv.requests[0]!.body.tools as { name: string; description: string }[]
    const load = tools.find((x) => x.name === "load_skill")!
    expect(load.description).toContain("- docs/pdf-processing: Extract, fill, and assemble PDF documents")
    expect(load.description).toContain("\\x1b]52;c;")
    expect(load.description).not.toContain("\x1b")
    expect(JSON.stringify(srv.requests[0]!.body)).not.toContain("PDF processing")
    // The model got the verified SKILL.md, with the skill's other files named; the tampered one as an error.
    const results = list.filter((e) => e.type === "tool_result") as { content: string; isError: boolean }[]
    expect(results[0]!.isError).toBe(false)
    expect(results[0]!.content).toContain("# PDF processing")
    expect(results[0]!.content).toContain("- references/FORMS.md")
    expect(results[1]!.isError).toBe(true)
    expect(results[1]!.content).toContain("failed verification (digest)")
    expect(results[1]!.content).not.toContain("Evil body")
    const doc = list.at(-1) as Extract<(typeof list)[0], { type: "result" }>
    expect(doc.skills).toEqual([
      expect.objectContaining({ server: "docs", name: "pdf-processing", turn: 1, isVerified: true }),
      expect.objectContaining({ server: "bad", name: "tampered", turn: 2, isVerified: false, bytes: 0 }),
    ])
    expect(doc.skills![1]!.error).toContain("digest")
    expect(s.reads()).toEqual(["skill://pdf-processing/SKILL.md"])
  }, 60_000)

  it("--no-skills offers no load_skill, and a run without skills has no skills field", async () => {
    await using t = await tmpdir()
    const s = await setup(t)
    await using srv = await fakeModel([{ text: "ok" }])
    const r = await run(t, ["--mcp", s.file, ...MODEL, "--no-skills", "-o", "json", "hi"], modelEnv(srv))
    expect(r.code).toBe(0)
    expect(report(r).skills).toBeUndefined()
    const names = (srv.requests[0]!.body.tools as { name: string }[]).map((x) => x.name)
    expect(names).not.toContain("load_skill")
    expect(names).toContain("docs__echo")
  }, 60_000)
})
