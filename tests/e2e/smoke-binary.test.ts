// scripts/smoke-binary.sh, the steps .github/workflows/release.yml runs on every platform's own
// runner (macOS, Windows, Alpine, Linux arm64: none of which this machine has), run here on the
// compiled dist/agent against the same bundled fixture, so a tag does not find them broken;
// and through scripts/verify-release.sh --smoke, natively and, where qemu-aarch64-static and
// libc6-arm64-cross are installed, on linux-arm64 through qemu (.ci/run does not install them).
import { afterAll, beforeAll, describe, expect, it } from "bun:test"
import { copyFileSync, linkSync, mkdirSync } from "node:fs"
import { join } from "node:path"
import pkg from "../../package.json"
import { compile } from "../../build.ts"
import { writeReleaseFiles } from "../../scripts/release.ts"
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

function sh(script: string, args: string[], env: Record<string, string> = {}) {
  const r = Bun.spawnSync(["sh", join(ROOT, script), ...args], {
    cwd: tmp.path,
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "", ...env },
  })
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() }
}
const smoke = (...args: string[]) => sh("scripts/smoke-binary.sh", args)

const glibc = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header
  ?.glibcVersionRuntime
const HOST_FILE = `agent-linux-${process.arch === "arm64" ? "arm64" : "x64"}${glibc ? "" : "-musl"}`
const qemu = Bun.which("qemu-aarch64-static") ?? Bun.which("qemu-aarch64")
const hasQemu = process.platform === "linux" && process.arch === "x64" && glibc !== undefined && qemu !== null

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
      "a server started through a .sh shim gets its arguments as written, and cmd.exe runs none of them",
    ])
    expect(r.out).toContain("smoke-binary: 8 passed, 0 failed")
  })

  it("fails, and says which check, when the binary does not do what it should", () => {
    const r = smoke(binary, fixture, "9.9.9")
    expect(r.code).toBe(1)
    expect(r.out).toContain("FAILED  --version prints 9.9.9")
    expect(r.out).toContain(`printed: ${pkg.version}`)
    expect(r.out).toContain("smoke-binary: 7 passed, 1 failed")
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

describe("scripts/verify-release.sh --smoke", () => {
  it.skipIf(process.platform !== "linux")(
    "runs smoke-binary.sh on each binary it runs",
    async () => {
      const dist = join(tmp.path, "dist-native")
      mkdirSync(dist)
      try {
        linkSync(binary, join(dist, HOST_FILE)) // 120 MB: a hard link when the file system allows
      } catch {
        copyFileSync(binary, join(dist, HOST_FILE))
      }
      await writeReleaseFiles(dist, pkg.version, [
        { target: `bun-${HOST_FILE.slice(6)}`, file: join(dist, HOST_FILE), bytecode: true },
      ])
      const r = sh("scripts/verify-release.sh", ["--smoke", fixture, dist])
      expect({ code: r.code, out: r.out }).toEqual({ code: 0, out: expect.stringContaining(`${HOST_FILE}`) })
      expect(r.out).toMatch(new RegExp(`ok +${HOST_FILE} +smoke-binary\\.sh: 8 checks`))
      // Without the fixture file it refuses to start.
      expect(sh("scripts/verify-release.sh", ["--smoke", join(tmp.path, "nope.mjs"), dist]).code).toBe(2)
    },
    60_000,
  )

  // linux-arm64 through qemu: the same smoke test as on the ubuntu-24.04-arm runner.
  it.skipIf(!hasQemu)(
    "runs linux-arm64 through qemu, --version and smoke test alike",
    async () => {
      const dist = join(tmp.path, "dist-arm64")
      mkdirSync(dist)
      const file = join(dist, "agent-linux-arm64")
      const bytecode = await compile(join(ROOT, "src/main.ts"), file, "bun-linux-arm64")
      await writeReleaseFiles(dist, pkg.version, [{ target: "bun-linux-arm64", file, bytecode }])
      const r = sh("scripts/verify-release.sh", ["--smoke", fixture, dist])
      expect({ code: r.code, out: r.out }).toEqual({
        code: 0,
        out: expect.stringMatching(/ok +agent-linux-arm64 +0\.\d+\.\d+.* \(qemu: /),
      })
      expect(r.out).toMatch(/ok +agent-linux-arm64 +smoke-binary\.sh: 8 checks/)
    },
    180_000,
  )
})
