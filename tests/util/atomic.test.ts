import { afterEach, describe, expect, it } from "bun:test"
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { cleanupStaleTemps, writeFileAtomic } from "../../src/util/atomic.ts"
import { WriteError } from "../../src/util/errors.ts"
import { itUnless } from "../helpers/skip.ts"

const BUN = process.execPath
const WRITE_ONCE = join(import.meta.dir, "../fixtures/writers/write-once.ts")
const WRITE_ATOMIC = join(import.meta.dir, "../fixtures/writers/write-atomic.ts")
const isRoot = process.getuid?.() === 0

const dirs: string[] = []
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "agentrt-atomic-"))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function run(cmd: string[]): { code: number; stdout: string; stderr: string } {
  const p = Bun.spawnSync(cmd, { stdout: "pipe", stderr: "pipe" })
  return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() }
}

async function writeError(p: Promise<unknown>): Promise<WriteError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  )
  expect(e).toBeInstanceOf(WriteError)
  return e as WriteError
}

/**
 * Real faults come from a private mount namespace with its own small tmpfs: it vanishes with
 * the child, so a crashed test never leaves a mount behind. Root (CI) uses `unshare -m`; other
 * users get the same through a user namespace (`-Urm`) where the kernel allows one.
 */
const UNSHARE = isRoot ? ["unshare", "-m"] : ["unshare", "-Urm"]
const noMountNs = (() => {
  if (!Bun.which("unshare")) return "unshare (util-linux) is not installed"
  const d = mkdtempSync(join(tmpdir(), "agentrt-probe-"))
  const r = run([...UNSHARE, "sh", "-c", `mount -t tmpfs -o size=64k tmpfs "${d}"`])
  rmSync(d, { recursive: true, force: true })
  return r.code === 0 ? undefined : `${UNSHARE.join(" ")} + mount failed: ${r.stderr.trim()}`
})()

/**
 * A directory mode of 0555 stops a writer only without CAP_DAC_OVERRIDE, which root has; so as
 * root the writer runs under setpriv with that capability (and its relatives) dropped from the
 * bounding set. Unlike `chattr +i`, this needs no file-system support and works in containers.
 */
const UNPRIVILEGED = isRoot ? ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"] : []
const noUnprivilegedWriter = (() => {
  if (!isRoot) return undefined
  if (!Bun.which("setpriv")) return "running as root and setpriv (util-linux) is not installed"
  const r = run([...UNPRIVILEGED, "true"])
  return r.code === 0
    ? undefined
    : `running as root and setpriv cannot drop CAP_DAC_OVERRIDE: ${r.stderr.trim()}`
})()

/** Runs write-once.ts in a private tmpfs of `size`; `between` runs in the shell between the two writes. */
function inTmpfs(size: string, first: number, second: number, between = (_dir: string) => "true") {
  const d = tmp()
  const f = `${d}/mcp.json`
  const script = `mount -t tmpfs -o size=${size},mode=0755 tmpfs "${d}" &&
    "${BUN}" "${WRITE_ONCE}" "${f}" first ${first} && ${between(d)} &&
    "${BUN}" "${WRITE_ONCE}" "${f}" second ${second}`
  const r = run([...UNSHARE, "sh", "-c", script])
  expect(r.stderr).toBe("")
  const [a, b] = r.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l))
  return { before: a, after: b }
}

