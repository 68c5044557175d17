#!/usr/bin/env bun
// Warm-runtime figures (docs/performance.md "Warm: agent daemon"): commands answered by a
// running `agent daemon`, against `agent --version` and against mcporter's own keep-alive daemon
// on the same servers. A measurement, not a test: PASS/FAIL against the targets, exit 0.
//   call   warm `agent mcp call c01 increment` (one stdio server) vs 2x `agent --version` + 2 ms
//   list   warm `agent mcp list -o json` with 20 stdio servers: median <= 40 ms
//   run    `agent run` with 20 warm servers: spawn → first model request <= 50 ms
//   peer   mcporter@0.12.3 (devDependency) with "lifecycle": "keep-alive": warm call, warm list
//   npm run bench:warm [-- --runs N] [--before BINARY] [--only call,list,run,peer]
//   (every figure over N >= 10 runs: min / median / max)
//   --before: a second agent binary (say, built from main) with a daemon of its own, its warm call
//   and list measured in the same interleaved rounds: the before/after ratio is the fair comparison
//   on a machine whose load moves.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { compile } from "../build.ts"
import { firstRequestModel, median } from "./bench/measure.ts"
import { privateAgent } from "./fresh-build.ts"

const ROOT = resolve(import.meta.dir, "..")
const flag = (name: string) => {
  const i = process.argv.indexOf(name)
  return i > 0 ? process.argv[i + 1] : undefined
}
const RUNS = Math.max(10, Number(flag("--runs")) || 15)
const BEFORE = flag("--before") && resolve(flag("--before")!)
const ONLY = new Set((flag("--only") ?? "call,list,run,peer").split(","))
const WARMUP = 3
const MCPORTER = join(ROOT, "node_modules/mcporter/dist/cli.js")

interface Stats {
  min: number
  median: number
  max: number
}
const stats = (xs: number[]): Stats => ({ min: Math.min(...xs), median: median(xs), max: Math.max(...xs) })
const fmt = (s: Stats) => `${s.min.toFixed(1)} / ${s.median.toFixed(1)} / ${s.max.toFixed(1)} ms`

/** Spawn → exit, checked: exit 0 and `check(stdout)`. */
async function once(
  cmd: string[],
  env: Record<string, string>,
  cwd: string,
  check: (out: string) => boolean,
) {
  const t0 = performance.now()
  const proc = Bun.spawn(cmd, { env, cwd, stdin: "ignore", stdout: "pipe", stderr: "pipe" })
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  const ms = performance.now() - t0
  if (code !== 0 || !check(out))
    throw new Error(
      `${cmd.join(" ")} exited ${code}\nstdout: ${out.slice(0, 400)}\nstderr: ${err.slice(-800)}`,
    )
  return ms
}

/** A command, and the environment it runs with when not the common one (the --before daemon's home). */
type Cmd = string[] | { cmd: string[]; env: Record<string, string> }

async function measure(
  cmds: Record<string, Cmd>,
  env: Record<string, string>,
  cwd: string,
  check: (out: string) => boolean = () => true,
): Promise<Record<string, number[]>> {
  const run = (c: Cmd) => (Array.isArray(c) ? once(c, env, cwd, check) : once(c.cmd, c.env, cwd, check))
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(cmds).map((k) => [k, []]))
  for (let i = 0; i < WARMUP; i++) for (const c of Object.values(cmds)) await run(c)
  // Interleaved, so the machine's drift hits every command alike.
  for (let i = 0; i < RUNS; i++) for (const [k, c] of Object.entries(cmds)) samples[k]!.push(await run(c))
  return samples
}

/** "0.80x [0.62–1.05]": the ratio of the medians, then the range of the ratios within each round. */
function perRound(a: number[], b: number[]): string {
  const each = a.map((x, i) => x / b[i]!)
  return `${(median(a) / median(b)).toFixed(2)}x [${Math.min(...each).toFixed(2)}–${Math.max(...each).toFixed(2)}]`
}

