import { constants, existsSync } from "node:fs"
import {
  type FileHandle,
  lstat,
  mkdir,
  open,
  readdir,
  rename,
  stat,
  unlink,
  writeFile,
} from "node:fs/promises"
import type { Stats } from "node:fs"
import { basename, dirname, join } from "node:path"
import { WriteError } from "./errors.ts"
import { randomHex } from "./hash.ts"

export interface WriteOptions {
  /** Mode for a new file (default 0600). An existing file keeps its own mode unless keepMode is false. */
  mode?: number
  /** false: always apply `mode`, e.g. to tighten a token file that was left 0644. */
  keepMode?: boolean
  /** Test-only (see pauseForTest): the path whose write stops before the rename. The CLI passes AGENTRT_TEST_PAUSE_WRITE. */
  pauseForTest?: string
}

const FS_WORDS: Record<string, string> = {
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOENT: "no such file or directory",
  ENOTDIR: "a parent path is not a directory",
  EISDIR: "it is a directory",
  EEXIST: "a leftover file is in the way",
  EMFILE: "too many open files",
  EIO: "input/output error",
}

const FS_HINTS: Record<string, (dir: string) => string> = {
  ENOSPC: (dir) => `free some space on the disk holding ${dir} and retry`,
  EDQUOT: (dir) => `free some space within your quota on the disk holding ${dir} and retry`,
  EROFS: (dir) => `${dir} is on a read-only file system; remount it read-write or use another location`,
  EACCES: (dir) => `check that you may write to ${dir}`,
  EPERM: (dir) => `check the permissions and attributes (lsattr) of ${dir}`,
}

export function fsErrorCode(e: unknown): string | undefined {
  if (typeof e === "object" && e !== null && "code" in e && typeof e.code === "string") return e.code
  return undefined
}

/** "no space left on device (ENOSPC)": the errno in plain words, for one-line messages. */
export function describeFsError(e: unknown): string {
  const code = fsErrorCode(e)
  if (code === undefined) return e instanceof Error ? e.message : String(e)
  return `${FS_WORDS[code] ?? "file system error"} (${code})`
}

export function fsErrorHint(e: unknown, dir: string): string | undefined {
  const code = fsErrorCode(e)
  return code === undefined ? undefined : FS_HINTS[code]?.(dir)
}

/**
 * Replace `path` so that readers see either the old or the new content, never a mix:
 * temp file in the same directory, fsync, rename, fsync the directory (docs/design.md §3).
 * A crash or SIGINT leaves at worst a `.<base>.<pid>.<rand>.tmp` next to the intact target.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  opts: WriteOptions = {},
): Promise<void> {
  const dir = dirname(path)
  const existing = await lstatOrUndefined(path, dir)
  const unchanged = existing ? "the previous file is unchanged" : "nothing was written"
  if (existing?.isSymbolicLink()) {
    // F01: a planted link would redirect the write; refuse instead of following it.
    throw new WriteError(`refusing to write ${path}: it is a symbolic link; ${unchanged}`, {
      hint: `remove the link (rm ${path}) if you want agent to create a regular file there`,
    })
  }
  if (existing && !existing.isFile()) {
    throw new WriteError(`refusing to write ${path}: it is not a regular file; nothing was written`)
  }
  const mode = existing && opts.keepMode !== false ? existing.mode & 0o7777 : (opts.mode ?? 0o600)
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomHex(6)}.tmp`)
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    await writeTemp(tmp, data, mode, existing)
    if (opts.pauseForTest === path) await pauseForTest(path)
    await rename(tmp, path)
  } catch (e: unknown) {
    await removeTemp(tmp)
    throw new WriteError(`could not write ${path}: ${describeFsError(e)}; ${unchanged}`, {
      cause: e,
      hint: fsErrorHint(e, dir),
    })
  }
  await syncDir(dir, path)
}

/**
 * Test-only, and inert unless opts.pauseForTest (the CLI passes AGENTRT_TEST_PAUSE_WRITE) names
 * the file being written: the writer then stops with the temp complete but not yet renamed,
 * creates `<path>.paused` and waits until it is removed. tests/e2e/config-flow.test.ts uses it
 * to land Ctrl-C inside a write for certain; timed signals could not prove the interruption
 * happened mid-write.
 */
