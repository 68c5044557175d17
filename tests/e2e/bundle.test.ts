import { describe, expect, it } from "bun:test"
import { existsSync, readdirSync } from "node:fs"
import { join } from "node:path"
import { helloBundle } from "../fixtures/bundles/build.ts"
import { runCli } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"

// An MCPB bundle end to end on the compiled binary: downloaded from a loopback server with its
// sha256 pinned, unpacked, run with its declared runtime (node) through `agent mcp call`, and
// removed again with its files (I35, I37).
const agent = (t: TmpDir, args: string[], env: Record<string, string> = {}) =>
  runCli(args, { home: t.home, cwd: t.path, env, binary: true, timeoutMs: 30_000 })

describe("compiled binary: agent install BUNDLE.mcpb", () => {
  it("installs a bundle from a URL, calls a tool in it, then removes it and its files (I35, I37)", async () => {
    await using t = await tmpdir()
    const bytes = await helloBundle({
      user_config: {
        greeting: { type: "string", title: "Greeting", description: "Said first", default: "hej" },
      },
      server: {
        type: "node",
        entry_point: "server/index.js",
        mcp_config: {
          command: "node",
          args: ["${__dirname}/server/index.js"],
          env: { GREETING: "${user_config.greeting}" },
        },
      },
    })
    const sha = new Bun.CryptoHasher("sha256").update(bytes).digest("hex")
    using server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(bytes) })
    const url = `http://127.0.0.1:${server.port}/releases/hello.mcpb`

    const installed = await agent(t, ["install", url, "--sha256", sha, "--yes", "-o", "json"])
    expect(installed.code).toBe(0)
    expect(installed.json()).toMatchObject({ name: "hello-bundle", source: "mcpb" })
    const bundles = join(t.home, "state", "bundles")
    expect(readdirSync(bundles)).toEqual([`hello-bundle-1.0.0-${sha}`])

    const call = await agent(t, ["mcp", "call", "hello-bundle", "echo", "--arg", "text=from the bundle"])
    expect(call.code).toBe(0)
    expect(call.stdout).toContain("from the bundle")
    const env = await agent(t, ["mcp", "call", "hello-bundle", "env_dump"])
    expect(env.stdout).toContain('"GREETING":"hej"')

    const removed = await agent(t, ["mcp", "remove", "hello-bundle"])
    expect(removed.code).toBe(0)
    expect(removed.stdout).toContain("deleted the unpacked bundle")
    expect(readdirSync(bundles)).toEqual([])
    expect(existsSync(join(t.home, "config", "mcp.json"))).toBe(true)
  }, 60_000)
})
