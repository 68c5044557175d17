#!/usr/bin/env bun
// MCP cost of the product against a bare-SDK client, in one run (a measurement, not a test:
// it reports PASS/FAIL against the targets and always exits 0). Every figure is over at least
// 10 runs and printed as median [min–max]; ratios are medians over the baseline's median from
// the same interleaved rounds, with the range of the per-round ratios beside them.
//   list   `agent mcp list --output json --mcp CFG` vs scripts/bench/baseline-list.ts (the SDK,
//          every server at once, tools/list), both compiled with build.ts's compile(); stdio
//          N = 1/5/20 (the fixture compiled once, so both sides pay the same spawn) and
//          N = 1/20 entries on one session HTTP fixture (one session each).
//   calls  sequential tools/call round trips, in this process: createManager vs a bare Client.
//   npm run bench:mcp [-- --runs N] [--before BINARY] [--only stdio,http,calls]
//   --before: a second agent binary (say, built from main) measured in the same rounds, so a
//   change is judged against the same machine state (docs/performance.md says how to build one).
// Warm figures (commands served by `agent daemon`, against mcporter's daemon): scripts/bench-warm.ts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { compile } from "../build.ts"
import { measureCalls, type Target } from "./bench/calls.ts"
import { compare, type Compared, type Spread, spread, startHttpFixture } from "./bench/measure.ts"
import { privateAgent } from "./fresh-build.ts"

const ROOT = resolve(import.meta.dir, "..")
const flag = (name: string) => {
  const i = process.argv.indexOf(name)
  return i > 0 ? process.argv[i + 1] : undefined
}
const RUNS = Math.max(10, Number(flag("--runs")) || 15)
const BEFORE = flag("--before")
const ONLY = new Set((flag("--only") ?? "stdio,http,calls").split(","))
const WARMUP = 3
const CALLS = 1000
const MB = 1024 * 1024

interface Row {
  what: string
  product: string
  before: string
  baseline: string
  ratio: string
  beforeRatio: string
  target: string
  verdict: "PASS" | "FAIL" | ""
}
const rows: Row[] = []
const verdict = (ok: boolean) => (ok ? "PASS" : "FAIL")
const fmt = (s: Spread | undefined, unit: string, scale = 1, digits = 1) =>
  s
    ? `${(s.median / scale).toFixed(digits)} ${unit} [${(s.min / scale).toFixed(digits)}–${(s.max / scale).toFixed(digits)}]`
    : ""
const ratioOf = (m: Compared | undefined, b: Compared) =>
  m
    ? `${(m.wallMs.median / b.wallMs.median).toFixed(2)}x [${m.pairedRatio!.min.toFixed(2)}–${m.pairedRatio!.max.toFixed(2)}]`
    : ""

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

interface Sides {
  agent: string
  before?: string
  baseline: string
}

async function benchList(
  label: string,
  n: number,
  cfg: string,
  sides: Sides,
  env: Record<string, string>,
  maxRatio?: number,
  rssTarget?: number,
  isLikeForLike = false,
) {
  const list = (bin: string) => [bin, "mcp", "list", "--output", "json", "--mcp", cfg]
  const m = await compare(
    {
      product: list(sides.agent),
      ...(sides.before && { before: list(sides.before) }),
      baseline: [sides.baseline, cfg],
      // The baseline speaks the SDK's default, 2025-11-25 `initialize`; agent negotiates
      // 2026-07-28 (server/discover) where a server offers it, which costs an SDK-built server
      // CPU of its own. Pinned to the baseline's revision, the row shows agent's own overhead.
      ...(isLikeForLike && { pinned: [...list(sides.agent), "--protocol-version", "2025-11-25"] }),
      // And the other way round: the bare SDK negotiating as agent does (2026-07-28 where offered).
      ...(isLikeForLike && { baselineAuto: [sides.baseline, cfg, "--auto"] }),
    },
    env,
    allConnected(n),
    RUNS,
    WARMUP,
    "baseline",
  )
  const p = m.product!
  const b = m.baseline!
  const ratio = p.wallMs.median / b.wallMs.median
  rows.push({
    what: `${label} list, N=${n}`,
    product: fmt(p.wallMs, "ms"),
    before: fmt(m.before?.wallMs, "ms"),
    baseline: fmt(b.wallMs, "ms"),
    ratio: ratioOf(p, b),
    beforeRatio: ratioOf(m.before, b),
    target: maxRatio ? `<= ${maxRatio}x` : "",
    verdict: maxRatio ? verdict(ratio <= maxRatio) : "",
  })
  if (m.pinned)
    rows.push({
      what: `  product at 2025-11-25`,
      product: fmt(m.pinned.wallMs, "ms"),
      before: "",
      baseline: fmt(b.wallMs, "ms"),
      ratio: ratioOf(m.pinned, b),
      beforeRatio: "",
      target: "",
      verdict: "",
    })
  if (m.baselineAuto)
    rows.push({
      what: `  bare SDK negotiating as agent`,
      product: fmt(p.wallMs, "ms"),
      before: "",
      baseline: fmt(m.baselineAuto.wallMs, "ms"),
      ratio: `${(p.wallMs.median / m.baselineAuto.wallMs.median).toFixed(2)}x`,
      beforeRatio: "",
      target: "",
      verdict: "",
    })
  rows.push({
    what: `  peak RSS (client)`,
    product: fmt(p.rss, "MB", MB),
    before: fmt(m.before?.rss, "MB", MB),
    baseline: fmt(b.rss, "MB", MB),
    ratio: `${(p.rss.median / b.rss.median).toFixed(2)}x`,
    beforeRatio: m.before ? `${(m.before.rss.median / b.rss.median).toFixed(2)}x` : "",
    target: rssTarget ? `<= ${rssTarget} MB` : "",
    verdict: rssTarget ? verdict(p.rss.median <= rssTarget * MB) : "",
  })
  rows.push({
    what: `  teardown`,
    product: fmt(p.teardownMs, "ms"),
    before: fmt(m.before?.teardownMs, "ms"),
    baseline: fmt(b.teardownMs, "ms"),
    ratio: "",
    beforeRatio: "",
    target: "< 60 ms",
    verdict: verdict(p.teardownMs.median < 60),
  })
}

