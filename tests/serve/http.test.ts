import { describe, expect, it } from "bun:test"
import { stat, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { createManager } from "../../src/mcp/index.ts"
import { parseBind } from "../../src/serve/bind.ts"
import { createServeCore } from "../../src/serve/core.ts"
import { createServeApp, MCP_PATH } from "../../src/serve/http.ts"
import { hasToken, serveToken } from "../../src/serve/token.ts"
import { createLog } from "../../src/util/log.ts"
import { tmpdir } from "../helpers/tmp.ts"

// The HTTP guards of `agent mcp serve --http` through app.request() (hono), and the pieces they
// use: the bind address (L09), Host (L10), Origin (L11), the bearer token and its file (L12).

const PORT = 48931
const HOST = `127.0.0.1:${PORT}`
const TOKEN = "t".repeat(43)

function setup() {
  const log = createLog(0)
  const core = createServeCore({ mode: { kind: "aggregate" }, info: { name: "agent", version: "0" }, log })
  // A real manager with no servers: the guards are what is under test, not the servers.
  core.attach(createManager([], { log, cwd: "/", parentEnv: {} }))
  const app = createServeApp(PORT, { core, token: TOKEN, log })
  const initialize = (headers: Record<string, string>) =>
    app.request(MCP_PATH, {
      method: "POST",
      headers: {
        host: HOST,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        ...headers,
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
      }),
    })
  return { core, initialize }
}

const auth = { authorization: `Bearer ${TOKEN}` }

describe("agent mcp serve --http guards", () => {
  it("serves an initialize with the token, our Host and no Origin; no CORS header", async () => {
    const { core, initialize } = setup()
    const res = await initialize(auth)
    expect(res.status).toBe(200)
    expect(res.headers.get("mcp-session-id")).toBeTruthy()
    expect(res.headers.get("access-control-allow-origin")).toBeNull()
    expect(core.sessionCount()).toBe(1)
    await core.close()
  })

  it("refuses a foreign Host with 421 before anything else (L10)", async () => {
    const { core, initialize } = setup()
    for (const host of ["evil.example", `evil.example:${PORT}`, `127.0.0.1.nip.io:${PORT}`, "127.0.0.1:1"]) {
      const res = await initialize({ ...auth, host })
      expect(res.status).toBe(421)
      expect(await res.text()).toBe("")
    }
    expect(core.sessionCount()).toBe(0)
  })

  it("refuses a foreign Origin with 403, our own Origin passes (L11)", async () => {
    const { core, initialize } = setup()
    for (const origin of [
      "https://evil.example",
      "null",
      `http://127.0.0.1:${PORT + 1}`,
      `https://${HOST}`,
    ]) {
      const res = await initialize({ ...auth, origin })
      expect(res.status).toBe(403)
      expect(res.headers.get("access-control-allow-origin")).toBeNull()
    }
    expect(core.sessionCount()).toBe(0)
    expect((await initialize({ ...auth, origin: `http://localhost:${PORT}` })).status).toBe(200)
    await core.close()
  })

  it("refuses a missing, wrong or differently shaped token with 401 and a Bearer challenge (L12)", async () => {
    const { core, initialize } = setup()
    const none: Record<string, string> = {}
    for (const headers of [
      none,
      { authorization: "Bearer wrong" },
      { authorization: `Bearer ${TOKEN}x` },
      // Same length, other bytes: the comparison is of the bytes, not only the length.
      { authorization: `Bearer ${"u".repeat(TOKEN.length)}` },
      { authorization: `Basic ${TOKEN}` },
      { authorization: TOKEN },
    ]) {
      const res = await initialize(headers)
      expect(res.status).toBe(401)
      expect(res.headers.get("www-authenticate")).toStartWith("Bearer")
    }
    expect(core.sessionCount()).toBe(0)
  })

  it("hasToken: the scheme is case-insensitive, the token exact (L12)", () => {
    expect(hasToken(`bearer ${TOKEN}`, TOKEN)).toBe(true)
    expect(hasToken(`Bearer ${TOKEN.slice(1)}`, TOKEN)).toBe(false)
    expect(hasToken(`Bearer ${TOKEN.slice(1)}u`, TOKEN)).toBe(false)
    expect(hasToken(undefined, TOKEN)).toBe(false)
  })
})

describe("the serve token file (L12)", () => {
  it("is created 0600 once and reused; a loosened file is put back to 0600", async () => {
    await using t = await tmpdir()
    const state = join(t.home, "state")
    const first = await serveToken(state)
    expect(first.isNew).toBe(true)
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect((await stat(first.file)).mode & 0o777).toBe(0o600)
    await writeFile(first.file, `${first.token}\n`, { mode: 0o644 })
    const { chmod } = await import("node:fs/promises")
    await chmod(first.file, 0o644)
    const again = await serveToken(state)
    expect(again).toMatchObject({ token: first.token, isNew: false })
    expect((await stat(first.file)).mode & 0o777).toBe(0o600)
  })

  it("a file that does not hold a token is replaced by a new one", async () => {
    await using t = await tmpdir()
    const state = join(t.home, "state")
    await t.write("agentrt-home/state/serve-token", "short\n")
    const r = await serveToken(state)
    expect(r.isNew).toBe(true)
    expect(r.token).not.toBe("short")
  })
})

describe("--http address (L09)", () => {
  it("takes PORT or 127.0.0.1:PORT or localhost:PORT and always binds 127.0.0.1", () => {
    expect(parseBind("8931")).toEqual({ host: "127.0.0.1", port: 8931 })
    expect(parseBind("127.0.0.1:0")).toEqual({ host: "127.0.0.1", port: 0 })
    expect(parseBind("localhost:8931")).toEqual({ host: "127.0.0.1", port: 8931 })
  })

  it("refuses every address that is not loopback, and a bad port, as usage errors", () => {
    for (const bad of ["0.0.0.0:8931", "192.0.2.1:80", "[::]:8931", ":8931", "example.com:1", "[::1]:8931"])
      expect(() => parseBind(bad)).toThrow("binds loopback only")
    for (const bad of ["x", "70000", "127.0.0.1:", "-1"])
      expect(() => parseBind(bad)).toThrow("is not a port")
  })
})
