#!/usr/bin/env bun
// Keeps what the code cites inside the repository: every case ID (T04, O07, …) used in src/,
// tests/, scripts/ or build.ts has a row in docs/security.md, and the test files a row names
// cite its ID; every `docs/x.md §N` names a file and a numbered heading that exist, and
// `FILE.md "Heading"` a heading; no comment points at a document outside the repository;
// paths and links in docs/ and CONTRIBUTING.md resolve.
// tests/docs.test.ts runs it in `npm test`; `bun run scripts/check-docs.ts` runs it alone.
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join, resolve } from "node:path"

/** The ID prefix of each area of docs/security.md; add one here when a new area gets a table. */
export const ID_PREFIXES = ["C", "F", "I", "L", "O", "P", "S", "T"] as const

// An area prefix and exactly two digits as a whole word: S256, ES256, RS256, SHA256, 0x1F01,
// 2026-12-01T10:00 and v1.2.3 never match (a third digit or a letter/digit before breaks it).
const PREFIX = `(${ID_PREFIXES.join("|")})`
const ID = new RegExp(`\\b${PREFIX}(\\d{2})\\b`, "g")
// "L02-L06" / "O01–O08" cite every ID in between.
const RANGE = new RegExp(`\\b${PREFIX}(\\d{2})\\s?[-–]\\s?\\1(\\d{2})\\b`, "g")
// `docs/design.md §6`, `docs/design.md §4, §3`, `docs/design.md §7-8` (also CONTRIBUTING.md, README.md).
const SECTION_REF =
  /((?:docs\/[\w./-]+|CONTRIBUTING|README)\.md)((?:(?:\s*,\s*|\s+and\s+|\s+)§\s?\d+(?:[-–]\d+)?)+)/g
// `CONTRIBUTING.md "Who may import whom"`.
const HEADING_REF = /((?:docs\/[\w./-]+|CONTRIBUTING|README)\.md) "([^"\n]+)"/g
// Documents that live outside the repository, which readers of the code never see.
const OUTSIDE = /\bDESIGN(?:\.md)?\s*§|\bDESIGN\.md\b|\bSECURITY-CASES\b|\bSTYLE\.md\b|\(STYLE[:)]/g

const SCANNED_DIRS = ["src", "tests", "scripts"]
const SCANNED_FILES = ["build.ts"]
const SCANNED_EXT = /\.(ts|sh|md)$/
// The one file that has to spell out the outside documents' names.
const SELF = "scripts/check-docs.ts"

export interface Problem {
  file: string
  line: number
  message: string
}

export interface SourceFile {
  file: string
  text: string
}

export interface Cited {
  id: string
  line: number
}

/** IDs with a table row (`| T04 | …`) in a security document. */
export function definedIds(markdown: string): Set<string> {
  const ids = new Set<string>()
  for (const m of markdown.matchAll(/^\|\s*([A-Z]{1,2}\d{2})\s*\|/gm)) ids.add(m[1] as string)
  return ids
}

/** Each row's ID and the backticked files of its last column ("tested in"), with its line. */
export function testedIn(markdown: string): { id: string; files: string[]; line: number }[] {
  const rows: { id: string; files: string[]; line: number }[] = []
  markdown.split("\n").forEach((text, i) => {
    const id = /^\|\s*([A-Z]{1,2}\d{2})\s*\|/.exec(text)?.[1]
    if (!id) return
    const last = text.trim().replace(/\|$/, "").split("|").at(-1) ?? ""
    rows.push({ id, files: [...last.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string), line: i + 1 })
  })
  return rows
}

/** Rows whose "tested in" is empty or names a file that does not cite the row's ID. */
export function untestedIds(
  markdown: string,
  file: string,
  read: (path: string) => string | undefined,
): Problem[] {
  const problems: Problem[] = []
  for (const row of testedIn(markdown)) {
    if (row.files.length === 0)
      problems.push({ file, line: row.line, message: `${row.id} names no test file` })
    for (const test of row.files) {
      const text = read(test)
      if (text === undefined)
        problems.push({ file, line: row.line, message: `${row.id}: ${test} does not exist` })
      else if (!citedIds(text).some((c) => c.id === row.id))
        problems.push({ file, line: row.line, message: `${row.id}: ${test} does not cite ${row.id}` })
    }
  }
  return problems
}

