#!/usr/bin/env bun
// Summarises a conformance run directory: a table per scenario and the final line
//   conformance: S/N scenarios clean, C/T checks passed
// Adapted from the shared harness's summarize.mjs, with the same counting rules:
//   C/T  C = SUCCESS checks, T = SUCCESS + FAILURE, summed over scenarios (WARNING/INFO apart);
//        a scenario without checks.json, or without any scored check, adds one FAILURE.
//   clean  the runner's "OVERALL: PASSED": no FAILURE, no WARNING, no client timeout, and
//        the client exited 0 unless the scenario allows an error (= runner exit 0).
//   suite  (requirement-set mode: one runner for all, no per-scenario runner verdict) clean is
//        what the runner's suite summary ticks: no FAILURE, no WARNING, and no client timeout.
// A scenario with no scored check is never clean: nothing was shown. Plus a `reason` per known
// gap, so a failing row says why instead of being hidden. `bun scripts/conformance/summarize.ts <outdir>`
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"

const ANSI = /\x1b\[[0-9;]*m/g

interface Check {
  id: string
  status: "SUCCESS" | "FAILURE" | "WARNING" | "INFO" | "SKIPPED"
  description?: string
  errorMessage?: string
}
export interface Problem {
  id: string
  status: string
  text: string
}
export interface Row {
  scenario: string
  rc: number
  pass: number
  fail: number
  warn: number
  info: number
  client: string
  clean: boolean
  reason?: string
  problems: Problem[]
}

export const slugOf = (scenario: string) => scenario.replaceAll("/", "__")

function findChecks(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name)
    if (ent.isDirectory()) {
      const found = findChecks(p)
      if (found) return found
    } else if (ent.name === "checks.json") return p
  }
  return undefined
}

const readText = (file: string) => (existsSync(file) ? readFileSync(file, "utf8") : "")

export function loadRow(outdir: string, scenario: string, suite = false): Row {
  const dir = join(outdir, slugOf(scenario))
  const rcText = suite ? "0" : readText(join(dir, "runner.rc")).trim()
  const rc = rcText === "" ? NaN : Number(rcText)
  const log = readText(join(dir, "runner.log")).replace(ANSI, "")
  const checksFile = findChecks(dir)
  let checks: Check[] = []
  let harnessError: string | undefined
  if (checksFile) {
    try {
      checks = JSON.parse(readFileSync(checksFile, "utf8")) as Check[]
    } catch (e: unknown) {
      harnessError = `unreadable checks.json: ${e instanceof Error ? e.message : String(e)}`
    }
  } else
    harnessError =
      rc === 124 || rc === 137 ? "runner killed by outer timeout" : "runner produced no checks.json"
  const count = (st: Check["status"]) => checks.filter((c) => c.status === st).length
  const pass = count("SUCCESS")
  let fail = count("FAILURE")
  const noScored = !harnessError && pass + fail === 0
  if (harnessError || noScored) fail += 1
  const timedOut = /Client timed out after/.test(log) || existsSync(join(dir, "client-timeout"))
  const exit = log.match(/Client exited with code (-?\d+)/)
  const clientRc = readText(join(dir, "client.rc")).trim() // written by client-wrap.sh
  const clientExit = clientRc || (exit ? exit[1]! : harnessError ? "?" : "0")
  const passed = suite ? fail === 0 && count("WARNING") === 0 : /OVERALL: PASSED/.test(log)
  const problems: Problem[] = checks
    .filter((c) => c.status === "FAILURE" || c.status === "WARNING")
    .map((c) => ({ id: c.id, status: c.status, text: c.errorMessage ?? c.description ?? "" }))
  if (harnessError) problems.unshift({ id: "harness/no-checks", status: "FAILURE", text: harnessError })
  if (noScored)
    problems.unshift({
      id: "harness/no-scored-checks",
      status: "FAILURE",
      text: "no SUCCESS/FAILURE check recorded (the client never reached the behaviour under test)",
    })
  if (timedOut)
    problems.push({
      id: "harness/client-timeout",
      status: "NOTE",
      text: "client hit the per-scenario timeout and was killed",
    })
  else if (clientExit !== "0" && !passed)
    problems.push({ id: "harness/client-exit", status: "NOTE", text: `client exited ${clientExit}` })
  const clientErr = readText(join(dir, "client.stderr")).trim().split("\n").filter(Boolean).slice(-3)
  for (const line of clientErr)
    problems.push({ id: "client/stderr", status: "NOTE", text: line.replace(ANSI, "").slice(0, 200) })
  const reasonFile = join(dir, "reason")
  const reason = existsSync(reasonFile) ? readFileSync(reasonFile, "utf8").trim() : undefined
  return {
    scenario,
    rc,
    pass,
    fail,
    warn: count("WARNING"),
    info: count("INFO"),
    client: timedOut ? "timeout" : `exit ${clientExit}`,
    clean: !harnessError && !noScored && rc === 0 && passed && !timedOut,
    ...(reason && { reason }),
    problems,
  }
}

