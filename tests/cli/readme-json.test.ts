// docs/json-output.md (linked from the README) documents every --output json command: one heading per
// command of tests/helpers/json-shapes.ts, and each example there fits that command's schema
// (the error document's example fits the error schema). The binary's real output is checked
// against the same schemas in tests/e2e/json-output.test.ts.
import { describe, expect, it } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { ROOT } from "../helpers/cli.ts"
import { ErrorDoc, JSON_COMMANDS, shapeIssues, type JsonCommand } from "../helpers/json-shapes.ts"

const section = readFileSync(join(ROOT, "docs/json-output.md"), "utf8")
const blocks = (text: string) =>
  [...text.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!) as unknown)

/** `### \`agent …\`` headings with the text up to the next one. */
function documented(): Map<string, string> {
  const parts = section.split(/^### `([^`]+)`\n/m)
  const out = new Map<string, string>()
  for (let i = 1; i < parts.length; i += 2) out.set(parts[i]!, parts[i + 1]!)
  return out
}

describe("docs/json-output.md", () => {
  it("has a heading for every --output json command, and no other", () => {
    expect([...documented().keys()].sort()).toEqual(Object.keys(JSON_COMMANDS).sort())
  })

  it("shows the error document, valid against its schema", () => {
    const intro = section.slice(0, section.indexOf("\n### "))
    const [example] = blocks(intro)
    expect(shapeIssues(ErrorDoc, example)).toEqual([])
  })

  it("gives each command an example that fits its schema", () => {
    for (const [command, text] of documented()) {
      const examples = blocks(text)
      expect({ command, count: examples.length }).toEqual({ command, count: 1 })
      expect({ command, issues: shapeIssues(JSON_COMMANDS[command as JsonCommand], examples[0]) }).toEqual({
        command,
        issues: [],
      })
    }
  })

  it("finds a wrong example (the checker can fail)", () => {
    expect(shapeIssues(JSON_COMMANDS["agent mcp logout"], { server: "x", removed: "1" })).not.toEqual([])
    expect(shapeIssues(ErrorDoc, { error: { code: "nope", exitCode: 9, message: "m" } })).not.toEqual([])
  })
})
