import { describe, expect, it } from "bun:test"
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { helloBundle } from "../fixtures/bundles/build.ts"
import { SHA, seedDocuments } from "../fixtures/registry/documents.ts"
import { startRegistry } from "../fixtures/registry/server.ts"
import { runCli } from "../helpers/cli.ts"
import { refusedPort } from "../helpers/ports.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"

// Black box: `agent mcp search`, `agent install REGISTRY_NAME`, `agent mcp outdated|update`
// against the fixture registry (docs/registry.md; I20, I21, I22).

/** A PATH holding only these (empty) programs, so the choice of package does not depend on this machine. */
async function pathWith(t: TmpDir, programs: string[]): Promise<string> {
  const bin = join(t.path, "bin")
  await mkdir(bin, { recursive: true })
  for (const p of programs) {
    await writeFile(join(bin, p), "#!/bin/sh\nexit 0\n")
    await chmod(join(bin, p), 0o755)
  }
  return bin
}

const run = (t: TmpDir, args: string[], env: Record<string, string> = {}) =>
  runCli(args, { home: t.home, cwd: t.path, env: { AGENTRT_REGISTRY_RETRY_MS: "1", ...env } })
const userFile = (t: TmpDir) => join(t.home, "config", "mcp.json")
const readJson = async (file: string) => JSON.parse(await readFile(file, "utf8"))

describe("agent mcp search", () => {
  it("lists name, version, description, how it runs and whether it is the latest (json)", async () => {
    await using reg = await startRegistry()
    await using t = await tmpdir()
    const r = await run(t, ["mcp", "search", "weather", "--registry", reg.url, "--output", "json"])
    expect(r.code).toBe(0)
    expect(r.json()).toEqual({
      registry: reg.url,
      servers: [
        {
          name: "io.github.example/weather",
          version: "1.2.0",
          description: "Weather forecasts and alerts from OpenWeatherMap",
          runs: "npm, pypi, remote (streamable-http)",
          isLatest: true,
          status: "active",
        },
      ],
    })
  })

  it("pages with --limit and --cursor, and follows every page with --all", async () => {
    await using reg = await startRegistry()
    await using t = await tmpdir()
    const first = await run(t, ["mcp", "search", "example", "--registry", reg.url, "--limit", "2"])
    expect(first.code).toBe(0)
    expect(first.stdout).toContain(
      "io.github.example/weather  1.2.0 (latest)  runs: npm, pypi, remote (streamable-http)\n",
    )
    const cursor = /--cursor (\S+)/.exec(first.stdout)![1]!
    const second = await run(t, [
      "mcp",
      "search",
      "example",
      "--registry",
      reg.url,
      "--limit",
      "2",
      "--cursor",
      cursor,
      "-o",
      "json",
    ])
    expect(second.json<{ servers: { name: string }[] }>().servers[0]!.name).toBe("io.github.example/db-tool")
    const all = await run(t, [
      "mcp",
      "search",
      "example",
      "--registry",
      reg.url,
      "--limit",
      "2",
      "--all",
      "-o",
      "json",
    ])
    const doc = all.json<{ servers: unknown[]; nextCursor?: string }>()
    expect(doc.servers).toHaveLength(7)
    expect(doc.nextCursor).toBeUndefined()
  })

  it("escapes what the registry says before it reaches the terminal (I20)", async () => {
    await using reg = await startRegistry()
    await using t = await tmpdir()
    const r = await run(t, ["mcp", "search", "hostile", "--registry", reg.url])
    expect(r.code).toBe(0)
    expect(r.stdout).not.toContain("\u001b")
    expect(r.stdout).not.toContain("\u202e")
    expect(r.stdout).toContain("Totally safe \\x1b[2J\\x1b]8;;https://evil.example\\x07click\\u202e")
  })

  it("searches every registry of the list; the first registry's entry wins a name; one that is down is passed", async () => {
    const docs = seedDocuments()
    const weather = docs.filter((d) => d.name === "io.github.example/weather")
    await using priv = await startRegistry({
      documents: docs
        .map((d) => (d.name === "io.github.example/weather" ? { ...d, description: "the private copy" } : d))
        .filter((d) => d.name === "io.github.example/weather" || d.name === "io.github.example/notes"),
    })
    await using pub = await startRegistry({ documents: weather })
    await using t = await tmpdir()
    const r = await run(t, ["mcp", "search", "", "--output", "json"], {
      AGENTRT_REGISTRY: `${priv.url},${pub.url}`,
    })
    expect(r.code).toBe(0)
    const out = r.json<{
      registries: string[]
      servers: { name: string; registry: string; description: string }[]
    }>()
    expect(out.registries).toEqual([priv.url, pub.url])
    expect(pub.requests.length).toBeGreaterThan(0)
    const byName = Object.fromEntries(out.servers.map((s) => [s.name, s]))
    expect(Object.keys(byName).sort()).toEqual(["io.github.example/notes", "io.github.example/weather"])
    expect(byName["io.github.example/weather"]).toMatchObject({
      registry: priv.url,
      description: "the private copy",
    })

    using dead = refusedPort()
    const text = await run(t, ["mcp", "search", "weather"], { AGENTRT_REGISTRY: `${dead.url},${pub.url}` })
    expect(text.code).toBe(0)
    expect(text.stderr).toContain(`cannot reach the MCP registry at ${dead.url}`)
    expect(text.stderr).toContain("searching the other registries")
    expect(text.stdout).toContain(`io.github.example/weather  1.2.0 (latest)`)
    expect(text.stdout).toContain(`from ${pub.url}`)
  })

  it("warns about malformed entries and lists the rest", async () => {
    await using reg = await startRegistry()
    await using t = await tmpdir()
    const r = await run(t, ["mcp", "search", "malformed", "--registry", reg.url])
    expect(r.code).toBe(0)
    expect(r.stderr).toContain("left out 3 malformed entries the registry sent")
  })

  it("offline: one error line and a hint, exit 5", async () => {
    using dead = refusedPort()
    await using t = await tmpdir()
    const r = await run(t, ["mcp", "search", "x"], { AGENTRT_REGISTRY: dead.url })
    expect(r.code).toBe(5)
    expect(r.stderr).toContain(`error: cannot reach the MCP registry at ${dead.url}`)
    expect(r.stderr).toContain(
      "hint: check the address and your connection, or pick another with --registry URL or AGENTRT_REGISTRY",
    )
    expect(r.stderr).not.toContain("    at ")
  })
})

