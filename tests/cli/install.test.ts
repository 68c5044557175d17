import { describe, expect, it } from "bun:test"
import { existsSync, readdirSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { formatInstallLink } from "../../src/install/index.ts"
import { runCli, runCliTty } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"
import { witnessServer } from "../helpers/witness.ts"

// Black box: `bun src/main.ts install …` with AGENTRT_HOME and HOME in a temp dir (docs/design.md §8, I01-I08).
const run = (t: TmpDir, args: string[], env: Record<string, string> = {}) =>
  runCli(args, { home: t.home, cwd: t.path, env })
const install = (t: TmpDir, args: string[]) => run(t, ["install", ...args])
const tty = (t: TmpDir, args: string[], input: string[]) =>
  runCliTty(["install", ...args], { home: t.home, cwd: t.path, input })
const userFile = (t: TmpDir) => join(t.home, "config", "mcp.json")
const readJson = async (file: string) => JSON.parse(await readFile(file, "utf8"))
const enc = encodeURIComponent
const b64 = (x: unknown) => Buffer.from(JSON.stringify(x)).toString("base64url")
const agentrtLink = (name: string, config: unknown) =>
  `agentrt://mcp/install?name=${enc(name)}&config=${b64(config)}`
/** Every file under the temp dir (HOME), so a test can show a refused install wrote nothing anywhere; bun's own cache aside. */
const tree = (t: TmpDir) =>
  (readdirSync(t.path, { recursive: true }) as string[]).filter((f) => !f.startsWith(".bun")).sort()

const ENTRY = {
  command: "npx",
  args: ["-y", "@modelcontextprotocol/server-memory"],
  env: { API_KEY: "${API_KEY}" },
}

const LINKS: Record<string, string> = {
  agentrt: formatInstallLink("mem", ENTRY, "agentrt"),
  cursor: formatInstallLink("mem", ENTRY, "cursor"),
  "cursor.com": `https://cursor.com/en/install-mcp?name=mem&config=${enc(Buffer.from(JSON.stringify(ENTRY)).toString("base64"))}`,
  vscode: formatInstallLink("mem", ENTRY, "vscode"),
  "vscode.dev": `https://vscode.dev/redirect/mcp/install?name=mem&config=${enc(JSON.stringify(ENTRY))}`,
  kiro: formatInstallLink("mem", ENTRY, "kiro"),
  goose:
    "goose://extension?cmd=npx&arg=-y&arg=%40modelcontextprotocol%2Fserver-memory&id=mem&env=API_KEY%3DAn%20API%20key",
}

describe("agent install LINK", () => {
  for (const [format, link] of Object.entries(LINKS)) {
    it(`installs a ${format} link the same way`, async () => {
      await using t = await tmpdir()
      const r = await install(t, [link, "--yes"])
      expect(r.code).toBe(0)
      expect(r.stderr).toContain('server:  "mem"')
      expect(r.stderr).toContain("runs:    npx -y @modelcontextprotocol/server-memory")
      expect(r.stderr).toContain(`file:    ${userFile(t)}`)
      expect(r.stdout).toContain(`installed "mem" into ${userFile(t)} (user scope)`)
      expect(r.stdout).toContain(
        "still needs approval: API_KEY (run: agent env approve API_KEY --server mem)",
      )
      expect(await readJson(userFile(t))).toEqual({ mcpServers: { mem: ENTRY } })
    })
  }

  it("prints one JSON document with --output json, literal values masked", async () => {
    await using t = await tmpdir()
    const link = agentrtLink("api", {
      url: "https://api.example.com/mcp",
      headers: { Authorization: "Bearer ${TOKEN}", "X-Key": "literal-key-123" },
    })
    const r = await install(t, [link, "--yes", "-o", "json"])
    expect(r.code).toBe(0)
    expect(r.json()).toEqual({
      name: "api",
      file: userFile(t),
      scope: "user",
      action: "added",
      source: "agentrt",
      server: {
        url: "https://api.example.com/mcp",
        headers: { Authorization: "Bearer ${TOKEN}", "X-Key": "***" },
      },
      variables: [{ variable: "TOKEN", approved: false }],
    })
    expect(r.stdout + r.stderr).not.toContain("literal-key-123")
  })

  it("writes nothing without a terminal and without --yes: exit 3, says to re-run with --yes (I08)", async () => {
    await using t = await tmpdir()
    const before = tree(t)
    const r = await install(t, [LINKS.cursor!])
    expect(r.code).toBe(3)
    expect(r.stderr).toContain('server:  "mem"') // the screen is printed before refusing
    expect(r.stderr).toContain("--yes")
    expect(r.stdout).toBe("")
    expect(tree(t)).toEqual(before)
  })

  it("--dry-run prints the masked entry and writes nothing", async () => {
    await using t = await tmpdir()
    const link = agentrtLink("x", {
      command: "srv",
      env: { TOKEN: "sk-live-123secret", HOME_DIR: "${HOME}" },
    })
    const r = await install(t, [link, "--dry-run"])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({
      x: { command: "srv", env: { TOKEN: "***", HOME_DIR: "${HOME}" } },
    })
    expect(r.stderr).toContain("nothing was written")
    expect(r.stdout + r.stderr).not.toContain("sk-live-123secret")
    expect(existsSync(userFile(t))).toBe(false)
  })

  it("--name installs under another name, checked like a link's name", async () => {
    await using t = await tmpdir()
    expect((await install(t, [LINKS.kiro!, "--yes", "--name", "../evil"])).code).toBe(2)
    expect(existsSync(userFile(t))).toBe(false)
    expect((await install(t, [LINKS.kiro!, "--yes", "--name", "memory2"])).code).toBe(0)
    expect(await readJson(userFile(t))).toEqual({ mcpServers: { memory2: ENTRY } })
  })

  it("--scope project writes ./.mcp.json and trusts the definition that was shown; --mcp writes that file", async () => {
    await using t = await tmpdir()
    const link = agentrtLink("local", { command: "node", args: ["srv.js"] })
    const r = await install(t, [link, "--yes", "--scope", "project"])
    expect(r.code).toBe(0)
    expect((await readJson(join(t.path, ".mcp.json"))).mcpServers.local).toEqual({
      command: "node",
      args: ["srv.js"],
    })
    expect((await run(t, ["config", "validate"])).code).toBe(0)
    const file = join(t.path, "ci.json")
    expect((await install(t, [link, "--yes", "--mcp", file])).code).toBe(0)
    expect(await readJson(file)).toEqual({ mcpServers: { local: { command: "node", args: ["srv.js"] } } })
  })
})

describe("hostile install links", () => {
  it("shows a shell-looking command verbatim, stores it verbatim with --yes, and runs nothing (I01)", async () => {
    await using t = await tmpdir()
    const w = await witnessServer(t)
    const config = { command: w.command, args: w.args }
    const r = await install(t, [agentrtLink("evil", config), "--yes"])
    expect(r.code).toBe(0)
    expect(r.stderr).toContain(`command: '${w.command}'`)
    expect(r.stderr).toContain(`arg 1:   '$(touch ${w.marker})'`)
    expect(r.stderr).toContain("never through a shell")
    expect((await readJson(userFile(t))).mcpServers.evil).toEqual(config)
    expect((await run(t, ["config", "validate"])).code).toBe(0)
    expect(w.ran()).toBe(false)
  })

  it("refuses bad server names with exit 2 and writes no file anywhere (I02)", async () => {
    await using t = await tmpdir()
    const before = tree(t)
    for (const name of ["../../.bashrc", "", "x".repeat(300), "a\u0001b", "/etc/passwd", "__proto__"]) {
      const r = await install(t, [agentrtLink(name, { command: "x" }), "--yes"])
      expect(r.code).toBe(2)
      expect(r.stdout).toBe("")
    }
    expect(tree(t)).toEqual(before)
  })

  it("shows ESC, bidi and zero-width characters escaped, never raw (I03)", async () => {
    await using t = await tmpdir()
    const r = await install(t, [
      agentrtLink("x", { command: "srv", args: ["\u001b[2Kok", "safe\u202eexe.js", "zero\u200bwidth"] }),
    ])
    expect(r.code).toBe(3)
    expect(r.stderr).toContain("\\x1b[2Kok")
    expect(r.stderr).toContain("\\u202e")
    expect(r.stderr).toContain("\\u200b")
    for (const raw of ["\u001b", "\u202e", "\u200b"]) expect(r.stderr.includes(raw)).toBe(false)
  })

  it("refuses bad base64, non-JSON, oversized links and unknown keys; the config is untouched (I04)", async () => {
    await using t = await tmpdir()
    const original = `{\n  "mcpServers": { "keep": { "command": "keep" } }\n}\n`
    await t.write("agentrt-home/config/mcp.json", original)
    const bad = [
      "agentrt://mcp/install?name=x&config=%%%not-base64",
      `agentrt://mcp/install?name=x&config=${Buffer.from("not json at all").toString("base64url")}`,
      agentrtLink("x", { command: "x", args: ["a".repeat(70_000)] }),
      agentrtLink("x", { command: "x", evil: true }),
      agentrtLink("x", { command: "x", oauth: { clientId: "c", tokenUrl: "https://evil.example" } }),
    ]
    for (const link of bad) {
      const r = await install(t, [link, "--yes"])
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(/error: .+/)
    }
    expect(await readFile(userFile(t), "utf8")).toBe(original)
  })

  it("shows the diff for an existing name; no terminal refuses, --yes replaces (I05)", async () => {
    await using t = await tmpdir()
    expect((await run(t, ["mcp", "add", "mem", "--", "old-server", "--flag"])).code).toBe(0)
    const before = await readFile(userFile(t), "utf8")
    const refused = await install(t, [LINKS.agentrt!])
    expect(refused.code).toBe(3)
    expect(refused.stderr).toContain('action:  replaces the existing "mem"')
    expect(refused.stderr).toContain("changes:")
    expect(refused.stderr).toContain("old-server")
    expect(await readFile(userFile(t), "utf8")).toBe(before)
    const replaced = await install(t, [LINKS.agentrt!, "--yes", "-o", "json"])
    expect(replaced.code).toBe(0)
    expect(replaced.json<{ action: string }>().action).toBe("replaced")
    expect((await readJson(userFile(t))).mcpServers.mem).toEqual(ENTRY)
  })

  it("keeps a literal secret and ${HOME}, hides the secret, and ${HOME} still needs approval (I07)", async () => {
    await using t = await tmpdir()
    const config = { command: "srv", env: { SECRET: "sk-live-abc123secret", WHERE: "${HOME}" } }
    const r = await install(t, [agentrtLink("x", config), "--yes"])
    expect(r.code).toBe(0)
    expect(r.stderr).toContain("env:     SECRET (fixed value from the link, hidden)")
    expect(r.stderr).toContain("env:     WHERE = ${HOME}")
    expect(r.stdout + r.stderr).not.toContain("sk-live-abc123secret")
    expect((await readJson(userFile(t))).mcpServers.x).toEqual(config)
    const validate = await run(t, ["config", "validate"])
    expect(validate.code).toBe(3)
    expect(validate.stdout + validate.stderr).toContain("HOME")
  })
})

describe("approving at a terminal", () => {
  it("asks to install, then per variable, and stores only the approvals given", async () => {
    await using t = await tmpdir()
    const link = agentrtLink("gh", {
      url: "https://api.githubcopilot.com/mcp/",
      headers: { Authorization: "Bearer ${GITHUB_TOKEN}", "X-Org": "${ORG}" },
    })
    const r = await tty(t, [link], ["y", "y", "n"])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`Install "gh" into ${userFile(t)}? [y/N]`)
    expect(r.stdout).toContain(
      "Also let gh read GITHUB_TOKEN (header Authorization sent to api.githubcopilot.com)? [y/N]",
    )
    expect(r.stdout).toContain("still needs approval: ORG")
    const list = await run(t, ["env", "list", "-o", "json"])
    const doc = list.json<{
      approvals: { variable: string; status: string }[]
      pending: { variable: string }[]
    }>()
    expect(doc.approvals.map((a) => [a.variable, a.status])).toEqual([["GITHUB_TOKEN", "valid"]])
    expect(doc.pending.map((p) => p.variable)).toEqual(["ORG"])
  })

  it("answering n to a replace leaves the file untouched (I05)", async () => {
    await using t = await tmpdir()
    expect((await run(t, ["mcp", "add", "mem", "--", "old-server"])).code).toBe(0)
    const before = await readFile(userFile(t), "utf8")
    const r = await tty(t, [LINKS.vscode!], ["n"])
    expect(r.code).toBe(3)
    expect(r.stdout).toContain(`Replace "mem" in ${userFile(t)}? [y/N]`)
    expect(await readFile(userFile(t), "utf8")).toBe(before)
  })

  it("--approve-env approves every variable along with the install", async () => {
    await using t = await tmpdir()
    const plain = await install(t, ["github", "--yes"])
    expect(plain.stdout).toContain("still needs approval: GITHUB_TOKEN")
    expect((await run(t, ["config", "validate"], { GITHUB_TOKEN: "x" })).code).toBe(3)
    const r = await install(t, ["github", "--yes", "--approve-env", "-o", "json"])
    expect(r.json<{ variables: unknown }>().variables).toEqual([{ variable: "GITHUB_TOKEN", approved: true }])
    expect((await run(t, ["config", "validate"], { GITHUB_TOKEN: "x" })).code).toBe(0)
  })
})

