#!/usr/bin/env bun
// Startup cost of dist/agent against a compiled hello-world built with the same options, so the
// difference is what our own code loads before answering (target: `--version` within 2.5x).
// A measurement, not a test: it only reports. `bun run bench:startup [--runs N]`
import { existsSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { compile } from "../build.ts"

const ROOT = resolve(import.meta.dir, "..")
const AGENT = join(ROOT, "dist/agent")
const TARGET_RATIO = 2.5
const runsArg = process.argv.indexOf("--runs")
const RUNS = Math.max(20, runsArg > 0 ? Number(process.argv[runsArg + 1]) || 0 : 30)
const WARMUP = 5

/** Wall time of one spawn, in ms; fails loudly if the command does not exit 0. */
function time(cmd: string[]): number {
  const t0 = performance.now()
  const r = Bun.spawnSync(cmd, {
    stdout: "ignore",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "", NO_COLOR: "1" },
  })
  const ms = performance.now() - t0
  if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")} exited ${r.exitCode}: ${r.stderr.toString()}`)
  return ms
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

/** Interleaves the commands run by run so drift (thermal, other load) hits all of them alike. */
function measure(cmds: Record<string, string[]>): Record<string, number> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(cmds).map((k) => [k, []]))
  for (let i = 0; i < WARMUP; i++) for (const cmd of Object.values(cmds)) time(cmd)
  for (let i = 0; i < RUNS; i++) for (const [k, cmd] of Object.entries(cmds)) samples[k]!.push(time(cmd))
  return Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, median(xs)]))
}

if (!existsSync(AGENT)) {
  console.error("dist/agent missing: bun run build.ts --single")
  const r = Bun.spawnSync([process.execPath, "run", "build.ts", "--single"], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
  })
  if (r.exitCode !== 0) process.exit(r.exitCode ?? 1)
}

const dir = await mkdtemp(join(tmpdir(), "agentrt-bench-"))
try {
  await Bun.write(join(dir, "hello.ts"), 'console.log("hello")\n')
  await compile(join(dir, "hello.ts"), join(dir, "hello"))
  const m = measure({
    hello: [join(dir, "hello")],
    version: [AGENT, "--version"],
    help: [AGENT, "--help"],
  })
  const ratio = m.version! / m.hello!
  const fmt = (ms: number) => `${ms.toFixed(1).padStart(6)} ms`
  console.log(`median of ${RUNS} runs each (after ${WARMUP} warm-up runs):`)
  console.log(`  hello-world (compiled)  ${fmt(m.hello!)}`)
  console.log(`  agent --version         ${fmt(m.version!)}   ${ratio.toFixed(2)}x hello`)
  console.log(`  agent --help            ${fmt(m.help!)}   ${(m.help! / m.hello!).toFixed(2)}x hello`)
  console.log(
    ratio <= TARGET_RATIO
      ? `ok: --version within ${TARGET_RATIO}x`
      : `SLOW: --version is over ${TARGET_RATIO}x hello-world`,
  )
} finally {
  await rm(dir, { recursive: true, force: true })
}
