// dist/agent, rebuilt first (`bun run build.ts --single`) when anything it is built from is
// newer than the binary. Shared by scripts/conformance.ts and scripts/bench-mcp.ts, which
// measure the compiled binary and must not measure a stale one.
import { chmodSync, copyFileSync, existsSync, readdirSync, statSync } from "node:fs"
import { join, resolve } from "node:path"

const ROOT = resolve(import.meta.dir, "..")
export const AGENT = join(ROOT, "dist/agent")

function newestMtime(path: string): number {
  const st = statSync(path)
  if (!st.isDirectory()) return st.mtimeMs
  let newest = st.mtimeMs
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)))
  return newest
}

export function ensureFreshAgent(): string {
  const inputs = ["src", "build.ts", "package.json", "package-lock.json"]
    .map((p) => join(ROOT, p))
    .filter(existsSync)
  const newest = Math.max(...inputs.map(newestMtime))
  if (existsSync(AGENT) && statSync(AGENT).mtimeMs >= newest) return AGENT
  console.error("dist/agent is missing or older than src/: bun run build.ts --single")
  const r = Bun.spawnSync([process.execPath, "run", "build.ts", "--single"], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
  })
  if (r.exitCode === 0) return AGENT
  // build.ts also fails on its size budget after writing the binary; that does not change behaviour.
  if (!existsSync(AGENT) || statSync(AGENT).mtimeMs < newest) process.exit(r.exitCode ?? 1)
  console.error(`warning: build.ts exited ${r.exitCode} but wrote a fresh dist/agent; using it`)
  return AGENT
}

/**
 * A private copy of the fresh binary in `dir`: other work in the same tree may rebuild
 * dist/agent mid-run (a spawn then fails with ETXTBSY, or measures a different build).
 */
export function privateAgent(dir: string): string {
  const copy = join(dir, "agent")
  copyFileSync(ensureFreshAgent(), copy)
  chmodSync(copy, 0o755)
  return copy
}
