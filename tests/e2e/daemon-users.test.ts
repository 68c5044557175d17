import { describe, expect } from "bun:test"
import { chmodSync, chownSync, copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { ensureBinary } from "../helpers/binary.ts"
import { BUN } from "../helpers/cli.ts"
import { isAlive, runToEnd } from "../helpers/processes.ts"
import { itUnless } from "../helpers/skip.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { COUNTER, agent, counterServer, startedDaemon, status } from "./daemon-helpers.ts"

// S30 with two real users on one machine (docs/daemon.md "Where it listens (S30)"): root's daemon and
// uid 65534's, each started by its own user, never share a socket or a held server, and the
// second user cannot reach the first one's daemon even when pointed at its files. Root can run
// the binary as another uid (setpriv), so this runs where the tests run as root.

const OTHER = 65534
const setpriv = Bun.which("setpriv")
const missing =
  process.getuid?.() !== 0 ? "running as another user needs root" : setpriv ? undefined : "no setpriv"

/** The compiled binary (`bin`: a copy the other user can reach) as uid 65534, with its own home. */
async function asOther(
  bin: string,
  home: string,
  cwd: string,
  args: string[],
  env: Record<string, string> = {},
) {
  return runToEnd([setpriv!, `--reuid=${OTHER}`, `--regid=${OTHER}`, "--clear-groups", bin, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: cwd, AGENTRT_HOME: home, NO_COLOR: "1", ...env },
  })
}

describe("compiled binary: two users' daemons", () => {
  itUnless(missing)(
    "each user's commands reach only that user's daemon and held servers (S30)",
    async () => {
      await using t = await tmpdir({ files: { "mcp.json": { mcpServers: { counter: counterServer() } } } })
      // The other user's directory: its home, its config, owned by it (agent refuses others' files).
      const theirs = join(t.path, "other")
      const theirHome = join(theirs, "agentrt")
      mkdirSync(theirHome, { recursive: true, mode: 0o700 })
      // The binary and the server, copied where uid 65534 can run them: the checkout's own
      // directories need not be open to other users.
      const bin = join(t.path, "agent")
      copyFileSync(await ensureBinary(), bin)
      chmodSync(bin, 0o755)
      const counter = join(theirs, "counter")
      const built = Bun.spawnSync([BUN, "build", "--compile", COUNTER, "--outfile", counter], {
        stderr: "pipe",
      })
      if (built.exitCode !== 0) throw new Error(`compiling the counter fixture: ${built.stderr.toString()}`)
      writeFileSync(
        join(theirs, "mcp.json"),
        JSON.stringify({ mcpServers: { counter: { command: counter } } }),
      )
      for (const p of [theirs, theirHome, counter, join(theirs, "mcp.json")]) chownSync(p, OTHER, OTHER)
      chmodSync(t.path, 0o755) // the other user passes through it to its own directory
      const call = ["mcp", "call", "counter", "increment", "--mcp", "mcp.json"]

      await using mine = await startedDaemon(t)
      const started = await asOther(bin, theirHome, theirs, ["daemon", "start"])
      expect({ code: started.code, stderr: started.stderr }).toEqual({
        code: 0,
        stderr: expect.stringContaining("started"),
      })
      const theirPid = Number(readFileSync(join(theirHome, "state", `daemon-${OTHER}`, "daemon.pid"), "utf8"))
      try {
        expect(theirPid).not.toBe(mine.pid)
        // Two sockets, each in a 0700 directory of its user.
        const mySocket = join(t.home, "state", "daemon-0", "d.sock")
        const theirSocket = join(theirHome, "state", `daemon-${OTHER}`, "d.sock")
        expect([statSync(mySocket).uid, statSync(theirSocket).uid]).toEqual([0, OTHER])
        expect(statSync(join(theirHome, "state", `daemon-${OTHER}`)).mode & 0o777).toBe(0o700)

        // Each user's counter is its own held server.
        expect((await agent(t, call)).stdout).toBe("1\n")
        expect((await agent(t, call)).stdout).toBe("2\n")
        expect((await asOther(bin, theirHome, theirs, call)).stdout).toBe("1\n")
        expect((await agent(t, call)).stdout).toBe("3\n")
        expect((await asOther(bin, theirHome, theirs, call)).stdout).toBe("2\n")
        expect((await status(t)).servers?.map((s) => s.calls)).toEqual([3])
        const theirStatus = await asOther(bin, theirHome, theirs, ["daemon", "status", "-o", "json"])
        expect(
          (JSON.parse(theirStatus.stdout) as { pid: number; servers: { calls: number }[] }).servers,
        ).toEqual([expect.objectContaining({ calls: 2 })])

        // Pointed at root's home, the other user gets a refusal, and root's daemon sees nothing.
        const before = (await status(t)).servers?.[0]?.calls
        const intruder = await asOther(bin, t.home, theirs, call)
        expect(intruder.code).toBe(2)
        expect(intruder.stdout).toBe("")
        expect((await status(t)).servers?.[0]?.calls).toBe(before)
      } finally {
        await asOther(bin, theirHome, theirs, ["daemon", "stop"])
        if (isAlive(theirPid)) process.kill(theirPid, "SIGKILL")
      }
    },
    90_000,
  )
})