describe("writeFileAtomic", () => {
  it("replaces the content and leaves no temp file behind", async () => {
    const d = tmp()
    const f = join(d, "mcp.json")
    await writeFileAtomic(f, "one")
    await writeFileAtomic(f, "two")
    expect(readFileSync(f, "utf8")).toBe("two")
    expect(readdirSync(d)).toEqual(["mcp.json"])
  })

  it("refuses a symlink planted at the target and leaves the link's target untouched (F01)", async () => {
    const d = tmp()
    const victim = join(d, "victim")
    writeFileSync(victim, "secret")
    const f = join(d, "tokens.json")
    symlinkSync(victim, f)
    const e = await writeError(writeFileAtomic(f, "evil"))
    expect(e.message).toContain("symbolic link")
    expect(readFileSync(victim, "utf8")).toBe("secret")
    expect(lstatSync(f).isSymbolicLink()).toBe(true)

    const dangling = join(d, "dangling.json")
    symlinkSync(join(d, "not-there"), dangling)
    await writeError(writeFileAtomic(dangling, "evil"))
    expect(readdirSync(d).sort()).toEqual(["dangling.json", "tokens.json", "victim"])
  })

  it("keeps an existing file's mode", async () => {
    const f = join(tmp(), "mcp.json")
    writeFileSync(f, "{}")
    chmodSync(f, 0o640)
    await writeFileAtomic(f, "{ }", { mode: 0o600 })
    expect(statSync(f).mode & 0o7777).toBe(0o640)
  })

  it("applies mode to an existing file when keepMode is false", async () => {
    const f = join(tmp(), "tokens.json")
    writeFileSync(f, "{}")
    chmodSync(f, 0o644)
    await writeFileAtomic(f, "{ }", { mode: 0o600, keepMode: false })
    expect(statSync(f).mode & 0o7777).toBe(0o600)
  })

  itUnless(isRoot ? undefined : "only root can give a file to another user")(
    "keeps the owner when root rewrites a user's file",
    async () => {
      const f = join(tmp(), "mcp.json")
      writeFileSync(f, "{}")
      chownSync(f, 65534, 65534)
      await writeFileAtomic(f, "{ }")
      expect(statSync(f)).toMatchObject({ uid: 65534, gid: 65534 })
    },
  )

  it("creates a new file 0600 in new 0700 directories even under umask 000 (F01)", () => {
    const d = tmp()
    const f = join(d, "state", "agentrt", "mcp.json")
    const r = run(["sh", "-c", `umask 000; exec "${BUN}" "${WRITE_ONCE}" "${f}" k 1`])
    expect(JSON.parse(r.stdout).ok).toBe(true)
    expect(statSync(f).mode & 0o7777).toBe(0o600)
    expect(statSync(join(d, "state", "agentrt")).mode & 0o7777).toBe(0o700)
    expect(statSync(join(d, "state")).mode & 0o7777).toBe(0o700)
  })

  itUnless(noUnprivilegedWriter)(
    "fails with WriteError and keeps the old file in a directory it may not write",
    () => {
      const d = tmp()
      const f = join(d, "mcp.json")
      writeFileSync(f, '{"old":true}')
      chmodSync(d, 0o555)
      try {
        const r = run([...UNPRIVILEGED, BUN, WRITE_ATOMIC, f, '{"new":true}'])
        expect(r.stderr).toBe("")
        const { error } = JSON.parse(r.stdout)
        expect(error).toMatchObject({
          name: "WriteError",
          exitCode: 2,
          hasCause: true,
          hint: `check that you may write to ${d}`,
        })
        expect(error.message).toBe(
          `could not write ${f}: permission denied (EACCES); the previous file is unchanged`,
        )
      } finally {
        chmodSync(d, 0o755)
      }
      expect(readFileSync(f, "utf8")).toBe('{"old":true}')
      expect(readdirSync(d)).toEqual(["mcp.json"])
    },
  )

  itUnless(noMountNs)("reports a full disk as 'no space left' and keeps the old file (tmpfs)", () => {
    const { before, after } = inTmpfs("64k", 10, 1_000_000)
    expect(before.ok).toBe(true)
    expect(after.ok).toBe(false)
    expect(after.error.name).toBe("WriteError")
    expect(after.error.message).toMatch(
      /^could not write .*mcp\.json: no space left on device \(ENOSPC\); the previous file is unchanged$/,
    )
    expect(after.error.exitCode).toBe(2)
    expect(after.after).toBe(before.after)
    // No temp and no lock left behind.
    expect(after.leftovers).toEqual([])
  })

  itUnless(noMountNs)(
    "reports a read-only file system and keeps the old file (tmpfs remounted read-only)",
    () => {
      const { before, after } = inTmpfs("1m", 10, 10, (d) => `mount -o remount,bind,ro "${d}"`)
      expect(before.ok).toBe(true)
      expect(after.error.message).toMatch(/read-only file system \(EROFS\); the previous file is unchanged$/)
      expect(after.error.hint).toContain("read-only")
      expect(after.after).toBe(before.after)
      expect(after.leftovers).toEqual([])
    },
  )

  it("cleanupStaleTemps removes temps of dead writers only", async () => {
    const d = tmp()
    const dead = join(d, ".mcp.json.999999999.abcdef.tmp")
    const live = join(d, `.mcp.json.${process.pid}.abcdef.tmp`)
    writeFileSync(dead, "partial")
    writeFileSync(live, "partial")
    writeFileSync(join(d, "mcp.json"), "{}")
    expect(await cleanupStaleTemps(d, "mcp.json", 0)).toEqual([dead])
    expect(readdirSync(d).sort()).toEqual([`.mcp.json.${process.pid}.abcdef.tmp`, "mcp.json"])
  })
})
