#!/usr/bin/env bun
// `npm run mutate`, before a release (not part of `npm test`): breaks each security helper in
// the ways scripts/mutations.ts lists, one scratch copy of the repo per breakage, and runs the
// tests named for it there. A mutation the tests do not notice SURVIVED: a test that claims to
// guard that code does not. Exit 1 when any survived, when a `find` no longer matches the code,
// when the unmutated tests fail, or when a mutated copy fails without any test failing (a
// breakage that does not even load proves nothing).
//
//   bun run scripts/mutate.ts [--jobs N] [name filter …]
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises"
import { existsSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { MUTATIONS, type Mutation } from "./mutations.ts"

const ROOT = resolve(import.meta.dir, "..")
const BUN = join(ROOT, "node_modules/.bin/bun")
/** What a scratch copy needs to build and test (and for scripts/test.ts to lint and check docs); node_modules is linked, not copied. */
const COPIED = [
  "src",
  "tests",
  "scripts",
  "web",
  "docs",
  "examples",
  "package.json",
  "bunfig.toml",
  "tsconfig.json",
  "build.ts",
  "biome.json",
  ".gitignore",
  "README.md",
  "CONTRIBUTING.md",
  "mcp.example.json",
]
/** A mutation that makes a test hang is killed by bun's per-test timeout well before this. */
const RUN_LIMIT_MS = 10 * 60_000

type Outcome =
  | { status: "killed"; failing: string[] }
  | { status: "SURVIVED" }
  | { status: "broken"; output: string }

interface Run {
  code: number
  output: string
}

function parseArgs(argv: string[]): { jobs: number; filters: string[] } {
  let jobs = 2 // the release box and CI runners have two cores
  const filters: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === "--jobs") jobs = Number(argv[++i])
    else if (arg.startsWith("--jobs=")) jobs = Number(arg.slice(7))
    else filters.push(arg)
  }
  if (!Number.isInteger(jobs) || jobs < 1) throw new Error("--jobs takes a positive integer")
  return { jobs, filters }
}

/** Every `find` must occur exactly once, and every test file must exist: the list tracks the code. */
export async function checkList(mutations: Mutation[]): Promise<string[]> {
  const problems: string[] = []
  const names = new Set<string>()
  for (const m of mutations) {
    if (names.has(m.name)) problems.push(`${m.name}: the name is used twice`)
    names.add(m.name)
    const path = join(ROOT, m.file)
    if (!existsSync(path)) {
      problems.push(`${m.name}: ${m.file} does not exist`)
      continue
    }
    const count = (await readFile(path, "utf8")).split(m.find).length - 1
    if (count !== 1)
      problems.push(
        `${m.name}: \`find\` occurs ${count} times in ${m.file} (must be exactly once): ${JSON.stringify(m.find)}`,
      )
    if (m.find === m.replace) problems.push(`${m.name}: replace equals find`)
    for (const t of m.tests)
      if (!existsSync(join(ROOT, t))) problems.push(`${m.name}: test file ${t} does not exist`)
    if (m.tests.length === 0) problems.push(`${m.name}: names no tests`)
  }
  return problems
}

async function scratchCopy(label: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `agentrt-mutate-${label}-`))
  for (const entry of COPIED) {
    if (existsSync(join(ROOT, entry))) await cp(join(ROOT, entry), join(dir, entry), { recursive: true })
  }
  await symlink(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir")
  return dir
}

/** e2e files run the compiled binary: scripts/test.ts rebuilds the copy's own dist/agent first. */
async function runTests(dir: string, tests: string[]): Promise<Run> {
  const needsBinary = tests.some((t) => t.startsWith("tests/e2e/"))
  const args = needsBinary ? ["run", "scripts/test.ts", ...tests] : ["test", "--timeout", "30000", ...tests]
  const proc = Bun.spawn([BUN, ...args], {
    cwd: dir,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: process.env,
  })
  const timer = setTimeout(() => proc.kill("SIGKILL"), RUN_LIMIT_MS)
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  clearTimeout(timer)
  return { code, output: `${out}${err}` }
}

