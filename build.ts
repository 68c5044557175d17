#!/usr/bin/env bun
// Compiles src/main.ts into one executable per platform (docs/design.md §11). Cross targets need the
// target's Bun runtime: Bun fetches it from the npm registry itself (@oven/bun-<target> tarballs at
// the pinned version) and caches it in ~/.bun/install/cache (BUN_INSTALL_CACHE_DIR), so no network
// besides the npm registry is used. `--single` needs no download: it reuses the running runtime.
// `--release` (or no flag): every target, then dist/SHA256SUMS and dist/manifest.json
// (scripts/release.ts); scripts/verify-release.sh runs what this machine can run of them.
import { statSync } from "node:fs"
import { join } from "node:path"
import pkg from "./package.json"
import { installPageDefine } from "./scripts/build-web.ts"
import { writeReleaseFiles } from "./scripts/release.ts"
import { writeSourceMaps } from "./scripts/sourcemaps.ts"

const TARGETS = [
  "bun-linux-x64",
  "bun-linux-arm64",
  "bun-linux-x64-musl",
  "bun-linux-arm64-musl",
  "bun-darwin-x64",
  "bun-darwin-arm64",
  "bun-windows-x64",
] as const
const MAX_BYTES = 140 * 1000 * 1000 // 140 MB (decimal): start-up matters more than a few MB (issue 16); a hello-world bun-windows-x64 is ~115 MB

/** The Bun.build options of a release binary; scripts/bench-startup.ts and the e2e tests reuse them. */
export function compileOptions(
  entry: string,
  outfile: string,
  target?: Bun.Build.CompileTarget,
  bytecode = true,
): Bun.BuildConfig {
  return {
    entrypoints: [entry],
    // A user's .env or bunfig.toml in the cwd must not change what the agent does or sees.
    compile: { ...(target && { target }), outfile, autoloadDotenv: false, autoloadBunfig: false },
    // bytecode defaults to CommonJS, where main.ts's top-level await is a syntax error.
    // Bytecode halves the start of real commands (config validate: 33 → 16 ms) but adds ~6 MB;
    // an embedded sourcemap adds ~2.6 MB, so none: scripts/sourcemaps.ts ships the maps beside it.
    format: "esm",
    minify: true,
    sourcemap: "none",
    bytecode,
    // Code splitting keeps each lazily imported command group in its own embedded chunk, so
    // `--version` loads ~nothing: 15 ms → 5 ms on these machines (scripts/bench-startup.ts).
    splitting: true,
    // AGENTRT_INSTALL_PAGE_URL: the web install page the binary links to and accepts (docs/build.md).
    define: { AGENT_VERSION: JSON.stringify(pkg.version), ...installPageDefine() },
  }
}

/** Compiles one binary; resolves to whether it kept its bytecode. */
export async function compile(
  entry: string,
  outfile: string,
  target?: Bun.Build.CompileTarget,
  bytecode = true,
): Promise<boolean> {
  const out = await Bun.build(compileOptions(entry, outfile, target, bytecode))
  if (!out.success) {
    for (const m of out.logs) console.error(m)
    throw new Error(`build failed for ${target ?? "host"}`)
  }
  // The Windows runtime alone is ~115 MB: a target over the limit is rebuilt without bytecode
  // (slower start of real commands, same behaviour) rather than shipped over 140 MB.
  if (bytecode && statSync(outfile).size > MAX_BYTES) {
    console.error(`${outfile} is over 140 MB with bytecode; rebuilding it without`)
    return compile(entry, outfile, target, false)
  }
  return bytecode
}

function outfileFor(target: string): string {
  return `dist/agent-${target.slice(4)}${target.startsWith("bun-windows") ? ".exe" : ""}`
}

async function main(single: boolean): Promise<void> {
  process.chdir(import.meta.dir)
  const started = performance.now()
  // Host: no target, so Bun embeds the runtime it is running on (no download, no musl/baseline guessing).
  const jobs = single
    ? [{ target: undefined, outfile: "dist/agent" }]
    : TARGETS.map((t) => ({ target: t, outfile: outfileFor(t) }))
  const built = []
  for (const { target, outfile } of jobs) {
    const t0 = performance.now()
    const bytecode = await compile("src/main.ts", outfile, target)
    const sourcemap = await writeSourceMaps(compileOptions("src/main.ts", outfile, target, bytecode), outfile)
    built.push({ target: target ?? "host", file: outfile, bytecode, sourcemap })
    console.error(
      `built ${outfile} (${target ?? "host"}) in ${((performance.now() - t0) / 1000).toFixed(1)}s`,
    )
  }
  const files = jobs.map((j) => j.outfile)
  if (!single) await writeReleaseFiles("dist", pkg.version, built)
  smoke(single ? "dist/agent" : outfileFor(hostTarget()))
  let tooBig = false
  for (const f of files) {
    const size = statSync(f).size
    tooBig ||= size > MAX_BYTES
    console.error(
      `${(size / 1e6).toFixed(1).padStart(7)} MB  ${f}${size > MAX_BYTES ? "  TOO BIG (> 140 MB)" : ""}`,
    )
  }
  console.error(`done in ${((performance.now() - started) / 1000).toFixed(1)}s`)
  if (tooBig) process.exit(1)
}

function smoke(binary: string): void {
  const r = Bun.spawnSync([join(import.meta.dir, binary), "--version"], {
    stdio: ["ignore", "pipe", "inherit"],
  })
  const got = r.stdout.toString().trim()
  if (r.exitCode !== 0 || got !== pkg.version) {
    console.error(`smoke test failed: ${binary} --version exited ${r.exitCode} and printed "${got}"`)
    process.exit(1)
  }
  console.error(`smoke: ${binary} --version → ${got}`)
}

function hostTarget(): (typeof TARGETS)[number] {
  const arch = process.arch === "arm64" ? "arm64" : "x64"
  if (process.platform === "win32") return "bun-windows-x64"
  if (process.platform === "darwin") return `bun-darwin-${arch}`
  // The libc this Bun runs on, not what is installed: Debian's musl package adds /lib/ld-musl-*.
  const glibc = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header
    ?.glibcVersionRuntime
  return glibc ? `bun-linux-${arch}` : `bun-linux-${arch}-musl`
}

if (import.meta.main) await main(process.argv.includes("--single"))
