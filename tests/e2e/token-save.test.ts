import { describe, expect, it } from "bun:test"
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir as osTmpdir } from "node:os"
import { join } from "node:path"
import { startAuthServer } from "../fixtures/oauth/as.ts"
import { ensureBinary } from "../helpers/binary.ts"
import { ROOT, runCli } from "../helpers/cli.ts"
import { tmpdir } from "../helpers/tmp.ts"

// F06 on the compiled binary: the AS rotates the refresh token on every use (tests/fixtures/oauth),
// and the disk holding the token store is full. The new pair cannot be saved: agent says so and
// what to do, finishes the run with the new access token, and the old token file stays as it was.
// The full disk is a real one: a 64 KB tmpfs mounted over the tokens dir in a private mount
// namespace (as tests/util/atomic.test.ts does for F02), so it vanishes with the child.
const BROWSER = join(ROOT, "tests/fixtures/oauth/browser.sh")
const isRoot = process.getuid?.() === 0

const canMountNs = (() => {
  if (!isRoot || !Bun.which("unshare")) return false
  const d = mkdtempSync(join(osTmpdir(), "agentrt-probe-"))
  const r = Bun.spawnSync(["unshare", "-m", "sh", "-c", `mount -t tmpfs -o size=64k tmpfs "${d}"`], {
    stderr: "pipe",
  })
  rmSync(d, { recursive: true, force: true })
  if (r.exitCode !== 0) console.warn(`skipping F06: unshare -m + mount failed: ${r.stderr.toString().trim()}`)
  return r.exitCode === 0
})()

// $1 tokens dir, $2 scratch dir, $3 where to copy the token file afterwards; then the agent argv.
// The tmpfs gets the token file back, is filled, then one 4 KB page is freed: enough for the
// lock agent takes around the refresh, not for the new token file.
const FULL_DISK = `set -e
tok="$1"; snap="$2"; out="$3"; shift 3
cp -a "$tok/." "$snap"
mount -t tmpfs -o size=64k,mode=0700 tmpfs "$tok"
cp -a "$snap/." "$tok"
dd if=/dev/zero of="$tok/.fill" bs=4096 2>/dev/null || true
truncate -s -4096 "$tok/.fill"
set +e
"$@"
code=$?
for f in "$tok"/*.json; do cp "$f" "$out"; done
exit $code`

describe.skipIf(!canMountNs)("compiled binary: a rotated refresh token that cannot be saved (F06)", () => {
  it("is reported with what to do, the run goes on, and the old token file stays intact", async () => {
    const binary = await ensureBinary()
    // 20 s tokens count as expired at once (30 s skew), so the run must refresh first.
    await using as = await startAuthServer({ accessTokenTtlMs: 20_000 })
    await using t = await tmpdir()
    const file = await t.write("mcp.json", { mcpServers: { fx: { type: "http", url: as.url } } })
    const env = { BROWSER_LOG: join(t.path, "browser.log") }
    const signIn = await runCli(["mcp", "auth", "fx", "--mcp", file], {
      home: t.home,
      cwd: t.path,
      binary: true,
      env: { ...env, BROWSER },
    })
    expect(signIn.code).toBe(0)
    const tokens = join(t.home, "state", "tokens")
    const [name] = readdirSync(tokens).filter((f) => f.endsWith(".json"))
    const before = readFileSync(join(tokens, name!), "utf8")
    const refreshes = as.counters.refreshGrants

    const scratch = join(t.path, "scratch")
    mkdirSync(scratch)
    const after = join(t.path, "after.json")
    const argv = [binary, "mcp", "call", "fx", "echo", "--arg", "text=still-works", "--mcp", file]
    const proc = Bun.spawn(["unshare", "-m", "sh", "-c", FULL_DISK, "sh", tokens, scratch, after, ...argv], {
      cwd: t.path,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: t.path,
        NO_COLOR: "1",
        AGENTRT_HOME: t.home,
        ...env,
      },
      stdout: "pipe",
      stderr: "pipe",
      timeout: 30_000,
    })
    const [stdout, stderr, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ])

    // The AS rotated the token during the run: this is the save that failed.
    expect(as.counters.refreshGrants).toBe(refreshes + 1)
    expect({ code, stdout }).toEqual({ code: 0, stdout: expect.stringContaining("still-works") })
    expect(stderr).toContain("fx: the new refresh token could not be saved")
    expect(stderr).toContain("no space left on device (ENOSPC)")
    expect(stderr).toContain("run: agent mcp auth fx")
    const saved = JSON.parse(before) as { tokens: { refresh_token: string } }
    expect(stderr).not.toContain(saved.tokens.refresh_token)
    expect(readFileSync(after, "utf8")).toBe(before)

    // Why the warning says so: the file's refresh token was spent, and this AS treats its reuse as
    // theft (RFC 9700 §4.14.2), so the next run is told to sign in again, as the warning said.
    const next = await runCli(["mcp", "call", "fx", "echo", "--arg", "text=x", "--mcp", file], {
      home: t.home,
      cwd: t.path,
      binary: true,
      env,
    })
    expect(next.code).toBe(4)
    expect(next.stderr).toContain("agent mcp auth fx")
  }, 60_000)
})
