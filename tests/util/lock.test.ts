import { afterEach, describe, expect, it } from "bun:test"
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs"
import { hostname, tmpdir } from "node:os"
import { join } from "node:path"
import { withFileLock } from "../../src/util/lock.ts"
import { InterruptedError, WriteError } from "../../src/util/errors.ts"

const BUN = process.execPath
const HOLD = join(import.meta.dir, "../fixtures/writers/hold-lock.ts")

const dirs: string[] = []
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "agentrt-lock-"))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** A pid that surely belongs to no process: a child we started and waited for. */
function deadPid(): number {
  const p = Bun.spawnSync(["true"])
  return p.pid
}

/** `await using child = await holdInChild(…)`: disposing kills the holder, even when an assertion failed. */
async function holdInChild(file: string, ms: number) {
  const child = Bun.spawn([BUN, HOLD, file, String(ms)], { stdout: "pipe", stderr: "inherit" })
  try {
    const { value } = await child.stdout.getReader().read()
    expect(new TextDecoder().decode(value)).toBe("locked\n")
    return child
  } catch (e: unknown) {
    await child[Symbol.asyncDispose]()
    throw e
  }
}

describe("withFileLock", () => {
  it("creates <path>.lock 0600 naming this process, and removes it afterwards", async () => {
    const f = join(tmp(), "mcp.json")
    const seen = await withFileLock(f, () => {
      const st = statSync(`${f}.lock`)
      return { mode: st.mode & 0o777, text: Bun.file(`${f}.lock`).text() }
    })
    expect(seen.mode).toBe(0o600)
    expect(JSON.parse(await seen.text)).toMatchObject({ pid: process.pid, host: hostname() })
    expect(existsSync(`${f}.lock`)).toBe(false)
  })

  it("releases the lock when fn throws", async () => {
    const f = join(tmp(), "mcp.json")
    const boom = new Error("boom")
    await expect(withFileLock(f, () => Promise.reject(boom))).rejects.toBe(boom)
    await withFileLock(f, () => undefined, { timeoutMs: 100 })
  })

  it("breaks a stale lock left by a dead process", async () => {
    const d = tmp()
    const f = join(d, "mcp.json")
    const time = new Date().toISOString()
    writeFileSync(`${f}.lock`, JSON.stringify({ pid: deadPid(), host: hostname(), time }))
    expect(await withFileLock(f, () => "ran", { timeoutMs: 2000 })).toBe("ran")
    expect(readdirSync(d)).toEqual([])
  })

  it("breaks a stale lock only through the break guard, and drops a guard its breaker abandoned", async () => {
    const d = tmp()
    const f = join(d, "mcp.json")
    writeFileSync(
      `${f}.lock`,
      JSON.stringify({ pid: deadPid(), host: hostname(), time: new Date().toISOString() }),
    )
    // A fresh guard means another breaker is at work: nobody else may break the lock meanwhile.
    writeFileSync(`${f}.lock.break`, "{}")
    await expect(withFileLock(f, () => "ran", { timeoutMs: 300 })).rejects.toBeInstanceOf(WriteError)
    expect(existsSync(`${f}.lock`)).toBe(true)
    // A guard older than a break could take was left by a killed breaker: it is dropped.
    const old = new Date(Date.now() - 60_000)
    utimesSync(`${f}.lock.break`, old, old)
    expect(await withFileLock(f, () => "ran", { timeoutMs: 2000 })).toBe("ran")
    expect(readdirSync(d)).toEqual([])
  })

  it("breaks a lock older than staleMs even if its holder is unknown", async () => {
    const f = join(tmp(), "mcp.json")
    writeFileSync(`${f}.lock`, "")
    const old = new Date(Date.now() - 60_000)
    utimesSync(`${f}.lock`, old, old)
    expect(await withFileLock(f, () => "ran", { timeoutMs: 2000 })).toBe("ran")
  })

  it("times out on a live lock with a WriteError naming the holder and how to remove it", async () => {
    const f = join(tmp(), "mcp.json")
    await using child = await holdInChild(f, 5000)
    let ran = false
    const e = await withFileLock(f, () => void (ran = true), { timeoutMs: 300 }).catch((err: unknown) => err)
    expect(e).toBeInstanceOf(WriteError)
    expect(ran).toBe(false)
    // The live holder's lock was waited on, not broken: it still names the child.
    expect(JSON.parse(readFileSync(`${f}.lock`, "utf8"))).toMatchObject({ pid: child.pid })
    const w = e as WriteError
    expect(w.message).toContain(`held by process ${child.pid} on ${hostname()}`)
    expect(w.message).toContain("the previous file is unchanged")
    expect(w.hint).toContain(`rm ${f}.lock`)
  })

  it("waits for a live holder and then gets the lock", async () => {
    const f = join(tmp(), "mcp.json")
    await using child = await holdInChild(f, 300)
    expect(await withFileLock(f, () => "ran", { timeoutMs: 5000 })).toBe("ran")
    expect(await child.exited).toBe(0)
  })

  it("stops waiting when the signal aborts", async () => {
    const f = join(tmp(), "mcp.json")
    await using _child = await holdInChild(f, 5000)
    const ac = new AbortController()
    setTimeout(() => ac.abort(), 100)
    const e = await withFileLock(f, () => "ran", { signal: ac.signal }).catch((err: unknown) => err)
    expect(e).toBeInstanceOf(InterruptedError)
  })

  it("lets exactly one of many in-process contenders in at a time", async () => {
    const f = join(tmp(), "mcp.json")
    let inside = 0
    let maxInside = 0
    await Promise.all(
      Array.from({ length: 20 }, () =>
        withFileLock(f, async () => {
          maxInside = Math.max(maxInside, ++inside)
          await Bun.sleep(2)
          inside--
        }),
      ),
    )
    expect(maxInside).toBe(1)
  })
})