/** Every ID a text cites, ranges expanded, with 1-based line numbers. */
export function citedIds(text: string): Cited[] {
  const out: Cited[] = []
  const lines = text.split("\n")
  lines.forEach((line, i) => {
    for (const m of line.matchAll(ID)) out.push({ id: m[0], line: i + 1 })
    for (const m of line.matchAll(RANGE)) {
      const [, prefix, from, to] = m as unknown as [string, string, string, string]
      for (let n = Number(from) + 1; n < Number(to); n++)
        out.push({ id: `${prefix}${String(n).padStart(2, "0")}`, line: i + 1 })
    }
  })
  return out
}

/** Cited IDs with no row in the security document. */
export function undefinedIds(files: SourceFile[], defined: Set<string>): Problem[] {
  const problems: Problem[] = []
  for (const { file, text } of files) {
    for (const { id, line } of citedIds(text)) {
      if (!defined.has(id)) problems.push({ file, line, message: `${id} is not defined in docs/security.md` })
    }
  }
  return problems
}

/** Numbers of the numbered headings (`## 10. Exit codes` → 10) and all heading texts. */
export function headingsOf(markdown: string): { numbers: Set<number>; texts: Set<string> } {
  const numbers = new Set<number>()
  const texts = new Set<string>()
  for (const m of markdown.matchAll(/^#{1,6}\s+(.+?)\s*$/gm)) {
    const text = (m[1] as string).replace(/`/g, "")
    texts.add(text.toLowerCase())
    const n = /^(\d+)\./.exec(text)
    if (n) numbers.add(Number(n[1]))
  }
  return { numbers, texts }
}

/** `docs/x.md §N` and `X.md "Heading"` references that do not resolve; `read` returns undefined for a missing file. */
export function brokenReferences(files: SourceFile[], read: (path: string) => string | undefined): Problem[] {
  const problems: Problem[] = []
  const cache = new Map<string, ReturnType<typeof headingsOf> | undefined>()
  const headings = (path: string) => {
    if (!cache.has(path)) {
      const text = read(path)
      cache.set(path, text === undefined ? undefined : headingsOf(text))
    }
    return cache.get(path)
  }
  for (const { file, text } of files) {
    text.split("\n").forEach((lineText, i) => {
      const at = { file, line: i + 1 }
      for (const m of lineText.matchAll(SECTION_REF)) {
        const [, doc, refs] = m as unknown as [string, string, string]
        const h = headings(doc)
        if (!h) {
          problems.push({ ...at, message: `${doc} does not exist` })
          continue
        }
        for (const n of sectionNumbers(refs)) {
          if (!h.numbers.has(n))
            problems.push({ ...at, message: `${doc} has no section §${n} (a heading "## ${n}. …")` })
        }
      }
      for (const m of lineText.matchAll(HEADING_REF)) {
        const [, doc, title] = m as unknown as [string, string, string]
        const h = headings(doc)
        if (!h) problems.push({ ...at, message: `${doc} does not exist` })
        else if (!h.texts.has(title.toLowerCase()))
          problems.push({ ...at, message: `${doc} has no heading "${title}"` })
      }
    })
  }
  return problems
}

function sectionNumbers(refs: string): number[] {
  const out: number[] = []
  for (const m of refs.matchAll(/§\s?(\d+)(?:[-–](\d+))?/g)) {
    const from = Number(m[1])
    const to = m[2] ? Number(m[2]) : from
    for (let n = from; n <= to; n++) out.push(n)
  }
  return out
}

/** References to documents outside the repository (the old DESIGN.md, SECURITY-CASES, STYLE.md). */
export function outsideReferences(files: SourceFile[]): Problem[] {
  const problems: Problem[] = []
  for (const { file, text } of files) {
    if (file === SELF) continue
    text.split("\n").forEach((line, i) => {
      for (const m of line.matchAll(OUTSIDE)) {
        problems.push({
          file,
          line: i + 1,
          message: `"${m[0]}" points outside the repository; cite docs/design.md §N, docs/security.md, or a CONTRIBUTING.md heading in quotes`,
        })
      }
    })
  }
  return problems
}

/** Backticked repository paths (`src/…`, `tests/…`, …) and relative links in the docs that do not exist. */
export function brokenDocPaths(root: string, docs: SourceFile[]): Problem[] {
  const problems: Problem[] = []
  for (const { file, text } of docs) {
    const dir = file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : "."
    text.split("\n").forEach((line, i) => {
      const at = { file, line: i + 1 }
      for (const m of line.matchAll(/`((?:src|tests|scripts|docs|examples)\/[\w./-]*)`/g)) {
        if (!existsSync(join(root, m[1] as string)))
          problems.push({ ...at, message: `${m[1]} does not exist` })
      }
      for (const m of line.matchAll(/\]\(([^)\s:#]*)(?:#([\w-]+))?\)/g)) {
        const target = m[1] ? join(dir, m[1]) : file // `](#anchor)`: this file
        const anchor = m[2]
        if (!existsSync(join(root, target)))
          problems.push({ ...at, message: `link to ${m[1]}: ${target} does not exist` })
        else if (
          anchor &&
          target.endsWith(".md") &&
          !slugsOf(readFileSync(join(root, target), "utf8")).has(anchor)
        ) {
          problems.push({ ...at, message: `link to ${m[1]}#${anchor}: no such heading in ${target}` })
        }
      }
    })
  }
  return problems
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
export function slugsOf(markdown: string): Set<string> {
  const slugs = new Set<string>()
  for (const m of markdown.matchAll(/^#{1,6}\s+(.+?)\s*$/gm)) {
    slugs.add(
      (m[1] as string)
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, "")
        .replace(/\s/g, "-"),
    )
  }
  return slugs
}