describe("agent install --link", () => {
  it("prints a link for a configured server that installs the same entry elsewhere, in every format", async () => {
    await using t = await tmpdir()
    const added = await run(t, [
      "mcp",
      "add",
      "docs",
      "--url",
      "https://docs.example.com/mcp",
      "--type",
      "http",
      "--header",
      "Authorization: Bearer ${DOCS_TOKEN}",
    ])
    expect(added.code).toBe(0)
    const stored = (await readJson(userFile(t))).mcpServers.docs
    for (const format of [
      "agentrt",
      "scheme",
      "url",
      "cursor",
      "vscode",
      "kiro",
      "lmstudio",
      "markdown",
      "html",
    ]) {
      const r = await install(t, ["--link", "docs", "--format", format])
      expect(r.code).toBe(0)
      const out = r.stdout.trim()
      const link =
        format === "markdown"
          ? /\]\((https:[^)]+)\)$/.exec(out)![1]!
          : format === "html"
            ? /^<a href="([^"]+)">/.exec(out)![1]!.replace(/&amp;/g, "&")
            : out
      if (format === "markdown") expect(out).toStartWith("[![Add to agent](https://img.shields.io/")
      if (format === "html")
        expect(out).toEndWith(
          '<img src="https://img.shields.io/badge/Add_to-agent-2F6FEB?style=flat-square" alt="Add to agent"></a>',
        )
      if (["url", "markdown", "html"].includes(format))
        expect(link).toStartWith("https://agentrt.github.io/agentrt/install.html#name=docs&config=")
      await using other = await tmpdir()
      expect((await install(other, [link, "--yes"])).code).toBe(0)
      expect((await readJson(userFile(other))).mcpServers.docs).toEqual(stored)
    }
  }, 30_000)

  it("makes links for catalog entries", async () => {
    await using t = await tmpdir()
    const r = await install(t, ["--link", "github", "-o", "json"])
    expect(r.code).toBe(0)
    expect(r.json<{ link: string }>().link).toStartWith("agentrt://mcp/install?name=github&config=")
  })

  it("refuses to put a literal secret into a link (exit 2), naming the field", async () => {
    await using t = await tmpdir()
    expect(
      (await run(t, ["mcp", "add", "leaky", "--env", "API_TOKEN=tok-literal-999", "--", "srv"])).code,
    ).toBe(0)
    const r = await install(t, ["--link", "leaky"])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("env.API_TOKEN")
    expect(r.stderr).toContain("${API_TOKEN}")
    expect(r.stdout).toBe("")
    expect(r.stderr).not.toContain("tok-literal-999")
    expect((await install(t, ["--link", "nope"])).code).toBe(2)
    expect((await install(t, ["--link", "github", "--format", "zip"])).code).toBe(2)
  })
})

