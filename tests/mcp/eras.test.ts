// Remembered protocol eras (src/mcp/eras.ts): a known 2025 server skips the server/discover
// probe, and a server that changes era in either direction still connects.
import { describe, expect, it } from "bun:test"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { startSessionServer } from "../fixtures/servers/http-session.ts"
import { startStatelessServer } from "../fixtures/servers/http-stateless.ts"
import { manager, remote } from "./helpers.ts"

function stateDir() {
  const dir = mkdtempSync(join(tmpdir(), "agentrt-eras-"))
  return { dir, [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) }
}

const eras = (dir: string) =>
  JSON.parse(readFileSync(join(dir, "protocol-eras.json"), "utf8")).servers as Record<string, { era: string }>

/**
 * One URL in front of a server that can be swapped for another: the eras are remembered per URL.
 * (Stopping a server and starting the next on its freed port would race any parallel test that
 * binds port 0.) Requests and responses, SSE streams included, pass through unchanged.
 */
function swappable(first: string) {
  let target = first
  const proxy = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const { pathname, search } = new URL(req.url)
      const headers = new Headers(req.headers)
      headers.delete("host")
      return fetch(new URL(pathname + search, target), {
        method: req.method,
        headers,
        body: req.body,
        redirect: "manual",
      })
    },
  })
  return {
    url: `http://127.0.0.1:${proxy.port}${new URL(first).pathname}`,
    swapTo: (url: string) => void (target = url),
    [Symbol.asyncDispose]: () => proxy.stop(true),
  }
}

async function connectOnce(dir: string, url: string, n = 1) {
  await using m = await manager(
    Array.from({ length: n }, (_, i) => remote(`s${i}`, url, "http")),
    { stateDir: dir },
  )
  return await m.connect()
}

describe("remembered protocol eras", () => {
  it("skips the server/discover probe on a server known to speak only 2025 sessions", async () => {
    using state = stateDir()
    await using srv = await startSessionServer()
    expect((await connectOnce(state.dir, srv.url))[0]).toMatchObject({
      status: "connected",
      protocolVersion: "2025-11-25",
    })
    expect(eras(state.dir)[srv.url]).toMatchObject({ era: "legacy" })
    const before = srv.requests.length
    expect((await connectOnce(state.dir, srv.url))[0]).toMatchObject({
      status: "connected",
      protocolVersion: "2025-11-25",
    })
    const second = srv.requests.slice(before).map((r) => r.rpcMethod)
    expect(second).not.toContain("server/discover")
    expect(second[0]).toBe("initialize")
  })

  it("shares one probe among entries pointing at the same URL", async () => {
    using state = stateDir()
    await using srv = await startSessionServer()
    const states = await connectOnce(state.dir, srv.url, 5)
    expect(states.every((s) => s.status === "connected")).toBe(true)
    expect(srv.requests.filter((r) => r.rpcMethod === "server/discover")).toHaveLength(1)
  })

  it("probes again when a remembered 2025 server was upgraded and refuses initialize", async () => {
    using state = stateDir()
    await using old = await startSessionServer()
    await using modern = await startStatelessServer({ legacy: "reject" })
    await using front = swappable(old.url)
    const url = front.url
    expect((await connectOnce(state.dir, url))[0]).toMatchObject({
      status: "connected",
      protocolVersion: "2025-11-25",
    })
    expect(eras(state.dir)[url]).toMatchObject({ era: "legacy" })
    front.swapTo(modern.url)
    expect((await connectOnce(state.dir, url))[0]).toMatchObject({
      status: "connected",
      protocolVersion: "2026-07-28",
    })
    // The remembered era first (a 2025 request, refused), then the probe in the new one.
    expect(modern.requests.slice(0, 2)).toMatchObject([
      { protocolVersion: null, status: 400 },
      { protocolVersion: "2026-07-28", status: 200 },
    ])
    expect(eras(state.dir)[url]).toBeUndefined()
  })

  it("falls back to a session when a server that spoke 2026-07-28 was downgraded", async () => {
    using state = stateDir()
    await using modern = await startStatelessServer()
    await using old = await startSessionServer()
    await using front = swappable(modern.url)
    const url = front.url
    expect((await connectOnce(state.dir, url))[0]).toMatchObject({
      status: "connected",
      protocolVersion: "2026-07-28",
    })
    front.swapTo(old.url)
    expect((await connectOnce(state.dir, url))[0]).toMatchObject({
      status: "connected",
      protocolVersion: "2025-11-25",
    })
    expect(eras(state.dir)[url]).toMatchObject({ era: "legacy" })
  })

  it("ignores a corrupt cache file", async () => {
    using state = stateDir()
    await Bun.write(join(state.dir, "protocol-eras.json"), "{not json")
    await using srv = await startSessionServer()
    expect((await connectOnce(state.dir, srv.url))[0]).toMatchObject({ status: "connected" })
    expect(eras(state.dir)[srv.url]).toMatchObject({ era: "legacy" })
  })
})
