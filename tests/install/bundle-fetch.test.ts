import { describe, expect, it } from "bun:test"
import { checkBundleUrl, checkSha256, fetchBundleUrl } from "../../src/install/bundle-fetch.ts"
import { AgentError } from "../../src/util/errors.ts"

// Downloading a bundle from a loopback HTTP fixture: the size cap holds while the body streams
// (I33), a silent server times out, 5xx/429 are retried, and only https or loopback http is used (I35).

async function failure(p: Promise<unknown>): Promise<AgentError> {
  try {
    await p
  } catch (e: unknown) {
    expect(e).toBeInstanceOf(AgentError)
    return e as AgentError
  }
  throw new Error("the download succeeded")
}

describe("fetchBundleUrl", () => {
  it("cuts off a body that streams past the size cap, with or without a content-length (I33)", async () => {
    using server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(req) {
        if (new URL(req.url).pathname === "/declared") return new Response(new Uint8Array(300_000))
        let sent = 0
        return new Response(
          new ReadableStream({
            pull(c) {
              sent += 65_536
              if (sent > 50_000_000) c.close()
              else c.enqueue(new Uint8Array(65_536))
            },
          }),
        )
      },
    })
    const endless = await failure(
      fetchBundleUrl(`http://127.0.0.1:${server.port}/endless`, { maxBytes: 200_000 }),
    )
    expect(endless.exitCode).toBe(2)
    expect(endless.message).toContain("the download passed 200000 bytes")
    const declared = await failure(
      fetchBundleUrl(`http://127.0.0.1:${server.port}/declared`, { maxBytes: 200_000 }),
    )
    expect(declared.message).toContain("the download is 300000 bytes; the limit is 200000")
  })

  it("retries a 503 and a 429, then returns the bytes and their sha256", async () => {
    const statuses = [503, 429]
    using server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () => {
        const status = statuses.shift()
        return status ? new Response("busy", { status }) : new Response("PK-bytes")
      },
    })
    const got = await fetchBundleUrl(`http://127.0.0.1:${server.port}/b.mcpb`, { retry: 2 })
    expect(new TextDecoder().decode(got.bytes)).toBe("PK-bytes")
    expect(got.sha256).toBe(new Bun.CryptoHasher("sha256").update("PK-bytes").digest("hex"))
    expect(statuses).toEqual([])
  })

  it("times out on a server that never answers (exit 124)", async () => {
    using server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Promise<Response>(() => {}) })
    const e = await failure(
      fetchBundleUrl(`http://127.0.0.1:${server.port}/slow.mcpb`, { timeoutMs: 300, retry: 0 }),
    )
    expect(e.exitCode).toBe(124)
    expect(e.message).toContain("timed out")
  })

  it("accepts https and loopback http only, and --sha256 in hex (I35)", () => {
    expect(checkBundleUrl("https://example.com/a.mcpb").hostname).toBe("example.com")
    expect(checkBundleUrl("http://localhost:8080/a.mcpb").port).toBe("8080")
    for (const bad of [
      "http://example.com/a.mcpb",
      "file:///etc/passwd",
      "ftp://x/a.mcpb",
      "https://u:p@x/a.mcpb",
    ])
      expect(() => checkBundleUrl(bad)).toThrow(AgentError)
    const hash = "a".repeat(64)
    expect(() => checkSha256(hash, `sha256:${hash.toUpperCase()}`)).not.toThrow()
    expect(() => checkSha256(hash, "b".repeat(64))).toThrow("not the expected")
  })
})
