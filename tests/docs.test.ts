// The documents the code cites stay true: every case ID used in src/, tests/ and scripts/ has a
// row in docs/security.md (whose test files cite it), every `docs/x.md §N` and every heading
// quoted after a document resolves, no comment points at a document outside the repository,
// and the docs' paths and links exist.
// Each checker is also fed a planted mistake, so a checker that finds nothing cannot pass.
import { describe, expect, it } from "bun:test"
import { existsSync, readFileSync } from "node:fs"
import { join, resolve } from "node:path"
import {
  ID_PREFIXES,
  brokenDocPaths,
  brokenReferences,
  citedIds,
  definedIds,
  docFiles,
  outsideReferences,
  scannedFiles,
  undefinedIds,
  untestedIds,
} from "../scripts/check-docs.ts"

const ROOT = resolve(import.meta.dir, "..")
const SECURITY = readFileSync(join(ROOT, "docs/security.md"), "utf8")
// A missing file reads as undefined: that is what the checkers report.
const read = (path: string) =>
  existsSync(join(ROOT, path)) ? readFileSync(join(ROOT, path), "utf8") : undefined
// Built at run time so this file never cites the fake ID or the outside document itself.
const FAKE_ID = ["T", "99"].join("")
const OUTSIDE_REF = ["DES", "IGN §5"].join("")

const show = (ps: { file: string; line: number; message: string }[]) =>
  ps.map((p) => `${p.file}:${p.line}: ${p.message}`)

describe("case IDs", () => {
  it("defines every ID cited in src/, tests/ and scripts/ in docs/security.md", () => {
    expect(show(undefinedIds(scannedFiles(ROOT), definedIds(SECURITY)))).toEqual([])
  })

  it("reports an ID that docs/security.md does not define, with file and line", () => {
    const planted = { file: "src/x.ts", text: `// fine\n// ${FAKE_ID}: a case nobody wrote down\n` }
    expect(show(undefinedIds([planted], definedIds(SECURITY)))).toEqual([
      `src/x.ts:2: ${FAKE_ID} is not defined in docs/security.md`,
    ])
  })

  it("does not read hashes, versions or dates as IDs", () => {
    const text = "S256 ES256 RS256 SHA256 PS384 0x1F01 #C01234 2026-12-01T10:00 v1.2.3 od -N16 T1 T100 t04"
    expect(citedIds(text)).toEqual([])
  })

  it("cites every ID inside a range", () => {
    expect(citedIds("guards (L02-L06)").map((c) => c.id)).toEqual(["L02", "L06", "L03", "L04", "L05"])
    expect(citedIds("O01–O03").map((c) => c.id)).toEqual(["O01", "O03", "O02"])
  })

  it("names, for each ID, test files that exist and cite it", () => {
    expect(show(untestedIds(SECURITY, "docs/security.md", read))).toEqual([])
  })

  it("reports a row without tests, a missing test file and one that does not cite the ID", () => {
    const table = [
      "| ID | attacked | must happen | enforced in | tested in |",
      "|---|---|---|---|---|",
      "| C01 | a | b | `src/config/resolve.ts` | |",
      "| C02 | a | b | `src/config/interpolate.ts` | `tests/nope.test.ts` |",
      "| C03 | a | b | `src/config/approvals.ts` | `package.json` |",
    ].join("\n")
    expect(show(untestedIds(table, "docs/x.md", read))).toEqual([
      "docs/x.md:3: C01 names no test file",
      "docs/x.md:4: C02: tests/nope.test.ts does not exist",
      "docs/x.md:5: C03: package.json does not cite C03",
    ])
  })

  it("defines each ID once, in a known area", () => {
    const rows = [...SECURITY.matchAll(/^\|\s*([A-Z]{1,2}\d{2})\s*\|/gm)].map((m) => m[1] as string)
    expect(rows.length).toBeGreaterThan(50)
    expect(rows.length).toBe(new Set(rows).size)
    expect(rows.filter((id) => !(ID_PREFIXES as readonly string[]).includes(id.slice(0, -2)))).toEqual([])
  })
})

describe("references to documents", () => {
  const everything = () => [...scannedFiles(ROOT), ...docFiles(ROOT)]

  it("resolves every section and heading reference to a document", () => {
    expect(show(brokenReferences(everything(), read))).toEqual([])
  })

  it("reports a missing section, a missing file and a missing heading", () => {
    // Spelled in pieces so this file's own text holds no broken reference.
    const [design, nope, contributing] = ["docs/design.md", "docs/nope.md", "CONTRIBUTING.md"]
    const planted = {
      file: "src/x.ts",
      text: `// ${design} §5, §99\n// ${nope} §1\n// ${contributing} "No such heading"\n// ${design} §7-8\n`,
    }
    expect(show(brokenReferences([planted], read))).toEqual([
      'src/x.ts:1: docs/design.md has no section §99 (a heading "## 99. …")',
      "src/x.ts:2: docs/nope.md does not exist",
      'src/x.ts:3: CONTRIBUTING.md has no heading "No such heading"',
    ])
  })

  it("has no reference to a document outside the repository", () => {
    expect(show(outsideReferences([...scannedFiles(ROOT), ...docFiles(ROOT)]))).toEqual([])
  })

  it("reports a reference to the outside design document", () => {
    expect(outsideReferences([{ file: "src/x.ts", text: `// (${OUTSIDE_REF})` }]).map((p) => p.line)).toEqual(
      [1],
    )
  })
})

describe("paths and links in README.md, CONTRIBUTING.md and docs/", () => {
  it("names only files that exist", () => {
    expect(show(brokenDocPaths(ROOT, docFiles(ROOT)))).toEqual([])
  })

  it("reports a missing path, a missing link target and a missing anchor", () => {
    const planted = {
      file: "docs/x.md",
      text: "`src/nope.ts`\n[a](design.md#no-such-section) [b](gone.md) [c](design.md#10-exit-codes)\n",
    }
    expect(show(brokenDocPaths(ROOT, [planted]))).toEqual([
      "docs/x.md:1: src/nope.ts does not exist",
      "docs/x.md:2: link to design.md#no-such-section: no such heading in docs/design.md",
      "docs/x.md:2: link to gone.md: docs/gone.md does not exist",
    ])
  })
})
