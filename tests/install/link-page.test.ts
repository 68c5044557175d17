import { describe, expect, it } from "bun:test"
import { shellQuote, viewFragment } from "../../src/install/link-page.ts"
import { describeInstall, parseInstallLink } from "../../src/install/index.ts"

// The web install page's model: the fragment → the approval screen's lines, our link and the
// command, or a readable refusal. The page renders exactly this (tests/e2e/web-install-page.test.ts).
const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url")
const frag = (name: string, entry: unknown) => `#name=${encodeURIComponent(name)}&config=${b64url(entry)}`

describe("viewFragment (I16)", () => {
  it("shows the terminal screen's lines for the link, without the file and action lines", () => {
    const entry = { command: "npx", args: ["-y", "@modelcontextprotocol/server-filesystem", "."] }
    const view = viewFragment(frag("fs", entry))
    if (view.status !== "ok") throw new Error(view.message)
    const terminal = describeInstall(
      parseInstallLink(`agentrt://mcp/install?${frag("fs", entry).slice(1)}`),
      {
        file: "/x/mcp.json",
      },
    )
    expect(view.lines).toEqual(terminal.filter((l) => !/^(file|action):/.test(l)))
    expect(view.lines[0]).toBe('server:  "fs"  (from an agentrt link)')
  })

  it("masks secrets and escapes control and bidi characters like the terminal screen", () => {
    const view = viewFragment(
      frag("evil", {
        command: "npx",
        args: ["\u202eexe.txt", "a\nruns: rm -rf ~"],
        env: { API_KEY: "sk-live-0123456789abcdef", SAFE: "${HOME}" },
      }),
    )
    if (view.status !== "ok") throw new Error(view.message)
    const text = view.lines.join("\n")
    expect(text).not.toContain("sk-live-0123456789abcdef")
    expect(text).toContain("env:     API_KEY (fixed value from the link, hidden)")
    expect(text).toContain("\\u202e")
    expect(text).not.toContain("\u202e")
    expect(view.lines.some((l) => l.startsWith("runs: rm"))).toBe(false)
  })

  it("offers our re-encoded link and a shell-quoted `agent install` command for it", () => {
    const view = viewFragment(frag("time", { command: "uvx", args: ["it's"] }))
    if (view.status !== "ok") throw new Error(view.message)
    expect(view.link).toMatch(/^agentrt:\/\/mcp\/install\?name=time&config=[A-Za-z0-9_-]+$/)
    expect(view.command).toBe(`agent install '${view.link}'`)
    expect(parseInstallLink(view.link).entry).toEqual({ command: "uvx", args: ["it's"] })
  })

  it("accepts the fragment with or without the leading #, and percent-encoded JSON too", () => {
    const json = encodeURIComponent(JSON.stringify({ url: "https://mcp.example.com/mcp" }))
    for (const f of [`#name=r&config=${json}`, `name=r&config=${json}`]) {
      const view = viewFragment(f)
      expect(view).toMatchObject({ status: "ok", name: "r" })
      // Re-encoded from the checked entry, never the fragment's own text.
      if (view.status === "ok")
        expect(view.link).toBe(
          `agentrt://mcp/install?name=r&config=${b64url({ url: "https://mcp.example.com/mcp" })}`,
        )
    }
  })
})

describe("viewFragment refuses with a readable message (I17)", () => {
  const cases: [string, string, RegExp][] = [
    ["no fragment", "", /names no server/],
    ["only #", "#", /names no server/],
    ["bad base64", "#name=x&config=not*base64", /neither URL-encoded JSON nor valid base64/],
    ["a javascript: URL", frag("x", { url: "javascript:alert(1)" }), /URL scheme javascript: is not allowed/],
    ["a name that is a path", frag("../../.bashrc", { command: "npx" }), /server name/],
    ["an unknown key", frag("x", { command: "npx", '"><svg onload=alert(1)>': 1 }), /unknown key/],
    ["an unknown parameter", `${frag("x", { command: "npx" })}&autorun=1`, /unknown parameter/],
    ["a second #", `${frag("x", { command: "npx" })}#more`, /second "#"/],
    ["over 64 KB", frag("big", { command: "npx", args: ["x".repeat(70_000)] }), /limit is 64 KB/],
  ]
  for (const [what, fragment, reason] of cases) {
    it(what, () => {
      const view = viewFragment(fragment)
      expect(view.status).toBe("refused")
      if (view.status === "refused") {
        expect(view.message).toMatch(reason)
        // One line, no control or bidi character: text for textContent (markup in it stays text).
        expect(view.message).not.toMatch(/[\n\r\u0000-\u001f\u202e]/)
      }
    })
  }
})

describe("shellQuote", () => {
  it("single-quotes, and closes and escapes a quote inside", () => {
    expect(shellQuote("a b")).toBe("'a b'")
    expect(shellQuote("it's $(x) `y`")).toBe(`'it'\\''s $(x) \`y\`'`)
  })
})