function failingTests(output: string): string[] {
  return output
    .split("\n")
    .filter((l) => l.startsWith("(fail) "))
    .map((l) => l.slice(7).replace(/ \[[\d.]+m?s\]$/, ""))
}

async function withCopy<T>(label: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await scratchCopy(label)
  try {
    return await fn(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

async function runMutation(m: Mutation, index: number): Promise<Outcome> {
  return withCopy(String(index + 1), async (dir) => {
    const file = join(dir, m.file)
    const source = await readFile(file, "utf8")
    await writeFile(
      file,
      source.replace(m.find, () => m.replace),
    ) // a function: `$&` in replace stays literal
    const run = await runTests(dir, m.tests)
    if (run.code === 0) return { status: "SURVIVED" }
    const failing = [...new Set(failingTests(run.output))]
    return failing.length > 0 ? { status: "killed", failing } : { status: "broken", output: run.output }
  })
}

/** Runs `work` over `items` with at most `jobs` at once; results keep the items' order. */
async function pool<T, R>(items: T[], jobs: number, work: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      results[i] = await work(items[i] as T, i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker))
  return results
}

function describe(outcome: Outcome): string {
  if (outcome.status === "killed") {
    const more = outcome.failing.length > 1 ? ` (+${outcome.failing.length - 1} more)` : ""
    return `by "${outcome.failing[0]}"${more}`
  }
  if (outcome.status === "broken")
    return (
      "the mutated copy failed without a failing test:\n" +
      outcome.output
        .trim()
        .split("\n")
        .slice(-15)
        .map((l) => `      ${l}`)
        .join("\n")
    )
  return "no test failed"
}

async function main(): Promise<number> {
  const { jobs, filters } = parseArgs(process.argv.slice(2))
  const selected = filters.length
    ? MUTATIONS.filter((m) => filters.some((f) => m.name.includes(f)))
    : MUTATIONS
  if (selected.length === 0) {
    console.error(`no mutation matches ${filters.map((f) => JSON.stringify(f)).join(", ")}`)
    return 2
  }
  const problems = await checkList(selected)
  if (problems.length > 0) {
    console.error(
      `scripts/mutations.ts no longer matches the code:\n${problems.map((p) => `  ${p}`).join("\n")}`,
    )
    return 1
  }
  const t0 = performance.now()
  // Unmutated first: a test that already fails would count every mutation as killed.
  const allTests = [...new Set(selected.flatMap((m) => m.tests))].sort()
  console.error(`baseline: ${allTests.length} test files, unmutated`)
  const baseline = await withCopy("baseline", (dir) => runTests(dir, allTests))
  if (baseline.code !== 0) {
    console.error(
      `${baseline.output.trim().split("\n").slice(-30).join("\n")}\nbaseline: the unmutated tests fail; fix them before mutating`,
    )
    return 1
  }
  console.error(`running ${selected.length} mutations, ${jobs} at a time`)
  const outcomes = await pool(selected, jobs, async (m, i) => {
    const outcome = await runMutation(m, i)
    console.log(`${outcome.status.padEnd(8)}  ${m.name}  ${describe(outcome)}`)
    return outcome
  })
  const count = (s: Outcome["status"]) => outcomes.filter((o) => o.status === s).length
  const survivors = selected.filter((_, i) => outcomes[i]?.status === "SURVIVED")
  const seconds = ((performance.now() - t0) / 1000).toFixed(0)
  console.log(
    `\nmutate: ${selected.length} mutations, ${count("killed")} killed, ${count("SURVIVED")} survived, ${count("broken")} broken (${seconds} s)`,
  )
  for (const m of survivors) console.log(`  survived: ${m.name} (${m.file}; tests: ${m.tests.join(", ")})`)
  return count("killed") === selected.length ? 0 : 1
}

// tests/scripts/mutations.test.ts imports checkList: the list is checked on every `npm test`.
if (import.meta.main) process.exit(await main())
