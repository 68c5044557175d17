import { describe, expect, it } from "bun:test"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { ensureBinary } from "../helpers/binary.ts"
import { BUN, ROOT, runCli } from "../helpers/cli.ts"
import { isAlive, startSlowCall } from "../helpers/processes.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"

// S04–S06 on the compiled binary: a server started through `sh -c` leaves a grandchild behind
// that ignores the end of stdin and SIGTERM (`helper & exec server`, as npx and shell wrappers
// do). Stopping the server stops its whole process group, so the grandchild is gone after
// each ending: a normal exit and --connect-timeout (S04), Ctrl-C (S05) and SIGTERM (S06).
// POSIX only, like the rest of the e2e suite (Windows: see docs/commands.md, "Stopping servers").
const SERVER = join(ROOT, "tests/fixtures/servers/stdio-agent.ts")

// The grandchild records its own pid, then becomes a `sleep` that ignores SIGTERM; the server
// starts only once that pid is on disk, so the test always knows whom to look for.
const HELPER = `sh -c 'trap "" TERM; echo $$ > "$HELPER_PID.tmp"; mv "$HELPER_PID.tmp" "$HELPER_PID"; exec sleep 100000' &
while [ ! -s "$HELPER_PID" ]; do sleep 0.05; done`

async function groupConfig(t: TmpDir, server: "answers" | "silent") {
  const pidFile = join(t.path, "helper.pid")
  const then = server === "answers" ? 'exec "$SERVER_BUN" "$SERVER"' : "exec sleep 100000"
  const file = await t.write("mcp.json", {
    // `$$` is a literal `$` in config strings (a bare `$VAR` is refused there, C02).
    mcpServers: {
      grouped: {
        command: "sh",
        args: ["-c", `${HELPER}\n${then}`.replaceAll("$", () => "$$")],
        env: { HELPER_PID: pidFile, SERVER_BUN: BUN, SERVER },
      },
    },
  })
  return { file, helper: () => Number(readFileSync(pidFile, "utf8")), hasStarted: () => existsSync(pidFile) }
}

/** The helper is not our child: no exit event to wait on, so look until it is gone (or give up). */
async function untilGone(pid: number) {
  const deadline = Date.now() + 10_000
  while (isAlive(pid) && Date.now() < deadline) await Bun.sleep(20)
  return !isAlive(pid)
}

/** Frees the machine if an assertion failed before agent stopped the helper. */
function killHelper(srv: { helper(): number; hasStarted(): boolean }) {
  if (!srv.hasStarted()) return
  try {
    process.kill(srv.helper(), "SIGKILL")
  } catch {
    // already gone: what the test wants
  }
}

describe("compiled binary: stopping a stdio server stops its whole process group", () => {
  it("S04: after a normal exit, the helper the server left behind is gone", async () => {
    await using t = await tmpdir()
    const srv = await groupConfig(t, "answers")
    try {
      const r = await runCli(["mcp", "call", "grouped", "echo", "--arg", "text=hi", "--mcp", srv.file], {
        home: t.home,
        cwd: t.path,
        binary: true,
        timeoutMs: 30_000,
      })
      expect(r.stdout).toBe("hi\n")
      expect(r.code).toBe(0)
      expect(await untilGone(srv.helper())).toBe(true)
    } finally {
      killHelper(srv)
    }
  }, 40_000)

  it("S04: after --connect-timeout, the silent server and its helper are gone", async () => {
    await using t = await tmpdir()
    const srv = await groupConfig(t, "silent")
    try {
      const r = await runCli(
        ["mcp", "call", "grouped", "echo", "--arg", "text=hi", "--connect-timeout", "1s", "--mcp", srv.file],
        { home: t.home, cwd: t.path, binary: true, timeoutMs: 30_000 },
      )
      expect(r.code).toBe(5)
      expect(r.stderr).toContain("grouped")
      expect(await untilGone(srv.helper())).toBe(true)
    } finally {
      killHelper(srv)
    }
  }, 40_000)

  for (const [id, signal] of [
    ["S05", "SIGINT"],
    ["S06", "SIGTERM"],
  ] as const) {
    it(`${id}: ${signal} mid-call: agent exits 130 and the helper is gone`, async () => {
      await using t = await tmpdir()
      const srv = await groupConfig(t, "answers")
      const { proc, stderr } = await startSlowCall(await ensureBinary(), "grouped", srv.file, t)
      try {
        expect(stderr.text).toMatch(/^\[grouped\] \d+% tick \d+$/m) // the call is under way
        const helper = srv.helper()
        expect(isAlive(helper)).toBe(true)
        proc.kill(signal)
        expect(await proc.exited).toBe(130)
        await stderr.done
        expect(stderr.text).toContain("interrupted")
        expect(await untilGone(helper)).toBe(true)
      } finally {
        proc.kill("SIGKILL") // no-op once it has exited; frees the test if an assertion failed first
        killHelper(srv)
      }
    }, 40_000)
  }
})

