import { describe, expect, it } from "bun:test"
import { existsSync, readdirSync } from "node:fs"
import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { helloBundle, serverScript } from "../fixtures/bundles/build.ts"
import { runCli, runCliTty } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"
import { bundleManifest, writeZip, type ZipItem } from "../helpers/zip.ts"

// `agent install X.mcpb` as a black box: hostile archives are refused with one line and leave
// nothing behind; good ones show the screen, unpack into <state>/bundles and are written like
// any install; `agent mcp remove` takes the files away again.

const agent = (t: TmpDir, args: string[], env: Record<string, string> = {}) =>
  runCli(args, { home: t.home, cwd: t.path, env, timeoutMs: 30_000 })
const bundles = (t: TmpDir) => join(t.home, "state", "bundles")
const userFile = (t: TmpDir) => join(t.home, "config", "mcp.json")
const leftovers = (t: TmpDir) => (existsSync(bundles(t)) ? readdirSync(bundles(t)) : [])
const sha256 = (bytes: Uint8Array) => new Bun.CryptoHasher("sha256").update(bytes).digest("hex")

async function expectRefused(t: TmpDir, file: string, message: string, extra: string[] = []) {
  const r = await agent(t, ["install", file, "--yes", ...extra])
  expect(r.stderr).toContain(message)
  expect(r.code).toBe(2)
  expect(r.stderr.split("\n").filter((l) => l.startsWith("error:"))).toHaveLength(1)
  expect(r.stderr).not.toContain("    at ") // no stack trace
  expect(leftovers(t)).toEqual([])
  expect(existsSync(userFile(t))).toBe(false)
}

const manifestItem = (extra: Record<string, unknown> = {}): ZipItem => ({
  name: "manifest.json",
  data: JSON.stringify(bundleManifest(extra)),
})
const entryItem: ZipItem = { name: "server/index.js", data: "console.log(1)" }

describe("agent install BUNDLE.mcpb: hostile archives", () => {
  it("refuses each hostile archive with one error line, exit 2, nothing unpacked or written (I30, I31, I32, I33, I34)", async () => {
    await using t = await tmpdir()
    const cases: [string, ZipItem[], string][] = [
      [
        "abs",
        [manifestItem(), entryItem, { name: "/tmp/evil", data: "x" }],
        '"/tmp/evil" is an absolute path',
      ],
      [
        "dotdot",
        [manifestItem(), entryItem, { name: "../../.bashrc", data: "x" }],
        "climbs out of the bundle",
      ],
      [
        "link",
        [manifestItem(), entryItem, { name: "up", data: "../../..", mode: 0o120777 }],
        '"up" is a symbolic link',
      ],
      ["dup", [manifestItem(), entryItem, { name: "server/index.js", data: "2" }], "appears twice"],
      [
        "bomb",
        [manifestItem(), entryItem, { name: "zeros", data: new Uint8Array(24 * 1024 * 1024) }],
        "zip bomb?",
      ],
      [
        "liar",
        [manifestItem(), entryItem, { name: "l", data: "q".repeat(4096), declaredSize: 1 }],
        "it declares",
      ],
      ["nomanifest", [entryItem], "no manifest.json at its top level"],
      ["badmanifest", [manifestItem({ author: "me" }), entryItem], "manifest.json field author"],
      ["noentry", [manifestItem()], 'entry point "server/index.js" is not in the archive'],
      ["badname", [manifestItem({ name: "../My Server" }), entryItem], "cannot be a server name"],
      [
        "undefinedvar",
        [
          manifestItem({
            server: {
              type: "node",
              entry_point: "server/index.js",
              mcp_config: { command: "node", args: ["${AWS_SECRET_ACCESS_KEY}"] },
            },
          }),
          entryItem,
        ],
        "uses ${AWS_SECRET_ACCESS_KEY}, which neither MCPB nor the manifest's user_config defines",
      ],
    ]
    for (const [name, items, message] of cases) {
      const file = join(t.path, `${name}.mcpb`)
      await writeFile(file, writeZip(items))
      await expectRefused(t, file, message)
    }
    const many = Array.from({ length: 20_001 }, (_, i): ZipItem => ({ name: `f/${i}`, data: "" }))
    await writeFile(join(t.path, "many.mcpb"), writeZip([manifestItem(), entryItem, ...many]))
    await expectRefused(t, join(t.path, "many.mcpb"), "entries; the limit is 20000")
  }, 60_000)

  it("refuses a bundle whose sha256 differs from --sha256, and a malformed --sha256 (I35)", async () => {
    await using t = await tmpdir()
    const bytes = await helloBundle()
    const file = join(t.path, "hello.mcpb")
    await writeFile(file, bytes)
    await expectRefused(t, file, `its sha256 is ${sha256(bytes)}, not the expected ${"ab".repeat(32)}`, [
      "--sha256",
      "ab".repeat(32),
    ])
    await expectRefused(t, file, "--sha256 must be 64 hex digits", ["--sha256", "xyz"])
    const ok = await agent(t, ["install", file, "--sha256", sha256(bytes).toUpperCase(), "--dry-run"])
    expect(ok.code).toBe(0)
    expect(ok.stderr).toContain("(matches --sha256)")
  }, 60_000)

  it("refuses plain-http URLs off this machine before connecting (I35)", async () => {
    await using t = await tmpdir()
    const r = await agent(t, ["install", "http://192.0.2.1/x.mcpb", "--yes"])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("bundle URLs must be https://")
  }, 60_000)
})