describe("agent install REGISTRY_NAME", () => {
  it("chooses the package whose runtime is on PATH, says why, and writes it with its origin", async () => {
    await using reg = await startRegistry()
    await using t = await tmpdir()
    const PATH = await pathWith(t, ["uvx"])
    const r = await run(t, ["install", "io.github.example/weather", "--registry", reg.url, "--yes"], { PATH })
    expect(r.code).toBe(0)
    expect(r.stderr).toContain(
      `server:  "weather"  (io.github.example/weather 1.2.0, latest, from the registry ${reg.url})`,
    )
    expect(r.stderr).toContain(
      "chosen:  pypi package weather-mcp: uvx is on PATH (skipped npm: npx not found on PATH)",
    )
    expect(r.stderr).toContain("runs:    uvx weather-mcp==1.2.0")
    expect(r.stderr).toContain("WEATHER_API_KEY: OpenWeatherMap API key; secret")
    expect(await readJson(userFile(t))).toEqual({
      mcpServers: {
        weather: {
          command: "uvx",
          args: ["weather-mcp==1.2.0"],
          env: { WEATHER_API_KEY: "${WEATHER_API_KEY}" },
          registry: {
            url: reg.url,
            name: "io.github.example/weather",
            version: "1.2.0",
            type: "pypi",
            identifier: "weather-mcp",
          },
        },
      },
    })
    expect(r.stdout).toContain("still needs approval: WEATHER_API_KEY")
  })

  it("NAME@VERSION, --package, --name and --dry-run (nothing written)", async () => {
    await using reg = await startRegistry()
    await using t = await tmpdir()
    const r = await run(t, [
      "install",
      "io.github.example/weather@1.0.0",
      "--registry",
      reg.url,
      "--package",
      "npm",
      "--name",
      "wx",
      "--dry-run",
      "-o",
      "json",
    ])
    expect(r.code).toBe(0)
    const doc = r.json<{
      name: string
      source: string
      dryRun: boolean
      registry: { version: string; isLatest: boolean }
    }>()
    expect(doc).toMatchObject({
      name: "wx",
      source: "registry",
      dryRun: true,
      registry: { version: "1.0.0", isLatest: false },
    })
    expect(r.stderr).toContain("1.0.0, not the latest version")
    expect(r.stderr).toContain("chosen:  npm package @example/weather-mcp: chosen with --package npm")
    expect(existsSync(userFile(t))).toBe(false)
  })

  it("takes the remote when no runtime is here; AGENTRT_REGISTRY picks the registry", async () => {
    await using reg = await startRegistry()
    await using t = await tmpdir()
    const PATH = await pathWith(t, [])
    const r = await run(t, ["install", "io.github.example/weather", "--yes"], {
      PATH,
      AGENTRT_REGISTRY: reg.url,
    })
    expect(r.code).toBe(0)
    const entry = (await readJson(userFile(t))).mcpServers.weather
    expect(entry.url).toBe("https://weather.example.com/mcp")
    expect(entry.headers).toEqual({ Authorization: "Bearer ${TOKEN}" })
  })

  it("asks the registries in config order; the first that has the name answers", async () => {
    await using empty = await startRegistry({ documents: [] })
    await using reg = await startRegistry()
    await using t = await tmpdir()
    await t.write("agentrt-home/config/mcp.json", { registries: [empty.url, reg.url], mcpServers: {} })
    await chmod(join(t.home, "config"), 0o700)
    await chmod(userFile(t), 0o600)
    const r = await run(t, ["install", "io.github.example/notes", "--yes"])
    expect(r.code).toBe(0)
    expect(empty.requests.map((q) => q.status)).toEqual([404])
    expect((await readJson(userFile(t))).mcpServers.notes.registry.url).toBe(reg.url)
  })

  it("mcpb: downloads the bundle, checks the registry's fileSha256 and records the origin (I35)", async () => {
    const bytes = await helloBundle()
    const sha = new Bun.CryptoHasher("sha256").update(bytes).digest("hex")
    using files = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(bytes) })
    const identifier = `http://127.0.0.1:${files.port}/editor.mcpb`
    const editor = (fileSha256: string) =>
      seedDocuments().map((d) =>
        d.name === "io.github.example/editor"
          ? { ...d, packages: [{ registryType: "mcpb", identifier, version: "1.0.2", fileSha256 }] }
          : d,
      )
    await using t = await tmpdir()
    await using wrong = await startRegistry({ documents: editor(SHA) })
    const refused = await run(t, ["install", "io.github.example/editor", "--registry", wrong.url, "--yes"])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain(`its sha256 is ${sha}, not the expected ${SHA}`)
    expect(existsSync(userFile(t))).toBe(false)

    await using reg = await startRegistry({ documents: editor(sha) })
    // docs/policy.md: a registry mcpb package is judged by its registry name, not as a link.
    const policy = await t.write("policy.json", { deny: { names: ["io.github.example/editor"] } })
    const blocked = await run(t, ["install", "io.github.example/editor", "--registry", reg.url, "--yes"], {
      AGENTRT_POLICY: policy,
    })
    expect(blocked.code).toBe(6)
    expect(blocked.stderr).toContain('deny.names[0] "io.github.example/editor"')
    expect(existsSync(userFile(t))).toBe(false)
    const linksOff = await t.write("links-off.json", { allowInstallLinks: false })
    const admitted = await run(
      t,
      ["install", "io.github.example/editor", "--registry", reg.url, "--dry-run"],
      {
        AGENTRT_POLICY: linksOff,
      },
    )
    expect(admitted.code).toBe(0)

    const r = await run(t, ["install", "io.github.example/editor", "--registry", reg.url, "--yes"])
    expect(r.code).toBe(0)
    expect(r.stderr).toContain("(matches --sha256)")
    const entry = (await readJson(userFile(t))).mcpServers["hello-bundle"]
    expect(entry.registry).toEqual({
      url: reg.url,
      name: "io.github.example/editor",
      version: "1.0.2",
      type: "mcpb",
      identifier,
      digest: `sha256:${sha}`,
    })
    expect(entry.cwd).toBe(join(t.home, "state", "bundles", `hello-bundle-1.0.0-${sha}`))
  }, 60_000)

  it("hostile registry text is escaped on the screen and stays literal in the entry (I20, I21)", async () => {
    await using reg = await startRegistry()
    await using t = await tmpdir()
    const PATH = await pathWith(t, ["npx"])
    const r = await run(t, ["install", "io.github.example/hostile", "--registry", reg.url, "--dry-run"], {
      PATH,
    })
    expect(r.code).toBe(0)
    expect(r.stderr).not.toContain("\u001b")
    expect(r.stderr).toContain("variables: none")
    expect(r.stdout).toContain('"$${AWS_SECRET_ACCESS_KEY}"')
  })

  it("without a terminal or --yes nothing is installed (exit 3)", async () => {
    await using reg = await startRegistry()
    await using t = await tmpdir()
    const r = await run(t, ["install", "io.github.example/notes", "--registry", reg.url])
    expect(r.code).toBe(3)
    expect(existsSync(userFile(t))).toBe(false)
  })

  it("a link may not claim a registry origin (I22)", async () => {
    await using t = await tmpdir()
    const config = Buffer.from(
      JSON.stringify({
        url: "https://x.example.com/mcp",
        registry: { url: "https://r.example.com", name: "a.b/c", version: "1" },
      }),
    ).toString("base64url")
    const r = await run(t, ["install", `agentrt://mcp/install?name=x&config=${config}`, "--yes"])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('"registry" is set by agent install NAME only')
  })
})

