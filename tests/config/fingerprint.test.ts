// C03: an approval is bound to the server's fingerprint, so every field that changes what runs
// or where a secret goes must change it. One row per field: leaving any field out of the hash
// fails its row. Definitions go through the real config parser, as a user's file would.
import { describe, expect, it } from "bun:test"
import { join } from "node:path"
import { fingerprintServer, parseConfigFile } from "../../src/config/index.ts"
import { tmpdir } from "../helpers/tmp.ts"

const LOCAL = { command: "npx", args: ["-y", "pkg"], env: { API_KEY: "${API_KEY}" }, cwd: "/srv/w" }
const REMOTE = {
  url: "https://mcp.example.com/mcp",
  headers: { Authorization: "Bearer ${TOKEN}" },
  oauth: { clientId: "c1", scopes: ["read"] },
}

// [what changed, base definition, changed definition]
const CHANGES: [string, object, object][] = [
  ["the command", LOCAL, { ...LOCAL, command: "uvx" }],
  ["an argument", LOCAL, { ...LOCAL, args: ["-y", "evil-pkg"] }],
  ["an added argument", LOCAL, { ...LOCAL, args: ["-y", "pkg", "--allow-all"] }],
  ["the argument order", LOCAL, { ...LOCAL, args: ["pkg", "-y"] }],
  ["an env value's text", LOCAL, { ...LOCAL, env: { API_KEY: "${OTHER_SECRET}" } }],
  ["an added env variable", LOCAL, { ...LOCAL, env: { ...LOCAL.env, NODE_OPTIONS: "--require /tmp/x.js" } }],
  ["the working directory", LOCAL, { ...LOCAL, cwd: "/tmp" }],
  ["the url", REMOTE, { ...REMOTE, url: "https://evil.example/mcp" }],
  ["a header value", REMOTE, { ...REMOTE, headers: { Authorization: "Bearer ${OTHER}" } }],
  ["an added header", REMOTE, { ...REMOTE, headers: { ...REMOTE.headers, "X-Forward-To": "evil.example" } }],
  ["the OAuth client", REMOTE, { ...REMOTE, oauth: { ...REMOTE.oauth, clientId: "c2" } }],
]

async function fingerprintOf(def: object, name = "s"): Promise<string> {
  await using t = await tmpdir({ files: { "mcp.json": { mcpServers: { [name]: def } } } })
  return parseConfigFile(join(t.path, "mcp.json"), "file").servers[0]!.fingerprint
}

describe("fingerprintServer (C03)", () => {
  for (const [what, base, changed] of CHANGES) {
    it(`C03: changing ${what} voids the approval (a new fingerprint)`, async () => {
      expect(await fingerprintOf(changed)).not.toBe(await fingerprintOf(base))
    })
  }

  it("C03: the server's name is part of it", async () => {
    expect(await fingerprintOf(LOCAL, "a")).not.toBe(await fingerprintOf(LOCAL, "b"))
  })

  it("C03: key order and a re-read of the same file do not change it", async () => {
    const reordered = { cwd: LOCAL.cwd, env: LOCAL.env, args: LOCAL.args, command: LOCAL.command }
    expect(await fingerprintOf(reordered)).toBe(await fingerprintOf(LOCAL))
    expect(await fingerprintOf(LOCAL)).toBe(await fingerprintOf(LOCAL))
  })

  it("C03: a secret's value is not part of it (the definition is hashed uninterpolated)", async () => {
    await using t = await tmpdir({ files: { "mcp.json": { mcpServers: { s: LOCAL } } } })
    const s = parseConfigFile(join(t.path, "mcp.json"), "file").servers[0]!
    expect(fingerprintServer("s", s.server)).toBe(s.fingerprint)
    expect(JSON.stringify(s.server)).toContain("${API_KEY}")
  })
})
