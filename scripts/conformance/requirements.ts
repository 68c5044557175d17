// The suite's requirement-set mode (`client --requirements REV`) for scripts/conformance.ts: which
// client scenarios REV scores and which it only runs (`list --requirements REV`), and the results
// of the one parallel runner sorted into the per-scenario directories summarize.ts reads.
import { copyFileSync, existsSync, mkdirSync, readdirSync } from "node:fs"
import { join } from "node:path"
import { slugOf } from "./summarize.ts"

export interface RequirementSet {
  /** Client scenarios REV requires: the summary line counts these. */
  scored: string[]
  /** Client scenarios the runner also runs and reports, never scored (extensions, added after release). */
  unscored: string[]
}

/** Parses `list --requirements REV`: its "Client scenarios" section, and the `[client]` rows under "never scored". */
export function requirementSet(runner: string, revision: string): RequirementSet {
  const r = Bun.spawnSync([process.execPath, runner, "list", "--requirements", revision], {
    stdout: "pipe",
    stderr: "pipe",
  })
  if (r.exitCode !== 0) throw new Error(`list --requirements ${revision}: ${r.stderr.toString().trim()}`)
  const scored: string[] = []
  const unscored: string[] = []
  let section: "client" | "unscored" | undefined
  for (const line of r.stdout.toString().split("\n")) {
    if (/^Client scenarios/.test(line)) section = "client"
    else if (/^Run and reported, but never scored/.test(line)) section = "unscored"
    else if (/^\S/.test(line)) section = undefined
    else if (section === "client" && line.startsWith("  - ")) scored.push(line.slice(4).trim())
    else if (section === "unscored") {
      const m = line.match(/^\s+- (\S+) \[client\]/)
      if (m) unscored.push(m[1]!)
    }
  }
  return { scored, unscored }
}

/**
 * The runner writes `<raw>/<scenario>-<ISO time>/checks.json` (a scenario with a `/` nests a
 * directory). Copies each into `<outdir>/<slug>/`, where the adapter already left client.stderr.
 */
export function collectSuiteRun(outdir: string, raw: string, scenarios: string[]): void {
  for (const s of scenarios) {
    const slash = s.lastIndexOf("/")
    const parent = join(raw, s.slice(0, slash + 1))
    const base = s.slice(slash + 1)
    // Exactly "<name>-<time>": "auth/dpop" must not pick up "auth/dpop-nonce-<time>".
    const re = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-\\d{4}-\\d\\d-\\d\\dT[\\d-]+Z$`)
    const hit = existsSync(parent) ? readdirSync(parent).filter((n) => re.test(n)) : []
    const dir = join(outdir, slugOf(s))
    mkdirSync(dir, { recursive: true })
    const last = hit.sort().at(-1)
    if (last && existsSync(join(parent, last, "checks.json")))
      copyFileSync(join(parent, last, "checks.json"), join(dir, "checks.json"))
  }
}
