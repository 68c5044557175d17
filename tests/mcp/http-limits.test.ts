// T06 over HTTP: a JSON body or an SSE event over 16 MB is cut with a clear error and memory
// stays bounded; T08: a static Authorization header never follows a redirect to another origin.
// Fixture servers run as child processes, so the RSS measured here is the client's alone.
import { afterAll, describe, expect, it } from "bun:test"
import { join } from "node:path"
import { McpConnectError } from "../../src/util/errors.ts"
import { manager, remote, SERVERS, textOf } from "./helpers.ts"

const MB = 1024 * 1024
const children: Bun.Subprocess[] = []
afterAll(() => {
  for (const c of children) c.kill()
})

async function spawnFixture(file: string, ...args: string[]): Promise<string> {
  const child = Bun.spawn([process.execPath, join(SERVERS, file), ...args], {
    stdout: "pipe",
    stderr: "ignore",
  })
  children.push(child)
  const reader = child.stdout.getReader()
  let out = ""
  while (!out.includes("\n")) {
    const { value, done } = await reader.read()
    if (done) throw new Error(`${file} exited before listening`)
    out += new TextDecoder().decode(value)
  }
  reader.releaseLock()
  return /LISTENING (\S+)/.exec(out)![1]!
}

describe("T06 over HTTP", () => {
  const cases: [string, string, string[]][] = [
    ["stateless JSON", "http-stateless.ts", ["--mode", "json"]],
    ["stateless SSE", "http-stateless.ts", ["--mode", "sse"]],
    ["2025 session (SSE)", "http-session.ts", []],
  ]
  for (const [label, file, args] of cases) {
    it(`${label}: a 20 MB result fails with the limit named, memory stays bounded; 2 MB works`, async () => {
      const url = await spawnFixture(file, ...args)
      await using m = await manager([remote("big", url, "http")])
      expect((await m.connect())[0]).toMatchObject({ status: "connected" })
      expect(textOf(await m.callTool("big", "big", { mb: 2 })).length).toBe(2 * MB)
      Bun.gc(true)
      const before = process.memoryUsage().rss
      const err = await m.callTool("big", "big", { mb: 20 }).catch((e: unknown) => e)
      const grown = process.memoryUsage().rss - before
      expect(err).toBeInstanceOf(McpConnectError)
      expect((err as Error).message).toBe(
        'server "big" sent a message larger than the 16 MB limit during tools/call',
      )
      expect(grown).toBeLessThan(200 * MB)
      expect(m.state("big")).toMatchObject({ status: "failed" })
    }, 30_000)
  }
})

describe("T08: redirects", () => {
  for (const transport of ["http", "sse"] as const) {
    it(`${transport}: a static Authorization header never follows a redirect to another origin`, async () => {
      const seen: { method: string; authorization: string | null }[] = []
      using other = Bun.serve({
        hostname: "127.0.0.1",
        port: 0,
        fetch(req) {
          seen.push({ method: req.method, authorization: req.headers.get("authorization") })
          return new Response("nope", { status: 404 })
        },
      })
      using redirector = Bun.serve({
        hostname: "127.0.0.1",
        port: 0,
        fetch: (req) => Response.redirect(`http://127.0.0.1:${other.port}${new URL(req.url).pathname}`, 307),
      })
      const url = `http://127.0.0.1:${redirector.port}/mcp`
      await using m = await manager(
        [remote("moved", url, transport, { headers: { Authorization: "Bearer canary-t08" } })],
        { connectTimeoutMs: 3000 },
      )
      const [state] = await m.connect()
      expect(state).toMatchObject({ status: "failed" })
      if (state?.status === "failed") expect(state.error).toContain(`127.0.0.1:${other.port}`) // says where it points
      expect(seen.filter((r) => r.authorization !== null)).toEqual([])
    })
  }
})
