import { describe, expect, it } from "bun:test"
import { MAX_SOCKET_PATH, daemonPlace, pipeName } from "../../src/daemon/paths.ts"
import { baseEnv, isBaseEnv } from "../../src/daemon/env.ts"

describe("where a user's daemon listens (S30)", () => {
  it("puts the unix socket in a per-uid directory of the state dir", () => {
    const a = daemonPlace("/home/ann/.local/state/agentrt", { platform: "linux", uid: 1000 })
    const b = daemonPlace("/home/ann/.local/state/agentrt", { platform: "linux", uid: 1001 })
    expect(a).toEqual({
      dir: "/home/ann/.local/state/agentrt/daemon-1000",
      socket: "/home/ann/.local/state/agentrt/daemon-1000/d.sock",
      log: "/home/ann/.local/state/agentrt/daemon-1000/daemon.log",
      pidFile: "/home/ann/.local/state/agentrt/daemon-1000/daemon.pid",
    })
    expect(b.socket).not.toBe(a.socket) // a shared AGENTRT_HOME still gives each user their own
    expect(a.socket.length).toBeLessThan(MAX_SOCKET_PATH)
  })

  it("names a Windows pipe for the user and the state dir, in pipe-name characters only", () => {
    const p = daemonPlace("C:\\Users\\ann\\AppData\\Local\\agentrt", { platform: "win32", user: "ann" })
    expect(p.socket).toMatch(/^\\\\\.\\pipe\\agentrt-ann-[0-9a-f]{16}$/)
    // Two users, or two homes of one user, never share a pipe.
    expect(pipeName("C:\\s", "ann")).not.toBe(pipeName("C:\\s", "bob"))
    expect(pipeName("C:\\s", "ann")).not.toBe(pipeName("C:\\t", "ann"))
    // Case-insensitive paths on Windows: the same directory gives the same pipe.
    expect(pipeName("C:\\S", "ann")).toBe(pipeName("c:\\s", "ann"))
  })

  it("keeps hostile user names out of the pipe name (no backslash, no path, bounded)", () => {
    for (const user of ["..\\..\\x", "a\\b", "evil\\pipe\\other", "", "ü".repeat(300), "a b\tc"]) {
      const name = pipeName("C:\\s", user)
      const tail = name.slice("\\\\.\\pipe\\".length)
      expect(tail).toMatch(/^agentrt-[A-Za-z0-9._-]{1,64}-[0-9a-f]{16}$/)
      expect(name.length).toBeLessThanOrEqual(256)
    }
  })
})

describe("what a caller sends without being asked (S31)", () => {
  it("only locations, locale and the variables a stdio server inherits anyway", () => {
    const env = {
      PATH: "/bin",
      HOME: "/h",
      LC_ALL: "C",
      AGENTRT_HOME: "/a",
      GITHUB_TOKEN: "ghp_x",
      ANTHROPIC_API_KEY: "sk",
      AWS_SECRET_ACCESS_KEY: "k",
      NODE_OPTIONS: "--require x",
    }
    expect(baseEnv(env)).toEqual({ PATH: "/bin", HOME: "/h", LC_ALL: "C", AGENTRT_HOME: "/a" })
    expect(isBaseEnv("GITHUB_TOKEN")).toBe(false)
  })
})
