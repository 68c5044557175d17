import { describe, expect, it } from "bun:test"
import { join } from "node:path"
import { startSessionServer } from "../fixtures/servers/http-session.ts"
import { startStatelessServer } from "../fixtures/servers/http-stateless.ts"
import { BUN, ROOT, runCli } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"

// `agent mcp call | prompts | prompt | resources | read` and ad hoc servers, as a black box.
const BASIC = join(ROOT, "tests/fixtures/servers/stdio-basic.ts")
const agent = (t: TmpDir, args: string[], env: Record<string, string> = {}) =>
  runCli(args, { home: t.home, cwd: t.path, env })

async function withLocal() {
  const t = await tmpdir()
  const file = await t.write("mcp.json", { mcpServers: { local: { command: BUN, args: [BASIC] } } })
  return {
    t,
    file,
    run: (args: string[]) => agent(t, [...args, "--mcp", file]),
    [Symbol.asyncDispose]: () => t[Symbol.asyncDispose](),
  }
}

describe("agent mcp call", () => {
  it("prints text content; --arg values are JSON when they look like it; --json merges", async () => {
    await using l = await withLocal()
    const echo = await l.run(["mcp", "call", "local", "echo", "--arg", "text=hi there"])
    expect(echo.code).toBe(0)
    expect(echo.stdout).toBe("hi there\n")
    const add = await l.run(["mcp", "call", "local", "add", "--arg", "a=2", "--arg", "b=40"])
    expect(add.stdout).toBe("42\n")
    const merged = await l.run([
      "mcp",
      "call",
      "local",
      "add",
      "--json",
      '{"a": 1, "b": 1}',
      "--arg",
      "b=2",
      "-o",
      "json",
    ])
    expect(merged.code).toBe(0)
    expect(merged.json()).toMatchObject({
      content: [{ type: "text", text: "3" }],
      structuredContent: { sum: 3 },
    })
    const asString = await l.run(["mcp", "call", "local", "echo", "--arg", "text=1.2.3"])
    expect(asString.stdout).toBe("1.2.3\n")
  }, 30_000)

  it("refuses missing required arguments and unknown tools with exit 2, before calling", async () => {
    await using l = await withLocal()
    const missing = await l.run(["mcp", "call", "local", "echo"])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("needs text (string)")
    expect(missing.stderr).toContain("--arg text=")
    const unknown = await l.run(["mcp", "call", "local", "nope"])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('has no tool "nope"')
    const bad = await l.run(["mcp", "call", "local", "echo", "--arg", "=x"])
    expect(bad.code).toBe(2)
    expect((await l.run(["mcp", "call", "local", "echo", "--json", "[1]"])).code).toBe(2)
  }, 30_000)

  it("shows progress on stderr while a slow tool runs", async () => {
    await using l = await withLocal()
    const r = await l.run(["mcp", "call", "local", "slow", "--arg", "ms=350"])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe("slept 350 ms\n")
    expect(r.stderr).toMatch(/^\[local\] \d+% tick 1$/m)
  }, 30_000)

  it("exits 1 with the content on stderr when the tool reports isError", async () => {
    await using l = await withLocal()
    const r = await l.run(["mcp", "call", "local", "fail"])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe("")
    expect(r.stderr).toContain("this tool always fails")
    const json = await l.run(["mcp", "call", "local", "fail", "-o", "json"])
    expect(json.code).toBe(1)
    expect(json.json()).toMatchObject({ isError: true })
  }, 30_000)

  it("cancels a call the server does not answer within --timeout and exits 5 (T04)", async () => {
    // The stream is cut after the first progress event and the server asks for a 10 s wait
    // before resuming, so the client hears nothing after ~100 ms.
    await using srv = await startSessionServer({ cutAfterFirstProgress: true, retryMs: 10_000 })
    await using t = await tmpdir()
    const r = await agent(t, [
      "mcp",
      "call",
      "slow",
      "--arg",
      "ms=8000",
      "--timeout",
      "1000",
      "--url",
      srv.url,
    ])
    expect(r.code).toBe(5)
    // The timeout ended it, not the server: the resumed stream would have brought "slept 8000 ms".
    expect(r.stderr).toContain('server "adhoc" did not answer tools/call in time (1000 ms without progress)')
    expect(r.stdout).toBe("")
    // Checked at once: the CLI waits for the cancel's POST to be answered before it closes.
    expect(srv.requests.some((q) => q.rpcMethod === "notifications/cancelled")).toBe(true)
  }, 30_000)
})

