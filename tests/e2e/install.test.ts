import { describe, expect, it } from "bun:test"
import { existsSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { runCli } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"
import { witnessServer } from "../helpers/witness.ts"

// Install links and the catalog on the compiled binary, as a user or a CI job would drive them.
const agent = (t: TmpDir, args: string[], env: Record<string, string> = {}) =>
  runCli(args, { home: t.home, cwd: t.path, env, binary: true })
const userFile = (t: TmpDir) => join(t.home, "config", "mcp.json")
const link = (name: string, config: unknown) =>
  `agentrt://mcp/install?name=${name}&config=${Buffer.from(JSON.stringify(config)).toString("base64url")}`

describe("compiled binary: agent install", () => {
  it("refuses without a terminal, installs with --yes, and the variable still needs approval", async () => {
    await using t = await tmpdir()
    const w = await witnessServer(t)
    const evil = link("evil", { command: w.command, args: w.args, env: { WHERE: "${HOME}" } })
    const refused = await agent(t, ["install", evil])
    expect(refused.code).toBe(3)
    expect(refused.stderr).toContain(`command: '${w.command}'`)
    expect(existsSync(userFile(t))).toBe(false)

    const installed = await agent(t, ["install", evil, "--yes", "-o", "json"])
    expect(installed.code).toBe(0)
    expect(installed.json()).toMatchObject({
      name: "evil",
      action: "added",
      variables: [{ variable: "HOME", approved: false }],
    })
    expect(JSON.parse(await readFile(userFile(t), "utf8")).mcpServers.evil).toEqual({
      command: w.command,
      args: w.args,
      env: { WHERE: "${HOME}" },
    })
    expect((await agent(t, ["config", "validate"])).code).toBe(3)
    expect(w.ran()).toBe(false)
  })

  it("lists the catalog, installs an entry by name, and round-trips it through --link", async () => {
    await using t = await tmpdir()
    const catalog = await agent(t, ["mcp", "catalog"])
    expect(catalog.code).toBe(0)
    expect(catalog.stdout).toMatch(/github\s+token/)
    expect((await agent(t, ["install", "deepwiki", "--yes"])).code).toBe(0)
    const badge = await agent(t, ["install", "--link", "deepwiki", "--format", "cursor"])
    expect(badge.code).toBe(0)
    await using other = await tmpdir()
    expect((await agent(other, ["install", badge.stdout.trim(), "--yes"])).code).toBe(0)
    expect(JSON.parse(await readFile(userFile(other), "utf8"))).toEqual(
      JSON.parse(await readFile(userFile(t), "utf8")),
    )
  })
})
