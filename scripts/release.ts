// Release packaging for build.ts: dist/SHA256SUMS, dist/install.sh (the format `sha256sum -c` and
// scripts/install.sh read) and dist/manifest.json, which says for every binary what it is,
// how big, its checksum and whether it kept its bytecode (build.ts drops bytecode for a target
// that would otherwise pass 140 MB, which starts real commands more slowly).
import { copyFileSync, readdirSync, rmSync, statSync } from "node:fs"
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
  size: number
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

export function sha256(file: string): string {
  return new Bun.CryptoHasher("sha256").update(new Uint8Array(Bun.mmap(file))).digest("hex")
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
