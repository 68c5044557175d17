// The test-wide net (tests/helpers/loopback-only.ts, preloaded by bunfig.toml): it must be
// installed in this process and must refuse every destination off this machine before connecting.
import { describe, expect, it } from "bun:test"
import net from "node:net"
import { isLoopbackHost, refusedDestinations } from "../helpers/loopback-only.ts"

describe("loopback-only test net", () => {
  it("classifies loopback spellings", () => {
    for (const h of [
      "127.0.0.1",
      "127.9.8.7",
      "localhost",
      "a.localhost",
      "[::1]",
      "::ffff:127.0.0.1",
      "[::ffff:7f00:1]",
    ])
      expect(isLoopbackHost(h)).toBe(true)
    for (const h of [
      "192.0.2.1",
      "10.0.0.8",
      "169.254.169.254",
      "0.0.0.0",
      "example.com",
      "localhost.example",
      "[::ffff:a00:8]",
      "::",
    ])
      expect(isLoopbackHost(h)).toBe(false)
  })

  it("refuses a fetch to another host before it is made, and records it", async () => {
    const before = refusedDestinations.length
    await expect(fetch("http://192.0.2.1/x")).rejects.toThrow("tests use loopback only")
    await expect(fetch("https://example.com/")).rejects.toThrow("tests use loopback only")
    expect(refusedDestinations.slice(before)).toEqual(["192.0.2.1", "example.com"])
    refusedDestinations.length = before
  })

  it("refuses a raw socket to another host", () => {
    const before = refusedDestinations.length
    expect(() => net.connect(80, "192.0.2.1")).toThrow("tests use loopback only")
    expect(() => net.createConnection({ host: "198.51.100.7", port: 443 })).toThrow("tests use loopback only")
    refusedDestinations.length = before
  })

  it("lets loopback through", async () => {
    using srv = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("here") })
    expect(await (await fetch(`http://127.0.0.1:${srv.port}/`)).text()).toBe("here")
  })
})
