// docs/runs.md documents `agent run`'s report and events: its examples must validate against the
// schemas in src/agent/events.ts, and every field and event type of those schemas must be named.
import { describe, expect, it } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import * as v from "valibot"
import { RunEvent, ServerStatus } from "../../src/agent/index.ts"
import {
  EXIT_REASONS,
  Refusal,
  RunReport,
  SkippedTool,
  ToolCallRecord,
  Usage,
} from "../../src/agent/events.ts"
import { ROOT } from "../helpers/cli.ts"

const readme = readFileSync(join(ROOT, "README.md"), "utf8")
const section = readFileSync(join(ROOT, "docs/runs.md"), "utf8")
const blocks = (lang: string) =>
  [...section.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, "g"))].map((m) => m[1]!)
const keysOf = (schema: { entries: Record<string, unknown> }) => Object.keys(schema.entries)

describe("docs/runs.md: agent run output", () => {
  it("has the report and events", () => {
    expect(section.length).toBeGreaterThan(1000)
  })

  it("its report examples (the report, a run with spilled results) are valid RunReports", () => {
    const reports = blocks("json")
    expect(reports.length).toBeGreaterThanOrEqual(2)
    for (const json of reports) expect(v.safeParse(RunReport, JSON.parse(json)).issues).toBeUndefined()
  })

  it("its stream-json example is valid RunEvents, init first", () => {
    const lines = blocks("jsonl")[0]!
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as unknown)
    for (const e of lines) expect(v.safeParse(RunEvent, e).issues).toBeUndefined()
    expect(lines[0]).toMatchObject({ type: "init" })
  })

  it("names every field of the report and its parts, every event type and exit reason", () => {
    const fields = [RunReport, ToolCallRecord, ServerStatus, Refusal, SkippedTool, Usage].flatMap(keysOf)
    const variants = RunEvent.options.map(
      (o) => o.entries as Record<string, unknown> & { type: { literal: string } },
    )
    const missing = [...new Set([...fields, ...variants.flatMap((o) => Object.keys(o))])].filter(
      (f) => !section.includes(`\`${f}\``) && !section.includes(`\`${f}[]\``),
    )
    expect(missing).toEqual([])
    for (const t of variants.map((o) => o.type.literal))
      expect(section).toMatch(new RegExp(`^\\| \`${t}\` \\|`, "m"))
    for (const r of EXIT_REASONS) expect(section).toContain(`\`${r}\``)
  })

  it("uses the recorded example the README's set-up runs", () => {
    expect(readme).toContain("--replay examples/everything-sum.jsonl")
    expect(readFileSync(join(ROOT, "examples/everything-sum.jsonl"), "utf8").split("\n")[0]).toContain(
      '"type":"header"',
    )
  })
})
