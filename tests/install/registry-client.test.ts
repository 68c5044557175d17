import { describe, expect, it } from "bun:test"
import { createRegistryClient, normalizeRegistryUrl } from "../../src/install/registry-client.ts"
import { AgentError } from "../../src/util/errors.ts"
import { startRegistry } from "../fixtures/registry/server.ts"
import { refusedPort } from "../helpers/ports.ts"

// The registry client against the fixture registry on 127.0.0.1 (real HTTP, no mocks).
const client = (baseUrl: string) => createRegistryClient({ baseUrl, retryDelayMs: 1 })

async function failure(p: Promise<unknown>): Promise<AgentError> {
  try {
    await p
  } catch (e: unknown) {
    if (e instanceof AgentError) return e
    throw e
  }
  throw new Error("expected a failure")
}

describe("registry client", () => {
  it("searches and follows the cursor page by page", async () => {
    await using reg = await startRegistry()
    const c = client(reg.url)
    const first = await c.search("example", { limit: 3 })
    expect(first.servers.map((s) => s.server.name)).toEqual([
      "io.github.example/weather",
      "io.github.example/notes",
      "io.github.example/db-tool",
    ])
    expect(first.servers[0]!.isLatest).toBe(true)
    expect(first.servers[0]!.server.version).toBe("1.2.0")
    expect(first.nextCursor).toBeString()
    const second = await c.search("example", { limit: 3, cursor: first.nextCursor! })
    expect(second.servers[0]!.server.name).toBe("io.github.example/pinned")
    expect(reg.requests.at(-1)!.query).toEqual({
      version: "latest",
      search: "example",
      limit: "3",
      cursor: first.nextCursor!,
    })
  })

  it("leaves out malformed list entries and counts them", async () => {
    await using reg = await startRegistry()
    const page = await client(reg.url).search("malformed")
    expect(page.servers).toEqual([])
    expect(page.skipped).toBe(3)
  })

  it("gets a version, the latest by default, with the reverse-DNS name encoded in the path", async () => {
    await using reg = await startRegistry()
    const c = client(reg.url)
    expect((await c.get("io.github.example/weather")).server.version).toBe("1.2.0")
    const old = await c.get("io.github.example/weather", "1.0.0")
    expect(old.server.version).toBe("1.0.0")
    expect(old.isLatest).toBe(false)
    expect(reg.requests.map((r) => r.path)).toContain(
      "/v0.1/servers/io.github.example%2Fweather/versions/1.0.0",
    )
    expect((await c.versions("io.github.example/weather")).servers.map((s) => s.server.version)).toEqual([
      "1.0.0",
      "1.1.0",
      "1.2.0",
    ])
  })

  it("retries a 429 (Retry-After) and then succeeds", async () => {
    await using reg = await startRegistry()
    const got = await client(reg.url).get("io.github.example/flaky")
    expect(got.server.version).toBe("1.0.0")
    expect(reg.requests.map((r) => r.status)).toEqual([429, 200])
  })

  it("retries a 500 with backoff, then fails with exit 5", async () => {
    await using reg = await startRegistry()
    const e = await failure(client(reg.url).get("io.github.example/broken"))
    expect(e.exitCode).toBe(5)
    expect(e.message).toBe(`registry ${reg.url} answered HTTP 500 for server io.github.example/broken`)
    expect(reg.requests.map((r) => r.status)).toEqual([500, 500, 500])
  })

  it("says a missing server is missing (exit 2), without retrying", async () => {
    await using reg = await startRegistry()
    const e = await failure(client(reg.url).get("io.github.example/nope"))
    expect(e.exitCode).toBe(2)
    expect(e.message).toBe(`registry ${reg.url} has no server io.github.example/nope`)
    expect(reg.requests).toHaveLength(1)
  })

  it("refuses a document that is not server.json (exit 1)", async () => {
    await using reg = await startRegistry()
    const e = await failure(client(reg.url).get("io.github.example/garbled"))
    expect(e.exitCode).toBe(1)
    expect(e.message).toContain("is not a valid server.json")
  })

  it("refuses a body past 8 MB and one that never ends (I20)", async () => {
    await using reg = await startRegistry()
    const huge = await failure(client(reg.url).get("io.github.example/huge"))
    expect(huge.exitCode).toBe(1)
    expect(huge.message).toBe(`registry ${reg.url} sent more than 8 MB`)
    const stalled = await failure(
      createRegistryClient({ baseUrl: reg.url, timeoutMs: 300 }).get("io.github.example/stalled"),
    )
    expect(stalled.exitCode).toBe(5)
    expect(stalled.message).toBe(`registry ${reg.url} did not finish its answer in 0.3 s`)
  })

  it("offline: one clear line with a hint (exit 5)", async () => {
    using dead = refusedPort()
    const e = await failure(client(dead.url).search("x"))
    expect(e.exitCode).toBe(5)
    expect(e.message).toBe(`cannot reach the MCP registry at ${dead.url}`)
    expect(e.hint).toContain("--registry URL or AGENTRT_REGISTRY")
  })

  it("accepts https anywhere and http only on loopback (I20)", () => {
    expect(normalizeRegistryUrl("https://registry.example.com/")).toBe("https://registry.example.com")
    expect(normalizeRegistryUrl("http://127.0.0.1:8080")).toBe("http://127.0.0.1:8080")
    expect(() => normalizeRegistryUrl("http://registry.example.com")).toThrow("must be https")
    expect(() => normalizeRegistryUrl("not a url")).toThrow("is not a URL")
  })
})
