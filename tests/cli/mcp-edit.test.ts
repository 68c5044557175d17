import { describe, expect, it } from "bun:test"
import { existsSync, statSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { writeServers, validateEntry } from "../../src/cli/shared/config-write.ts"
import { NO_POLICY } from "../../src/config/policy.ts"
import { runCli } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"
import { witnessServer } from "../helpers/witness.ts"

// Black box: `bun src/main.ts mcp add|add-json|remove` with AGENTRT_HOME and HOME in a temp dir.
const run = (t: TmpDir, args: string[]) => runCli(["mcp", ...args], { home: t.home, cwd: t.path })
const userFile = (t: TmpDir) => join(t.home, "config", "mcp.json")
const readJson = async (file: string) => JSON.parse(await readFile(file, "utf8"))

describe("agent mcp add", () => {
  it("adds a local server to the user config, 0600, with env values masked on output", async () => {
    await using t = await tmpdir()
    const r = await run(t, [
      "add",
      "fs",
      "--env",
      "API_KEY=${API_KEY}",
      "--env",
      "LITERAL_SECRET=hunter2-secret",
      "--env",
      "LEVEL=debug",
      "--cwd",
      "/srv",
      "--",
      "npx",
      "-y",
      "pkg",
      "--flag",
    ])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`added server "fs" to ${userFile(t)} (user scope)`)
    expect(r.stdout).toContain("API_KEY=${API_KEY}")
    expect(r.stdout + r.stderr).not.toContain("hunter2")
    expect(r.stdout).toContain("LEVEL=debug") // I10: a value that looks like no credential is shown
    expect(await readJson(userFile(t))).toEqual({
      mcpServers: {
        fs: {
          command: "npx",
          args: ["-y", "pkg", "--flag"],
          env: { API_KEY: "${API_KEY}", LITERAL_SECRET: "hunter2-secret", LEVEL: "debug" },
          cwd: "/srv",
        },
      },
    })
    expect(statSync(userFile(t)).mode & 0o777).toBe(0o600)
  })

  it("adds a remote server to ./.mcp.json (0644) and prints JSON with literal headers masked", async () => {
    await using t = await tmpdir()
    const r = await run(t, [
      "add",
      "gh",
      "--scope",
      "project",
      "--url",
      "https://api.example.com/mcp",
      "--type",
      "http",
      "--header",
      "Authorization: Bearer ${GITHUB_TOKEN}",
      "--header",
      "X-Api-Key: literal-key-123",
      "-o",
      "json",
    ])
    expect(r.code).toBe(0)
    const file = join(t.path, ".mcp.json")
    expect(r.json()).toEqual({
      name: "gh",
      scope: "project",
      file,
      action: "added",
      server: {
        type: "http",
        url: "https://api.example.com/mcp",
        headers: { Authorization: "Bearer ${GITHUB_TOKEN}", "X-Api-Key": "***" },
      },
    })
    expect(r.stderr).not.toContain("literal-key-123")
    expect((await readJson(file)).mcpServers.gh.headers["X-Api-Key"]).toBe("literal-key-123")
    expect(statSync(file).mode & 0o777).toBe(0o644)
  })

  it("keeps everything else in the file: other keys, order, unknown fields, indent", async () => {
    await using t = await tmpdir()
    const text = `{\n\t"$schema": "x",\n\t"mcpServers": {\n\t\t"a": {"command": "a", "futureField": 1}\n\t},\n\t"custom": true\n}\n`
    const file = await t.write("cfg.json", text)
    const r = await run(t, ["add", "b", "--mcp", file, "--", "b"])
    expect(r.code).toBe(0)
    const out = await readFile(file, "utf8")
    expect(Object.keys(JSON.parse(out))).toEqual(["$schema", "mcpServers", "custom"])
    expect(JSON.parse(out).mcpServers).toEqual({
      a: { command: "a", futureField: 1 },
      b: { command: "b", args: [] },
    })
    expect(out).toContain('\n\t"custom": true')
  })

  it("refuses an existing name with exit 2; --force replaces it and shows old and new", async () => {
    await using t = await tmpdir()
    expect((await run(t, ["add", "x", "--", "old-cmd"])).code).toBe(0)
    const again = await run(t, ["add", "x", "--", "new-cmd"])
    expect(again.code).toBe(2)
    expect(again.stderr).toContain('server "x" already exists')
    expect(again.stderr).toContain("--force")
    const forced = await run(t, ["add", "x", "--force", "--", "new-cmd"])
    expect(forced.code).toBe(0)
    expect(forced.stdout).toContain('replaced server "x"')
    expect(forced.stdout).toMatch(/before:\n\s+command\s+old-cmd\n\s+after:\n\s+command\s+new-cmd/)
    const json = await run(t, ["add", "x", "--force", "--url", "https://e.example/mcp", "-o", "json"])
    expect(json.json<{ action: string; previous: unknown }>()).toMatchObject({
      action: "replaced",
      previous: { command: "new-cmd", args: [] },
    })
  })

  it("stores shell metacharacters and ${VAR} verbatim and runs nothing", async () => {
    await using t = await tmpdir()
    const w = await witnessServer(t)
    const r = await run(t, ["add", "evil", "--env", "T=${TOKEN}", "--", w.command, ...w.args])
    expect(r.code).toBe(0)
    expect((await readJson(userFile(t))).mcpServers.evil).toEqual({
      command: w.command,
      args: w.args,
      env: { T: "${TOKEN}" },
    })
    expect(w.ran()).toBe(false)
  })

  it("validates before writing, naming the field (same errors as loading)", async () => {
    await using t = await tmpdir()
    const cases: [string[], string][] = [
      [["add", "bad", "--url", "ftp://x.example"], "URL scheme ftp: is not allowed"],
      [["add", "bad", "--url", "https://x", "--type", "ws"], '--type must be one of: http, sse (got "ws")'],
      [["add", "bad", "--url", "https://x", "--header", "no-colon"], "--header expects 'Name: value'"],
      [["add", "bad", "--env", "1X=y", "--", "x"], "--env expects KEY=VALUE"],
      [["add", "bad", "--", "x", "${UNCLOSED"], 'server "bad" args[0]'],
      [["add", "bad"], "nothing to run"],
      [["add", "--", "npx"], "missing server NAME"],
      [["add", "__proto__", "--", "x"], "reserved"],
      [["add", "bad", "--url", "https://x", "--", "x"], "either --url"],
      [
        ["add", "bad", "--scope", "global", "--", "x"],
        '--scope must be one of: user, project (got "global")',
      ],
      [["add-json", "bad", '{"command": "x", "args": [1]}'], 'server "bad" field "args[0]": expected string'],
      [["add-json", "bad", '{"command": "x", "url": "https://x"}'], "has both a command and a url"],
      [["add-json", "bad", "[1]"], "must be an object"],
      [["add-json", "bad", "{nope"], "the JSON argument:1:2"],
      [["add-json", "bad", "[".repeat(100) + "]".repeat(100)], "nesting deeper than 64 levels"],
      [["add-json", "__proto__", '{"command": "x"}'], "that server name is reserved"],
      [["add-json", "a/b", '{"command": "x"}'], "slashes"],
    ]
    for (const [args, message] of cases) {
      const r = await run(t, args)
      expect({ args, code: r.code }).toEqual({ args, code: 2 })
      expect(r.stderr).toContain(message)
    }
    expect(existsSync(userFile(t))).toBe(false)
  })

  it("add-json stores the object verbatim, peer spellings and unknown fields included (warns)", async () => {
    await using t = await tmpdir()
    const entry = {
      httpUrl: "https://g.example/mcp",
      trust: true,
      excludeTools: ["rm"],
      vendorThing: { a: 1 },
    }
    const r = await run(t, ["add-json", "g", JSON.stringify(entry)])
    expect(r.code).toBe(0)
    expect(r.stderr).toContain('unknown field "vendorThing"')
    expect((await readJson(userFile(t))).mcpServers.g).toEqual(entry)
  })
})

