// scripts/release.ts: manifest.json records each binary's size and gzip size, SHA256SUMS lists
// every file, and the release notes show both sizes. Fake binaries, real files and real gzip.
import { afterAll, beforeAll, describe, expect, it } from "bun:test"
import { randomBytes } from "node:crypto"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { gunzipSync } from "node:zlib"
import { type Manifest, gzipSize, releaseNotes, sha256, writeReleaseFiles } from "../../scripts/release.ts"
import { ROOT } from "../helpers/cli.ts"
import { type TmpDir, tmpdir } from "../helpers/tmp.ts"

let tmp: TmpDir
let manifest: Manifest
const noise = randomBytes(2_000_000) // does not compress: its gzip is a little larger
const zeros = new Uint8Array(3_000_000) // compresses to almost nothing

beforeAll(async () => {
  tmp = await tmpdir()
  writeFileSync(join(tmp.path, "agent-linux-x64"), noise)
  writeFileSync(join(tmp.path, "agent-windows-x64.exe"), zeros)
  writeFileSync(join(tmp.path, "agent-linux-x64.map.json"), "{}")
  manifest = await writeReleaseFiles(tmp.path, "1.2.3", [
    {
      target: "bun-linux-x64",
      file: join(tmp.path, "agent-linux-x64"),
      bytecode: true,
      sourcemap: join(tmp.path, "agent-linux-x64.map.json"),
    },
    { target: "bun-windows-x64", file: join(tmp.path, "agent-windows-x64.exe"), bytecode: false },
  ])
})
afterAll(() => tmp?.[Symbol.asyncDispose]())

describe("manifest.json", () => {
  it("records each binary's size on disk and gzipped, its checksum and bytecode", () => {
    const onDisk = JSON.parse(readFileSync(join(tmp.path, "manifest.json"), "utf8")) as Manifest
    expect(onDisk).toEqual(manifest)
    expect(onDisk.version).toBe("1.2.3")
    const [linux, windows] = onDisk.binaries
    expect(linux).toMatchObject({
      target: "bun-linux-x64",
      file: "agent-linux-x64",
      size: 2_000_000,
      bytecode: true,
    })
    expect(windows).toMatchObject({
      target: "bun-windows-x64",
      file: "agent-windows-x64.exe",
      size: 3_000_000,
    })
    expect(linux!.gzipSize).toBeGreaterThan(2_000_000)
    expect(linux!.gzipSize).toBeLessThan(2_010_000)
    expect(windows!.gzipSize).toBeLessThan(10_000)
    expect(linux!.sha256).toBe(new Bun.CryptoHasher("sha256").update(noise).digest("hex"))
  })

  it("gzipSize is the length of a gzip stream that inflates back to the file", () => {
    const file = join(tmp.path, "agent-linux-x64")
    const gz = Bun.gzipSync(new Uint8Array(readFileSync(file)), { level: 6 })
    expect(gzipSize(file)).toBe(gz.byteLength)
    expect(Buffer.from(gunzipSync(gz)).equals(noise)).toBe(true)
  })

  it("SHA256SUMS lists every binary and source map", () => {
    expect(readFileSync(join(tmp.path, "SHA256SUMS"), "utf8")).toBe(
      [
        `${sha256(join(tmp.path, "agent-linux-x64"))}  agent-linux-x64`,
        `${sha256(join(tmp.path, "agent-linux-x64.map.json"))}  agent-linux-x64.map.json`,
        `${sha256(join(tmp.path, "agent-windows-x64.exe"))}  agent-windows-x64.exe`,
        "",
      ].join("\n"),
    )
  })
})

describe("release notes", () => {
  it("show each binary's size and gzip size", () => {
    const notes = releaseNotes(manifest)
    expect(notes).toContain("| file | target | size | gzipped | bytecode |")
    const gz = (b: number) => (b / 1e6).toFixed(1)
    expect(notes).toContain(
      `| \`agent-linux-x64\` | linux-x64 | 2.0 MB | ${gz(manifest.binaries[0]!.gzipSize)} MB | yes |`,
    )
    expect(notes).toContain(
      "| `agent-windows-x64.exe` | windows-x64 | 3.0 MB | 0.0 MB | no (slower start of real commands) |",
    )
    expect(notes).toStartWith("agent 1.2.3, built with Bun ")
  })

  it("are what `bun scripts/release.ts notes DIR` prints", () => {
    const r = Bun.spawnSync([join(ROOT, "node_modules/.bin/bun"), "scripts/release.ts", "notes", tmp.path], {
      cwd: ROOT,
    })
    expect(r.exitCode).toBe(0)
    expect(r.stdout.toString()).toBe(releaseNotes(manifest))
    const bad = Bun.spawnSync([join(ROOT, "node_modules/.bin/bun"), "scripts/release.ts"], {
      cwd: ROOT,
      stderr: "pipe",
    })
    expect(bad.exitCode).toBe(2)
  })
})
