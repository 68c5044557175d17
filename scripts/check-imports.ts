#!/usr/bin/env bun
// Enforces CONTRIBUTING.md "Who may import whom" over src/: a domain (a folder under src/) reaches
// another domain only through its index.ts (util/* is open to all); util imports no domain;
// config imports only util; the domain graph has no cycles; and no file reaches itself again through
// relative imports of any kind (static, `import type`, re-exports, dynamic). Inside cli (every
// subfolder is part of the cli domain), a command group folder (cli/mcp/, cli/run/…) imports no
// other group, and cli/shared/ and the root files import none except through a group's index.ts
// (the lazy wiring in cli/index.ts). Exit 1 on any violation.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"

// The tree to check: src/ by default; tests/scripts/check-imports.test.ts passes a fixture tree.
const SRC = resolve(process.argv[2] ?? resolve(import.meta.dir, "../src"))
const OPEN = "util" // shared helpers: any file may be imported from any domain
const LEAVES: Record<string, string[]> = { util: [], config: ["util"] } // domain → the only domains it may import

interface Edge {
  from: string
  to: string
  where: string // file:line, for messages
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name)
    if (e.isDirectory()) return sourceFiles(p)
    return /\.(ts|tsx|js|mjs)$/.test(e.name) && !e.name.endsWith(".d.ts") ? [p] : []
  })
}

/** Relative specifiers of static imports, re-exports, side-effect and dynamic imports, with line numbers. */
function importsOf(file: string): { spec: string; line: number }[] {
  const found: { spec: string; line: number }[] = []
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["'](\.{1,2}(?:\/[^"']*)?)["']/g
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((text, i) => {
      if (/^\s*(\/\/|\*)/.test(text)) return
      for (const m of text.matchAll(re)) found.push({ spec: m[1]!, line: i + 1 })
    })
  return found
}

/** The domain of a path under src/, or undefined for top-level files such as main.ts. */
function domainOf(path: string): string | undefined {
  const parts = relative(SRC, path).split("/")
  if (parts[0] === ".." || parts[0] === "") return undefined
  return parts.length > 1 || isDirectory(path) ? parts[0] : undefined // "../mcp" means ../mcp/index.ts
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory()
}

function isIndex(target: string, domain: string): boolean {
  const rest = relative(join(SRC, domain), target)
  return rest === "" || /^index(\.[jt]sx?)?$/.test(rest)
}

const CLI = join(SRC, "cli")
const CLI_SHARED = "shared" // what several command groups use

/** The folder under cli/ a path is in ("mcp", "shared"), or undefined for cli's root files. */
function cliFolder(path: string): string | undefined {
  const parts = relative(CLI, path).split("/")
  return parts.length > 1 || isDirectory(path) ? parts[0] : undefined
}

/** A command group reaches no other group; shared/ and the root reach a group only at its index.ts. */
function cliGroupProblem(file: string, target: string, spec: string): string | undefined {
  const from = cliFolder(file)
  const to = cliFolder(target)
  if (to === undefined || to === CLI_SHARED || to === from) return undefined
  const isGroupIndex = relative(join(CLI, to), target).match(/^(index(\.[jt]sx?)?)?$/) !== null
  if (from === undefined || from === CLI_SHARED) {
    return isGroupIndex
      ? undefined
      : `"${spec}" reaches into the command group cli/${to}; import its index.ts`
  }
  return `command group cli/${from} must not import cli/${to} ("${spec}"); move what both use to cli/${CLI_SHARED}/`
}

/** The file a relative specifier names: as written, with a source extension, or a folder's index. */
function resolveFile(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec)
  const candidates = [base, ...[".ts", ".tsx", ".js", ".mjs"].map((x) => base + x), join(base, "index.ts")]
  return candidates.find((c) => existsSync(c) && !isDirectory(c))
}

