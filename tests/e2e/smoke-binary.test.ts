// scripts/smoke-binary.sh, the steps .github/workflows/release.yml runs on every platform's own
// runner (macOS, Windows, Alpine, Linux arm64: none of which this machine has), run here on the
// compiled dist/agent against the same bundled fixture, so a tag does not find them broken.
import { afterAll, beforeAll, describe, expect, it } from "bun:test"
import { join } from "node:path"
import pkg from "../../package.json"
import { ensureBinary } from "../helpers/binary.ts"
import { ROOT } from "../helpers/cli.ts"
import { type TmpDir, tmpdir } from "../helpers/tmp.ts"

let tmp: TmpDir
let binary: string
let fixture: string

beforeAll(async () => {
  tmp = await tmpdir()
  binary = await ensureBinary()
  // What the release workflow's build job does: the SDK fixture server as one file for node.
  fixture = join(tmp.path, "stdio-fixture.mjs")
  const b = Bun.spawnSync(
    [
      join(ROOT, "node_modules/.bin/bun"),
      "build",
      "tests/fixtures/servers/stdio-basic.ts",
      "--target",
      "node",
      "--outfile",
      fixture,
    ],
    { cwd: ROOT, stderr: "pipe", stdout: "pipe" },
  )
  if (b.exitCode !== 0) throw new Error(`bundling the fixture failed: ${b.stderr.toString()}`)
})
afterAll(() => tmp?.[Symbol.asyncDispose]())

function smoke(...args: string[]) {
  const r = Bun.spawnSync(["sh", join(ROOT, "scripts/smoke-binary.sh"), ...args], {
    cwd: tmp.path,
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "" },
  })
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() }
}

describe("scripts/smoke-binary.sh", () => {
  it("passes every check on dist/agent", () => {
    const r = smoke(binary, fixture)
    expect({ code: r.code, failed: r.out.split("\n").filter((l) => l.startsWith("FAILED")) }).toEqual({
      code: 0,
      failed: [],
    })
    const checks = r.out.split("\n").filter((l) => l.startsWith("ok "))
    expect(checks.map((l) => l.slice(8))).toEqual([
      `--version prints ${pkg.version}`,
      "an unknown flag exits 2",
      "mcp list connects to a stdio server and counts its tools",
      "install parses an agentrt:// link in a dry run and writes nothing",
      "a link from install --link parses back",
      `install --register --dry-run plans the ${process.platform} handler`,
      "the dry runs left the home directory empty",
    ])
    expect(r.out).toContain("smoke-binary: 7 passed, 0 failed")
  })

  it("fails, and says which check, when the binary does not do what it should", () => {
    const r = smoke(binary, fixture, "9.9.9")
    expect(r.code).toBe(1)
    expect(r.out).toContain("FAILED  --version prints 9.9.9")
    expect(r.out).toContain(`printed: ${pkg.version}`)
    expect(r.out).toContain("smoke-binary: 6 passed, 1 failed")
  })

  it("fails when the fixture is not an MCP server", async () => {
    const notMcp = await tmp.write("not-mcp.mjs", "process.stdout.write('hello\\n')\n")
    const r = smoke(binary, notMcp)
    expect(r.code).toBe(1)
    expect(r.out).toContain("FAILED  mcp list connects to a stdio server")
  })

  it("refuses to run without its arguments (exit 2)", () => {
    expect(smoke(binary).code).toBe(2)
    expect(smoke(join(tmp.path, "missing"), fixture).code).toBe(2)
  })
})