describe("agent install BUNDLE.mcpb", () => {
  it("shows the screen and unpacks nothing without --yes or a terminal (exit 3), then installs with --yes", async () => {
    await using t = await tmpdir()
    const file = join(t.path, "hello.mcpb")
    const bytes = await helloBundle()
    await writeFile(file, bytes)
    const refused = await agent(t, ["install", file])
    expect(refused.code).toBe(3)
    expect(refused.stderr).toContain('server:  "hello-bundle"  (from an MCPB bundle)')
    expect(refused.stderr).toContain("runtime: node, entry point server/index.js")
    expect(refused.stderr).toContain(`sha256:  ${sha256(bytes)}`)
    expect(leftovers(t)).toEqual([])

    const r = await agent(t, ["install", file, "--yes", "-o", "json"])
    expect(r.code).toBe(0)
    const dir = join(bundles(t), `hello-bundle-1.0.0-${sha256(bytes)}`)
    expect(r.json()).toMatchObject({ name: "hello-bundle", action: "added", source: "mcpb" })
    expect(JSON.parse(await readFile(userFile(t), "utf8")).mcpServers["hello-bundle"]).toMatchObject({
      command: "node",
      args: [join(dir, "server", "index.js")],
      cwd: dir,
    })
    expect(await readFile(join(dir, "manifest.json"), "utf8")).toContain('"hello-bundle"')
    expect(leftovers(t)).toEqual([`hello-bundle-1.0.0-${sha256(bytes)}`])
  }, 60_000)

  it("turns user_config into ${VAR}s and values: sensitive never on the command line (I36)", async () => {
    await using t = await tmpdir()
    const file = join(t.path, "cfg.mcpb")
    await writeFile(
      file,
      await helloBundle({
        server: {
          type: "node",
          entry_point: "server/index.js",
          mcp_config: {
            command: "node",
            args: ["${__dirname}/server/index.js", "--units=${user_config.units}"],
            env: { TOKEN: "${user_config.token}", ROOT: "${user_config.root}" },
          },
        },
        user_config: {
          token: {
            type: "string",
            title: "Token",
            description: "API token",
            sensitive: true,
            required: true,
          },
          units: { type: "string", title: "Units", description: "Units", default: "metric" },
          root: { type: "directory", title: "Root", description: "Where", default: "${HOME}/data" },
        },
      }),
    )
    const flagged = await agent(t, ["install", file, "--yes", "--user-config", "token=sk-live-123"])
    expect(flagged.code).toBe(2)
    expect(flagged.stderr).toContain("user_config token is sensitive")
    expect(flagged.stderr).not.toContain("sk-live-123")
    const unknown = await agent(t, ["install", file, "--yes", "--user-config", "unit=x"])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('no user_config "unit"')

    const defaults = await agent(t, ["install", file, "--dry-run", "-o", "json"])
    expect(defaults.json()).toMatchObject({ dryRun: true, server: { env: { ROOT: join(t.path, "data") } } })
    const r = await agent(t, [
      "install",
      file,
      "--yes",
      "--user-config",
      "units=imperial",
      "--user-config",
      "root=./here",
    ])
    expect(r.code).toBe(0)
    expect(r.stderr).toContain("config:  token from ${HELLO_BUNDLE_TOKEN} (sensitive)")
    expect(r.stderr).toContain("config:  units = imperial")
    const entry = JSON.parse(await readFile(userFile(t), "utf8")).mcpServers["hello-bundle"]
    expect(entry.args[1]).toBe("--units=imperial")
    expect(entry.env).toEqual({ TOKEN: "${HELLO_BUNDLE_TOKEN}", ROOT: join(t.path, "here") })
    expect(r.stdout).toContain("still needs approval: HELLO_BUNDLE_TOKEN")
  }, 60_000)

  it("refuses env that decides what runs unless it only names the bundle's own files (I38)", async () => {
    await using t = await tmpdir()
    const withEnv = async (name: string, env: Record<string, string>) => {
      const file = join(t.path, `${name}.mcpb`)
      const mcp_config = { command: "node", args: ["${__dirname}/server/index.js"], env }
      await writeFile(
        file,
        await helloBundle({ server: { type: "node", entry_point: "server/index.js", mcp_config } }),
      )
      return file
    }
    const evil = await withEnv("evil", { NODE_OPTIONS: "--require=/tmp/x.js" })
    const refused = await agent(t, ["install", evil, "--yes"])
    expect(refused.code).toBe(3)
    expect(refused.stderr).toContain("NODE_OPTIONS")
    expect(refused.stderr).toContain("--allow-dangerous-env NODE_OPTIONS")
    expect(leftovers(t)).toEqual([])
    const outside = await withEnv("outside", { PYTHONPATH: "${__dirname}/lib:/tmp/elsewhere" })
    expect((await agent(t, ["install", outside, "--yes"])).code).toBe(3)

    const own = await withEnv("own", { PYTHONPATH: "${__dirname}/lib" })
    const r = await agent(t, ["install", own, "--yes"])
    expect(r.code).toBe(0)
    expect(r.stderr).toContain("env:     PYTHONPATH = ")
    expect(
      (await agent(t, ["install", evil, "--yes", "--name", "ok", "--allow-dangerous-env", "NODE_OPTIONS"]))
        .code,
    ).toBe(0)
  }, 60_000)

  it("asks at a terminal for non-sensitive values, offering the default, never for a sensitive one (I36)", async () => {
    await using t = await tmpdir()
    const file = join(t.path, "ask.mcpb")
    await writeFile(
      file,
      await helloBundle({
        server: {
          type: "node",
          entry_point: "server/index.js",
          mcp_config: {
            command: "node",
            args: [
              "${__dirname}/server/index.js",
              "--units=${user_config.units}",
              "--depth=${user_config.depth}",
            ],
            env: { TOKEN: "${user_config.token}" },
          },
        },
        user_config: {
          units: { type: "string", title: "Units", description: "Units", default: "metric" },
          depth: { type: "number", title: "Depth", description: "How deep", default: 2, min: 1, max: 5 },
          token: { type: "string", title: "Token", description: "API token", sensitive: true },
        },
      }),
    )
    // units: typed; depth: 9 is refused (max 5), then the default taken with Enter; then install, no variable.
    const r = await runCliTty(["install", file], {
      home: t.home,
      cwd: t.path,
      input: ["imperial", "9", "", "y", "n"],
    })
    expect(r.stdout).toContain("Units (units) [metric]:")
    expect(r.stdout).toContain("user_config depth must be between 1 and 5")
    expect(r.stdout).not.toContain("Token (token)")
    expect(r.code).toBe(0)
    const entry = JSON.parse(await readFile(userFile(t), "utf8")).mcpServers["hello-bundle"]
    expect(entry.args.slice(1)).toEqual(["--units=imperial", "--depth=2"])
    expect(entry.env).toEqual({ TOKEN: "${HELLO_BUNDLE_TOKEN}" })
  }, 60_000)

  it("runs a binary bundle's own file, made executable, without a shell", async () => {
    await using t = await tmpdir()
    const file = join(t.path, "bin.mcpb")
    // The fixture's bundled script starts with "#!/usr/bin/env bun"; a published binary would be native.
    const script = (await serverScript()).replace(/^#!.*\n/, "#!/usr/bin/env node\n")
    await writeFile(
      file,
      writeZip([
        manifestItem({
          server: {
            type: "binary",
            entry_point: "server/hello-server",
            mcp_config: { command: "${__dirname}/server/hello-server", args: ["--stdio"] },
          },
        }),
        { name: "server/hello-server", data: script, mode: 0o100644 },
      ]),
    )
    expect((await agent(t, ["install", file, "--yes"])).code).toBe(0)
    const call = await agent(t, ["mcp", "call", "hello-bundle", "echo", "--arg", "text=binary ok"])
    expect(`${call.stdout}${call.stderr}`).toContain("binary ok")
    expect(call.code).toBe(0)
  }, 60_000)

  it("downloads from a URL (loopback HTTP fixture), with --sha256 checked (I35)", async () => {
    await using t = await tmpdir()
    const bytes = await helloBundle()
    let hits = 0
    using server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(req) {
        hits++
        const path = new URL(req.url).pathname
        if (path === "/dl/hello.mcpb") return new Response(bytes)
        if (path === "/moved.mcpb") return Response.redirect("/dl/hello.mcpb", 302)
        return new Response("gone", { status: 404 })
      },
    })
    const base = `http://127.0.0.1:${server.port}`
    const missing = await agent(t, ["install", `${base}/nope.mcpb`, "--yes"])
    expect(missing.code).toBe(5)
    expect(missing.stderr).toContain("HTTP 404")
    const r = await agent(t, ["install", `${base}/moved.mcpb`, "--sha256", sha256(bytes), "--yes"])
    expect(r.code).toBe(0)
    expect(r.stderr).toContain(`from:    ${base}/dl/hello.mcpb`)
    expect(leftovers(t)).toHaveLength(1)
    expect(hits).toBeGreaterThanOrEqual(3)
  }, 60_000)

  it("mcp.lock records the bundle's sha256 (in its directory) and --locked notices another build (I35)", async () => {
    await using t = await tmpdir()
    const v1 = await helloBundle()
    const v2 = await helloBundle({}, [{ name: "NOTICE.txt", data: "same name and version, other bytes" }])
    await writeFile(join(t.path, "v1.mcpb"), v1)
    await writeFile(join(t.path, "v2.mcpb"), v2)
    const mcp = join(t.path, "mcp.json")
    expect((await agent(t, ["install", "./v1.mcpb", "--mcp", mcp, "--yes"])).code).toBe(0)
    expect((await agent(t, ["mcp", "lock", "--mcp", mcp])).code).toBe(0)
    expect(await readFile(join(t.path, "mcp.lock"), "utf8")).toContain(sha256(v1))
    expect((await agent(t, ["mcp", "list", "--locked", "--mcp", mcp])).code).toBe(0)

    const replaced = await agent(t, ["install", "./v2.mcpb", "--mcp", mcp, "--yes"])
    expect(replaced.code).toBe(0)
    expect(replaced.stderr).toContain('replaces the existing "hello-bundle"')
    // The old build's files went with the definition that ran them.
    expect(leftovers(t)).toEqual([`hello-bundle-1.0.0-${sha256(v2)}`])
    const locked = await agent(t, ["mcp", "list", "--locked", "--mcp", mcp])
    expect(locked.code).toBe(3)
    expect(locked.stderr).toContain("hello-bundle: cwd changed")
    expect(locked.stderr).toContain(`hello-bundle-1.0.0-${sha256(v2).slice(0, 7)}`)
  }, 60_000)

  it("agent mcp remove deletes the unpacked files, only when unused and only inside the bundles dir (I37)", async () => {
    await using t = await tmpdir()
    const file = join(t.path, "hello.mcpb")
    await writeFile(file, await helloBundle())
    expect((await agent(t, ["install", file, "--yes"])).code).toBe(0)
    expect((await agent(t, ["install", file, "--yes", "--name", "second"])).code).toBe(0)
    const [dir] = leftovers(t)
    // Another server still runs from it: kept.
    const first = await agent(t, ["mcp", "remove", "hello-bundle", "-o", "json"])
    expect(first.code).toBe(0)
    expect(first.json()).not.toHaveProperty("deletedBundle")
    expect(leftovers(t)).toEqual([dir!])
    const last = await agent(t, ["mcp", "remove", "second", "-o", "json"])
    expect(last.json()).toMatchObject({ deletedBundle: join(bundles(t), dir!) })
    expect(leftovers(t)).toEqual([])

    // A cwd outside the bundles dir (hand-edited, or a ".." trick) is never deleted.
    const outside = join(t.path, "precious")
    await t.write("precious/keep.txt", "keep")
    for (const cwd of [outside, join(bundles(t), "..", "..", "..", "precious"), bundles(t)]) {
      const add = await agent(t, ["mcp", "add-json", "x", JSON.stringify({ command: "node", cwd })])
      expect(add.code).toBe(0)
      expect((await agent(t, ["mcp", "remove", "x"])).code).toBe(0)
      expect(await readFile(join(outside, "keep.txt"), "utf8")).toBe("keep")
    }
  }, 60_000)
})
