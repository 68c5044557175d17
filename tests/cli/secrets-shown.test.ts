import { describe, expect, it } from "bun:test"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { runCli } from "../helpers/cli.ts"
import { tmpdir } from "../helpers/tmp.ts"

// Black box, `bun src/main.ts`: the commands that print a server definition agree on what is
// secret (issue 18). Before the one presenter, `mcp add-json` printed a literal oauth.idToken
// and idpClientSecret in text and JSON, and no command masked credentials inside a URL.

const ID_TOKEN = "eyJhbGciOi.id-token-canary"
const IDP_SECRET = "idp-secret-canary"
const URL_KEY = "url-key-canary"
const URL_PW = "url-password-canary"
const CANARIES = [ID_TOKEN, IDP_SECRET, URL_KEY, URL_PW]

const XAA = {
  url: `https://alice:${URL_PW}@mcp.example.com/mcp?api_key=${URL_KEY}&region=eu`,
  oauth: {
    grant: "cross_app_access",
    clientId: "as-client",
    clientSecret: "${AS_SECRET}",
    idpIssuer: "https://idp.example.com",
    idpClientId: "idp-client",
    idpClientSecret: IDP_SECRET,
    idToken: ID_TOKEN,
  },
}

function expectNoCanary(out: string) {
  for (const c of CANARIES) expect(out).not.toContain(c)
}

describe("agent mcp add-json with literal credentials", () => {
  it("writes them as given but never prints them, in text or JSON", async () => {
    await using t = await tmpdir()
    const file = join(t.path, "mcp.json")
    const text = await runCli(["mcp", "add-json", "xaa", JSON.stringify(XAA), "--mcp", file], {
      home: t.home,
      cwd: t.path,
    })
    expect(text.code).toBe(0)
    expect(text.stdout).toContain(`added server "xaa" to ${file}`)
    expectNoCanary(text.stdout + text.stderr)
    expect(text.stdout).toContain("mcp.example.com")

    const json = await runCli(
      ["mcp", "add-json", "xaa", JSON.stringify(XAA), "--mcp", file, "--force", "-o", "json"],
      { home: t.home, cwd: t.path },
    )
    expect(json.code).toBe(0)
    expectNoCanary(json.stdout + json.stderr)
    const doc = json.json<{
      server: { url: string; oauth: Record<string, string> }
      previous: { oauth: Record<string, string> }
    }>()
    expect(doc.server.oauth).toMatchObject({
      idToken: "***",
      idpClientSecret: "***",
      clientSecret: "${AS_SECRET}",
      idpClientId: "idp-client",
    })
    expect(doc.previous.oauth).toMatchObject({ idToken: "***", idpClientSecret: "***" })
    expect(doc.server.url).toBe("https://alice:***@mcp.example.com/mcp?api_key=***&region=eu")

    // The file keeps the literal values: masking is for display only.
    const written = JSON.parse(await readFile(file, "utf8")).mcpServers.xaa
    expect(written.oauth.idToken).toBe(ID_TOKEN)
    expect(written.url).toBe(XAA.url)
  })
})

describe("agent config show", () => {
  it("masks oauth.idToken, oauth.idpClientSecret and URL credentials in text and JSON", async () => {
    await using t = await tmpdir({ files: { "mcp.json": { mcpServers: { xaa: XAA } } } })
    const text = await runCli(["config", "show", "--mcp", "mcp.json"], { home: t.home, cwd: t.path })
    const json = await runCli(["config", "show", "--mcp", "mcp.json", "-o", "json"], {
      home: t.home,
      cwd: t.path,
    })
    for (const r of [text, json]) {
      expect(r.code).toBe(0)
      expectNoCanary(r.stdout + r.stderr)
      expect(r.stdout).toContain("${AS_SECRET}")
    }
    const doc = json.json<{
      servers: { name: string; definition: { url: string; oauth: Record<string, string> } }[]
    }>()
    const def = doc.servers.find((s) => s.name === "xaa")!.definition
    expect(def.oauth).toMatchObject({ idToken: "***", idpClientSecret: "***", clientSecret: "${AS_SECRET}" })
    expect(def.url).toBe("https://alice:***@mcp.example.com/mcp?api_key=***&region=eu")
  })
})
