import { existsSync } from "node:fs"
import { chmod, mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises"
import { basename, dirname, join, relative, isAbsolute } from "node:path"
import { describeFsError } from "../util/atomic.ts"
import { isAgentError, WriteError } from "../util/errors.ts"
import { ensurePrivateDir } from "../util/paths.ts"
import { readEntry, type ZipEntry } from "./bundle-zip.ts"

// Unpacking (I30, I31, I32, I33): into a fresh temporary directory beside the destination, then one rename,
// so a bundle is either all there or not there at all; any failure removes what was written.
// Entries were checked by listZip before this runs; the paths are joined under the temporary
// directory and checked once more, and files are created new (flag "wx"), never through a link.

/** Where unpacked bundles live: <state>/bundles (0700). */
export function bundlesDir(stateDir: string): string {
  return join(stateDir, "bundles")
}

/**
 * <name>-<version>-<sha256>: readable, a new build gets a new directory, and the full hash in
 * the path is what mcp.lock records (a server's cwd and args): `--locked` notices a different
 * bundle even when its author made two whose hashes share a prefix.
 */
export function bundleDirName(name: string, version: string, sha256: string): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "_")
  return `${clean(name).slice(0, 64)}-${clean(version).slice(0, 32)}-${sha256}`
}

export async function unpackBundle(
  zip: Uint8Array,
  entries: ZipEntry[],
  root: string,
  dirName: string,
  opts: { executables?: string[] } = {},
): Promise<string> {
  ensurePrivateDir(root)
  const dest = join(root, dirName)
  const tmp = await mkdtemp(join(root, `.unpack-${dirName.slice(0, 40)}-`))
  try {
    const exec = new Set(opts.executables ?? [])
    for (const entry of entries) await writeEntry(zip, entry, tmp, exec.has(entry.path))
    // The same bytes unpacked before (same sha256): replace, so files a user or a run changed go.
    if (existsSync(dest)) await rm(dest, { recursive: true, force: true })
    await rename(tmp, dest)
    return dest
  } catch (e: unknown) {
    await rm(tmp, { recursive: true, force: true })
    if (isAgentError(e)) throw e
    throw new WriteError(`cannot unpack the bundle into ${root}: ${describeFsError(e)}`, { cause: e })
  }
}

async function writeEntry(zip: Uint8Array, entry: ZipEntry, tmp: string, isEntryPoint: boolean) {
  const target = join(tmp, entry.path)
  const rel = relative(tmp, target)
  // listZip refused these already; a second look where the path meets the file system.
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel))
    throw new WriteError(`bundle entry "${entry.path}" resolves outside the bundle`)
  if (entry.isDirectory) {
    await mkdir(target, { recursive: true, mode: 0o700 })
    return
  }
  await mkdir(dirname(target), { recursive: true, mode: 0o700 })
  const mode = entry.isExecutable || isEntryPoint ? 0o700 : 0o600
  await writeFile(target, readEntry(zip, entry), { flag: "wx", mode })
  await chmod(target, mode)
}

/** Removes an unpacked bundle; only a direct child of the bundles directory (I37). */
export async function removeBundleDir(root: string, dir: string): Promise<boolean> {
  const rel = relative(root, dir)
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel) || rel !== basename(rel)) return false
  if (!existsSync(dir)) return false
  await rm(dir, { recursive: true, force: true })
  return true
}

/**
 * The unpacked bundle a server entry (file form) runs from: its `cwd` when that is a directory
 * directly inside the bundles directory (an install sets it so), else undefined. Only such a
 * directory is ever deleted for it (I37): a hand-edited cwd elsewhere is left alone.
 */
export function bundleDirOf(entry: unknown, root: string): string | undefined {
  if (typeof entry !== "object" || entry === null) return undefined
  const cwd = (entry as Record<string, unknown>).cwd
  if (typeof cwd !== "string") return undefined
  const dir = cwd.replace(/\$\$/g, "$").replace(/%%/g, "%")
  const rel = relative(root, dir)
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel) || rel !== basename(rel) || rel.startsWith("."))
    return undefined
  return join(root, rel)
}
