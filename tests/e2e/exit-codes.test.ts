// Exit codes that tell the truth, on the compiled binary: an ad hoc server (--url, -- COMMAND)
// that does not connect fails the command like a required configured one; `env revoke` of
// nothing is an error only; --mcp-only (alias --strict-mcp-config) reads the --mcp files alone.
import { describe, expect, it } from "bun:test"
import { join } from "node:path"
import { BUN, ROOT, runCli } from "../helpers/cli.ts"
import { refusedPort } from "../helpers/ports.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"

const BASIC = join(ROOT, "tests/fixtures/servers/stdio-basic.ts")
const agent = (t: TmpDir, args: string[], env: Record<string, string> = {}) =>
  runCli(args, { home: t.home, cwd: t.path, env, binary: true, timeoutMs: 40_000 })

/** An HTTP server that answers every request 401 and offers no OAuth metadata (an API-key server). */
function unauthorized() {
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: () =>
      new Response("unauthorized", { status: 401, headers: { "www-authenticate": 'Bearer realm="api"' } }),
  })
  return { url: `http://127.0.0.1:${server.port}/mcp`, [Symbol.asyncDispose]: () => server.stop(true) }
}

describe("compiled binary: ad hoc servers exit like configured ones", () => {
  it("tools, prompts, resources and list on a refused port: exit 5, nothing listed on stdout", async () => {
    using dead = refusedPort()
    await using t = await tmpdir()
    const url = `${dead.url}/mcp`
    for (const verb of ["tools", "prompts", "resources", "list"]) {
      const r = await agent(t, ["mcp", verb, "--url", url])
      expect({ verb, code: r.code }).toEqual({ verb, code: 5 })
      expect(r.stdout).not.toMatch(/^no (tools|prompts|resources)/m)
      expect(r.stderr).toContain("adhoc")
    }
    // The same server in a config, named: the same code.
    const file = await t.write("mcp.json", { mcpServers: { down: { url } } })
    expect((await agent(t, ["mcp", "tools", "down", "--mcp", file])).code).toBe(5)
  }, 60_000)

  it("a 401 without OAuth metadata is exit 4 (sign-in needed), also in json", async () => {
    await using srv = unauthorized()
    await using t = await tmpdir()
    const text = await agent(t, ["mcp", "tools", "--url", srv.url])
    expect(text.code).toBe(4)
    expect(text.stdout).toBe("")
    const json = await agent(t, ["mcp", "prompts", "--url", srv.url, "-o", "json"])
    expect(json.code).toBe(4)
    expect(json.json()).toMatchObject({ error: { code: "auth", exitCode: 4 } })
  }, 60_000)

  it("a missing executable is exit 5 naming it; a working one lists its tools (exit 0)", async () => {
    await using t = await tmpdir()
    const missing = await agent(t, ["mcp", "tools", "--", join(t.path, "no-such-server")])
    expect(missing.code).toBe(5)
    expect(missing.stderr).toContain("no-such-server")
    expect(missing.stdout).toBe("")
    const ok = await agent(t, ["mcp", "tools", "--", BUN, BASIC])
    expect(ok.code).toBe(0)
    expect(ok.stdout).toContain("adhoc__echo")
  }, 60_000)
})

describe("compiled binary: agent env revoke", () => {
  it("a variable with no approval: an error on stderr, nothing on stdout, exit 2", async () => {
    await using t = await tmpdir()
    const r = await agent(t, ["env", "revoke", "NOPE"])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe("")
    expect(r.stderr).toContain("error: no approval of NOPE")
  })

  it("revokes what matched, then fails naming what did not", async () => {
    await using t = await tmpdir()
    const file = await t.write("mcp.json", {
      mcpServers: { s: { command: BUN, args: [BASIC], env: { TOKEN: "${TOKEN}" } } },
    })
    expect((await agent(t, ["env", "approve", "TOKEN", "--mcp", file])).code).toBe(0)
    const r = await agent(t, ["env", "revoke", "TOKEN", "NOPE"])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe("revoked 1 approval of TOKEN\n")
    expect(r.stderr).toContain("no approval of NOPE")
    expect(r.stderr).not.toContain("TOKEN")
  })
})

describe("compiled binary: --mcp-only (alias --strict-mcp-config)", () => {
  /** A user config with a server whose variable is not approved, and a project config. */
  async function configs(t: TmpDir) {
    await Bun.write(
      join(t.home, "config", "mcp.json"),
      JSON.stringify({ mcpServers: { mine: { command: BUN, args: [BASIC], env: { TOKEN: "${TOKEN}" } } } }),
    )
    await t.write(".mcp.json", { mcpServers: { project: { command: BUN, args: [BASIC] } } })
    return t.write("only.json", { mcpServers: { basic: { command: BUN, args: [BASIC] } } })
  }

  it("without it, user and project servers join; with either spelling, only the --mcp file's", async () => {
    await using t = await tmpdir()
    const file = await configs(t)
    const names = async (extra: string[]) => {
      const r = await agent(t, ["config", "validate", "--mcp", file, ...extra, "-o", "json"], { TOKEN: "x" })
      return { code: r.code, names: r.json<{ servers: { name: string }[] }>().servers.map((s) => s.name) }
    }
    // mine needs approval (exit 3), project needs trust: both would stop a CI run.
    expect(await names([])).toEqual({ code: 3, names: ["mine", "project", "basic"] })
    expect(await names(["--mcp-only"])).toEqual({ code: 0, names: ["basic"] })
    expect(await names(["--strict-mcp-config"])).toEqual({ code: 0, names: ["basic"] })
    const list = await agent(t, ["mcp", "list", "--mcp-only", "--mcp", file, "-o", "json"], { TOKEN: "x" })
    expect(list.code).toBe(0)
    expect(list.json<{ servers: { name: string; status: string }[] }>().servers).toMatchObject([
      { name: "basic", status: "connected" },
    ])
    expect(list.stderr).not.toContain("TOKEN")
  }, 60_000)

  it("without any --mcp file it is a usage error (exit 2)", async () => {
    await using t = await tmpdir()
    const r = await agent(t, ["mcp", "list", "--mcp-only"])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("--mcp-only reads only the --mcp files")
  })
})