const pad = (s: string | number, n: number) => String(s).padEnd(n)
const lpad = (s: string | number, n: number) => String(s).padStart(n)

export interface SummaryOptions {
  verbose?: boolean
  /** Requirement-set mode: the runner's suite verdicts (see the header). */
  suite?: boolean
  /** Run and shown, but not in the final line (a requirement set's unscored scenarios). */
  unscored?: string[]
}

/** Prints the table and the final line; writes summary.json and summary.tsv next to the results. */
export function summarize(outdir: string, scenarios: string[], o: SummaryOptions = {}): Row[] {
  const verbose = o.verbose ?? true
  const rows = scenarios.map((s) => loadRow(outdir, s, o.suite))
  const extra = (o.unscored ?? []).map((s) => loadRow(outdir, s, o.suite))
  const w = Math.max(8, ...rows.map((r) => r.scenario.length))
  console.log(
    `${pad("scenario", w)}  ${lpad("pass", 4)} ${lpad("fail", 4)} ${lpad("warn", 4)} ${lpad("info", 4)}  ${pad("client", 8)} verdict`,
  )
  console.log("-".repeat(w + 40))
  const line = (r: Row) => {
    const verdict = r.clean ? "clean" : `NOT CLEAN${r.reason ? `: ${r.reason}` : ""}`
    console.log(
      `${pad(r.scenario, w)}  ${lpad(r.pass, 4)} ${lpad(r.fail, 4)} ${lpad(r.warn, 4)} ${lpad(r.info, 4)}  ${pad(r.client, 8)} ${verdict}`,
    )
    if (verbose && !r.clean)
      for (const p of r.problems.slice(0, 6)) console.log(`    ${p.status} ${p.id}: ${p.text}`)
  }
  rows.forEach(line)
  if (extra.length) {
    console.log(
      `not scored by this requirement set (${extra.filter((r) => r.clean).length}/${extra.length} clean):`,
    )
    extra.forEach(line)
  }
  const S = rows.filter((r) => r.clean).length
  const C = rows.reduce((a, r) => a + r.pass, 0)
  const F = rows.reduce((a, r) => a + r.fail, 0)
  const W = rows.reduce((a, r) => a + r.warn, 0)
  const I = rows.reduce((a, r) => a + r.info, 0)
  writeFileSync(
    join(outdir, "summary.json"),
    JSON.stringify(
      {
        scenariosClean: S,
        scenarios: rows.length,
        checksPassed: C,
        checksTotal: C + F,
        warnings: W,
        info: I,
        rows,
        ...(extra.length && { unscored: extra }),
      },
      null,
      2,
    ),
  )
  const tsv = rows.map((r) =>
    [r.scenario, r.pass, r.fail, r.warn, r.info, r.client, r.clean ? 1 : 0, r.reason ?? ""].join("\t"),
  )
  writeFileSync(
    join(outdir, "summary.tsv"),
    `${["scenario\tpass\tfail\twarn\tinfo\tclient\tclean\treason", ...tsv].join("\n")}\n`,
  )
  console.log("-".repeat(w + 40))
  console.log(`checks: ${C} SUCCESS, ${F} FAILURE, ${W} WARNING, ${I} INFO (WARNING/INFO not counted in C/T)`)
  console.log(`conformance: ${S}/${rows.length} scenarios clean, ${C}/${C + F} checks passed`)
  return rows
}

if (import.meta.main) {
  const outdir = process.argv[2]
  if (!outdir) {
    console.error("usage: bun scripts/conformance/summarize.ts <outdir> [--quiet]")
    process.exit(2)
  }
  const list = readText(join(outdir, "scenarios.txt"))
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
  summarize(outdir, list, { verbose: !process.argv.includes("--quiet") })
}
