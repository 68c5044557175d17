#!/usr/bin/env bun
// Runs every client scenario of the official MCP conformance suite
// (@modelcontextprotocol/conformance, pinned in package.json) against the compiled dist/agent,
// one runner per scenario, through scripts/conformance-client.sh, which maps each scenario to
// ordinary `agent mcp …` commands. Not part of `npm test`: 26 scenarios × up to 30 s.
//
//   npm run conformance [-- [--jobs N] [--out DIR] [--client "CMD"] [scenario …]]
//
// --client runs another client command instead (e.g. a bare SDK client, for comparison); it is
// split on spaces and gets the server URL appended, like the runner does. Results land in
// $TMPDIR/agentrt-conformance/run-<time>/ (per scenario: runner.log, client.stderr, checks.json).
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { slugOf, summarize } from "./conformance/summarize.ts"
import { AGENT, privateAgent } from "./fresh-build.ts"

const ROOT = resolve(import.meta.dir, "..")
const RUNNER = join(ROOT, "node_modules/@modelcontextprotocol/conformance/dist/index.js")
const WRAP = join(ROOT, "scripts/conformance/client-wrap.sh")
const ADAPTER = join(ROOT, "scripts/conformance-client.sh")
const CLIENT_TIMEOUT_MS = Number(process.env.CONFORMANCE_CLIENT_TIMEOUT_MS ?? 30_000)
const OUTER_TIMEOUT_MS = CLIENT_TIMEOUT_MS + 60_000
const OAUTH_MISSING = "OAuth not implemented yet (issue 5)"
/** Scenarios agent fails on purpose or cannot pass yet; the summary row says why. */
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
  const r = Bun.spawnSync([process.execPath, RUNNER, "list"], { stdout: "pipe", stderr: "pipe" })
  const out: string[] = []
  let inClient = false
  for (const line of r.stdout.toString().split("\n")) {
    if (/^Client scenarios/.test(line)) inClient = true
    else if (/^\S/.test(line)) inClient = false
    else if (inClient && line.startsWith("  - ")) out.push(line.slice(4).split(" ")[0]!)
  }
  return out
}

/** True when `agent mcp auth` exists; until then auth scenarios carry OAUTH_MISSING as their reason. */
function hasAuthCommand(agent: string): boolean {
  const r = Bun.spawnSync([agent, "mcp", "auth", "--help"], {
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "", NO_COLOR: "1" },
  })
  // citty answers an unknown subcommand's --help with the group's help (exit 0), so look for its own usage line.
  return r.exitCode === 0 && /USAGE agent mcp auth\b/.test(r.stdout.toString())
}

async function runScenario(
  scenario: string,
  outdir: string,
  clientCmd: string,
  agent: string,
): Promise<number> {
  const dir = join(outdir, slugOf(scenario))
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const home = mkdtempSync(join(tmpdir(), "agentrt-conf-home-"))
  const t0 = performance.now()
  const proc = Bun.spawn(
    [
      process.execPath,
      RUNNER,
      "client",
      "--command",
      `${WRAP} ${clientCmd}`,
      "--scenario",
      scenario,
      "--timeout",
      String(CLIENT_TIMEOUT_MS),
      "-o",
      dir,
    ],
    {
      cwd: home,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      env: {
        ...process.env,
        AGENT: agent,
        AGENTRT_HOME: home,
        NO_COLOR: "1",
        BROWSER: join(ROOT, "scripts/conformance/headless-browser.sh"),
        CONFORMANCE_HARNESS_DIR: dir,
        CONFORMANCE_WRAP_DEADLINE_MS: String(
          CLIENT_TIMEOUT_MS > 3000 ? CLIENT_TIMEOUT_MS - 1500 : CLIENT_TIMEOUT_MS - 500,
        ),
      },
    },
  )
  const outer = setTimeout(() => proc.kill("SIGKILL"), OUTER_TIMEOUT_MS)
  const [stdout, stderr] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ])
  const rc = await proc.exited
  clearTimeout(outer)
  writeFileSync(join(dir, "runner.log"), stdout + stderr)
  writeFileSync(join(dir, "runner.rc"), `${proc.signalCode ? 137 : rc}\n`)
  rmSync(home, { recursive: true, force: true })
  console.error(`  ${scenario.padEnd(45)} rc=${rc} (${((performance.now() - t0) / 1000).toFixed(1)}s)`)
  return rc
}

async function main(): Promise<void> {
  if (ROOT.includes(" "))
    throw new Error(`${ROOT} contains a space; the conformance runner splits --command on spaces`)
  if (!existsSync(RUNNER)) throw new Error(`${RUNNER} missing: npm ci`)
  const customClient = option("--client")
  const clientCmd = customClient ?? ADAPTER
  const jobs = Math.max(1, Number(option("--jobs") ?? 1))
  const picked = positional().length
    ? positional()
    : (process.env.CONFORMANCE_SCENARIOS ?? "").split(/\s+/).filter(Boolean)
  const scenarios = picked.length ? picked : allScenarios()
  if (!picked.length && scenarios.length !== 26)
    console.error(`warning: expected 26 client scenarios from the runner, got ${scenarios.length}`)
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")
  const outdir = resolve(option("--out") ?? join(tmpdir(), "agentrt-conformance", `run-${stamp}`))
  mkdirSync(outdir, { recursive: true })
  // A private copy: a rebuild of dist/agent by other work in the tree must not change the binary mid-run.
  const agent = customClient ? AGENT : privateAgent(outdir)
  writeFileSync(join(outdir, "scenarios.txt"), `${scenarios.join("\n")}\n`)
  const authMissing = !customClient && !hasAuthCommand(agent)
  console.error(
    `running ${scenarios.length} client scenarios against ${customClient ?? "dist/agent"} (${jobs} at a time) -> ${outdir}`,
  )

  const queue = [...scenarios]
  const worker = async () => {
    for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
      await runScenario(s, outdir, clientCmd, agent)
      if (authMissing && s.startsWith("auth/"))
        writeFileSync(join(outdir, slugOf(s), "reason"), OAUTH_MISSING)
      else if (KNOWN_GAPS[s] !== undefined) writeFileSync(join(outdir, slugOf(s), "reason"), KNOWN_GAPS[s]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(jobs, scenarios.length) }, worker))
  if (agent !== AGENT) rmSync(agent, { force: true }) // ~120 MB; the results stay
  summarize(outdir, scenarios)
}

await main()
