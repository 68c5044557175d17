#!/usr/bin/env bun
// Cached tool lists (docs/performance.md "Cold run from cached lists"): `agent run` with 20 cold
// stdio servers, spawn → the first model request reaching the fake model, with a valid list
// cache against --no-cache. A measurement, not a test: PASS/FAIL against the target
// (with the cache >= 3x sooner, medians), exit 0.
//   npm run bench:cache [-- --runs N]     (N >= 10; min / median / max)
// The servers are tests/fixtures/servers/stdio-cached.ts compiled once, with a 10-minute ttlMs
// hint (a 2026-07-28 server that gives none sends ttlMs 0, which is never cached). Each run is
// cold: no daemon (--no-daemon), every server spawned afresh; the runs alternate, so the
// machine's drift hits both alike.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { compile } from "../build.ts"
import { firstRequestModel, median } from "./bench/measure.ts"
import { privateAgent } from "./fresh-build.ts"

const ROOT = resolve(import.meta.dir, "..")
const runsArg = process.argv.indexOf("--runs")
const RUNS = Math.max(10, runsArg > 0 ? Number(process.argv[runsArg + 1]) || 0 : 15)
const WARMUP = 2
const SERVERS = 20

interface Stats {
  min: number
  median: number
  max: number
}
const stats = (xs: number[]): Stats => ({ min: Math.min(...xs), median: median(xs), max: Math.max(...xs) })
const fmt = (s: Stats) => `${s.min.toFixed(1)} / ${s.median.toFixed(1)} / ${s.max.toFixed(1)} ms`

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "agentrt-bench-cache-"))
  const agent = privateAgent(dir)
  const home = join(dir, "home")
  mkdirSync(home)
  try {
    console.error("compiling the stdio fixture (tests/fixtures/servers/stdio-cached.ts)…")
    const server = join(dir, "stdio-cached")
    await compile(join(ROOT, "tests/fixtures/servers/stdio-cached.ts"), server)
    const cfg = join(dir, "twenty.json")
    const servers = Object.fromEntries(
      Array.from({ length: SERVERS }, (_, i) => [
        `c${String(i + 1).padStart(2, "0")}`,
        { command: server, env: { TTL_MS: "600000" } },
      ]),
    )
    writeFileSync(cfg, JSON.stringify({ mcpServers: servers }))

    await using model = await firstRequestModel()
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      AGENTRT_HOME: home,
      NO_COLOR: "1",
      ANTHROPIC_API_KEY: "bench",
      ANTHROPIC_BASE_URL: model.baseUrl,
    }
    const base = [agent, "run", "--no-daemon", "--mcp", cfg, "-m", "anthropic:claude-bench", "-o", "json"]
    const variants = { cached: [...base, "say hi"], uncached: [...base, "--no-cache", "say hi"] }
    const samples: Record<string, number[]> = { cached: [], uncached: [] }
    let usedCache = 0
    console.error(`${SERVERS} cold stdio servers; ${RUNS} runs each after ${WARMUP} warm-ups, interleaved`)
    for (let i = 0; i < WARMUP + RUNS; i++) {
      for (const [name, cmd] of Object.entries(variants)) {
        model.push({ text: "hi" })
        model.reset()
        const t0 = performance.now()
        const proc = Bun.spawn(cmd, { env, cwd: dir, stdin: "ignore", stdout: "pipe", stderr: "pipe" })
        const [out, err, code] = await Promise.all([
          new Response(proc.stdout).text(),
          new Response(proc.stderr).text(),
          proc.exited,
        ])
        if (code !== 0)
          throw new Error(`${cmd.join(" ")} exited ${code}\n${out.slice(0, 400)}\n${err.slice(-800)}`)
        const report = JSON.parse(out) as { toolCache?: { used: boolean }; servers: { status: string }[] }
        if (report.servers.filter((s) => s.status === "connected").length !== SERVERS)
          throw new Error(`not every server connected: ${out.slice(0, 400)}`)
        if (i >= WARMUP) {
          samples[name]!.push(model.arrived - t0)
          if (name === "cached" && report.toolCache?.used) usedCache++
        }
      }
    }
    const cached = stats(samples.cached!)
    const uncached = stats(samples.uncached!)
    const ratio = uncached.median / cached.median
    const verdict = ratio >= 3 && usedCache === RUNS ? "PASS" : "FAIL"
    console.log(
      `\n## agent run, ${SERVERS} cold stdio servers: spawn → first model request (min / median / max)\n`,
    )
    console.log("| | time |")
    console.log("|---|---|")
    console.log(`| valid cache | ${fmt(cached)} |`)
    console.log(`| --no-cache | ${fmt(uncached)} |`)
    console.log(
      `\nmedian ratio ${ratio.toFixed(1)}x (target >= 3x): ${verdict}; cache used in ${usedCache}/${RUNS} cached runs`,
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
