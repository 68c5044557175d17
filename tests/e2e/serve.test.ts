import { describe, expect, it } from "bun:test"
import { ensureBinary } from "../helpers/binary.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { BASIC, connectStdio, startServeHttp, stdioConfig, textOf } from "../serve/helpers.ts"
import { inspector } from "../helpers/inspector.ts"

// `agent mcp serve` and `agent mcp proxy` on the compiled binary (the server SDK must be in it),
// with the MCP Inspector CLI as the client for stdio and HTTP, and the SDK client through proxy.

describe("compiled binary: agent mcp serve and proxy", () => {
  it("the Inspector CLI lists and calls tools of `agent mcp serve` on stdio", async () => {
    const agent = await ensureBinary()
    await using t = await tmpdir()
    const cfg = await stdioConfig(t, { one: BASIC })
    const env = { AGENTRT_HOME: t.home, HOME: t.path }
    const list = await inspector([agent, "mcp", "serve", "--mcp", cfg, "--method", "tools/list"], env)
    expect(list.code).toBe(0)
    expect(JSON.parse(list.stdout).tools.map((x: { name: string }) => x.name)).toContain("one__echo")
    const call = await inspector(
      [agent, "mcp", "serve", "--mcp", cfg, "--method", "tools/call", "--tool-name", "one__add"].concat([
        "--tool-arg",
        "a=1",
        "b=2",
      ]),
      env,
    )
    expect(call.code).toBe(0)
    expect(textOf(JSON.parse(call.stdout))).toBe("3")
  }, 90_000)

  it("the Inspector CLI over --http with the token header", async () => {
    await ensureBinary()
    await using t = await tmpdir()
    const cfg = await stdioConfig(t, { one: BASIC })
    await using srv = await startServeHttp(t, ["--mcp", cfg], { binary: true })
    const r = await inspector(
      [
        srv.url,
        "--transport",
        "http",
        "--header",
        `Authorization: Bearer ${srv.token}`,
        "--method",
        "tools/list",
      ],
      {},
    )
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).tools.map((x: { name: string }) => x.name)).toContain("one__slow")
  }, 90_000)

  it("the SDK client through `agent mcp proxy` to a stdio server, names untouched", async () => {
    await ensureBinary()
    await using t = await tmpdir()
    const cfg = await stdioConfig(t, { one: BASIC })
    await using c = await connectStdio(t, ["mcp", "proxy", "one", "--mcp", cfg], { binary: true })
    expect(textOf(await c.client.callTool({ name: "echo", arguments: { text: "binary" } }))).toBe("binary")
  }, 90_000)
})