// S04 on Linux: the compiled binary starts servers through posix_spawn (bun:ffi inside
// `bun build --compile`): each leads its own process group in agent's session, not a session of
// its own (the autogroup cost, docs/performance.md). AGENTRT_SPAWN=child_process forces the
// fallback, setsid through node:child_process, which must still work.
describe.skipIf(process.platform !== "linux")(
  "compiled binary: where a stdio server's group lives (S04)",
  () => {
    /** A server that records /proc/<its pid>/stat (`exec` keeps the pid) before it starts. */
    async function statConfig(t: TmpDir) {
      const out = join(t.path, "server.stat")
      const file = await t.write("mcp.json", {
        mcpServers: {
          basic: {
            command: "sh",
            args: [
              "-c",
              'cat /proc/$$/stat > "$OUT"; exec "$SERVER_BUN" "$SERVER"'.replaceAll("$", () => "$$"),
            ],
            env: { OUT: out, SERVER_BUN: BUN, SERVER },
          },
        },
      })
      const fields = () => {
        const text = readFileSync(out, "utf8")
        const [pid] = text.split(" ")
        const [, , pgrp, session] = text.slice(text.lastIndexOf(")") + 2).split(" ")
        return { pid: Number(pid), pgrp: Number(pgrp), session: Number(session) }
      }
      return { file, fields }
    }
    const echo = (t: TmpDir, file: string, env: Record<string, string> = {}) =>
      runCli(["mcp", "call", "basic", "echo", "--arg", "text=hi", "--mcp", file], {
        home: t.home,
        cwd: t.path,
        binary: true,
        timeoutMs: 30_000,
        env,
      })
    const ownSession = () => {
      const text = readFileSync("/proc/self/stat", "utf8")
      return Number(text.slice(text.lastIndexOf(")") + 2).split(" ")[3])
    }

    it("S04: a server leads its own group in agent's session (posix_spawn through bun:ffi)", async () => {
      await using t = await tmpdir()
      const srv = await statConfig(t)
      const r = await echo(t, srv.file)
      expect(r.stdout).toBe("hi\n")
      expect(r.code).toBe(0)
      const f = srv.fields()
      // runCli starts agent in this test's session, so agent's session is ours.
      expect({ pgrp: f.pgrp, session: f.session }).toEqual({ pgrp: f.pid, session: ownSession() })
    }, 40_000)

    it("S04: AGENTRT_SPAWN=child_process falls back to a session of its own, and still works", async () => {
      await using t = await tmpdir()
      const srv = await statConfig(t)
      const r = await echo(t, srv.file, { AGENTRT_SPAWN: "child_process" })
      expect(r.stdout).toBe("hi\n")
      expect(r.code).toBe(0)
      const f = srv.fields()
      expect({ pgrp: f.pgrp, session: f.session }).toEqual({ pgrp: f.pid, session: f.pid })
    }, 40_000)
  },
)
