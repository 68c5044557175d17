// C09: roots are offered only where the user asked for them (a server's `roots`, `--root`),
// never the working directory by default: a filesystem server replaces its configured
// directories with the client's roots, so an unasked root widens its sandbox. Without roots
// the client does not declare the capability, in both protocol eras.
import { describe, expect, it } from "bun:test"
import { pathToFileURL } from "node:url"
import { startSessionServer } from "../fixtures/servers/http-session.ts"
import { manager, remote, stdio, textOf } from "./helpers.ts"

describe("roots (C09)", () => {
  it("2026-07-28 (stdio): no roots capability by default, even with a cwd", async () => {
    await using m = await manager([stdio("srv", "stdio-agent.ts")], { cwd: "/tmp" })
    await m.connect()
    expect(JSON.parse(textOf(await m.callTool("srv", "roots", {})))).toEqual({ declared: false, roots: [] })
  })

  it("2026-07-28 (stdio): the server's own roots and --root ones, absolute, once each", async () => {
    await using m = await manager([stdio("srv", "stdio-agent.ts", {}, { roots: ["data", "/srv/shared"] })], {
      cwd: "/tmp",
      roots: ["/srv/shared", "/opt/x"],
    })
    await m.connect()
    expect(JSON.parse(textOf(await m.callTool("srv", "roots", {})))).toEqual({
      declared: true,
      roots: [
        { uri: pathToFileURL("/tmp/data").href, name: "data" },
        { uri: pathToFileURL("/srv/shared").href, name: "shared" },
        { uri: pathToFileURL("/opt/x").href, name: "x" },
      ],
    })
  })

  it("a server's roots are its own: another server of the same run gets none", async () => {
    await using m = await manager(
      [stdio("a", "stdio-agent.ts", {}, { roots: ["/srv/a"] }), stdio("b", "stdio-agent.ts")],
      { cwd: "/tmp" },
    )
    await m.connect()
    expect(JSON.parse(textOf(await m.callTool("a", "roots", {}))).roots).toEqual([
      { uri: pathToFileURL("/srv/a").href, name: "a" },
    ])
    expect(JSON.parse(textOf(await m.callTool("b", "roots", {})))).toEqual({ declared: false, roots: [] })
  })

  it("2025 sessions (http): undeclared by default; declared and listed with --root", async () => {
    await using srv = await startSessionServer()
    const ask = async (roots?: string[]) => {
      await using m = await manager([remote("s", srv.url, "http")], {
        cwd: "/tmp",
        ...(roots && { roots }),
        elicit: async () => ({ action: "decline" }),
      })
      await m.connect()
      return JSON.parse(textOf(await m.callTool("s", "ask_user", {})))
    }
    expect(await ask()).toMatchObject({ declared: false, roots: [] })
    expect(await ask(["/srv/shared"])).toMatchObject({
      declared: true,
      roots: [{ uri: pathToFileURL("/srv/shared").href, name: "shared" }],
    })
  })
})
