#!/usr/bin/env bun
// MCP cost of the product against a bare-SDK client, in one run (a measurement, not a test:
// it reports PASS/FAIL against the targets and always exits 0).
//   list   `agent mcp list --output json --mcp CFG` vs scripts/bench/baseline-list.ts (the SDK,
//          every server at once, tools/list), both compiled with build.ts's compile(); stdio
//          N = 1/5/20 (the fixture compiled once, so both sides pay the same spawn) and
//          N = 1/20 entries on one session HTTP fixture (one session each).
//   calls  1,000 sequential tools/call round trips, in this process: createManager vs a bare Client.
//   npm run bench:mcp [-- --runs N]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { compile } from "../build.ts"
import { measureCalls, type Target } from "./bench/calls.ts"
import { compare, startHttpFixture } from "./bench/measure.ts"
import { privateAgent } from "./fresh-build.ts"

const ROOT = resolve(import.meta.dir, "..")
const runsArg = process.argv.indexOf("--runs")
const RUNS = Math.max(10, runsArg > 0 ? Number(process.argv[runsArg + 1]) || 0 : 15)
const WARMUP = 3
const CALLS = 1000
const MB = 1024 * 1024

interface Row {
  what: string
  product: string
  baseline: string
  ratio: string
  target: string
  verdict: "PASS" | "FAIL" | ""
}
const rows: Row[] = []
const ms = (x: number) => `${x.toFixed(1)} ms`
const verdict = (ok: boolean) => (ok ? "PASS" : "FAIL")

/** A config of `n` servers, all the same definition (names s01…). */
function writeConfig(dir: string, label: string, n: number, server: object): string {
  const file = join(dir, `${label}-${n}.json`)
  const servers = Object.fromEntries(
    Array.from({ length: n }, (_, i) => [`s${String(i + 1).padStart(2, "0")}`, server]),
  )
  writeFileSync(file, JSON.stringify({ mcpServers: servers }, null, 2))
  return file
}

/** stdout is one JSON document listing `n` connected servers (product and baseline alike). */
const allConnected = (n: number) => (stdout: string) => {
  const doc = JSON.parse(stdout) as { servers?: { status?: string }[] }
  return doc.servers?.length === n && doc.servers.every((s) => s.status === "connected")
}

async function benchList(
  label: string,
  n: number,
  cfg: string,
  agent: string,
  baseline: string,
  env: Record<string, string>,
  maxRatio?: number,
  rssTarget?: number,
) {
  const m = await compare(
    { product: [agent, "mcp", "list", "--output", "json", "--mcp", cfg], baseline: [baseline, cfg] },
    env,
    allConnected(n),
    RUNS,
    WARMUP,
  )
  const p = m.product!
  const b = m.baseline!
  const ratio = p.wallMs / b.wallMs
  rows.push({
    what: `${label} list, N=${n}`,
    product: ms(p.wallMs),
    baseline: ms(b.wallMs),
    ratio: `${ratio.toFixed(2)}x`,
    target: maxRatio ? `<= ${maxRatio}x` : "",
    verdict: maxRatio ? verdict(ratio <= maxRatio) : "",
  })
  rows.push({
    what: `  peak RSS (client)`,
    product: `${(p.rss / MB).toFixed(1)} MB`,
    baseline: `${(b.rss / MB).toFixed(1)} MB`,
    ratio: `${(p.rss / b.rss).toFixed(2)}x`,
    target: rssTarget ? `<= ${rssTarget} MB` : "",
    verdict: rssTarget ? verdict(p.rss <= rssTarget * MB) : "",
  })
  rows.push({
    what: `  teardown`,
    product: ms(p.teardownMs),
    baseline: ms(b.teardownMs),
    ratio: "",
    target: "< 60 ms",
    verdict: verdict(p.teardownMs < 60),
  })
}

async function benchCalls(label: string, target: Target, home: string) {
  const r = await measureCalls(target, home, CALLS)
  const ratio = r.productMs / r.baselineMs
  const per = (total: number) => `${((total / r.calls) * 1000).toFixed(0)} us/call`
  rows.push({
    what: `${label} tools/call x${r.calls}`,
    product: per(r.productMs),
    baseline: per(r.baselineMs),
    ratio: `${ratio.toFixed(2)}x`,
    target: "<= 1.10x",
    verdict: verdict(ratio <= 1.1),
  })
}

function printTable(): void {
  const cols: (keyof Row)[] = ["what", "product", "baseline", "ratio", "target", "verdict"]
  const width = (c: keyof Row) => Math.max(c.length, ...rows.map((r) => r[c].length))
  const line = (r: Record<keyof Row, string>) =>
    cols.map((c, i) => (i === 0 ? r[c].padEnd(width(c)) : r[c].padStart(width(c)))).join("  ")
  console.log(
    line({
      what: "",
      product: "product",
      baseline: "baseline",
      ratio: "ratio",
      target: "target",
      verdict: "",
    }),
  )
  for (const r of rows) console.log(line(r))
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "agentrt-bench-mcp-"))
  const agent = privateAgent(dir)
  const home = join(dir, "home")
  mkdirSync(home)
  const env = { PATH: process.env.PATH ?? "", HOME: dir, AGENTRT_HOME: home, NO_COLOR: "1" }
  try {
    console.error("compiling the baseline client and the stdio fixture with build.ts's options…")
    const baseline = join(dir, "baseline-list")
    const fixture = join(dir, "stdio-basic")
    await compile(join(ROOT, "scripts/bench/baseline-list.ts"), baseline)
    await compile(join(ROOT, "tests/fixtures/servers/stdio-basic.ts"), fixture)
    await using http = await startHttpFixture(
      [process.execPath, join(ROOT, "tests/fixtures/servers/http-session.ts")],
      env,
    )
    console.error(`list: median of ${RUNS} interleaved runs after ${WARMUP} warm-ups; RSS: median of 3 runs`)
    for (const [n, max] of [
      [1, 1.3],
      [5, undefined],
      [20, 1.15],
    ] as const) {
      console.error(`  stdio N=${n}…`)
      await benchList(
        "stdio",
        n,
        writeConfig(dir, "stdio", n, { command: fixture }),
        agent,
        baseline,
        env,
        max,
        n === 20 ? 80 : undefined,
      )
    }
    for (const [n, max] of [
      [1, undefined],
      [20, 1.3],
    ] as const) {
      console.error(`  http N=${n}…`)
      await benchList(
        "http",
        n,
        writeConfig(dir, "http", n, { type: "http", url: http.url }),
        agent,
        baseline,
        env,
        max,
      )
    }
    console.error(`calls: ${CALLS} sequential round trips per side, in-process (createManager vs Client)…`)
    await benchCalls("stdio", { stdio: { command: fixture } }, home)
    await benchCalls("http", { http: { url: http.url } }, home)
    console.log(
      `agentrt MCP bench, ${new Date().toISOString().slice(0, 10)}, ${process.platform}-${process.arch}, bun ${Bun.version}`,
    )
    printTable()
    console.log(
      "list: wall time spawn→exit; baseline = bare SDK client per server: connect (SDK default negotiation) + tools/list, and prompts/resources where advertised",
    )
    console.log(
      "calls: measured in one process (src/mcp createManager vs a bare Client on the same protocol and capabilities), not through agent mcp call",
    )
    console.log("teardown: last stdout chunk → process exit; RSS: the client's own VmHWM (servers excluded)")
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
