// Pinning the protocol revision: a server's `protocolVersion` in the config, or --protocol-version
// on any command that connects, is spoken as given or the connect fails: no negotiation, no fallback.
import { describe, expect, it } from "bun:test"
import { join } from "node:path"
import { startSessionServer } from "../fixtures/servers/http-session.ts"
import { startStatelessServer } from "../fixtures/servers/http-stateless.ts"
import { BUN, ROOT, runCli } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"

const FIX = join(ROOT, "tests/fixtures/servers")
const agent = (t: TmpDir, args: string[]) => runCli(args, { home: t.home, cwd: t.path })
type Listed = { servers: { name: string; status: string; protocolVersion: string | null; error?: string }[] }

async function list(t: TmpDir, args: string[]): Promise<Listed["servers"]> {
  const r = await agent(t, ["mcp", "list", "--output", "json", "--no-interactive", ...args])
  return r.json<Listed>().servers
}
const withConfig = async (config: object) => {
  const t = await tmpdir()
  return Object.assign(t, { file: await t.write("mcp.json", config) })
}

describe("protocolVersion", () => {
  it("a server's protocolVersion pins it; without one, the newest revision is negotiated", async () => {
    await using web = await startStatelessServer() // speaks 2026-07-28 and stateless 2025
    await using sess = await startSessionServer() // 2025 sessions only
    await using t = await withConfig({
      mcpServers: {
        free: { type: "http", url: web.url },
        pinned: { type: "http", url: web.url, protocolVersion: "2025-11-25" },
        local: { command: BUN, args: [join(FIX, "stdio-basic.ts")], protocolVersion: "2025-06-18" },
        modern: { type: "http", url: sess.url, protocolVersion: "2026-07-28" },
      },
    })
    const byName = Object.fromEntries((await list(t, ["--mcp", t.file])).map((s) => [s.name, s]))
    expect(byName.free).toMatchObject({ status: "connected", protocolVersion: "2026-07-28" })
    expect(byName.pinned).toMatchObject({ status: "connected", protocolVersion: "2025-11-25" })
    expect(byName.local).toMatchObject({ status: "connected", protocolVersion: "2025-06-18" })
    // A 2025-only server pinned to 2026-07-28 fails: no fallback to a session.
    expect(byName.modern?.status).toBe("failed")
    expect(sess.sessionIds()).toHaveLength(0)
  }, 30_000)

  it("--protocol-version wins over the config, for every server", async () => {
    await using web = await startStatelessServer()
    await using t = await withConfig({
      mcpServers: { web: { type: "http", url: web.url, protocolVersion: "2025-11-25" } },
    })
    const [s] = await list(t, ["--mcp", t.file, "--protocol-version", "2026-07-28"])
    expect(s).toMatchObject({ status: "connected", protocolVersion: "2026-07-28" })
    const [adhoc] = await list(t, ["--url", web.url, "--protocol-version", "2025-03-26"])
    expect(adhoc).toMatchObject({ status: "connected", protocolVersion: "2025-03-26" })
  }, 30_000)

  it("an unknown revision is a usage error (exit 2), in a flag or in the config", async () => {
    await using t = await withConfig({
      mcpServers: { web: { type: "http", url: "http://127.0.0.1:1/mcp", protocolVersion: "2026-07-29" } },
    })
    const flag = await agent(t, [
      "mcp",
      "list",
      "--url",
      "http://127.0.0.1:1/mcp",
      "--protocol-version",
      "2025-11-26",
    ])
    expect(flag.code).toBe(2)
    expect(flag.stderr).toContain("--protocol-version 2025-11-26 is not an MCP revision")
    const cfg = await agent(t, ["mcp", "list", "--mcp", t.file])
    expect(cfg.code).toBe(2)
    expect(cfg.stderr).toContain("protocolVersion")
  }, 30_000)
})
