import { describe, expect, it } from "bun:test"
import { lstat, mkdir, readFile, stat, symlink, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { loadConfig, openApprovals, type ServerEntry } from "../../src/config/index.ts"
import { approvalsPath } from "../../src/config/approvals.ts"
import { ConfigError } from "../../src/util/errors.ts"
import { resolvePaths } from "../../src/util/paths.ts"
import { BUN, ROOT } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"

async function load(
  t: TmpDir,
  servers: Record<string, object>,
  scope: "file" | "project" = "file",
): Promise<ServerEntry[]> {
  const rel = scope === "project" ? ".mcp.json" : "mcp.json"
  const file = await t.write(rel, { mcpServers: servers })
  const paths = resolvePaths({ AGENTRT_HOME: t.home })
  return loadConfig({ paths, cwd: t.path, files: scope === "file" ? [file] : [], only: scope === "file" })
    .servers
}

const paths = (t: TmpDir) => resolvePaths({ AGENTRT_HOME: t.home })

describe("approval store", () => {
  it("binds an env approval to the server's fingerprint (C03)", async () => {
    await using t = await tmpdir()
    const [before] = await load(t, { api: { command: "npx", args: ["api", "${API_KEY}"] } })
    const store = openApprovals(paths(t))
    expect(store.isEnvApproved("API_KEY", before!)).toBe(false)
    await store.approveEnv("API_KEY", before!)
    expect(store.isEnvApproved("API_KEY", before!)).toBe(true)
    expect(openApprovals(paths(t)).isEnvApproved("API_KEY", before!)).toBe(true)

    const [changed] = await load(t, { api: { command: "npx", args: ["evil", "${API_KEY}"] } })
    expect(openApprovals(paths(t)).isEnvApproved("API_KEY", changed!)).toBe(false)
  })

  it("writes approvals.json 0600 in a 0700 state dir, even under umask 000", async () => {
    await using t = await tmpdir()
    const [e] = await load(t, {
      api: { url: "https://api.example.com/mcp", headers: { Authorization: "Bearer ${TOKEN}" } },
    })
    const old = process.umask(0)
    try {
      await openApprovals(paths(t)).approveEnv("TOKEN", e!)
    } finally {
      process.umask(old)
    }
    const p = paths(t)
    expect((await stat(approvalsPath(p))).mode & 0o777).toBe(0o600)
    expect((await stat(p.stateDir)).mode & 0o777).toBe(0o700)
    const doc = JSON.parse(await readFile(approvalsPath(p), "utf8"))
    expect(doc.env).toEqual([
      { variable: "TOKEN", server: "api", fingerprint: e!.fingerprint, approvedAt: expect.any(String) },
    ])
  })

  it("revokes by variable, optionally by server, and counts what it removed", async () => {
    await using t = await tmpdir()
    const [a, b] = await load(t, {
      a: { command: "x", env: { K: "${K}" } },
      b: { command: "y", env: { K: "${K}" } },
    })
    const store = openApprovals(paths(t))
    await store.approveEnvMany([
      { variable: "K", entry: a! },
      { variable: "K", entry: b! },
    ])
    expect(await store.revokeEnv("K", "a")).toBe(1)
    expect(store.isEnvApproved("K", b!)).toBe(true)
    expect(await store.revokeEnv("K")).toBe(1)
    expect(await store.revokeEnv("K")).toBe(0)
    expect(openApprovals(paths(t)).envApprovals()).toEqual([])
  })

  it("reports project trust as new, approved, then changed with the previous definition", async () => {
    await using t = await tmpdir()
    const [v1] = await load(t, { fs: { command: "npx", args: ["fs", "."] } }, "project")
    const store = openApprovals(paths(t))
    expect(store.projectApproval(v1!)).toEqual({ status: "new" })
    await store.approveProject(v1!)
    expect(store.projectApproval(v1!)).toEqual({ status: "approved" })
    const [v2] = await load(t, { fs: { command: "npx", args: ["fs", "/"] } }, "project")
    const state = openApprovals(paths(t)).projectApproval(v2!)
    expect(state.status).toBe("changed")
    expect(state.status === "changed" && state.previous).toMatchObject({ command: "npx", args: ["fs", "."] })
    expect(await store.revokeProject("fs")).toBe(1)
    expect(openApprovals(paths(t)).projectApproval(v1!)).toEqual({ status: "new" })
  })

  it("refuses a corrupt approvals file, naming it and the fix, and leaves it alone", async () => {
    await using t = await tmpdir()
    const file = approvalsPath(paths(t))
    await mkdir(paths(t).stateDir, { recursive: true, mode: 0o700 })
    await writeFile(file, "{ not json")
    expect(() => openApprovals(paths(t))).toThrow(ConfigError)
    try {
      openApprovals(paths(t))
    } catch (e: unknown) {
      expect((e as ConfigError).message).toContain(file)
      expect((e as ConfigError).hint).toContain(`rm ${file}`)
    }
    await writeFile(file, JSON.stringify({ version: 1, env: [{ variable: 3 }], projects: [] }))
    expect(() => openApprovals(paths(t))).toThrow(/damaged at env/)
    expect(await readFile(file, "utf8")).toContain('"variable":3')
  })

  it("refuses a symlink planted at approvals.json, for reads and writes, leaving the target untouched (F01)", async () => {
    await using t = await tmpdir()
    const [e] = await load(t, { api: { command: "x", args: ["${K}"] } })
    const target = await t.write("elsewhere.json", JSON.stringify({ version: 1, env: [], projects: [] }))
    await mkdir(paths(t).stateDir, { recursive: true, mode: 0o700 })
    await symlink(target, approvalsPath(paths(t)))
    expect(() => openApprovals(paths(t))).toThrow(/symbolic link/)
    // Even if the link appears after the store was opened, the write refuses it.
    const link = approvalsPath(paths(t))
    await Bun.$`rm ${link}`
    const store = openApprovals(paths(t))
    await symlink(target, link)
    await expect(store.approveEnv("K", e!)).rejects.toBeInstanceOf(ConfigError)
    expect((await lstat(link)).isSymbolicLink()).toBe(true)
    expect(JSON.parse(await readFile(target, "utf8")).env).toEqual([])
  })

  it("keeps every approval when 10 processes approve at once (F02)", async () => {
    await using t = await tmpdir()
    const servers: Record<string, object> = {}
    for (let i = 0; i < 10; i++) servers[`s${i}`] = { command: "x", env: { [`V${i}`]: `\${V${i}}` } }
    const file = await t.write("mcp.json", { mcpServers: servers })
    const script = `
      import { loadConfig, openApprovals } from ${JSON.stringify(join(ROOT, "src/config/index.ts"))}
      import { resolvePaths } from ${JSON.stringify(join(ROOT, "src/util/paths.ts"))}
      const paths = resolvePaths(process.env)
      const i = Number(process.argv.at(-1))
      const entry = loadConfig({ paths, cwd: process.cwd(), files: [${JSON.stringify(file)}], only: true }).servers[i]
      await openApprovals(paths).approveEnv("V" + i, entry)
    `
    const procs = Array.from({ length: 10 }, (_, i) =>
      Bun.spawn([BUN, "-e", script, String(i)], {
        env: { PATH: process.env.PATH ?? "", AGENTRT_HOME: t.home },
        stderr: "pipe",
      }),
    )
    const codes = await Promise.all(procs.map((p) => p.exited))
    const errors = await Promise.all(procs.map((p) => new Response(p.stderr).text()))
    expect({ codes, errors: errors.filter(Boolean) }).toEqual({ codes: Array(10).fill(0), errors: [] })
    const vars = openApprovals(paths(t))
      .envApprovals()
      .map((a) => a.variable)
      .sort()
    expect(vars).toEqual(Array.from({ length: 10 }, (_, i) => `V${i}`).sort())
  }, 30_000)
})