describe("agent mcp prompts, prompt, resources, read", () => {
  it("lists and gets prompts", async () => {
    await using l = await withLocal()
    const list = await l.run(["mcp", "prompts"])
    expect(list.code).toBe(0)
    expect(list.stdout).toMatch(/^local\s+greet\s+name\s+Greet someone$/m)
    const json = await l.run(["mcp", "prompts", "local", "-o", "json"])
    expect(json.json()).toMatchObject({
      prompts: [{ server: "local", name: "greet", arguments: [{ name: "name", required: true }] }],
    })
    const got = await l.run(["mcp", "prompt", "local", "greet", "--arg", "name=Ada"])
    expect(got.code).toBe(0)
    expect(got.stdout).toContain("[user]\nHello, Ada!")
    const missing = await l.run(["mcp", "prompt", "local", "greet"])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("--arg name=")
  }, 30_000)

  it("lists resources with templates and reads one", async () => {
    await using l = await withLocal()
    const list = await l.run(["mcp", "resources"])
    expect(list.code).toBe(0)
    expect(list.stdout).toMatch(/^local\s+fixture:\/\/readme\s+text\/markdown\s+A static text resource$/m)
    expect(list.stdout).toMatch(/fixture:\/\/items\/\{id\}.*\(template\)/)
    const json = await l.run(["mcp", "resources", "local", "-o", "json"])
    expect(json.json()).toMatchObject({
      servers: [
        {
          server: "local",
          resources: [{ uri: "fixture://readme" }],
          templates: [{ uriTemplate: "fixture://items/{id}" }],
        },
      ],
    })
    const read = await l.run(["mcp", "read", "local", "fixture://readme"])
    expect(read.stdout).toBe("# Fixture\nHello.\n")
    const item = await l.run(["mcp", "read", "local", "fixture://items/42", "-o", "json"])
    expect(item.json()).toMatchObject({ contents: [{ uri: "fixture://items/42", text: '{"id":"42"}' }] })
  }, 30_000)
})

describe("ad hoc servers", () => {
  it("--url talks to a server without any config", async () => {
    await using srv = await startStatelessServer()
    await using t = await tmpdir()
    const tools = await agent(t, ["mcp", "tools", "--url", srv.url])
    expect(tools.code).toBe(0)
    expect(tools.stdout).toMatch(/^adhoc__echo\s/m)
    const list = await agent(t, ["mcp", "list", "--url", srv.url, "--name", "docs", "-o", "json"])
    expect(list.json()).toMatchObject({
      servers: [{ name: "docs", status: "connected", transport: "http", file: "(command line)" }],
    })
    const call = await agent(t, [
      "mcp",
      "call",
      "docs",
      "echo",
      "--arg",
      "text=yo",
      "--url",
      srv.url,
      "--name",
      "docs",
    ])
    expect(call.stdout).toBe("yo\n")
    const header = await agent(t, [
      "mcp",
      "get",
      "--url",
      srv.url,
      "--header",
      "X-Test: 1",
      "--type",
      "http",
      "-o",
      "json",
    ])
    expect(header.json()).toMatchObject({ name: "adhoc", protocolVersion: "2026-07-28" })
  }, 30_000)

  it("-- COMMAND runs a stdio server; SERVER may be omitted for call, prompt and read", async () => {
    await using t = await tmpdir()
    const call = await agent(t, ["mcp", "call", "echo", "--arg", "text=hi", "--", BUN, BASIC])
    expect(call.code).toBe(0)
    expect(call.stdout).toBe("hi\n")
    expect(
      (await agent(t, ["mcp", "call", "adhoc", "echo", "--arg", "text=hi", "--", BUN, BASIC])).stdout,
    ).toBe("hi\n")
    expect(
      (await agent(t, ["mcp", "prompt", "greet", "--arg", "name=Bo", "--", BUN, BASIC])).stdout,
    ).toContain("Hello, Bo!")
    expect((await agent(t, ["mcp", "read", "fixture://readme", "--", BUN, BASIC])).stdout).toContain(
      "# Fixture",
    )
    const wrong = await agent(t, ["mcp", "call", "other", "echo", "--", BUN, BASIC])
    expect(wrong.code).toBe(2)
  }, 30_000)

  it("refuses ${VAR} references and bad definitions, pointing to a config file", async () => {
    await using t = await tmpdir()
    const ref = await agent(t, [
      "mcp",
      "tools",
      "--url",
      "https://example.com/mcp",
      "--header",
      "Authorization: Bearer ${TOKEN}",
    ])
    expect(ref.code).toBe(2)
    expect(ref.stderr).toContain("${TOKEN}")
    expect(ref.stderr).toContain("config file")
    expect((await agent(t, ["mcp", "tools", "--", "${CMD}"])).code).toBe(2)
    expect((await agent(t, ["mcp", "tools", "--url", "ftp://example.com"])).code).toBe(2)
    expect((await agent(t, ["mcp", "tools", "--url", "https://example.com/mcp", "--", "x"])).code).toBe(2)
    expect((await agent(t, ["mcp", "tools", "--url", "https://example.com/mcp", "--type", "ws"])).code).toBe(
      2,
    )
    expect((await agent(t, ["mcp", "tools", "--header", "A: b"])).code).toBe(2)
  }, 30_000)
})
