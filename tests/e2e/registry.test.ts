import { describe, expect, it } from "bun:test"
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { SCHEMA } from "../fixtures/registry/documents.ts"
import { startRegistry } from "../fixtures/registry/server.ts"
import { startStatelessServer } from "../fixtures/servers/http-stateless.ts"
import { BUN, ROOT, runCli } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"

// The compiled binary installs servers from the fixture MCP Registry and then talks to them:
// a remote that points at a real HTTP fixture server, and an npm package whose `npx` is a
// local stand-in that starts the real stdio fixture server (docs/registry.md).
const BASIC = join(ROOT, "tests/fixtures/servers/stdio-basic.ts")
const agent = (t: TmpDir, args: string[], env: Record<string, string> = {}) =>
  runCli(args, { home: t.home, cwd: t.path, env, binary: true })

/** A PATH whose only `npx` runs the stdio fixture server, whatever package it is asked for. */
async function fakeNpx(t: TmpDir): Promise<string> {
  const bin = join(t.path, "bin")
  await mkdir(bin, { recursive: true })
  await writeFile(join(bin, "npx"), `#!/bin/sh\nexec '${BUN}' '${BASIC}'\n`)
  await chmod(join(bin, "npx"), 0o755)
  return bin
}

describe("compiled binary: install from an MCP Registry", () => {
  it("installs a remote, then lists and calls it with the approved header", async () => {
    await using http = await startStatelessServer()
    await using reg = await startRegistry({ documents: [] })
    reg.publish({
      $schema: SCHEMA,
      name: "io.github.example/live",
      description: "The fixture server over HTTP",
      version: "1.0.0",
      remotes: [
        {
          type: "streamable-http",
          url: http.url,
          headers: [{ name: "X-Token", description: "Token", isRequired: true, isSecret: true }],
        },
      ],
    })
    await using t = await tmpdir()
    const installed = await agent(t, [
      "install",
      "io.github.example/live",
      "--registry",
      reg.url,
      "--yes",
      "--approve-env",
    ])
    expect(installed.code).toBe(0)
    expect(installed.stdout).toContain("approved: X_TOKEN")
    const list = await agent(t, ["mcp", "list", "-o", "json"], { X_TOKEN: "e2e-registry-token" })
    expect(list.code).toBe(0)
    expect(list.json<{ servers: { name: string; status: string }[] }>().servers).toMatchObject([
      { name: "live", status: "connected" },
    ])
    const call = await agent(t, ["mcp", "call", "live", "echo", "--arg", "text=from the registry"], {
      X_TOKEN: "e2e-registry-token",
    })
    expect(call.stdout).toBe("from the registry\n")
    expect(list.stdout + list.stderr + call.stderr).not.toContain("e2e-registry-token")
  }, 60_000)

  it("installs an npm package, runs it through npx, and reports it outdated once a new version is published", async () => {
    await using reg = await startRegistry({ documents: [] })
    const local = (version: string) => ({
      $schema: SCHEMA,
      name: "io.github.example/local",
      description: "The fixture server over stdio",
      version,
      packages: [
        {
          registryType: "npm",
          identifier: "@example/local-mcp",
          version,
          transport: { type: "stdio" },
          environmentVariables: [{ name: "LOCAL_MODE", default: "fixture" }],
        },
      ],
    })
    reg.publish(local("1.0.0"))
    await using t = await tmpdir()
    const PATH = await fakeNpx(t)
    const installed = await agent(t, ["install", "io.github.example/local", "--registry", reg.url, "--yes"], {
      PATH,
    })
    expect(installed.code).toBe(0)
    expect(installed.stderr).toContain("chosen:  npm package @example/local-mcp: npx is on PATH")
    const call = await agent(t, ["mcp", "call", "local", "echo", "--arg", "text=hi"], { PATH })
    expect(call.code).toBe(0)
    expect(call.stdout).toBe("hi\n")
    const locked = await agent(t, ["mcp", "lock"], { PATH })
    expect(locked.code).toBe(0)
    const lock = JSON.parse(await readFile(join(t.path, "mcp.lock"), "utf8"))
    expect(lock.servers.local.registry).toEqual({
      url: reg.url,
      name: "io.github.example/local",
      version: "1.0.0",
      type: "npm",
      identifier: "@example/local-mcp",
    })
    reg.publish(local("1.1.0"))
    const outdated = await agent(t, ["mcp", "outdated", "-o", "json"], { PATH })
    expect(outdated.json()).toMatchObject({
      servers: [{ server: "local", installed: "1.0.0", latest: "1.1.0", isOutdated: true }],
    })
    const updated = await agent(t, ["mcp", "update", "local", "--yes", "-o", "json"], { PATH })
    expect(updated.code).toBe(0)
    expect(updated.json()).toMatchObject({
      name: "local",
      action: "replaced",
      registry: { version: "1.1.0" },
    })
  }, 60_000)
})