/** File-level cycles as paths: for each file, the shortest way back to itself (breadth-first), each set of files once. */
function fileCycles(files: string[]): string[][] {
  const graph = new Map<string, string[]>()
  for (const f of files)
    graph.set(f, [...new Set(importsOf(f).flatMap(({ spec }) => resolveFile(f, spec) ?? []))].sort())
  const out: string[][] = []
  const seen = new Set<string>()
  for (const start of [...graph.keys()].sort()) {
    const prev = new Map<string, string>()
    const queue = [start]
    let found = false
    while (queue.length > 0 && !found) {
      const f = queue.shift()!
      for (const t of graph.get(f) ?? []) {
        if (t === start) {
          const path = [f]
          while (path[0] !== start) path.unshift(prev.get(path[0]!)!)
          const key = [...path].sort().join("\n")
          if (!seen.has(key)) {
            seen.add(key)
            out.push(path)
          }
          found = true
          break
        }
        if (!prev.has(t) && t !== start) {
          prev.set(t, f)
          queue.push(t)
        }
      }
    }
  }
  return out
}

function check(): { problems: string[]; edges: Edge[] } {
  const problems: string[] = []
  const edges: Edge[] = []
  for (const file of sourceFiles(SRC)) {
    const from = domainOf(file)
    if (!from) continue // main.ts wires everything together
    for (const { spec, line } of importsOf(file)) {
      const target = resolve(dirname(file), spec)
      const to = domainOf(target)
      const where = `${relative(process.cwd(), file)}:${line}`
      if (from === "cli" && to === "cli") {
        const problem = cliGroupProblem(file, target, spec)
        if (problem) problems.push(`${where}: ${problem}`)
      }
      if (!to || to === from) continue
      edges.push({ from, to, where })
      const allowed = LEAVES[from]
      if (allowed && !allowed.includes(to))
        problems.push(`${where}: ${from} must not import ${to} ("${spec}")`)
      else if (to !== OPEN && !isIndex(target, to))
        problems.push(
          `${where}: "${spec}" reaches into ${to}; import "${relative(dirname(file), join(SRC, to))}/index.ts" instead`,
        )
    }
  }
  return { problems, edges }
}

/** Each cycle in the domain graph once, as the edges that form it. */
function cycles(edges: Edge[]): Edge[][] {
  const out = new Map<string, Edge[]>()
  const first = new Map<string, Edge>() // one example edge per domain pair
  for (const e of edges) if (!first.has(`${e.from}>${e.to}`)) first.set(`${e.from}>${e.to}`, e)
  const next = (d: string) => [...first.values()].filter((e) => e.from === d)
  const visit = (start: string, d: string, path: Edge[]) => {
    for (const e of next(d)) {
      if (e.to === start) {
        const key = [...path, e]
          .map((x) => x.from)
          .sort()
          .join(",")
        if (!out.has(key)) out.set(key, [...path, e])
      } else if (!path.some((x) => x.from === e.to) && e.to > start) visit(start, e.to, [...path, e])
    }
  }
  for (const d of new Set(edges.map((e) => e.from))) visit(d, d, [])
  return [...out.values()]
}

const { problems, edges } = check()
for (const cycle of cycles(edges)) {
  const names = [...cycle.map((e) => e.from), cycle[0]!.from].join(" → ")
  problems.push(
    `cycle between domains: ${names}\n${cycle.map((e) => `    ${e.where}: ${e.from} imports ${e.to}`).join("\n")}`,
  )
}
for (const cycle of fileCycles(sourceFiles(SRC))) {
  const names = [...cycle, cycle[0]!].map((f) => relative(SRC, f))
  problems.push(`cycle between files: ${names.join(" → ")}`)
}
if (problems.length > 0) {
  console.error(`check-imports: ${problems.length} violation(s) of CONTRIBUTING.md "Who may import whom":`)
  for (const p of problems) console.error(`  ${p}`)
  process.exit(1)
}
console.error(`check-imports: ok (${edges.length} cross-domain imports)`)
