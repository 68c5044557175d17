import { describe, expect, it } from "bun:test"
import { runCli, runCliTty, type CliResult } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"

// Black box: `bun src/main.ts env …` with its own AGENTRT_HOME and a clean environment.
const CANARY = "canary-9d1e-s3cret-value"

function expectNoCanary(r: CliResult) {
  expect(r.stdout).not.toContain(CANARY)
  expect(r.stderr).not.toContain(CANARY)
}

async function withConfig(t: TmpDir, servers: Record<string, object>) {
  return t.write("mcp.json", { mcpServers: servers })
}

const run = (t: TmpDir, args: string[], env: Record<string, string> = {}) =>
  runCli(args, { home: t.home, cwd: t.path, env: { FOO: CANARY, TOKEN: CANARY, ...env } })

describe("agent env", () => {
  it("refuses an unapproved variable without a TTY: exit 3, names server and variable, never the value (C01)", async () => {
    await using t = await tmpdir()
    const file = await withConfig(t, { tools: { command: "npx", args: ["tools", "--key=${FOO}"] } })
    const r = await run(t, ["config", "validate", "--mcp", file])
    expect(r.code).toBe(3)
    expect(r.stdout + r.stderr).toContain("tools")
    expect(r.stdout + r.stderr).toContain("FOO")
    expectNoCanary(r)
  })

  it("lists approvals with server and date but never the value; revoke applies on the next run (C04)", async () => {
    await using t = await tmpdir()
    const file = await withConfig(t, { tools: { command: "npx", args: ["tools", "${FOO}"] } })
    const ok = await run(t, ["env", "approve", "FOO", "--server", "tools", "--mcp", file])
    expect(ok.code).toBe(0)
    expect(ok.stdout).toContain('approved FOO for "tools"')
    expectNoCanary(ok)

    const list = await run(t, ["env", "list", "--mcp", file, "--output", "json"])
    expect(list.code).toBe(0)
    const doc = list.json<{
      approvals: { variable: string; server: string; approvedAt: string; status: string }[]
      pending: unknown[]
    }>()
    expect(doc.approvals).toEqual([
      {
        variable: "FOO",
        server: "tools",
        approvedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        status: "valid",
      },
    ])
    expect(doc.pending).toEqual([])
    const text = await run(t, ["env", "list", "--mcp", file])
    expect(text.stdout).toMatch(/FOO\s+tools\s+approved\s+\d{4}-/)
    expectNoCanary(list)
    expectNoCanary(text)
    expect((await run(t, ["config", "validate", "--mcp", file])).code).toBe(0)

    const revoked = await run(t, ["env", "revoke", "FOO"])
    expect(revoked.code).toBe(0)
    expect(revoked.stdout).toContain("revoked 1 approval of FOO")
    expect((await run(t, ["config", "validate", "--mcp", file])).code).toBe(3)
    const again = await run(t, ["env", "revoke", "FOO"])
    expect(again.code).toBe(2)
  })

  it("marks an approval stale and asks again when the server's args change (C03)", async () => {
    await using t = await tmpdir()
    const file = await withConfig(t, { tools: { command: "npx", args: ["good", "${FOO}"] } })
    expect((await run(t, ["env", "approve", "FOO", "--mcp", file])).code).toBe(0)
    await withConfig(t, { tools: { command: "npx", args: ["evil", "${FOO}"] } })
    const doc = (await run(t, ["env", "list", "--mcp", file, "-o", "json"])).json<{
      approvals: { status: string }[]
      pending: { variable: string }[]
    }>()
    expect(doc.approvals.map((a) => a.status)).toEqual(["stale"])
    expect(doc.pending.map((p) => p.variable)).toEqual(["FOO"])
    const r = await run(t, ["config", "validate", "--mcp", file])
    expect(r.code).toBe(3)
    expectNoCanary(r)
  })

  it("names the host a ${TOKEN} in a url goes to, and never prints the value (C06)", async () => {
    await using t = await tmpdir()
    const file = await withConfig(t, { remote: { url: "https://mcp.example.com/v1?key=${TOKEN}" } })
    const list = await run(t, ["env", "list", "--mcp", file])
    expect(list.stdout).toContain("part of the URL sent to mcp.example.com")
    const r = await run(t, ["config", "validate", "--mcp", file])
    expect(r.code).toBe(3)
    expect(r.stdout + r.stderr).toContain("mcp.example.com")
    expectNoCanary(list)
    expectNoCanary(r)
  })

  it("treats --approve-env as approved for one run only, and unset or :? variables as exit 2", async () => {
    await using t = await tmpdir()
    const file = await withConfig(t, {
      a: { command: "a", args: ["${FOO}", "${REGION:-eu}"] },
      b: { command: "b", env: { DB: "${DB_URL:?point DB_URL at the test database}" } },
    })
    const ok = await run(
      t,
      [
        "config",
        "validate",
        "--mcp",
        file,
        "--approve-env",
        "FOO",
        "--approve-env",
        "REGION",
        "--approve-env",
        "DB_URL",
      ],
      { DB_URL: "x" },
    )
    expect(ok.code).toBe(0)
    expectNoCanary(ok)
    const unset = await run(t, [
      "config",
      "validate",
      "--mcp",
      file,
      "--approve-env",
      "FOO",
      "--approve-env",
      "REGION",
      "--approve-env",
      "DB_URL",
    ])
    expect(unset.code).toBe(2)
    expect(unset.stdout + unset.stderr).toContain("point DB_URL at the test database")
    const list = (await run(t, ["env", "list", "--mcp", file, "-o", "json"])).json<{ approvals: unknown[] }>()
    expect(list.approvals).toEqual([])
  })

  it("refuses to approve a variable no server references, or an unknown server (exit 2)", async () => {
    await using t = await tmpdir()
    const file = await withConfig(t, { tools: { command: "npx", args: ["${FOO}"] } })
    const none = await run(t, ["env", "approve", "AWS_SECRET", "--mcp", file])
    expect(none.code).toBe(2)
    expect(none.stderr).toContain("references AWS_SECRET")
    const unknown = await run(t, ["env", "approve", "FOO", "--server", "nope", "--mcp", file])
    expect(unknown.code).toBe(2)
    const bare = await run(t, ["env", "approve", "--mcp", file])
    expect(bare.code).toBe(2)
    expect(
      (await run(t, ["env", "list", "--mcp", file, "-o", "json"])).json<{ approvals: unknown[] }>().approvals,
    ).toEqual([])
  })

  it("asks at a terminal for each pending variable and stores a yes, showing where it goes but not its value", async () => {
    await using t = await tmpdir()
    const file = await withConfig(t, {
      gh: { url: "https://api.github.com/mcp", headers: { Authorization: "Bearer ${TOKEN}" } },
    })
    const r = await runCliTty(["env", "approve", "--mcp", file], {
      home: t.home,
      cwd: t.path,
      env: { TOKEN: CANARY },
      input: ["y"],
    })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("header Authorization sent to api.github.com")
    expect(r.stdout).toContain("approved 1 of 1 pending variable")
    expectNoCanary(r)
    const doc = (await run(t, ["env", "list", "--mcp", file, "-o", "json"])).json<{
      approvals: { variable: string }[]
    }>()
    expect(doc.approvals.map((a) => a.variable)).toEqual(["TOKEN"])
  }, 30_000)

  it("has real examples in --help", async () => {
    for (const verb of ["list", "approve", "revoke"]) {
      const r = await runCli(["env", verb, "--help"])
      expect(r.code).toBe(0)
      expect(r.stdout).toContain(`agent env ${verb}`)
    }
  })
})

