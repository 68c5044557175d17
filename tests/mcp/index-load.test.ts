// src/mcp/index.ts is imported by every command that might talk to a server; the client SDK
// (~60 ms, +27 MB) must load only on the first connect (manager.ts imports runtime.ts lazily).
// A fresh bun process imports the module and lists what it loaded: Bun's require.cache holds
// every module evaluated so far, ES modules included.
import { describe, expect, it } from "bun:test"
import { join } from "node:path"
import { BUN, ROOT } from "../helpers/cli.ts"
import { tmpdir } from "../helpers/tmp.ts"

const PROBE = `
  await import(process.argv.at(-1))
  const loaded = Object.keys(require.cache)
  console.log(JSON.stringify({
    sdk: loaded.filter((k) => /[\\\\/]@modelcontextprotocol[\\\\/]/.test(k)),
    src: loaded.filter((k) => k.includes("/src/mcp/")).map((k) => k.slice(k.indexOf("/src/mcp/") + 1)),
  }))
`

async function modulesLoadedBy(file: string): Promise<{ sdk: string[]; src: string[] }> {
  await using t = await tmpdir()
  // cwd outside the repository: no bunfig preload runs in the probe.
  const proc = Bun.spawn([BUN, "-e", PROBE, join(ROOT, file)], {
    cwd: t.path,
    env: { PATH: process.env.PATH ?? "", AGENTRT_HOME: t.home },
    stdout: "pipe",
    stderr: "pipe",
  })
  try {
    const [out, err, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ])
    expect({ code, err }).toEqual({ code: 0, err: "" })
    return JSON.parse(out)
  } finally {
    proc.kill()
  }
}

describe("src/mcp/index.ts", () => {
  it("loads none of the MCP SDK when imported", async () => {
    const { sdk, src } = await modulesLoadedBy("src/mcp/index.ts")
    expect(src).toContain("src/mcp/manager.ts") // the probe sees the modules index.ts loads
    expect(sdk).toEqual([])
  })

  it("is checked by a probe that does see the SDK when a module loads it", async () => {
    const { sdk, src } = await modulesLoadedBy("src/mcp/runtime.ts")
    expect(src).toContain("src/mcp/connection.ts")
    expect(sdk.length).toBeGreaterThan(0)
  })
})
