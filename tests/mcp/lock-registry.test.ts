// I22: mcp.lock records where a registry install came from (registry, name, version, package
// identifier, digest); `--locked` reports a changed version or digest by name; `agent mcp update`
// moves the definition in the lock and keeps the tool hashes.
import { describe, expect, it } from "bun:test"
import type { StdioServer } from "../../src/config/index.ts"
import { diffLock, formatChanges } from "../../src/mcp/lock-diff.ts"
import { lockServer, relockDefinition, type LockFile } from "../../src/mcp/lock.ts"
import type { Tool } from "../../src/mcp/types.ts"

const origin = {
  url: "https://registry.example.com",
  name: "io.github.example/pinned",
  version: "2.0.0",
  type: "oci",
  identifier: "ghcr.io/example/pinned@sha256:aaa",
  digest: "sha256:aaa",
}
const server = (
  over: Partial<StdioServer["registry"]> = {},
  args = ["run", "-i", "--rm", "img"],
): StdioServer => ({
  transport: "stdio",
  command: "docker",
  args,
  env: {},
  disabled: false,
  autoApprove: [],
  required: false,
  registry: { ...origin, ...over },
})
const tool: Tool = { name: "t", description: "d", inputSchema: { type: "object" } }
const lockOf = (s: StdioServer, tools: Tool[] = [tool]): LockFile => ({
  lockfileVersion: 2,
  servers: { pinned: lockServer(s, tools) },
})

describe("mcp.lock: registry installs (I22)", () => {
  it("I22: records the registry, name, version, package identifier and digest", () => {
    expect(lockServer(server(), []).registry).toEqual(origin)
  })

  it("I22: --locked reports a changed registry version with before and after", () => {
    const changes = diffLock(lockOf(server()), lockOf(server({ version: "2.1.0" })))
    expect(changes).toEqual([
      {
        server: "pinned",
        kind: "server-changed",
        field: "registry-version",
        before: "io.github.example/pinned@2.0.0",
        after: "io.github.example/pinned@2.1.0",
      },
    ])
    expect(formatChanges(changes)).toContain("~ pinned: registry version changed")
  })

  it("I22: --locked reports a changed digest even when the args look the same", () => {
    const changes = diffLock(lockOf(server()), lockOf(server({ digest: "sha256:bbb" })))
    expect(changes.map((c) => ("field" in c ? c.field : c.kind))).toEqual(["registry-digest"])
    expect(formatChanges(changes)).toContain('before: "sha256:aaa"')
  })

  it("I22: a server no longer from a registry is a change; a lock without the field compares nothing", () => {
    const { registry: _, ...plain } = server()
    expect(
      diffLock(lockOf(server()), lockOf(plain as StdioServer)).map((c) => "field" in c && c.field),
    ).toEqual(["registry-version", "registry-digest"])
    expect(diffLock(lockOf(plain as StdioServer), lockOf(server()))).toEqual([])
  })

  it("I22: update moves the definition in the lock and keeps the tool hashes", () => {
    const before = lockOf(server())
    const next = server({ version: "2.1.0", digest: "sha256:ccc" }, ["run", "-i", "--rm", "img2"])
    const after = relockDefinition(before, "pinned", next)
    expect(after.servers.pinned!.registry!.version).toBe("2.1.0")
    expect(after.servers.pinned!.args).toEqual(["run", "-i", "--rm", "img2"])
    expect(after.servers.pinned!.tools).toEqual(before.servers.pinned!.tools)
    expect(diffLock(after, lockOf(next))).toEqual([])
  })
})