describe("agent mcp approve", () => {
  it("needs --yes without a TTY, then asks again and shows the diff when the definition changes", async () => {
    await using t = await tmpdir()
    await t.write(".mcp.json", {
      mcpServers: {
        fs: {
          command: "npx",
          args: ["fs", "."],
          headers: {},
          env: { KEY: "${FOO}", LIT_TOKEN: "literal-secret", LEVEL: "debug" },
        },
      },
    })
    const refused = await run(t, ["mcp", "approve", "fs"])
    expect(refused.code).toBe(3)
    expect(refused.stderr).toContain("runs:    npx fs .")
    expect(refused.stderr).toContain("KEY=${FOO}")
    expect(refused.stderr).not.toContain("literal-secret")
    expect(refused.stderr).toContain("LEVEL=debug") // I10: a value that looks like no credential is shown
    expect((await run(t, ["config", "validate"])).code).toBe(3)

    const yes = await run(t, ["mcp", "approve", "fs", "--yes"])
    expect(yes.code).toBe(0)
    expect(yes.stdout).toContain('trusted "fs"')

    await t.write(".mcp.json", {
      mcpServers: {
        fs: {
          command: "npx",
          args: ["fs", "/"],
          env: { KEY: "${FOO}", LIT_TOKEN: "other-secret", LEVEL: "debug" },
        },
      },
    })
    const changed = await run(t, ["mcp", "approve", "fs"])
    expect(changed.code).toBe(3)
    expect(changed.stderr).toContain('- args[1]: "."')
    expect(changed.stderr).toContain('+ args[1]: "/"')
    expect(changed.stderr).toContain("~ env.LIT_TOKEN: value changed (hidden)")
    expect(changed.stderr).not.toContain("other-secret")
    expectNoCanary(changed)
  })

  it("trusts after a yes at a terminal", async () => {
    await using t = await tmpdir()
    await t.write(".mcp.json", { mcpServers: { fs: { command: "npx", args: ["fs", "."] } } })
    const r = await runCliTty(["mcp", "approve", "fs"], { home: t.home, cwd: t.path, input: ["y"] })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('trusted "fs"')
    const again = await run(t, ["mcp", "approve", "fs"])
    expect(again.stdout).toContain("already trusted")
  }, 30_000)
})
