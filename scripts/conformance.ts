#!/usr/bin/env bun
// Runs the client scenarios of the official MCP conformance suite (@modelcontextprotocol/conformance,
// pinned in package.json; it needs Node >= 22 or Bun, so it runs under this bun) against the
// compiled dist/agent, through scripts/conformance-client.sh, which maps each scenario to ordinary
// `agent …` commands. Not part of `npm test`: 48 scenarios × up to 30 s.
//
//   npm run conformance [-- [--jobs N] [--out DIR] [--client "CMD"] [scenario …]]
//   npm run conformance -- --requirements 2026-07-28 [--jobs N] [--client "CMD"]
//
// Default: one runner per scenario (`client --scenario S`), N at a time. --requirements REV is the
// suite's requirement-set mode: one runner runs exactly the scenarios revision REV requires, all
// at REV's wire and all in parallel; the summary line counts the scored ones.
// Every client invocation gets its own AGENTRT_HOME (the adapter makes one), so parallel
// scenarios never share a config, tokens or remembered protocol eras.
// --client runs another client command instead (e.g. a bare SDK client, for comparison); it is
// split on spaces and gets the server URL appended, like the runner does. Results land in
// $TMPDIR/agentrt-conformance/run-<time>/ (per scenario: runner.log, client.stderr, checks.json).
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { collectSuiteRun, requirementSet } from "./conformance/requirements.ts"
import { slugOf, summarize } from "./conformance/summarize.ts"
import { AGENT, privateAgent } from "./fresh-build.ts"

const ROOT = resolve(import.meta.dir, "..")
const RUNNER = join(ROOT, "node_modules/@modelcontextprotocol/conformance/dist/index.js")
const WRAP = join(ROOT, "scripts/conformance/client-wrap.sh")
const ADAPTER = join(ROOT, "scripts/conformance-client.sh")
/** What `list` shows for the pinned suite (0.2.0-alpha.12); a different count means a new suite. */
const EXPECTED_SCENARIOS = 48
/** Scenarios agent cannot pass yet on this branch; the summary row says why. */
const KNOWN_GAPS: Record<string, string> = {}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name)
  return i > 0 ? process.argv[i + 1] : undefined
}

/** Positional arguments: scenario names (flags and their values skipped). */
function positional(): string[] {
  const out: string[] = []
  const args = process.argv.slice(2)
  for (let i = 0; i < args.length; i++) {
    if (args[i]!.startsWith("--")) i++
    else out.push(args[i]!)
  }
  return out
}

/** The runner's own list ("Client scenarios" section of `list`), so a new suite version is picked up. */
function allScenarios(): string[] {
  const r = Bun.spawnSync([process.execPath, RUNNER, "list", "--client"], { stdout: "pipe", stderr: "pipe" })
  const out: string[] = []
  for (const line of r.stdout.toString().split("\n"))
    if (line.startsWith("  - ")) out.push(line.slice(4).split(" ")[0]!)
  return out
}

interface Run {
  outdir: string
  clientCmd: string
  agent: string
  /** The runner's --timeout per client (suite mode: includes waiting for a slot). */
  timeoutMs: number
  /** One client's own deadline, from when it starts (client-wrap.sh). */
  clientMs: number
  /** Suite mode: clients running at once (client-wrap.sh slots). */
  slots?: number
}

function runnerEnv(run: Run, home: string): Record<string, string> {
  return {
    ...(process.env as Record<string, string>),
    AGENT: run.agent,
    AGENTRT_HOME: home, // the adapter makes a private one per invocation under it
    NO_COLOR: "1",
    BROWSER: join(ROOT, "scripts/conformance/headless-browser.sh"),
    CONFORMANCE_RUN_DIR: run.outdir,
    CONFORMANCE_WRAP_DEADLINE_MS: String(run.clientMs > 3000 ? run.clientMs - 1500 : run.clientMs - 500),
    ...(run.slots !== undefined && { CONFORMANCE_SLOTS: String(run.slots) }),
  }
}

async function spawnRunner(args: string[], run: Run, logDir: string): Promise<number> {
  const home = mkdtempSync(join(tmpdir(), "agentrt-conf-home-"))
  const proc = Bun.spawn(
    [process.execPath, RUNNER, "client", "--command", `${WRAP} ${run.clientCmd}`, ...args],
    {
      cwd: home,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      env: runnerEnv(run, home),
    },
  )
  // The runner kills a client at --timeout; this bounds the runner itself (suite mode runs them all at once).
  const outer = setTimeout(() => proc.kill("SIGKILL"), run.timeoutMs + 120_000)
  const [stdout, stderr] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ])
  const rc = await proc.exited
  clearTimeout(outer)
  writeFileSync(join(logDir, "runner.log"), stdout + stderr)
  writeFileSync(join(logDir, "runner.rc"), `${proc.signalCode ? 137 : rc}\n`)
  rmSync(home, { recursive: true, force: true })
  return proc.signalCode ? 137 : rc
}

