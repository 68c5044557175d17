// S04 on Linux: stdio servers start through posix_spawn (src/mcp/libc-spawn.ts) as leaders of
// their own process group INSIDE agent's session, not in a session of their own (setsid), which
// the kernel's autogroup scheduling turns into a scheduling group per server. These tests start
// real processes through spawnServer and read what the kernel says about them in /proc.
import { describe, expect, it } from "bun:test"
import { chmodSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { type ChildEvents, type SpawnParams, spawnServer } from "../../src/mcp/spawn.ts"
import { isAlive } from "../helpers/processes.ts"
import { tmpdir } from "../helpers/tmp.ts"

const isLinux = process.platform === "linux"
const PATH = process.env.PATH ?? "/usr/bin:/bin"

/** Starts `p` and gathers everything it reports; `exited` settles on "exit" or a start "error". */
function start(p: SpawnParams) {
  const spawned = spawnServer(p)
  let stdout = Buffer.alloc(0)
  let stderr = ""
  const errors: Error[] = []
  let onEnd!: (v: { code: number | null; signal: NodeJS.Signals | null; error?: Error }) => void
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>(
    (r) => (onEnd = r),
  )
  let isStarted!: () => void
  const started = new Promise<void>((r) => (isStarted = r))
  const events: ChildEvents = {
    spawn: () => isStarted(),
    error: (e) => {
      errors.push(e)
      onEnd({ code: null, signal: null, error: e })
    },
    exit: (code, signal) => onEnd({ code, signal }),
    stdout: (chunk) => (stdout = Buffer.concat([stdout, chunk])),
    stderr: (chunk) => (stderr += chunk.toString()),
    stdinError: (e) => errors.push(e),
  }
  spawned.attach(events)
  return {
    child: spawned.child,
    started,
    exited,
    errors,
    stdout: () => stdout,
    stderr: () => stderr,
  }
}

/** Fields of /proc/<pid>/stat after the command name: [state, ppid, pgrp, session, …]. */
function stat(pid: number): string[] {
  const text = readFileSync(`/proc/${pid}/stat`, "utf8")
  return text.slice(text.lastIndexOf(")") + 2).split(" ")
}
const pgrpOf = (pid: number) => Number(stat(pid)[2])
const sessionOf = (pid: number) => Number(stat(pid)[3])

/** A signal mask line of /proc/<pid>/status (SigIgn, SigBlk) as a bigint. */
function mask(pid: number | "self", field: "SigIgn" | "SigBlk"): bigint {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${field}:`))!
  return BigInt(`0x${line.split(/\s+/)[1]}`)
}
const SIGPIPE_BIT = 1n << 12n // signal 13

/** Ends the server, by its pid too: when the group was not made (a broken build), nothing else would. */
function kill(s: ReturnType<typeof start>) {
  const pid = s.child.pid
  if (s.child.signalGroup("SIGKILL") || pid === undefined || !isAlive(pid)) return
  process.kill(pid, "SIGKILL")
}

async function stop(s: ReturnType<typeof start>) {
  kill(s)
  await s.exited
}

describe.skipIf(!isLinux)("stdio servers started with posix_spawn (S04, Linux)", () => {
  it("S04: a server leads its own process group inside agent's session, not a session of its own", async () => {
    const s = start({ command: "sleep", args: ["100"], env: { PATH } })
    try {
      await s.started
      const pid = s.child.pid!
      expect(pgrpOf(pid)).toBe(pid)
      expect(sessionOf(pid)).toBe(sessionOf(process.pid))
      expect(sessionOf(pid)).not.toBe(pid)
    } finally {
      await stop(s)
    }
  })

  it("S04: the fallback (node:child_process, forced) still makes a group, in a session of its own", async () => {
    const s = start({ command: "sleep", args: ["100"], env: { PATH }, launcher: "child_process" })
    try {
      await s.started
      const pid = s.child.pid!
      expect(pgrpOf(pid)).toBe(pid)
      expect(sessionOf(pid)).toBe(pid)
    } finally {
      await stop(s)
    }
  })

  it("S04: stopping a server signals its whole group, with either launcher", async () => {
    for (const launcher of ["auto", "child_process"] as const) {
      const s = start({
        command: "sh",
        args: ["-c", "sleep 100 & echo $!; exec sleep 100"],
        env: { PATH },
        launcher,
      })
      while (!s.stdout().includes("\n")) await Bun.sleep(10)
      const helper = Number(s.stdout().toString().trim())
      try {
        expect(isAlive(helper)).toBe(true)
        expect(s.child.signalGroup("SIGTERM")).toBe(true)
        expect(await s.exited).toEqual({ code: null, signal: "SIGTERM" })
        const deadline = Date.now() + 3000
        while (isAlive(helper) && Date.now() < deadline) await Bun.sleep(10)
        expect({ launcher, isHelperAlive: isAlive(helper) }).toEqual({ launcher, isHelperAlive: false })
      } finally {
        kill(s)
        if (isAlive(helper)) process.kill(helper, "SIGKILL")
      }
    }
  }, 20_000)

  it("resets every signal to its default and unblocks them all (Bun ignores SIGPIPE; a server must not)", async () => {
    expect(mask("self", "SigIgn") & SIGPIPE_BIT).toBe(SIGPIPE_BIT) // what the child must not inherit
    const s = start({ command: "sleep", args: ["100"], env: { PATH } })
    try {
      await s.started
      expect(mask(s.child.pid!, "SigIgn")).toBe(0n)
      expect(mask(s.child.pid!, "SigBlk")).toBe(0n)
    } finally {
      await stop(s)
    }
  })

  it("reports the exit code, and the signal that ended a server", async () => {
    const code = start({ command: "sh", args: ["-c", "exit 7"], env: { PATH } })
    expect(await code.exited).toEqual({ code: 7, signal: null })
    expect(code.child.exitCode).toBe(7)
    const killed = start({ command: "sh", args: ["-c", "kill -TERM $$"], env: { PATH } })
    expect(await killed.exited).toEqual({ code: null, signal: "SIGTERM" })
    expect(killed.child.signalCode).toBe("SIGTERM")
  })

  it("notices a server's exit while a helper it started still holds stdout open", async () => {
    const s = start({ command: "sh", args: ["-c", "sleep 100 & echo $!; exit 3"], env: { PATH } })
    const helper = Number((await s.exited, s.stdout().toString().trim()))
    try {
      expect(await s.exited).toEqual({ code: 3, signal: null })
      expect(isAlive(helper)).toBe(true)
    } finally {
      kill(s)
      if (isAlive(helper)) process.kill(helper, "SIGKILL")
      s.child.stopOutput()
    }
  })

  it("S04: a stopped server (SIGTTIN from the terminal, say) still ends on SIGTERM: the group is continued", async () => {
    const s = start({ command: "sh", args: ["-c", "kill -STOP $$; sleep 100"], env: { PATH } })
    try {
      await s.started
      const pid = s.child.pid!
      while (stat(pid)[0] !== "T") await Bun.sleep(10)
      expect(s.child.signalGroup("SIGTERM")).toBe(true)
      expect(await s.exited).toEqual({ code: null, signal: "SIGTERM" })
    } finally {
      kill(s)
    }
  })

  it("gives a missing command the same ENOENT error event as node:child_process", async () => {
    for (const launcher of ["auto", "child_process"] as const) {
      const s = start({ command: "agentrt-no-such-command", args: [], env: { PATH }, launcher })
      const { error } = await s.exited
      expect({ launcher, code: (error as { code?: string }).code }).toEqual({ launcher, code: "ENOENT" })
      expect(s.child.pid).toBeUndefined()
      const path = start({ command: "/nonexistent/agentrt-server", args: [], env: { PATH }, launcher })
      expect(((await path.exited).error as { code?: string }).code).toBe("ENOENT")
    }
  })

  it("looks the command up on the server's own PATH, and runs it in its cwd with exactly its env (C05)", async () => {
    await using t = await tmpdir()
    const bin = await t.write(
      "bin/agentrt-fixture-cmd",
      '#!/bin/sh\npwd\necho "FOO=$FOO HOME=${HOME-unset}"\n',
    )
    chmodSync(bin, 0o755)
    const s = start({
      command: "agentrt-fixture-cmd",
      args: [],
      env: { PATH: `${join(t.path, "bin")}:${PATH}`, FOO: "bar" },
      cwd: join(t.path, "bin"),
    })
    expect(await s.exited).toEqual({ code: 0, signal: null })
    expect(s.stdout().toString()).toBe(`${join(t.path, "bin")}\nFOO=bar HOME=unset\n`)
  })

  it("passes more than a pipe's 64 KB both ways, and ends stdin on request", async () => {
    const s = start({ command: "sh", args: ["-c", "cat; echo done >&2"], env: { PATH } })
    const line = `${"x".repeat(1023)}\n`
    const payload = line.repeat(1024) // 1 MB
    await s.started
    await s.child.write(payload)
    s.child.endInput()
    expect(s.child.isWritable).toBe(false)
    expect(await s.exited).toEqual({ code: 0, signal: null })
    expect(s.stdout().length).toBe(payload.length)
    expect(s.stdout().toString() === payload).toBe(true)
    expect(s.stderr()).toBe("done\n")
    expect(s.errors).toEqual([])
  })
})
