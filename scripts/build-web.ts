#!/usr/bin/env bun
// Builds the web install page (docs/install-links.md, "Links that work on the web") into
// dist/web/: web/install.html and install.css as they are, and install.js bundled from
// web/install-page.ts with the link code of src/install (parser, presenter), so the page checks
// and shows a link exactly as `agent install` does: one implementation, not a copy.
// AGENTRT_INSTALL_PAGE_URL (https, no port, query or fragment) is the page's public address;
// build.ts compiles the same value into the binary, which links to it and accepts its links.
// `bun run scripts/build-web.ts [OUTDIR]`; serve OUTDIR as it is (GitHub Pages, any static host).
import { copyFileSync, mkdirSync } from "node:fs"
import { join, resolve } from "node:path"
import { DEFAULT_INSTALL_PAGE_URL, installPageProblem } from "../src/install/link-web.ts"

const ROOT = resolve(import.meta.dir, "..")

/** The page URL this build uses: AGENTRT_INSTALL_PAGE_URL if set (checked), else the default. */
export function installPageUrl(env: Record<string, string | undefined> = process.env): string {
  const url = env.AGENTRT_INSTALL_PAGE_URL || DEFAULT_INSTALL_PAGE_URL
  const problem = installPageProblem(url)
  if (problem) throw new Error(`AGENTRT_INSTALL_PAGE_URL ${JSON.stringify(url)} ${problem}`)
  return url
}

/** build.ts's and this script's define: the same page URL in the binary and in the page. */
export function installPageDefine(env?: Record<string, string | undefined>): Record<string, string> {
  return { AGENTRT_INSTALL_PAGE_URL: JSON.stringify(installPageUrl(env)) }
}

export async function buildWeb(outdir = join(ROOT, "dist", "web")): Promise<string[]> {
  mkdirSync(outdir, { recursive: true })
  const out = await Bun.build({
    entrypoints: [join(ROOT, "web", "install-page.ts")],
    target: "browser",
    format: "iife",
    minify: true,
    sourcemap: "none",
    naming: "install.js",
    outdir,
    define: installPageDefine(),
  })
  if (!out.success) {
    for (const m of out.logs) console.error(m)
    throw new Error("building web/install-page.ts failed")
  }
  for (const file of ["install.html", "install.css"])
    copyFileSync(join(ROOT, "web", file), join(outdir, file))
  return ["install.html", "install.css", "install.js"].map((f) => join(outdir, f))
}

if (import.meta.main) {
  const files = await buildWeb(process.argv[2] ? resolve(process.argv[2]) : undefined)
  for (const f of files) console.error(`built ${f}`)
}
