import { constants, statSync, unlinkSync } from "node:fs"
import { link, mkdir, open, stat, unlink, type FileHandle } from "node:fs/promises"
import { hostname } from "node:os"
import { basename, dirname, join } from "node:path"
import { InterruptedError, WriteError, isAgentError } from "./errors.ts"
import { randomHex } from "./hash.ts"
import { cleanupStaleTemps, describeFsError, fsErrorCode, fsErrorHint, isProcessAlive } from "./atomic.ts"

export interface LockOptions {
  /** Give up waiting after this long (default 10 s). */
  timeoutMs?: number
  /** A lock older than this is assumed abandoned even if its pid looks alive (default 30 s). */
  staleMs?: number
  signal?: AbortSignal
}

interface Holder {
  pid?: number
  host?: string
  time?: string
}

interface Observed {
  ino: number
  mtimeMs: number
  holder: Holder
}

/**
 * Run `fn` while holding `<path>.lock`, an O_CREAT|O_EXCL file shared by every process on the
 * machine. All state lives in the file system, so separate `agent` processes exclude each other.
 */
export async function withFileLock<T>(
  path: string,
  fn: () => T | Promise<T>,
  opts: LockOptions = {},
): Promise<T> {
  const lockPath = `${path}.lock`
  const ino = await acquire(path, lockPath, opts).catch((e: unknown) => {
    throw isAgentError(e) ? e : lockError(path, e)
  })
  // Ctrl-C exits at once (main.ts); drop our lock on the way out so no later writer has to
  // wait for it to go stale (a reused pid would make a dead holder look alive).
  const onExit = () => releaseSync(lockPath, ino)
  process.once("exit", onExit)
  try {
    return await fn()
  } finally {
    process.off("exit", onExit)
    await release(lockPath, ino)
  }
}

function releaseSync(lockPath: string, ino: number): void {
  try {
    if (statSync(lockPath).ino === ino) unlinkSync(lockPath)
  } catch {
    // Exiting anyway: a lock we cannot remove is broken as stale by the next writer.
  }
}

async function acquire(path: string, lockPath: string, opts: LockOptions): Promise<number> {
  const timeoutMs = opts.timeoutMs ?? 10_000
  const staleMs = opts.staleMs ?? 30_000
  const deadline = Date.now() + timeoutMs
  let delay = 5
  let last: Observed | undefined
  for (;;) {
    if (opts.signal?.aborted) throw new InterruptedError(`interrupted while waiting for ${lockPath}`)
    const ino = await tryCreate(path, lockPath)
    if (ino !== undefined) {
      // Temps of acquirers killed before their link(); harmless, but do not let them pile up.
      await cleanupStaleTemps(dirname(lockPath), basename(lockPath))
      return ino
    }
    last = await observe(lockPath)
    // Broken (or gone): try again at once. Another breaker at work: wait like any waiter.
    if (last && isStale(last, staleMs) && (await breakLock(lockPath, last))) continue
    if (Date.now() >= deadline) throw timeoutError(path, lockPath, last, timeoutMs)
    // Full jitter so a crowd of waiters (20 parallel `mcp add`) does not retry in lockstep.
    await sleep(Math.random() * delay, opts.signal)
    delay = Math.min(delay * 2, 250)
  }
}

/**
 * The lock file's inode when we created it, or undefined when someone else holds it.
 * The holder record is written to a private O_EXCL temp first and then hard-linked into place
 * (link fails with EEXIST like O_EXCL does), so a process killed mid-acquire never leaves an
 * empty lock that nobody can attribute to a pid.
 */
async function tryCreate(path: string, lockPath: string): Promise<number | undefined> {
  const tmp = join(dirname(lockPath), `.${basename(lockPath)}.${process.pid}.${randomHex(6)}.tmp`)
  const fh = await openExclusive(path, tmp)
  try {
    const holder: Holder = { pid: process.pid, host: hostname(), time: new Date().toISOString() }
    await fh.writeFile(`${JSON.stringify(holder)}\n`)
    const ino = (await fh.stat()).ino
    await link(tmp, lockPath)
    return ino
  } catch (e: unknown) {
    if (fsErrorCode(e) === "EEXIST") return undefined
    throw lockError(path, e)
  } finally {
    await fh.close()
    try {
      await unlink(tmp)
    } catch {
      // Only a leftover temp, swept later by cleanupStaleTemps; the lock outcome stands.
    }
  }
}

async function openExclusive(path: string, tmp: string): Promise<FileHandle> {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW
  try {
    return await open(tmp, flags, 0o600)
  } catch (e: unknown) {
    if (fsErrorCode(e) !== "ENOENT") throw lockError(path, e)
  }
  // The directory does not exist yet (first `mcp add`): create it private, then retry once.
  try {
    await mkdir(dirname(tmp), { recursive: true, mode: 0o700 })
    return await open(tmp, flags, 0o600)
  } catch (e: unknown) {
    throw lockError(path, e)
  }
}

