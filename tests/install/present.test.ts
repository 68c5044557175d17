import { describe, expect, it } from "bun:test"
import { describeInstall, parseInstallLink, type InstallRequest } from "../../src/install/index.ts"

const enc = encodeURIComponent
const kiro = (name: string, config: unknown): InstallRequest =>
  parseInstallLink(`https://kiro.dev/launch/mcp/add?name=${enc(name)}&config=${enc(JSON.stringify(config))}`)
const FILE = "/home/u/.config/agentrt/mcp.json"

function assertTerminalSafe(lines: string[]): void {
  for (const line of lines) {
    // No C0/C1 controls (incl. ESC and newline), no bidi overrides, no zero-width characters.
    expect(line).not.toMatch(
      /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]/,
    )
  }
}

describe("describeInstall escapes everything a link controls (I03)", () => {
  it("shows ESC[2K, U+202E and zero-width characters in args as escapes, never raw", () => {
    const req = kiro("x", {
      command: "npx",
      args: ["-y", "\u001b[2Kinnocent", "safe\u202etxt.exe", "zero\u200bwidth", "two\nlines", "tab\there"],
    })
    const lines = describeInstall(req, { file: FILE })
    assertTerminalSafe(lines)
    const text = lines.join("\n")
    expect(text).not.toContain("\x1b")
    expect(text).not.toContain("\u202e")
    expect(text).not.toContain("\u200b")
    expect(text).toContain("\\x1b[2Kinnocent")
    expect(text).toContain("\\u202e")
    expect(text).toContain("\\u200b")
    expect(text).toContain("two\\nlines")
    expect(lines.length).toBe(new Set(lines).size) // a newline in an arg cannot forge a line
  })

  it("escapes control characters in header values, urls, descriptions and cwd", () => {
    const remote = kiro("r", {
      url: "https://a.example/mcp?\u202e=1",
      headers: { "X-Trace": "${T}\u001b]52;c;AAAA\u0007" },
      description: "nice\u001b[31m red",
    })
    const local = kiro("l", { command: "npx", cwd: "/tmp/\u001bx", env: { K: "${V}" } })
    for (const req of [remote, local]) assertTerminalSafe(describeInstall(req, { file: FILE }))
  })
})

