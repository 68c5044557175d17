import { describe, expect, it } from "bun:test"
import { chownSync, mkdirSync } from "node:fs"
import { createServer, type Socket } from "node:net"
import { join } from "node:path"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"
import { itUnless } from "../helpers/skip.ts"
import { agent, counterServer, daemonDir } from "./daemon-helpers.ts"
import { isBaseEnv } from "../../src/daemon/env.ts"

// The caller's side against a daemon written here, on the daemon's socket path: what the caller
// sends (S31), and a socket it must refuse (S30).

interface Seen {
  messages: Record<string, unknown>[]
  connections: number
}

/** A stand-in daemon: asks for `names`, prints "hello from the daemon", exits 7. */
async function fakeDaemon(t: TmpDir, names: string[]) {
  const dir = daemonDir(t)
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const seen: Seen = { messages: [], connections: 0 }
  const server = createServer((s: Socket) => {
    seen.connections++
    s.setEncoding("utf8")
    let buf = ""
    s.on("data", (chunk) => {
      buf += chunk
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        const msg = JSON.parse(buf.slice(0, i)) as Record<string, unknown>
        buf = buf.slice(i + 1)
        seen.messages.push(msg)
        if (msg.t === "run") s.write(`${JSON.stringify({ t: "env?", names })}\n`)
        if (msg.t === "env") {
          s.write(`${JSON.stringify({ t: "out", fd: 1, data: "hello from the daemon\n" })}\n`)
          s.write(`${JSON.stringify({ t: "exit", code: 7 })}\n`)
        }
      }
    })
  })
  const socket = join(dir, "d.sock")
  await new Promise<void>((r) => server.listen(socket, r))
  return { seen, socket, [Symbol.asyncDispose]: () => new Promise<void>((r) => server.close(() => r())) }
}

describe("compiled binary: the caller's side of the daemon socket", () => {
  it("sends only the non-secret environment, and the value of each name the daemon asks for (S31)", async () => {
    await using t = await tmpdir({ files: { "mcp.json": { mcpServers: { counter: counterServer() } } } })
    await using d = await fakeDaemon(t, ["ASKED_TOKEN", "NOT_SET_TOKEN"])
    const r = await agent(t, ["mcp", "list", "--mcp", "mcp.json"], {
      ASKED_TOKEN: "asked-value-1",
      OTHER_TOKEN: "other-value-2",
    })
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 7, stdout: "hello from the daemon\n" })
    const run = d.seen.messages.find((m) => m.t === "run") as {
      env: Record<string, string>
      argv: string[]
      cwd: string
    }
    expect(run.argv).toEqual(["mcp", "list", "--mcp", "mcp.json"])
    expect(run.cwd).toBe(t.path)
    expect(Object.keys(run.env).length).toBeGreaterThan(0)
    for (const name of Object.keys(run.env))
      expect({ name, isBase: isBaseEnv(name) }).toEqual({ name, isBase: true })
    expect(JSON.stringify(d.seen.messages)).not.toContain("other-value-2")
    expect(d.seen.messages.find((m) => m.t === "env")).toEqual({
      t: "env",
      values: { ASKED_TOKEN: "asked-value-1", NOT_SET_TOKEN: null },
    })
  }, 30_000)

  itUnless(process.getuid?.() === 0 ? undefined : "changing a socket's owner needs root")(
    "refuses a socket another uid owns, and runs cold with a warning (S30)",
    async () => {
      await using t = await tmpdir({ files: { "mcp.json": { mcpServers: { counter: counterServer() } } } })
      await using d = await fakeDaemon(t, [])
      chownSync(d.socket, 4242, 4242)
      const r = await agent(t, ["mcp", "call", "counter", "increment", "--mcp", "mcp.json"])
      expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 0, stdout: "1\n" }) // cold
      expect(r.stderr).toContain("belongs to uid 4242")
      expect(r.stderr).toContain("running without it")
      expect(d.seen.connections).toBe(0)
      // `daemon status` refuses it too.
      const s = await agent(t, ["daemon", "status", "-o", "json"])
      expect(s.code).toBe(5)
      expect(s.json<{ running: boolean; reason: string }>()).toMatchObject({ running: false })
      expect(s.json<{ reason: string }>().reason).toContain("belongs to uid 4242")
    },
    30_000,
  )

  it("refuses a file that is not a socket (S30)", async () => {
    await using t = await tmpdir({ files: { "mcp.json": { mcpServers: { counter: counterServer() } } } })
    await t.write(join(daemonDir(t), "d.sock").slice(t.path.length + 1), "not a socket")
    const r = await agent(t, ["mcp", "call", "counter", "increment", "--mcp", "mcp.json"])
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 0, stdout: "1\n" })
    expect(r.stderr).toContain("is not a socket")
  }, 30_000)
})