describe("agent mcp remove", () => {
  it("removes a server and keeps the others; a missing name exits 2 listing the names", async () => {
    await using t = await tmpdir()
    const file = await t.write("m.json", {
      mcpServers: { a: { command: "a" }, b: { url: "https://b.example" } },
      servers: { c: { command: "c" } },
    })
    const r = await run(t, ["remove", "a", "--mcp", file, "-o", "json"])
    expect(r.code).toBe(0)
    expect(r.json()).toEqual({ name: "a", scope: "file", file, action: "removed", server: { command: "a" } })
    expect(await readJson(file)).toEqual({
      mcpServers: { b: { url: "https://b.example" } },
      servers: { c: { command: "c" } },
    })
    const missing = await run(t, ["remove", "zz", "--mcp", file])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('no server "zz"')
    expect(missing.stderr).toContain("servers there: b, c")
  })

  it("exits 2 when the scope's file does not exist", async () => {
    await using t = await tmpdir()
    const r = await run(t, ["remove", "a", "--scope", "project"])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("does not exist")
  })
})

describe("large values", () => {
  it("refuses a 10 MB string with a clear error and leaves the file alone (in process: argv cannot carry 10 MB)", async () => {
    await using t = await tmpdir()
    const file = await t.write("big.json", { mcpServers: { a: { command: "a" } } })
    const before = await readFile(file, "utf8")
    const entry = { command: "npx", args: ["x".repeat(10 * 1024 * 1024)] }
    validateEntry("big", entry, file)
    const write = writeServers({ scope: "file", file, mode: 0o600 }, [{ name: "big", entry }], {
      existing: "fail",
      policy: NO_POLICY,
    })
    await expect(write).rejects.toThrow(
      /would grow to 10\.0 MB, over the 4 MB config limit; nothing was written/,
    )
    expect(await readFile(file, "utf8")).toBe(before)
  })

  it("stores a large (1 MB) value verbatim", async () => {
    await using t = await tmpdir()
    const file = join(t.path, "m.json")
    const big = "y".repeat(1024 * 1024)
    await writeServers(
      { scope: "file", file, mode: 0o600 },
      [{ name: "big", entry: { command: "x", args: [big] } }],
      { existing: "fail", policy: NO_POLICY },
    )
    expect((await readJson(file)).mcpServers.big.args[0]).toBe(big)
  })

  it("a 100 KB header value through the CLI is stored verbatim and never printed", async () => {
    await using t = await tmpdir()
    const value = "k".repeat(100_000)
    const r = await run(t, ["add", "big", "--url", "https://big.example/mcp", "--header", `X-Key: ${value}`])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("X-Key: ***")
    expect(r.stdout.length).toBeLessThan(1000)
    expect((await readJson(userFile(t))).mcpServers.big.headers["X-Key"]).toBe(value)
  })
})
