import { constants } from "node:fs"
import { link, mkdir, open, readFile, rename, stat, unlink } from "node:fs/promises"
import { hostname } from "node:os"
import { dirname } from "node:path"
import { randomBytes } from "node:crypto"
import { InterruptedError, WriteError } from "./errors.ts"
import { describeFsError, fsErrorCode, fsErrorHint, isProcessAlive } from "./atomic.ts"

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
  const ino = await acquire(path, lockPath, opts)
  try {
    return await fn()
  } finally {
    await release(lockPath, ino)
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
    if (ino !== undefined) return ino
    last = await observe(lockPath)
    if (last && isStale(last, staleMs)) {
      await breakLock(lockPath, last)
      continue
    }
    if (Date.now() >= deadline) throw timeoutError(path, lockPath, last, timeoutMs)
    // Full jitter so a crowd of waiters (20 parallel `mcp add`) does not retry in lockstep.
    await sleep(Math.random() * delay, opts.signal)
    delay = Math.min(delay * 2, 250)
  }
}

/** The lock file's inode when we created it, or undefined when someone else holds it. */
async function tryCreate(path: string, lockPath: string): Promise<number | undefined> {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW
  let fh
  try {
    fh = await open(lockPath, flags, 0o600)
  } catch (e: unknown) {
    const code = fsErrorCode(e)
    if (code === "EEXIST") return undefined
    if (code === "ENOENT") {
      try {
        await mkdir(dirname(lockPath), { recursive: true, mode: 0o700 })
      } catch (err: unknown) {
        throw lockError(path, err)
      }
      return tryCreate(path, lockPath)
    }
    throw lockError(path, e)
  }
  try {
    const holder: Holder = { pid: process.pid, host: hostname(), time: new Date().toISOString() }
    await fh.writeFile(`${JSON.stringify(holder)}\n`)
    return (await fh.stat()).ino
  } finally {
    await fh.close()
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
    const st = await stat(lockPath)
    return { ino: st.ino, mtimeMs: st.mtimeMs, holder: parseHolder(await readFile(lockPath, "utf8")) }
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
    // Empty or partial: the holder is between open() and write(). Age alone decides.
    return {}
  }
}

function isStale(o: Observed, staleMs: number): boolean {
  if (Date.now() - o.mtimeMs > staleMs) return true
  const sameHost = o.holder.host === hostname()
  return sameHost && typeof o.holder.pid === "number" && !isProcessAlive(o.holder.pid)
}

/**
 * Rename the stale lock to a unique name first: only one breaker's rename can take a given
 * inode, so two breakers never both "win". If the inode we took is not the one we judged
 * stale (a new holder got in between), link it back so that holder keeps its lock.
 */
async function breakLock(lockPath: string, judged: Observed) {
  const aside = `${lockPath}.stale.${process.pid}.${randomBytes(4).toString("hex")}`
  try {
    await rename(lockPath, aside)
  } catch (e: unknown) {
    if (fsErrorCode(e) === "ENOENT") return // another breaker or the holder was faster
    throw e
  }
  const took = await stat(aside)
  if (took.ino !== judged.ino) {
    try {
      await link(aside, lockPath)
    } catch (e: unknown) {
      // EEXIST: a third process created a lock in the microseconds since our rename, so two
      // holders may overlap once. Accepted: it needs three racers and a lock judged stale.
      if (fsErrorCode(e) !== "EEXIST") throw e
    }
  }
  await unlink(aside)
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
    { hint: `if ${h.pid ? `process ${h.pid}` : "no agent process"} is still running, wait for it; otherwise remove the stale lock: rm ${lockPath}` },
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
