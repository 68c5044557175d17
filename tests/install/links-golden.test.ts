// Install links compared with the exact strings the peers' own documentation shows or generates,
// not only round-tripped through our parser (which would also accept a link no peer could read).
// Both directions: formatInstallLink emits the golden link byte for byte, and parseInstallLink
// reads the golden link a user would copy from those docs. Goose links are only read: agent
// does not generate them.
import { describe, expect, it } from "bun:test"
import { formatInstallLink, parseInstallLink } from "../../src/install/index.ts"

// cursor.com/docs/mcp/install-links: the docs' postgres example through the docs' own generator
// (JSON.stringify the server entry, base64, then URL-encode), as quoted in
// forum.cursor.com/t/install-link-generator-for-mcp-servers-produces-invalid-config-parameter/128080.
const POSTGRES = {
  command: "npx",
  args: ["-y", "@modelcontextprotocol/server-postgres", "postgresql://localhost/mydb"],
}
const CURSOR_CONFIG =
  "eyJjb21tYW5kIjoibnB4IiwiYXJncyI6WyIteSIsIkBtb2RlbGNvbnRleHRwcm90b2NvbC9zZXJ2ZXItcG9zdGdyZXMiLCJwb3N0Z3Jlc3FsOi8vbG9jYWxob3N0L215ZGIiXX0%3D"
const CURSOR = `cursor://anysphere.cursor-deeplink/mcp/install?name=postgres&config=${CURSOR_CONFIG}`
const CURSOR_WEB = `https://cursor.com/en/install-mcp?name=postgres&config=${CURSOR_CONFIG}`

// VS Code MCP developer guide, "MCP URL handler": `vscode:mcp/install?${encodeURIComponent(JSON.stringify(obj))}`
// where obj is what `code --add-mcp` takes, e.g. {"name":"my-server","command":"uvx","args":["mcp-server-fetch"]}.
const FETCH = { command: "uvx", args: ["mcp-server-fetch"] }
const VSCODE =
  "vscode:mcp/install?%7B%22name%22%3A%22my-server%22%2C%22command%22%3A%22uvx%22%2C%22args%22%3A%5B%22mcp-server-fetch%22%5D%7D"

// kiro.dev/docs/mcp/share: createKiroInstallLink('aws-docs', {...}) and ('aws-knowledge', {...}), the docs' two examples.
const AWS_DOCS = {
  command: "uvx",
  args: ["awslabs.aws-documentation-mcp-server@latest"],
  env: { FASTMCP_LOG_LEVEL: "ERROR" },
  disabled: false,
  autoApprove: [],
}
const KIRO =
  "https://kiro.dev/launch/mcp/add?name=aws-docs&config=%7B%22command%22%3A%22uvx%22%2C%22args%22%3A%5B%22awslabs.aws-documentation-mcp-server%40latest%22%5D%2C%22env%22%3A%7B%22FASTMCP_LOG_LEVEL%22%3A%22ERROR%22%7D%2C%22disabled%22%3Afalse%2C%22autoApprove%22%3A%5B%5D%7D"
const AWS_KNOWLEDGE = { url: "https://knowledge-mcp.global.api.aws", disabled: false, autoApprove: [] }
const KIRO_REMOTE =
  "https://kiro.dev/launch/mcp/add?name=aws-knowledge&config=%7B%22url%22%3A%22https%3A%2F%2Fknowledge-mcp.global.api.aws%22%2C%22disabled%22%3Afalse%2C%22autoApprove%22%3A%5B%5D%7D"

describe("formatInstallLink emits exactly the link each peer's docs produce", () => {
  it("Cursor", () => expect(formatInstallLink("postgres", POSTGRES, "cursor")).toBe(CURSOR))
  it("VS Code", () => expect(formatInstallLink("my-server", FETCH, "vscode")).toBe(VSCODE))
  it("Kiro, local and remote", () => {
    expect(formatInstallLink("aws-docs", AWS_DOCS, "kiro")).toBe(KIRO)
    expect(formatInstallLink("aws-knowledge", AWS_KNOWLEDGE, "kiro")).toBe(KIRO_REMOTE)
  })
})

describe("parseInstallLink reads the links copied from each peer's docs", () => {
  it("Cursor's deeplink and its web link", () => {
    for (const link of [CURSOR, CURSOR_WEB])
      expect(parseInstallLink(link)).toMatchObject({ source: "cursor", name: "postgres", entry: POSTGRES })
  })

  it("VS Code", () =>
    expect(parseInstallLink(VSCODE)).toMatchObject({ source: "vscode", name: "my-server", entry: FETCH }))

  it("Kiro, local and remote", () => {
    expect(parseInstallLink(KIRO)).toMatchObject({ source: "kiro", name: "aws-docs", entry: AWS_DOCS })
    expect(parseInstallLink(KIRO_REMOTE)).toMatchObject({
      source: "kiro",
      name: "aws-knowledge",
      entry: AWS_KNOWLEDGE,
    })
  })

  // block/goose documentation/docs/getting-started/using-extensions.md ("Deeplinks": the StandardIO
  // example with its placeholders filled in, and the Streaming HTTP example) and the Brave Search
  // tutorial's "Launch the installer" link.
  it("Goose: the docs' stdio example, keeping the unencoded '/' the docs show", () => {
    const r = parseInstallLink(
      "goose://extension?cmd=npx&arg=-y&arg=%40modelcontextprotocol/server-github&timeout=300&id=github&name=GitHub&description=GitHub%20API",
    )
    expect(r).toMatchObject({ source: "goose", name: "github" })
    expect(r.entry).toEqual({
      description: "GitHub API",
      command: "npx",
      args: ["-y", "@modelcontextprotocol/server-github"],
      timeout: 300_000,
    })
  })

  it("Goose: a tutorial's link with an env variable and its description", () => {
    const r = parseInstallLink(
      "goose://extension?cmd=npx&arg=-y&arg=%40modelcontextprotocol%2Fserver-brave-search&id=brave-search&name=Brave%20Search&description=Brave%20Search%20API&env=BRAVE_API_KEY%3DYour%20API%20Key",
    )
    expect(r).toMatchObject({
      source: "goose",
      name: "brave-search",
      envDescriptions: { BRAVE_API_KEY: "Your API Key" },
    })
    expect(r.entry).toEqual({
      description: "Brave Search API",
      command: "npx",
      args: ["-y", "@modelcontextprotocol/server-brave-search"],
      env: { BRAVE_API_KEY: "${BRAVE_API_KEY}" },
    })
  })

  it("Goose: the docs' Streaming HTTP example", () => {
    const r = parseInstallLink(
      "goose://extension?url=https%3A%2F%2Fexample.com%2Fstreamable&type=streamable_http&timeout=300&id=example&name=Example&description=An%20example",
    )
    expect(r).toMatchObject({ source: "goose", name: "example" })
    expect(r.server).toMatchObject({ transport: "http", url: "https://example.com/streamable" })
  })
})
