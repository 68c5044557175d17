// scripts/check-imports.ts on small fixture trees: a file-level cycle through any kind of
// relative import fails the run and is printed as a path; a tree without one passes.
import { describe, expect, it } from "bun:test"
import { join } from "node:path"
import { BUN, ROOT } from "../helpers/cli.ts"
import { tmpdir } from "../helpers/tmp.ts"

async function checkImports(files: Record<string, string>): Promise<{ code: number; stderr: string }> {
  await using t = await tmpdir({
    files: Object.fromEntries(Object.entries(files).map(([k, v]) => [`src/${k}`, v])),
  })
  const proc = Bun.spawn([BUN, join(ROOT, "scripts/check-imports.ts"), join(t.path, "src")], {
    cwd: t.path,
    env: { PATH: process.env.PATH ?? "", AGENTRT_HOME: t.home },
    stdout: "pipe",
    stderr: "pipe",
  })
  try {
    const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited])
    return { code, stderr }
  } finally {
    proc.kill()
  }
}

describe("check-imports", () => {
  it("passes a tree whose files import one way", async () => {
    const r = await checkImports({
      "mcp/index.ts": 'export { a } from "./a.ts"\n',
      "mcp/a.ts": 'import type { B } from "./b.ts"\nexport const a = (b: B) => b\n',
      "mcp/b.ts": "export type B = string\n",
    })
    expect(r).toMatchObject({ code: 0 })
    expect(r.stderr).toContain("check-imports: ok")
  })

  it("fails on a cycle made of a type-only import and a dynamic import, and prints it as a path", async () => {
    const r = await checkImports({
      "mcp/a.ts": 'import type { B } from "./b.ts"\nexport const a = (b: B) => b\n',
      "mcp/b.ts": 'export type B = string\nexport const load = () => import("./c")\n',
      "mcp/c.ts": 'export { a } from "./a.ts"\n',
    })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("cycle between files: mcp/a.ts → mcp/b.ts → mcp/c.ts → mcp/a.ts")
  })

  it("fails on a cycle between two files reached through a folder's index", async () => {
    const r = await checkImports({
      "server/index.ts": 'export { app } from "./app.ts"\n',
      "server/app.ts": 'import { page } from "./page.ts"\nexport const app = page\n',
      "server/page.ts": 'import type { app } from "."\nexport const page = 1\nexport type A = typeof app\n',
    })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(
      "cycle between files: server/app.ts → server/page.ts → server/index.ts → server/app.ts",
    )
  })
})