/** The files whose citations are checked, as repository-relative paths. */
export function scannedFiles(root: string): SourceFile[] {
  const files: string[] = [...SCANNED_FILES]
  const walk = (dir: string) => {
    for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
      const rel = `${dir}/${e.name}`
      if (e.isDirectory()) walk(rel)
      else if (SCANNED_EXT.test(e.name)) files.push(rel)
    }
  }
  for (const d of SCANNED_DIRS) walk(d)
  return files.map((file) => ({ file, text: readFileSync(join(root, file), "utf8") }))
}

/** README.md, CONTRIBUTING.md and docs/**\/*.md. */
export function docFiles(root: string): SourceFile[] {
  const files = ["README.md", "CONTRIBUTING.md"]
  const walk = (dir: string) => {
    for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
      const rel = `${dir}/${e.name}`
      if (e.isDirectory()) walk(rel)
      else if (e.name.endsWith(".md")) files.push(rel)
    }
  }
  walk("docs")
  return files.map((file) => ({ file, text: readFileSync(join(root, file), "utf8") }))
}

export function checkDocs(root: string): Problem[] {
  const read = (path: string) =>
    existsSync(join(root, path)) ? readFileSync(join(root, path), "utf8") : undefined
  const sources = scannedFiles(root)
  const docs = docFiles(root)
  const security = read("docs/security.md") ?? ""
  const defined = definedIds(security)
  return [
    ...undefinedIds(sources, defined),
    ...untestedIds(security, "docs/security.md", read),
    ...outsideReferences([...sources, ...docs]),
    ...brokenReferences([...sources, ...docs], read),
    ...brokenDocPaths(root, docs),
  ]
}

if (import.meta.main) {
  const problems = checkDocs(resolve(import.meta.dir, ".."))
  for (const p of problems) console.error(`${p.file}:${p.line}: ${p.message}`)
  if (problems.length > 0) process.exit(1)
  console.error("check-docs: every cited ID, section and path resolves")
}
