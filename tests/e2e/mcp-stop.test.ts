import { describe, expect, it } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { ensureBinary } from "../helpers/binary.ts"
import { BUN, ROOT, runCli } from "../helpers/cli.ts"
import { isAlive, startSlowCall } from "../helpers/processes.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"

// S03 on the compiled binary: a stdio server that ignores the end of stdin and SIGTERM is
// still stopped (TERM, then KILL), after a normal call and after Ctrl-C, and agent exits.
// Outcome, not timing: the server saw the TERM, and is gone once agent has exited.
const STUBBORN = join(ROOT, "tests/fixtures/servers/stdio-stubborn.ts")

async function stubbornConfig(t: TmpDir) {
  const pidFile = join(t.path, "server.pid")
  const signalLog = join(t.path, "signals.log")
  const file = await t.write("mcp.json", {
    mcpServers: {
      stubborn: { command: BUN, args: [STUBBORN], env: { PID_FILE: pidFile, SIGNAL_LOG: signalLog } },
    },
  })
  return {
    file,
    pid: () => Number(readFileSync(pidFile, "utf8")),
    signals: () => readFileSync(signalLog, "utf8"),
  }
}

describe("compiled binary: stopping a stdio server that ignores SIGTERM", () => {
  it("after a call: TERM is sent and ignored, KILL ends it, agent exits 0 with the result", async () => {
    await using t = await tmpdir()
    const srv = await stubbornConfig(t)
    const r = await runCli(["mcp", "call", "stubborn", "echo", "--arg", "text=hi", "--mcp", srv.file], {
      home: t.home,
      cwd: t.path,
      binary: true,
    })
    expect(r.stderr).toBe("")
    expect(r.stdout).toBe("hi\n")
    expect(r.code).toBe(0)
    expect(srv.signals()).toBe("TERM\n") // asked politely once…
    expect(isAlive(srv.pid())).toBe(false) // …and then made to stop
  }, 30_000)

  it("after Ctrl-C mid-call: agent exits 130 and the server is gone", async () => {
    await using t = await tmpdir()
    const srv = await stubbornConfig(t)
    const { proc, stderr } = await startSlowCall(await ensureBinary(), "stubborn", srv.file, t)
    try {
      expect(stderr.text).toMatch(/^\[stubborn\] \d+% tick \d+$/m) // the call is under way
      const pid = srv.pid()
      expect(isAlive(pid)).toBe(true)
      proc.kill("SIGINT")
      expect(await proc.exited).toBe(130)
      await stderr.done
      expect(stderr.text).toContain("interrupted")
      expect(srv.signals()).toBe("TERM\n")
      expect(isAlive(pid)).toBe(false)
    } finally {
      proc.kill("SIGKILL") // no-op once it has exited; frees the test if an assertion failed first
    }
  }, 30_000)
})
