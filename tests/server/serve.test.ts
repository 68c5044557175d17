import { describe, expect, it, jest } from "bun:test"
import { connect } from "node:net"
import { networkInterfaces } from "node:os"
import { createApp, createPendingInstall, startLocalServer } from "../../src/server/index.ts"
import type { FetchApp } from "../../src/server/serve.ts"
import { AgentError } from "../../src/util/errors.ts"
import { reservedPort } from "../helpers/ports.ts"

const hello: FetchApp = { fetch: () => new Response("hi") }

async function isReachable(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) })
    return true
  } catch {
    return false // refused (or unroutable): exactly what "not listening there" looks like
  }
}

/** A bare TCP connect: tells whether the port listens without making a request (which would reset the idle clock). */
function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1")
    socket.once("connect", () => (socket.destroy(), resolve(true)))
    socket.once("error", () => resolve(false))
  })
}

/** Addresses of this machine other than 127.0.0.1, to show nothing listens on them. */
function otherLocalAddresses(): string[] {
  const found = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && a.address !== "127.0.0.1")
    .map((a) => (a!.family === "IPv6" ? `[${a!.address.split("%")[0]}]` : a!.address))
  return [...new Set(["127.0.0.2", "[::1]", ...found])].filter((a) => !a.startsWith("[fe80"))
}

describe("startLocalServer", () => {
  it("binds 127.0.0.1 on a random port and nothing else (L01)", async () => {
    const server = await startLocalServer(hello)
    try {
      expect(server.hostname).toBe("127.0.0.1")
      expect(server.port).toBeGreaterThan(0)
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`)
      expect(await (await fetch(server.url)).text()).toBe("hi")
      for (const address of otherLocalAddresses()) {
        expect({ address, reachable: await isReachable(`http://${address}:${server.port}/`) }).toEqual({
          address,
          reachable: false,
        })
      }
    } finally {
      await server.close()
    }
  })

  it("picks a different port each time", async () => {
    const [a, b] = [await startLocalServer(hello), await startLocalServer(hello)]
    expect(a.port).not.toBe(b.port)
    await Promise.all([a.close(), b.close()])
  })

  it("listens on a fixed port when asked, and says so when the port is taken", async () => {
    using held = reservedPort() // owned by this test, so no parallel test can take it first
    const fixed = await startLocalServer(hello, { port: held.port })
    try {
      expect(fixed.port).toBe(held.port)
      expect(await (await fetch(fixed.url)).text()).toBe("hi")
      const err = await startLocalServer(hello, { port: fixed.port }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(AgentError)
      expect((err as AgentError).message).toContain(`127.0.0.1:${fixed.port}`)
    } finally {
      await fixed.close()
    }
  })

  it("passes its port to an app factory, so the Host guard knows it", async () => {
    const server = await startLocalServer((port) => createApp({ port }))
    const res = await fetch(`${server.url}/nothing-here`)
    expect(res.status).toBe(404) // passed the Host guard; 421 would mean the port was wrong
    await server.close()
  })

  it("shuts down after idleMs without a request, and each request restarts the clock (L08)", async () => {
    // The clock is faked (CONTRIBUTING.md "Tests": mock only the browser opener and the clock), so this checks
    // the order of events, not how fast this machine is.
    jest.useFakeTimers()
    try {
      const server = await startLocalServer(hello, { idleMs: 300 })
      for (let i = 0; i < 4; i++) {
        jest.advanceTimersByTime(299) // 4 × 299 ms: long past 300 ms, alive only if each request restarted the clock
        expect((await fetch(server.url)).status).toBe(200)
      }
      jest.advanceTimersByTime(299)
      expect(await isListening(server.port)).toBe(true)
      jest.advanceTimersByTime(1)
      await server.closed
      expect(await isListening(server.port)).toBe(false)
    } finally {
      jest.useRealTimers()
    }
  })

  it("closes when its signal aborts, and close() is idempotent", async () => {
    const ac = new AbortController()
    const server = await startLocalServer(hello, { signal: ac.signal })
    ac.abort()
    await server.closed
    expect(await isReachable(server.url)).toBe(false)
    await server.close()
    const already = await startLocalServer(hello, { signal: AbortSignal.abort() })
    await already.closed
  })

  it("shuts down after the approval flow, and a late POST finds nobody listening (L08)", async () => {
    const pending = createPendingInstall({ name: "fs", lines: ["x"] })
    const server = await startLocalServer((port) => createApp({ port, install: pending }))
    const page = await (await fetch(`${server.url}${pending.path}`)).text()
    const token = /name="token" value="([^"]+)"/.exec(page)![1]!
    const post = (what: string) =>
      fetch(`${server.url}${pending.path}/${what}`, {
        method: "POST",
        headers: { origin: server.url, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token }),
      })
    expect((await post("approve")).status).toBe(200)
    expect(await pending.decision).toBe("approved")
    await pending.done
    await server.close()
    await server.closed
    expect(
      await post("deny").then(
        () => "answered",
        () => "refused",
      ),
    ).toBe("refused")
  })
})
