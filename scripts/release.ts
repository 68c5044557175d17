// Release packaging for build.ts: dist/SHA256SUMS, dist/install.sh (the format `sha256sum -c` and
// scripts/install.sh read) and dist/manifest.json, which says for every binary what it is,
// how big (on disk, and gzipped: what a download of it costs compressed), its checksum and
// whether it kept its bytecode (build.ts drops bytecode for a target that would otherwise pass
// 140 MB, which starts real commands more slowly).
// `bun scripts/release.ts notes [DIST]` prints the release notes' table of binaries from
// DIST/manifest.json (.github/workflows/release.yml publishes them with the release).
import { copyFileSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs"
import { basename, join } from "node:path"

export interface BuiltBinary {
  /** The Bun compile target, e.g. "bun-linux-x64-musl". */
  target: string
  /** Path of the binary, relative to the cwd or absolute. */
  file: string
  bytecode: boolean
  /** `<file>.map.json`: source maps for --debug stacks (scripts/sourcemaps.ts). */
  sourcemap?: string
}

export interface ManifestEntry {
  target: string
  /** The file name inside dist/, which is also the name of the release asset. */
  file: string
  /** Bytes on disk. */
  size: number
  /** Bytes once gzipped (gzip's default level 6): what a compressed download of it costs. */
  gzipSize: number
  sha256: string
  bytecode: boolean
  /** The source maps shipped beside the binary (also listed in SHA256SUMS). */
  sourcemap?: { file: string; size: number; sha256: string }
}

export interface Manifest {
  version: string
  /** The Bun runtime embedded in every binary. */
  bun: string
  binaries: ManifestEntry[]
}

// Read, not Bun.mmap: its default shared mapping counts as a writer until it is collected, and
// Linux refuses to start a binary that is open for writing (ETXTBSY), so build.ts's smoke run or
// scripts/verify-release.sh right after this would fail.
export function sha256(file: string): string {
  return new Bun.CryptoHasher("sha256").update(readFileSync(file)).digest("hex")
}

export function gzipSize(file: string): number {
  return Bun.gzipSync(readFileSync(file), { level: 6 }).byteLength
}

/**
 * Writes `${dir}/SHA256SUMS` and `${dir}/manifest.json` for `built`, copies scripts/install.sh
 * beside them (the `curl …/install.sh | sh` asset) and returns the manifest.
 */
export async function writeReleaseFiles(
  dir: string,
  version: string,
  built: BuiltBinary[],
): Promise<Manifest> {
  removeStaleMaps(dir)
  const binaries = built.map((b) => ({
    target: b.target,
    file: basename(b.file),
    size: statSync(b.file).size,
    gzipSize: gzipSize(b.file),
    sha256: sha256(b.file),
    bytecode: b.bytecode,
    ...(b.sourcemap && {
      sourcemap: {
        file: basename(b.sourcemap),
        size: statSync(b.sourcemap).size,
        sha256: sha256(b.sourcemap),
      },
    }),
  }))
  const manifest: Manifest = { version, bun: Bun.version, binaries }
  const sums = binaries.flatMap((b) => [
    `${b.sha256}  ${b.file}\n`,
    ...(b.sourcemap ? [`${b.sourcemap.sha256}  ${b.sourcemap.file}\n`] : []),
  ])
  await Bun.write(join(dir, "SHA256SUMS"), sums.join(""))
  await Bun.write(join(dir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`)
  copyFileSync(join(import.meta.dir, "install.sh"), join(dir, "install.sh"))
  return manifest
}

// Builds before 4e3f291 embedded sourcemaps next to the binaries; a release uploads dist/*,
// so none of those may linger there.
function removeStaleMaps(dir: string): void {
  for (const name of readdirSync(dir)) if (name.endsWith(".map")) rmSync(join(dir, name), { force: true })
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`

/** The release notes' part about the binaries: a Markdown table with both sizes of each. */
export function releaseNotes(manifest: Manifest): string {
  const rows = manifest.binaries.map(
    (b) =>
      `| \`${b.file}\` | ${b.target.replace(/^bun-/, "")} | ${mb(b.size)} | ${mb(b.gzipSize)} | ${b.bytecode ? "yes" : "no (slower start of real commands)"} |`,
  )
  return [
    `agent ${manifest.version}, built with Bun ${manifest.bun}.`,
    "",
    "| file | target | size | gzipped | bytecode |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
    "",
    "Install: `curl -fsSL https://github.com/agentrt/agentrt/releases/latest/download/install.sh | sh`",
    "(checks the download against `SHA256SUMS`). Every binary's size, gzipped size and SHA-256 are in",
    "`manifest.json`; `gh attestation verify <file> --repo agentrt/agentrt` checks its build provenance.",
    "",
  ].join("\n")
}

if (import.meta.main) {
  const [cmd, dir = join(import.meta.dir, "..", "dist")] = process.argv.slice(2)
  if (cmd !== "notes") {
    console.error(
      "usage: bun scripts/release.ts notes [DIST]   (prints release notes from DIST/manifest.json)",
    )
    process.exit(2)
  }
  process.stdout.write(releaseNotes(JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Manifest))
}