describe("describeInstall content", () => {
  it("shows the exact name, the command and each argument quoted for display", () => {
    const req = kiro("files", {
      command: "npx",
      args: ["-y", "@modelcontextprotocol/server-filesystem", "/my docs"],
    })
    const lines = describeInstall(req, { file: FILE })
    expect(lines[0]).toContain('"files"')
    expect(lines[0]).toContain("Kiro")
    expect(lines).toContain("runs:    npx -y @modelcontextprotocol/server-filesystem '/my docs'")
    expect(lines).toContain("arg 3:   '/my docs'")
    expect(lines).toContain(`file:    ${FILE}`)
    expect(lines).toContain('action:  adds "files"')
  })

  it("shows a shell-looking command verbatim and says it is not run through a shell (I01)", () => {
    const lines = describeInstall(kiro("x", { command: "npx; curl x|sh" }), { file: FILE })
    expect(lines).toContain("command: 'npx; curl x|sh'")
    expect(lines.some((l) => l.includes("never through a shell"))).toBe(true)
  })

  it("masks header values unless they are only ${VAR} references", () => {
    const req = kiro("gh", {
      url: "https://api.githubcopilot.com/mcp/",
      headers: {
        Authorization: "Bearer ${GITHUB_TOKEN}",
        "X-Api-Key": "sk-live-abcdef123456",
        "X-Mixed": "key-${PART}-suffix",
      },
    })
    const text = describeInstall(req, { file: FILE }).join("\n")
    expect(text).toContain("header:  Authorization: Bearer ${GITHUB_TOKEN}")
    expect(text).toContain("header:  X-Api-Key: ***")
    expect(text).toContain("header:  X-Mixed: ***")
    expect(text).not.toContain("sk-live-abcdef123456")
    expect(text).toContain("host:    api.githubcopilot.com")
  })

  it("says where a jwt_bearer server reads the workload JWT: the file path, or GitHub Actions, or a variable (O21)", () => {
    const line = (oauth: object) =>
      describeInstall(kiro("ci", { url: "https://mcp.example.com/mcp", oauth }), { file: FILE }).find((l) =>
        l.startsWith("oauth:"),
      )
    expect(line({ grant: "jwt_bearer", assertionFile: "/var/run/secrets/tokens/mcp", dpop: true })).toBe(
      "oauth:   workload JWT (jwt-bearer) from the file /var/run/secrets/tokens/mcp, DPoP",
    )
    expect(
      line({ grant: "jwt_bearer", assertionFrom: "github-actions", audience: "https://auth.example.com" }),
    ).toBe(
      "oauth:   workload JWT (jwt-bearer) from GitHub Actions' OIDC service (audience https://auth.example.com)",
    )
    expect(line({ grant: "jwt_bearer", assertion: "${CI_JWT}", clientId: "ci" })).toBe(
      "oauth:   workload JWT (jwt-bearer) from a variable, client ci",
    )
  })

  it("lists env names with descriptions, never literal values, and the variables to approve (I07)", () => {
    const req = kiro("x", { command: "npx", env: { API_KEY: "sk-live-1234567890abcdef", H: "${HOME}" } })
    const text = describeInstall(req, { file: FILE }).join("\n")
    expect(text).not.toContain("sk-live-1234567890abcdef")
    expect(text).toContain("env:     API_KEY (fixed value from the link, hidden)")
    expect(text).toContain("env:     H = ${HOME}")
    expect(text).toMatch(/variables: HOME .*own approval/)
  })

  it("shows Goose env descriptions next to the variable names", () => {
    const req = parseInstallLink(
      "goose://extension?cmd=npx&arg=-y&arg=pkg&id=gh&env=GITHUB_TOKEN%3DYour%20GitHub%20token",
    )
    const lines = describeInstall(req, { file: FILE })
    expect(lines).toContain("env:     GITHUB_TOKEN = ${GITHUB_TOKEN}  — Your GitHub token")
    expect(lines).toContain("  GITHUB_TOKEN: Your GitHub token")
    expect(lines[0]).toContain("Goose")
  })

  it("warns when a link asks to auto-approve tools", () => {
    const lines = describeInstall(kiro("x", { command: "npx", autoApprove: ["*"] }), { file: FILE })
    expect(lines.some((l) => l.startsWith("warning:") && l.includes("ALL tools"))).toBe(true)
  })
})

describe("describeInstall against an existing server (I05)", () => {
  it("says it replaces and shows a line diff of the old and new definitions", () => {
    const old = kiro("x", {
      command: "npx",
      args: ["-y", "pkg@1"],
      env: { TOKEN: "old-secret-value" },
    }).server
    const req = kiro("x", {
      command: "npx",
      args: ["-y", "pkg@2", "--evil"],
      env: { TOKEN: "new-secret-value" },
    })
    const lines = describeInstall(req, { file: FILE, existing: old })
    expect(lines).toContain('action:  replaces the existing "x"')
    expect(lines).toContain("changes:")
    expect(lines).toContain('  - args[1]: "pkg@1"')
    expect(lines).toContain('  + args[1]: "pkg@2"')
    expect(lines).toContain('  + args[2]: "--evil"')
    expect(lines).toContain("  ~ env.TOKEN: value changed (hidden)")
    const text = lines.join("\n")
    expect(text).not.toContain("old-secret-value")
    expect(text).not.toContain("new-secret-value")
  })

  it("says when nothing changes", () => {
    const req = kiro("x", { command: "npx" })
    expect(describeInstall(req, { file: FILE, existing: req.server })).toContain(
      "changes: none (same definition)",
    )
  })

  it("escapes control characters inside the diff", () => {
    const old = kiro("x", { command: "npx", args: ["a"] }).server
    const lines = describeInstall(kiro("x", { command: "npx", args: ["\u001b[2K\u202e\u200b"] }), {
      file: FILE,
      existing: old,
    })
    assertTerminalSafe(lines)
  })
})
