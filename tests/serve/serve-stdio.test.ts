import { describe, expect, it } from "bun:test"
import { startAuthServer } from "../fixtures/oauth/as.ts"
import { BUN, runCli } from "../helpers/cli.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { AGENT_FIXTURE, BASIC, connectStdio, stdioConfig, textOf } from "./helpers.ts"

// `agent mcp serve` over stdio with the SDK client: every server's tools, prompts and resources
// under agent's names (server__tool, as agent run names them), calls routed back to their server.

describe("agent mcp serve (stdio, SDK client)", () => {
  it("offers every server's tools as server__tool and routes a call to the right server", async () => {
    await using t = await tmpdir()
    const cfg = await stdioConfig(t, { one: BASIC, two: AGENT_FIXTURE })
    await using c = await connectStdio(t, ["mcp", "serve", "--mcp", cfg])
    const { tools } = await c.client.listTools()
    const names = tools.map((x) => x.name)
    expect(names).toContain("one__echo")
    expect(names).toContain("two__echo")
    expect(names).toContain("two__sample")
    expect(names).not.toContain("echo")
    const r = await c.client.callTool({ name: "one__add", arguments: { a: 2, b: 3 } })
    expect(textOf(r)).toBe("5")
    expect(r.structuredContent).toEqual({ sum: 5 })
  }, 30_000)

  it("serves prompts as server__prompt and resources under their own URIs", async () => {
    await using t = await tmpdir()
    const cfg = await stdioConfig(t, { one: BASIC })
    await using c = await connectStdio(t, ["mcp", "serve", "--mcp", cfg])
    const { prompts } = await c.client.listPrompts()
    expect(prompts.map((p) => p.name)).toEqual(["one__greet"])
    const got = await c.client.getPrompt({ name: "one__greet", arguments: { name: "Ada" } })
    expect(JSON.stringify(got.messages)).toContain("Hello, Ada!")
    const { resources } = await c.client.listResources()
    expect(resources.map((r) => r.uri)).toContain("fixture://readme")
    const read = await c.client.readResource({ uri: "fixture://readme" })
    expect(JSON.stringify(read.contents)).toContain("# Fixture")
    // A URI no one listed, matched by a template of the server that offers it.
    const item = await c.client.readResource({ uri: "fixture://items/42" })
    expect(JSON.stringify(item.contents)).toContain('\\"id\\":\\"42\\"')
  }, 30_000)

  it("--only serves the named servers alone", async () => {
    await using t = await tmpdir()
    const cfg = await stdioConfig(t, { one: BASIC, two: AGENT_FIXTURE })
    await using c = await connectStdio(t, ["mcp", "serve", "--mcp", cfg, "--only", "two"])
    const { tools } = await c.client.listTools()
    expect(tools.every((x) => x.name.startsWith("two__"))).toBe(true)
    expect(tools.length).toBeGreaterThan(0)
  }, 30_000)
})

describe("agent mcp serve: before serving", () => {
  it("a server that needs sign-in, with no way to sign in here: named on stderr, the others served", async () => {
    await using as = await startAuthServer()
    await using t = await tmpdir()
    const cfg = await t.write("mcp.json", {
      mcpServers: { one: { command: BUN, args: [BASIC] }, fx: { type: "http", url: as.url } },
    })
    await using c = await connectStdio(t, ["mcp", "serve", "--mcp", cfg])
    const names = (await c.client.listTools()).tools.map((x) => x.name)
    expect(names).toContain("one__echo")
    expect(names.some((n) => n.startsWith("fx__"))).toBe(false)
    expect(c.stderr()).toContain("fx: not connected (needs sign-in)")
    // No sign-in was started: no browser, no authorization request.
    expect(as.requests.filter((q) => q.path === "/authorize")).toEqual([])
  }, 30_000)

  it("a server that needs approval and no terminal to ask at: exit 3 with the hint, nothing served", async () => {
    await using t = await tmpdir()
    await t.write(".mcp.json", { mcpServers: { proj: { command: "bun", args: [BASIC] } } })
    const r = await runCli(["mcp", "serve"], { home: t.home, cwd: t.path })
    expect(r.code).toBe(3)
    expect(r.stderr).toContain("proj")
    expect(r.stderr).toContain("hint:")
    expect(r.stdout).toBe("")
  }, 30_000)

  it("--only with a name not in the config: exit 2 with a did-you-mean", async () => {
    await using t = await tmpdir()
    const cfg = await stdioConfig(t, { one: BASIC })
    const r = await runCli(["mcp", "serve", "--mcp", cfg, "--only", "onee"], { home: t.home, cwd: t.path })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('no server "onee"')
  }, 30_000)
})
