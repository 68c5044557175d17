#!/usr/bin/env bun
// `npm test`: import rules, formatting and lint (Biome, check mode: `npm run fmt` fixes), a
// fresh dist/agent for tests/e2e, then `bun test` with any extra arguments passed through
// (`npm test -- tests/e2e`). An import or format/lint violation fails the run but does not
// hide the test results.
import { join, resolve } from "node:path"
import { ensureBinary, isBinaryFresh } from "../tests/helpers/binary.ts"

const ROOT = resolve(import.meta.dir, "..")
const BUN = join(ROOT, "node_modules/.bin/bun")

function run(args: string[], cmd = BUN): number {
  return Bun.spawnSync([cmd, ...args], { cwd: ROOT, stdio: ["inherit", "inherit", "inherit"] }).exitCode ?? 1
}

const imports = run(["run", "scripts/check-imports.ts"])
const style = run(["ci", "--colors=off", "."], join(ROOT, "node_modules/.bin/biome"))

if (!isBinaryFresh()) {
  const t0 = performance.now()
  try {
    await ensureBinary()
  } catch (e: unknown) {
    console.error(e instanceof Error ? e.message : e)
    process.exit(1)
  }
  console.error(`built dist/agent in ${((performance.now() - t0) / 1000).toFixed(1)}s`)
}

// Spawned CLIs and fixture servers are slow on a loaded 2-core CI box: generous per-test timeout.
const extra = process.argv.slice(2)
const hasTimeout = extra.some((a) => a === "--timeout" || a.startsWith("--timeout="))
const tests = run(["test", ...(hasTimeout ? [] : ["--timeout", "30000"]), ...extra])
if (tests === 0 && imports !== 0)
  console.error("tests passed, but scripts/check-imports.ts found violations (above)")
if (tests === 0 && style !== 0)
  console.error("tests passed, but biome found format or lint problems (above): run npm run fmt")
process.exit(tests !== 0 ? tests : imports !== 0 ? imports : style)
