// The compiled dist/agent for e2e tests. scripts/test.ts builds it before `bun test`; this
// covers a bare `bun test tests/e2e` after an edit, so a test never runs a stale binary.
import { existsSync, readdirSync, statSync } from "node:fs"
import { join, resolve } from "node:path"

const ROOT = resolve(import.meta.dir, "../..")
export const BINARY = join(ROOT, "dist", process.platform === "win32" ? "agent.exe" : "agent")

let building: Promise<string> | undefined // one build per test process, shared by every caller

export function ensureBinary(): Promise<string> {
  building ??= isBinaryFresh() ? Promise.resolve(BINARY) : build()
  return building
}

/** dist/agent exists and is newer than package.json, build.ts and every file in src/. */
export function isBinaryFresh(): boolean {
  if (!existsSync(BINARY)) return false
  const built = statSync(BINARY).mtimeMs
  const inputs = [join(ROOT, "package.json"), join(ROOT, "build.ts"), ...walk(join(ROOT, "src"))]
  return inputs.every((f) => statSync(f).mtimeMs <= built)
}

async function build(): Promise<string> {
  const proc = Bun.spawn([join(ROOT, "node_modules/.bin/bun"), "run", "build.ts", "--single"], {
    cwd: ROOT,
    stdout: "pipe",
    stderr: "pipe",
  })
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  if (code !== 0) throw new Error(`bun run build.ts --single failed (exit ${code})\n${out}${err}`)
  return BINARY
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  )
}