describe("agent mcp outdated / update", () => {
  async function installed(t: TmpDir, url: string, version: string) {
    const PATH = await pathWith(t, ["npx"])
    const r = await run(t, ["install", `io.github.example/weather@${version}`, "--registry", url, "--yes"], {
      PATH,
    })
    expect(r.code).toBe(0)
    return PATH
  }

  it("lists a registry server with a newer version", async () => {
    await using reg = await startRegistry()
    await using t = await tmpdir()
    await installed(t, reg.url, "1.0.0")
    const r = await run(t, ["mcp", "outdated", "-o", "json"])
    expect(r.code).toBe(0)
    expect(r.json()).toEqual({
      servers: [
        {
          server: "weather",
          registry: reg.url,
          name: "io.github.example/weather",
          installed: "1.0.0",
          latest: "1.2.0",
          isOutdated: true,
        },
      ],
    })
    const text = await run(t, ["mcp", "outdated"])
    expect(text.stdout).toContain("weather  io.github.example/weather  1.0.0      1.2.0")
  })

  it("update shows the change on the approval screen, then rewrites the entry and the lock", async () => {
    await using reg = await startRegistry()
    await using t = await tmpdir()
    const PATH = await installed(t, reg.url, "1.0.0")
    const lock = {
      lockfileVersion: 2,
      servers: {
        weather: {
          command: "npx",
          args: ["-y", "@example/weather-mcp@1.0.0", "--units", "metric"],
          env: ["WEATHER_API_KEY", "WEATHER_LANG"],
          registry: {
            url: reg.url,
            name: "io.github.example/weather",
            version: "1.0.0",
            type: "npm",
            identifier: "@example/weather-mcp",
          },
          tools: {},
        },
      },
    }
    await t.write("mcp.lock", lock)
    const dry = await run(t, ["mcp", "update", "weather", "--dry-run"], { PATH })
    expect(dry.code).toBe(0)
    expect(dry.stderr).toContain('action:  replaces the existing "weather"')
    expect(dry.stderr).toContain(
      "chosen:  npm package @example/weather-mcp: the way it was installed; updating from 1.0.0",
    )
    expect(dry.stderr).toContain('    - registry.version: "1.0.0"\n    + registry.version: "1.2.0"')
    expect(dry.stderr).toContain('    + args[1]: "@example/weather-mcp@1.2.0"')
    const r = await run(t, ["mcp", "update", "weather", "--yes"], { PATH })
    expect(r.code).toBe(0)
    const entry = (await readJson(userFile(t))).mcpServers.weather
    expect(entry.args).toEqual(["-y", "@example/weather-mcp@1.2.0", "--units", "metric"])
    expect(entry.registry.version).toBe("1.2.0")
    const written = await readJson(join(t.path, "mcp.lock"))
    expect(written.servers.weather.registry.version).toBe("1.2.0")
    expect(written.servers.weather.args[1]).toBe("@example/weather-mcp@1.2.0")
    const again = await run(t, ["mcp", "update", "weather"], { PATH })
    expect(again.stdout).toContain('"weather" is up to date (io.github.example/weather 1.2.0)')
  })

  it("updates a project server in the project file it is in (.agentrt/mcp.json)", async () => {
    await using reg = await startRegistry()
    await using t = await tmpdir()
    const origin = { url: reg.url, name: "io.github.example/notes", version: "0.1.0", type: "sse" }
    await t.write(".agentrt/mcp.json", {
      mcpServers: { notes: { type: "sse", url: "https://notes.example.com/sse", registry: origin } },
    })
    const r = await run(t, ["mcp", "update", "notes", "--yes"])
    expect(r.code).toBe(0)
    const written = await readJson(join(t.path, ".agentrt", "mcp.json"))
    expect(written.mcpServers.notes.registry.version).toBe("0.3.0")
    expect(written.mcpServers.notes.headers).toEqual({ "X-API-Key": "${X_API_KEY}" })
    expect(existsSync(join(t.path, ".mcp.json"))).toBe(false)
  })

  it("refuses a server not installed from a registry", async () => {
    await using t = await tmpdir()
    await run(t, ["mcp", "add", "fs", "--", "npx", "-y", "x"])
    const r = await run(t, ["mcp", "update", "fs"])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('error: "fs" was not installed from an MCP registry')
  })
})
