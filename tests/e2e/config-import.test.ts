import { describe, expect, it } from "bun:test"
import { statSync } from "node:fs"
import { copyFile, readFile } from "node:fs/promises"
import { basename, join } from "node:path"
// The ajv the MCP SDK (a devDependency) validates with; its own docs configure it this way.
import { Ajv } from "ajv"
import type { Peer } from "../../src/config/import.ts"
import { EXPECTED } from "../fixtures/peers/expected.ts"
import { ROOT, runCli } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"

// `agent config schema` and `agent mcp import` on the compiled binary, each run with its own
// AGENTRT_HOME, so the user config they read and write is <home>/config/mcp.json.
const PEERS = join(ROOT, "tests/fixtures/peers")
const agent = (t: TmpDir, args: string[]) => runCli(args, { home: t.home, cwd: t.path, binary: true })
const userConfig = (t: TmpDir) => join(t.home, "config", "mcp.json")

describe("compiled binary: agent config schema", () => {
  it("prints a valid draft-07 JSON Schema that accepts the peers' configs and rejects broken ones", async () => {
    await using t = await tmpdir()
    const r = await agent(t, ["config", "schema"])
    expect(r.code).toBe(0)
    expect(r.stderr).toBe("")
    const schema = r.json<{ $schema: string; properties: Record<string, unknown> }>()
    expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#")
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(["mcpServers", "servers", "mcp"]))

    const ajv = new Ajv({ strict: true, allErrors: true })
    expect(ajv.validateSchema(schema)).toBe(true) // against the draft-07 meta-schema
    const validate = ajv.compile(schema)
    for (const file of [
      "claude.mcp.json",
      "cursor.mcp.json",
      "kiro.mcp.json",
      "gemini.settings.json",
      "opencode.json",
    ]) {
      const doc = JSON.parse(await readFile(join(PEERS, file), "utf8"))
      expect({ file, valid: validate(doc), errors: validate.errors }).toEqual({
        file,
        valid: true,
        errors: null,
      })
    }
    expect(validate(JSON.parse(await readFile(join(ROOT, "mcp.example.json"), "utf8")))).toBe(true)
    expect(validate({ mcpServers: { x: { command: 42 } } })).toBe(false)
    expect(validate({ mcpServers: { x: { type: "carrier-pigeon", url: "https://x.example/mcp" } } })).toBe(
      false,
    )
    expect(
      validate({ mcpServers: { x: { url: "https://x.example/mcp", headers: "Authorization: y" } } }),
    ).toBe(false)
  }, 30_000)
})

describe("compiled binary: agent mcp import", () => {
  for (const peer of Object.keys(EXPECTED) as Peer[]) {
    it(`--from ${peer} FILE writes its servers into the user config and prints what it did`, async () => {
      await using t = await tmpdir()
      const src = join(t.path, basename(EXPECTED[peer].file))
      await copyFile(join(PEERS, EXPECTED[peer].file), src)
      const r = await agent(t, ["mcp", "import", "--from", peer, src, "--yes"])
      expect(r.code).toBe(0)

      const expected = JSON.parse(JSON.stringify(EXPECTED[peer].servers).replaceAll("/proj", t.path))
      expect(JSON.parse(await readFile(userConfig(t), "utf8"))).toEqual({ mcpServers: expected })
      expect(statSync(userConfig(t)).mode & 0o777).toBe(0o600)

      const names = Object.keys(expected)
      expect(r.stdout).toMatch(/^NAME +RESULT +FROM$/m)
      for (const name of names) expect(r.stdout).toMatch(new RegExp(`^${name} +added +${src}$`, "m"))
      expect(r.stderr).toContain(`${names.length} servers written to ${userConfig(t)} (user)`)

      // The written file is what agent loads from then on.
      const show = await agent(t, ["config", "show", "-o", "json"])
      expect(show.code).toBe(0)
      expect(JSON.stringify(show.json())).toContain(userConfig(t))
      for (const name of names) expect(JSON.stringify(show.json())).toContain(`"${name}"`)
    }, 30_000)
  }

  it("a second import skips the names it already has, and --force replaces them", async () => {
    await using t = await tmpdir()
    const src = join(t.path, "cursor.mcp.json")
    await copyFile(join(PEERS, "cursor.mcp.json"), src)
    expect((await agent(t, ["mcp", "import", "--from", "cursor", src, "--yes"])).code).toBe(0)
    const before = await readFile(userConfig(t), "utf8")

    // Nothing would be written, so there is nothing to approve: no --yes needed.
    const again = await agent(t, ["mcp", "import", "--from", "cursor", src])
    expect(again.code).toBe(0)
    expect(again.stdout).toMatch(/^linear +skipped +/m)
    expect(again.stdout).toContain("linear: skipped: already in")
    expect(again.stderr).toContain("0 servers written")
    expect(await readFile(userConfig(t), "utf8")).toBe(before)

    const forced = await agent(t, [
      "mcp",
      "import",
      "--from",
      "cursor",
      src,
      "--force",
      "--yes",
      "-o",
      "json",
    ])
    expect(forced.code).toBe(0)
    const report = forced.json<{ imported: { name: string; action: string }[] }>()
    expect(report.imported.map((i) => i.action)).toEqual(["replaced", "replaced", "replaced"])
  }, 30_000)
})
