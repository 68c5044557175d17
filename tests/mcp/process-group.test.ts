// S04 at the transport: a server whose helper (started through `sh -c 'helper & exec server'`)
// outlives it. When the server crashes mid-run, the helper left in its process group is swept
// at once, before any close; on close, the group is stopped too. The e2e twin
// (tests/e2e/process-group.test.ts) covers the endings of the compiled binary.
import { describe, expect, it } from "bun:test"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { McpConnectError } from "../../src/util/errors.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { isAlive } from "../helpers/processes.ts"
import { SERVERS, manager, ready, textOf } from "./helpers.ts"

const common = { disabled: false, autoApprove: [], disabledTools: [], required: false }

/** A stdio server run as `sh -c`, with a helper that ignores SIGTERM and writes its pid first. */
function grouped(name: string, fixture: string, pidFile: string, env: Record<string, string> = {}) {
  const script = `sh -c 'trap "" TERM; echo $$ > "$HELPER_PID.tmp"; mv "$HELPER_PID.tmp" "$HELPER_PID"; exec sleep 100000' &
while [ ! -s "$HELPER_PID" ]; do sleep 0.05; done
exec "$SERVER_BUN" "$SERVER"`
  return ready(name, {
    ...common,
    transport: "stdio",
    command: "sh",
    args: ["-c", script],
    env: { ...env, HELPER_PID: pidFile, SERVER_BUN: process.execPath, SERVER: join(SERVERS, fixture) },
  })
}

async function untilGone(pid: number) {
  const deadline = Date.now() + 10_000
  while (isAlive(pid) && Date.now() < deadline) await Bun.sleep(20)
  return !isAlive(pid)
}

function killQuietly(pidFile: string) {
  if (!existsSync(pidFile)) return
  try {
    process.kill(Number(readFileSync(pidFile, "utf8")), "SIGKILL")
  } catch {
    // already gone: what the test wants
  }
}

describe("process groups (S04)", () => {
  it("S04: a crashed server's helper is swept while the manager is still open", async () => {
    await using t = await tmpdir()
    const pidFile = join(t.path, "helper.pid")
    try {
      await using m = await manager([grouped("crashy", "stdio-crash.ts", pidFile)])
      await m.connect()
      expect(textOf(await m.callTool("crashy", "echo", { text: "up" }))).toBe("up")
      const helper = Number(readFileSync(pidFile, "utf8"))
      expect(isAlive(helper)).toBe(true)
      expect(await m.callTool("crashy", "crash", {}).catch((e: unknown) => e)).toBeInstanceOf(McpConnectError)
      expect(await untilGone(helper)).toBe(true) // before the manager closes
    } finally {
      killQuietly(pidFile)
    }
  }, 20_000)

  it("S04: closing the manager stops the server and its helper", async () => {
    await using t = await tmpdir()
    const pidFile = join(t.path, "helper.pid")
    try {
      const m = await manager([grouped("basic", "stdio-basic.ts", pidFile)])
      await m.connect()
      const helper = Number(readFileSync(pidFile, "utf8"))
      const [pid] = m.pids()
      expect(isAlive(helper)).toBe(true)
      await m.close()
      expect(isAlive(pid!)).toBe(false)
      expect(await untilGone(helper)).toBe(true)
    } finally {
      killQuietly(pidFile)
    }
  }, 20_000)
})