async function runScenario(scenario: string, run: Run): Promise<void> {
  const dir = join(run.outdir, slugOf(scenario))
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const t0 = performance.now()
  const rc = await spawnRunner(
    ["--scenario", scenario, "--timeout", String(run.timeoutMs), "-o", dir],
    run,
    dir,
  )
  console.error(`  ${scenario.padEnd(45)} rc=${rc} (${((performance.now() - t0) / 1000).toFixed(1)}s)`)
}

function markGaps(outdir: string, scenarios: string[], run: Run): void {
  if (run.clientCmd !== ADAPTER) return // the gaps are agent's, not another client's
  for (const s of scenarios) {
    const dir = join(outdir, slugOf(s))
    if (KNOWN_GAPS[s] !== undefined && existsSync(dir)) writeFileSync(join(dir, "reason"), KNOWN_GAPS[s]!)
  }
}

async function main(): Promise<void> {
  if (ROOT.includes(" "))
    throw new Error(`${ROOT} contains a space; the conformance runner splits --command on spaces`)
  if (!existsSync(RUNNER)) throw new Error(`${RUNNER} missing: npm ci`)
  const customClient = option("--client")
  const revision = option("--requirements")
  const jobs = Math.max(1, Number(option("--jobs") ?? 1))
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")
  const outdir = resolve(option("--out") ?? join(tmpdir(), "agentrt-conformance", `run-${stamp}`))
  mkdirSync(outdir, { recursive: true })
  // A private copy: a rebuild of dist/agent by other work in the tree must not change the binary mid-run.
  const agent = customClient ? AGENT : privateAgent(outdir)
  const clientMs = Number(process.env.CONFORMANCE_CLIENT_TIMEOUT_MS ?? 30_000)
  // Suite mode starts every client at once: --jobs of them run (default 2), the rest wait their turn.
  const slots = revision ? Math.max(1, Number(option("--jobs") ?? 2)) : undefined
  const run: Run = {
    outdir,
    clientCmd: customClient ?? ADAPTER,
    agent,
    clientMs,
    timeoutMs: revision ? clientMs * 40 : clientMs,
    ...(slots !== undefined && { slots }),
  }
  const who = customClient ?? "dist/agent"
  try {
    if (revision) {
      const set = requirementSet(RUNNER, revision)
      const scenarios = [...set.scored, ...set.unscored]
      writeFileSync(join(outdir, "scenarios.txt"), `${scenarios.join("\n")}\n`)
      console.error(
        `running requirement set ${revision}: ${set.scored.length} scored + ${set.unscored.length} unscored client scenarios in one runner (${slots} clients at a time) against ${who} -> ${outdir}`,
      )
      const raw = join(outdir, "raw")
      mkdirSync(raw, { recursive: true })
      const rc = await spawnRunner(
        ["--requirements", revision, "--timeout", String(run.timeoutMs), "-o", raw],
        run,
        outdir,
      )
      console.error(`  runner rc=${rc}`)
      collectSuiteRun(outdir, raw, scenarios)
      markGaps(outdir, scenarios, run)
      summarize(outdir, set.scored, { unscored: set.unscored, suite: true })
      return
    }
    const picked = positional().length
      ? positional()
      : (process.env.CONFORMANCE_SCENARIOS ?? "").split(/\s+/).filter(Boolean)
    const scenarios = picked.length ? picked : allScenarios()
    if (!picked.length && scenarios.length !== EXPECTED_SCENARIOS)
      console.error(
        `warning: expected ${EXPECTED_SCENARIOS} client scenarios from the runner, got ${scenarios.length}`,
      )
    writeFileSync(join(outdir, "scenarios.txt"), `${scenarios.join("\n")}\n`)
    console.error(
      `running ${scenarios.length} client scenarios against ${who} (${jobs} at a time) -> ${outdir}`,
    )
    const queue = [...scenarios]
    const worker = async () => {
      for (let s = queue.shift(); s !== undefined; s = queue.shift()) await runScenario(s, run)
    }
    await Promise.all(Array.from({ length: Math.min(jobs, scenarios.length) }, worker))
    markGaps(outdir, scenarios, run)
    summarize(outdir, scenarios)
  } finally {
    if (agent !== AGENT) rmSync(agent, { force: true }) // ~120 MB; the results stay
  }
}

await main()