function servers(n: number, server: object): Record<string, object> {
  return Object.fromEntries(
    Array.from({ length: n }, (_, i) => [`c${String(i + 1).padStart(2, "0")}`, server]),
  )
}

const rows: string[][] = []
const row = (what: string, s: Stats | string, target = "", verdict = "") =>
  rows.push([what, typeof s === "string" ? s : fmt(s), target, verdict])

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "agentrt-bench-warm-"))
  const agent = privateAgent(dir)
  const home = join(dir, "home")
  mkdirSync(home)
  mkdirSync(join(dir, "config"))
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: dir,
    AGENTRT_HOME: home,
    NO_COLOR: "1",
    MCPORTER_DAEMON_DIR: join(dir, "mcporter-state"),
  }
  const daemon = (verb: string) => once([agent, "daemon", verb], env, dir, () => true)
  // The --before binary's daemon: its own home, so the two never share a socket or held servers.
  const beforeEnv = { ...env, AGENTRT_HOME: join(dir, "home-before") }
  const beforeDaemon = (verb: string) =>
    BEFORE ? once([BEFORE, "daemon", verb], beforeEnv, dir, () => true) : Promise.resolve(0)
  if (BEFORE) mkdirSync(beforeEnv.AGENTRT_HOME)
  try {
    console.error("compiling the stateful stdio fixture (tests/fixtures/servers/stdio-counter.ts)…")
    const counter = join(dir, "stdio-counter")
    await compile(join(ROOT, "tests/fixtures/servers/stdio-counter.ts"), counter)
    const one = join(dir, "one.json")
    const twenty = join(dir, "twenty.json")
    writeFileSync(one, JSON.stringify({ mcpServers: servers(1, { command: counter }) }))
    writeFileSync(twenty, JSON.stringify({ mcpServers: servers(20, { command: counter }) }))
    const keepAlive = { command: counter, lifecycle: "keep-alive" }
    const mcpOne = join(dir, "config", "mcporter-one.json")
    const mcpTwenty = join(dir, "config", "mcporter-twenty.json")
    writeFileSync(mcpOne, JSON.stringify({ mcpServers: servers(1, keepAlive) }))
    writeFileSync(mcpTwenty, JSON.stringify({ mcpServers: servers(20, keepAlive) }))

    console.error(`each figure: ${RUNS} runs after ${WARMUP} warm-ups, min / median / max`)
    await daemon("start")
    await beforeDaemon("start")
    const call = [agent, "mcp", "call", "c01", "increment", "--mcp", one]
    const list = [agent, "mcp", "list", "-o", "json", "--mcp", twenty]
    // The same command lines with the --before binary and its daemon.
    const old = (cmd: string[]) => ({ cmd: [BEFORE!, ...cmd.slice(1)], env: beforeEnv })
    let warmCall: Stats | undefined
    if (ONLY.has("call")) {
      console.error(`agent: --version, warm call${BEFORE ? " (and --before's)" : ""}, cold call…`)
      const a = await measure(
        {
          version: [agent, "--version"],
          warm: call,
          ...(BEFORE && { before: old(call), beforeVersion: old([agent, "--version"]) }),
          cold: [...call, "--no-daemon"],
        },
        env,
        dir,
      )
      warmCall = stats(a.warm!)
      const version = stats(a.version!)
      const target = 2 * version.median + 2
      row("agent --version", version)
      row(
        "agent mcp call, warm (daemon)",
        warmCall,
        `<= ${target.toFixed(1)} ms`,
        verdict(warmCall.median <= target),
      )
      if (BEFORE) {
        row("  --before: agent --version", stats(a.beforeVersion!))
        row("  --before: agent mcp call, warm", stats(a.before!))
        row("  ratio warm call / --before's", perRound(a.warm!, a.before!))
      }
      row("agent mcp call, cold (--no-daemon)", stats(a.cold!))
    }
    let warmList: Stats | undefined
    if (ONLY.has("list")) {
      console.error("agent: warm list of 20…")
      const l = await measure({ list, ...(BEFORE && { before: old(list) }) }, env, dir, (out) =>
        connected(out, 20),
      )
      warmList = stats(l.list!)
      row("agent mcp list, 20 stdio, warm", warmList, "<= 40 ms", verdict(warmList.median <= 40))
      if (BEFORE) {
        row("  --before: agent mcp list, warm", stats(l.before!))
        row("  ratio warm list / --before's", perRound(l.list!, l.before!))
      }
    }
    if (ONLY.has("run")) {
      console.error("agent: run with 20 warm servers, to the first model request…")
      const first = await firstRequest(agent, twenty, env, dir)
      row("agent run, 20 warm: first model request", first, "<= 50 ms", verdict(first.median <= 50))
    }
    await daemon("stop")
    await beforeDaemon("stop")

    if (ONLY.has("peer")) {
      console.error("mcporter 0.12.3 with its keep-alive daemon: warm call, warm list of 20…")
      const mc = (cfg: string, ...args: string[]) => ["node", MCPORTER, "--config", cfg, ...args]
      await once(mc(mcpTwenty, "daemon", "start"), env, dir, () => true)
      const m = await measure(
        { call: mc(mcpTwenty, "call", "c01.increment"), list: mc(mcpTwenty, "list", "--json") },
        env,
        dir,
      )
      await once(mc(mcpTwenty, "daemon", "stop"), env, dir, () => true)
      const [mCall, mList] = [stats(m.call!), stats(m.list!)]
      row("mcporter call, warm (its daemon)", mCall)
      row("mcporter list, 20 stdio, warm", mList)
      if (warmCall) row("  ratio agent/mcporter, call", `${(warmCall.median / mCall.median).toFixed(2)}x`)
      if (warmList) row("  ratio agent/mcporter, list", `${(warmList.median / mList.median).toFixed(2)}x`)
    }

    console.log(
      `agentrt warm bench, ${new Date().toISOString().slice(0, 10)}, ${process.platform}-${process.arch}, bun ${Bun.version}, ${RUNS} runs`,
    )
    const widths = [0, 1, 2, 3].map((i) =>
      Math.max(...[["", "min / median / max", "target", ""], ...rows].map((r) => r[i]!.length)),
    )
    for (const r of [["", "min / median / max", "target", ""], ...rows])
      console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  "))
    console.log(
      "wall time spawn → exit; run: spawn → the request reaching the fake model (Anthropic wire format)",
    )
  } finally {
    await daemon("stop").catch(() => undefined) // already stopped, or never started
    await beforeDaemon("stop").catch(() => undefined)
    await once(["node", MCPORTER, "daemon", "stop"], env, dir, () => true).catch(() => undefined)
    rmSync(dir, { recursive: true, force: true })
  }
}

function verdict(ok: boolean): string {
  return ok ? "PASS" : "FAIL"
}

function connected(out: string, n: number): boolean {
  const doc = JSON.parse(out) as { servers?: { status?: string }[] }
  return doc.servers?.length === n && doc.servers.every((s) => s.status === "connected")
}

/** `agent run` against the fake model behind a recording proxy: spawn → first request's arrival. */
async function firstRequest(
  agent: string,
  cfg: string,
  env: Record<string, string>,
  cwd: string,
): Promise<Stats> {
  await using model = await firstRequestModel()
  const runEnv = {
    ...env,
    ANTHROPIC_API_KEY: "bench",
    ANTHROPIC_BASE_URL: model.baseUrl,
  }
  const cmd = [agent, "run", "--mcp", cfg, "-m", "anthropic:claude-bench", "--yes", "-o", "json", "say hi"]
  const xs: number[] = []
  for (let i = 0; i < WARMUP + RUNS; i++) {
    model.push({ text: "hi" })
    model.reset()
    const t0 = performance.now()
    await once(cmd, runEnv, cwd, () => true)
    if (i >= WARMUP) xs.push(model.arrived - t0)
  }
  return stats(xs)
}

await main()