async function benchCalls(label: string, target: Target, home: string) {
  const r = await measureCalls(target, home, CALLS, RUNS)
  const p = spread(r.productUs)
  const b = spread(r.baselineUs)
  const ratio = p.median / b.median
  const paired = spread(r.productUs.map((x, i) => x / r.baselineUs[i]!))
  rows.push({
    what: `${label} tools/call x${r.calls}`,
    product: fmt(p, "us/call", 1, 0),
    before: "",
    baseline: fmt(b, "us/call", 1, 0),
    ratio: `${ratio.toFixed(2)}x [${paired.min.toFixed(2)}–${paired.max.toFixed(2)}]`,
    beforeRatio: "",
    target: "<= 1.10x",
    verdict: verdict(ratio <= 1.1),
  })
}

function printTable(): void {
  const cols = (
    ["what", "product", "before", "baseline", "ratio", "beforeRatio", "target", "verdict"] as const
  ).filter((c) => BEFORE || (c !== "before" && c !== "beforeRatio"))
  const head: Row = {
    what: "",
    product: "product",
    before: "before",
    baseline: "baseline",
    ratio: "ratio",
    beforeRatio: "before ratio",
    target: "target",
    verdict: "",
  }
  const width = (c: keyof Row) => Math.max(head[c].length, ...rows.map((r) => r[c].length))
  const line = (r: Row) =>
    cols.map((c, i) => (i === 0 ? r[c].padEnd(width(c)) : r[c].padStart(width(c)))).join("  ")
  console.log(line(head))
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
    const sides: Sides = { agent, baseline, ...(BEFORE && { before: resolve(BEFORE) }) }
    await using http = await startHttpFixture(
      [process.execPath, join(ROOT, "tests/fixtures/servers/http-session.ts")],
      env,
    )
    console.error(`list: ${RUNS} interleaved rounds after ${WARMUP} warm-ups, then ${RUNS} RSS runs each`)
    if (ONLY.has("stdio"))
      for (const [n, max] of [
        [1, 1.3],
        [5, undefined],
        [20, 1.15],
      ] as const) {
        console.error(`  stdio N=${n}…`)
        const cfg = writeConfig(dir, "stdio", n, { command: fixture })
        await benchList("stdio", n, cfg, sides, env, max, n === 20 ? 80 : undefined, n === 20)
      }
    if (ONLY.has("http"))
      for (const [n, max] of [
        [1, undefined],
        [20, 1.3],
      ] as const) {
        console.error(`  http N=${n}…`)
        const cfg = writeConfig(dir, "http", n, { type: "http", url: http.url })
        await benchList("http", n, cfg, sides, env, max)
      }
    if (ONLY.has("calls")) {
      console.error(`calls: ${CALLS} sequential round trips per side in ${RUNS} blocks, in-process…`)
      await benchCalls("stdio", { stdio: { command: fixture } }, home)
      await benchCalls("http", { http: { url: http.url } }, home)
    }
    console.log(
      `agentrt MCP bench, ${new Date().toISOString().slice(0, 10)}, ${process.platform}-${process.arch}, bun ${Bun.version}, ${RUNS} runs`,
    )
    printTable()
    console.log(
      "each figure: median [min–max] over the runs; ratio: median over the baseline's median [per-round range]",
    )
    console.log(
      "list: wall time spawn→exit; baseline = bare SDK client per server: connect (SDK default negotiation) + tools/list, and prompts/resources where advertised",
    )
    console.log(
      "calls: measured in one process (src/mcp createManager vs a bare Client on the same protocol and capabilities), not through agent mcp call; before: not measured (in-process, this tree only)",
    )
    console.log("teardown: last stdout chunk → process exit; RSS: the client's own VmHWM (servers excluded)")
    console.log(
      "product at 2025-11-25: agent with --protocol-version 2025-11-25, the baseline's revision (its stdio servers skip 2026-07-28's per-server cost)",
    )
    console.log(
      "bare SDK negotiating as agent: the baseline with the SDK's auto negotiation (2026-07-28 where offered), against agent's default run (ratio of the medians)",
    )
    if (BEFORE) console.log(`before: ${BEFORE}`)
    console.log("warm (servers kept by `agent daemon`, and mcporter's keep-alive daemon): npm run bench:warm")
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