describe("the catalog", () => {
  it("lists name, auth and description with the variables needed and the install hint", async () => {
    await using t = await tmpdir()
    const r = await run(t, ["mcp", "catalog"])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^NAME\s+AUTH\s+DESCRIPTION/)
    expect(r.stdout).toMatch(/github\s+token\s+.*\(needs GITHUB_TOKEN\)/)
    expect(r.stdout).toMatch(/notion\s+oauth/)
    expect(r.stdout).toContain("agent install <name>")
  })

  it("filters by a query and gives the full entries as JSON", async () => {
    await using t = await tmpdir()
    const r = await run(t, ["mcp", "catalog", "git", "-o", "json"])
    const entries = r.json<{ servers: { name: string; entry: unknown; variables: unknown[] }[] }>().servers
    expect(entries.map((e) => e.name)).toContain("git")
    expect(entries.map((e) => e.name)).toContain("github")
    expect(entries.find((e) => e.name === "git")!.entry).toEqual({ command: "uvx", args: ["mcp-server-git"] })
  })

  it("installs an entry by name and refuses unknown names", async () => {
    await using t = await tmpdir()
    const r = await install(t, ["memory", "--yes", "-o", "json"])
    expect(r.code).toBe(0)
    expect(r.json<{ source: string }>().source).toBe("catalog")
    expect((await readJson(userFile(t))).mcpServers.memory).toEqual({
      command: "npx",
      args: ["-y", "@modelcontextprotocol/server-memory"],
    })
    const unknown = await install(t, ["no-such-server", "--yes"])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain("agent mcp catalog")
  })
})