async function pauseForTest(path: string): Promise<void> {
  const marker = `${path}.paused`
  await writeFile(marker, "")
  while (existsSync(marker)) await new Promise((resolve) => setTimeout(resolve, 10))
}

async function lstatOrUndefined(path: string, dir: string): Promise<Stats | undefined> {
  try {
    return await lstat(path)
  } catch (e: unknown) {
    const code = fsErrorCode(e)
    if (code === "ENOENT") return undefined
    throw new WriteError(`could not write ${path}: ${describeFsError(e)}; nothing was written`, {
      cause: e,
      hint: fsErrorHint(e, dir),
    })
  }
}

async function writeTemp(tmp: string, data: string | Uint8Array, mode: number, existing?: Stats) {
  // O_EXCL|O_NOFOLLOW: never reuse or follow anything already at the temp name.
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW
  const fh = await open(tmp, flags, mode)
  try {
    // open() applies the umask; chmod so `umask 000` still yields exactly `mode` (F01).
    await fh.chmod(mode)
    if (existing && process.getuid?.() === 0 && (existing.uid !== 0 || existing.gid !== 0)) {
      // root editing a user's file must not hand it over to root.
      await fh.chown(existing.uid, existing.gid)
    }
    await fh.writeFile(data)
    await fh.sync()
  } finally {
    await fh.close()
  }
}

async function removeTemp(tmp: string) {
  try {
    await unlink(tmp)
  } catch {
    // ENOENT: the temp was never created. Anything else we cannot fix here, and the
    // original error is the one worth reporting; a leftover temp never harms the target.
  }
}

/** Make the rename itself durable. The new content is already in place when this runs. */
async function syncDir(dir: string, path: string) {
  let fh: FileHandle | undefined
  try {
    fh = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY)
    await fh.sync()
  } catch (e: unknown) {
    const code = fsErrorCode(e)
    // Some file systems (and FUSE mounts) cannot fsync a directory; the rename still happened.
    if (code === "EINVAL" || code === "ENOTSUP" || code === "EOPNOTSUPP") return
    throw new WriteError(`wrote ${path} but could not sync its directory: ${describeFsError(e)}`, {
      cause: e,
      hint: "the new content is in place; it may not survive a power loss",
    })
  } finally {
    await fh?.close()
  }
}

/**
 * Remove `.<base>.<pid>.<rand>.tmp` files left by writers that died mid-write (SIGKILL, power loss).
 * Only temps whose pid is gone on this host and that are older than `minAgeMs` are removed,
 * so a writer sharing the directory over NFS from another host is not disturbed.
 * Best effort: it never throws, a temp it cannot remove stays for the next sweep.
 */
export async function cleanupStaleTemps(dir: string, base: string, minAgeMs = 60_000): Promise<string[]> {
  const prefix = `.${base}.`
  let names: string[]
  try {
    names = await readdir(dir)
  } catch {
    // Unreadable or gone: there is nothing we could remove either.
    return []
  }
  const removed: string[] = []
  for (const name of names) {
    const m = name.startsWith(prefix) ? /^(\d+)\.[0-9a-f]+\.tmp$/.exec(name.slice(prefix.length)) : null
    if (!m || isProcessAlive(Number(m[1]))) continue
    const file = join(dir, name)
    try {
      if (Date.now() - (await stat(file)).mtimeMs < minAgeMs) continue
      await unlink(file)
      removed.push(file)
    } catch {
      // Another sweeper got there first, or we may not delete it: leave it for the next sweep.
    }
  }
  return removed
}

/** kill(pid, 0): ESRCH means gone; EPERM means alive but owned by someone else. */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (e: unknown) {
    return fsErrorCode(e) !== "ESRCH"
  }
}