function lockError(path: string, e: unknown): WriteError {
  const unchanged = "the previous file is unchanged"
  return new WriteError(`could not lock ${path}: ${describeFsError(e)}; ${unchanged}`, {
    cause: e,
    hint: fsErrorHint(e, dirname(path)),
  })
}

async function observe(lockPath: string): Promise<Observed | undefined> {
  try {
    // One handle for both, so the inode and the holder record belong to the same lock file.
    const fh = await open(lockPath, constants.O_RDONLY | constants.O_NOFOLLOW)
    try {
      const st = await fh.stat()
      return { ino: st.ino, mtimeMs: st.mtimeMs, holder: parseHolder(await fh.readFile("utf8")) }
    } finally {
      await fh.close()
    }
  } catch (e: unknown) {
    // Released between our open() and stat(): just retry.
    if (fsErrorCode(e) === "ENOENT") return undefined
    throw e
  }
}

function parseHolder(text: string): Holder {
  try {
    const v: unknown = JSON.parse(text)
    return typeof v === "object" && v !== null ? (v as Holder) : {}
  } catch {
    // Not one of ours, or damaged: age alone decides.
    return {}
  }
}

function isStale(o: Observed, staleMs: number): boolean {
  if (Date.now() - o.mtimeMs > staleMs) return true
  const sameHost = o.holder.host === hostname()
  return sameHost && typeof o.holder.pid === "number" && !isProcessAlive(o.holder.pid)
}

/**
 * Breakers take turns through `<lock>.break` (O_EXCL), then look again and remove the lock only
 * if it is still the one judged stale (same inode, mtime and holder record). Normal acquirers
 * never touch a lock that exists, so under the guard only its dead holder could have changed
 * it. (Renaming the lock aside, as before, left a moment with no lock file: with 20 parallel
 * writers a third one got in there and two holders overlapped, losing an edit. Nor is the inode
 * alone enough: a released lock's inode is often reused at once by the next holder's file.)
 */
async function breakLock(lockPath: string, judged: Observed): Promise<boolean> {
  const guard = `${lockPath}.break`
  let fh: FileHandle
  try {
    fh = await open(
      guard,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o600,
    )
  } catch (e: unknown) {
    if (fsErrorCode(e) !== "EEXIST") throw e
    await dropAbandonedGuard(guard)
    return false // another breaker is at work
  }
  try {
    try {
      await fh.writeFile(`${JSON.stringify({ pid: process.pid })}\n`)
    } finally {
      await fh.close()
    }
    const now = await observe(lockPath)
    if (
      now &&
      now.ino === judged.ino &&
      now.mtimeMs === judged.mtimeMs &&
      sameHolder(now.holder, judged.holder)
    ) {
      await unlink(lockPath).catch((e: unknown) => {
        if (fsErrorCode(e) !== "ENOENT") throw e
      })
    }
    return true
  } finally {
    await unlink(guard).catch((e: unknown) => {
      if (fsErrorCode(e) !== "ENOENT") throw e
    })
  }
}

/** Breaking takes microseconds; a guard older than this belongs to a breaker that was killed. */
const GUARD_STALE_MS = 5_000

async function dropAbandonedGuard(guard: string): Promise<void> {
  try {
    if (Date.now() - (await stat(guard)).mtimeMs > GUARD_STALE_MS) await unlink(guard)
  } catch (e: unknown) {
    // Gone already (its breaker finished, or another waiter removed it): nothing to drop.
    if (fsErrorCode(e) !== "ENOENT") throw e
  }
}

function sameHolder(a: Holder, b: Holder): boolean {
  return a.pid === b.pid && a.host === b.host && a.time === b.time
}

async function release(lockPath: string, ino: number) {
  try {
    // Only remove our own lock: if it was broken as stale, the file there now is someone else's.
    if ((await stat(lockPath)).ino === ino) await unlink(lockPath)
  } catch (e: unknown) {
    if (fsErrorCode(e) !== "ENOENT") throw e
  }
}

function timeoutError(path: string, lockPath: string, o: Observed | undefined, timeoutMs: number) {
  const h = o?.holder ?? {}
  const who = h.pid ? `process ${h.pid}${h.host ? ` on ${h.host}` : ""}` : "another process"
  const since = o ? `, locked ${Math.round((Date.now() - o.mtimeMs) / 1000)}s ago` : ""
  return new WriteError(
    `could not lock ${path} within ${timeoutMs / 1000}s: held by ${who}${since}; the previous file is unchanged`,
    {
      hint: `if ${h.pid ? `process ${h.pid}` : "no agent process"} is still running, wait for it; otherwise remove the stale lock: rm ${lockPath}`,
    },
  )
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer)
      reject(new InterruptedError("interrupted while waiting for a file lock", { cause: signal?.reason }))
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort)
      resolve()
    }, ms)
    signal?.addEventListener("abort", onAbort, { once: true })
  })
}
