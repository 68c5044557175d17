import { describe, expect, it } from "bun:test"
import { chmodSync, statSync, utimesSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { createParseCache, loadConfig } from "../../src/config/index.ts"
import { ConfigError } from "../../src/util/errors.ts"
import { resolvePaths } from "../../src/util/paths.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"

// The daemon's config parse cache (src/config/parse-cache.ts): a file is read at every command and
// parsed again only when its text changed, whatever its timestamps say (S32: an edit is seen).

const withCache =
  (t: TmpDir, cache = createParseCache()) =>
  () =>
    loadConfig({ paths: resolvePaths({ AGENTRT_HOME: t.home }), cwd: t.path, files: ["mcp.json"], cache })

const STAMP = 1_700_000_000 // seconds: both versions of the file carry this mtime

function write(file: string, command: string): void {
  writeFileSync(file, JSON.stringify({ mcpServers: { s: { command } } }))
  utimesSync(file, STAMP, STAMP)
}

describe("the daemon's config parse cache", () => {
  it("hands back the same parse while the text is the same", async () => {
    await using t = await tmpdir({ files: { "mcp.json": { mcpServers: { s: { command: "aaa" } } } } })
    const load = withCache(t)
    const first = load().servers[0]!
    const second = load().servers[0]!
    expect(second).toBe(first) // not parsed again
    expect(second.server).toMatchObject({ command: "aaa" })
  })

  it("sees an edit that keeps the file's size and mtime", async () => {
    await using t = await tmpdir()
    const file = join(t.path, "mcp.json")
    write(file, "aaa")
    const load = withCache(t)
    const before = load().servers[0]!
    const { size, mtimeMs, ino } = statSync(file)
    write(file, "bbb")
    expect(statSync(file)).toMatchObject({ size, mtimeMs, ino }) // a stamp of the file would not tell
    const after = load().servers[0]!
    expect(after.server).toMatchObject({ command: "bbb" })
    expect(after.fingerprint).not.toBe(before.fingerprint)
  })

  it("reports a broken file at every load, and loads it once fixed", async () => {
    await using t = await tmpdir({ files: { "mcp.json": '{"mcpServers": {"s": {"command": 1}}}' } })
    const load = withCache(t)
    expect(load).toThrow(ConfigError)
    expect(load).toThrow(ConfigError)
    await t.write("mcp.json", { mcpServers: { s: { command: "ok" } } })
    expect(load().servers[0]!.server).toMatchObject({ command: "ok" })
  })

  it("still checks the user file's owner and mode at every load (F04)", async () => {
    await using t = await tmpdir({
      files: { "agentrt-home/config/mcp.json": { mcpServers: { u: { command: "user" } } } },
    })
    const cache = createParseCache()
    const load = () => loadConfig({ paths: resolvePaths({ AGENTRT_HOME: t.home }), cwd: t.path, cache })
    expect(load().servers.map((s) => s.name)).toEqual(["u"])
    chmodSync(join(t.home, "config", "mcp.json"), 0o666) // same text, now writable by anyone
    expect(load).toThrow(/writable by/)
  })
})
