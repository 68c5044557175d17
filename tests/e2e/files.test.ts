import { describe, expect, it } from "bun:test"
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { join } from "node:path"
import { tokenFileName } from "../../src/auth/store.ts"
import { ensureBinary } from "../helpers/binary.ts"
import { runCli, type CliResult } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"

// F03-F05 on the compiled binary: every path agent keeps its own data in (AGENTRT_HOME, the
// config, state and tokens dirs, the user mcp.json, approvals.json, a token file) is used only
// when the user running agent owns it and nobody else may write it, for reads and writes alike;
// otherwise exit 2 with one error naming the path. Root can chown, so "another user" is uid 65534.
const isRoot = process.getuid?.() === 0
const OTHER = 65534
const KEY = { resource: "https://a.example/mcp", issuer: "https://as.example" }

/** A complete, valid home: every path below exists, owned by us, dirs 0700 and files 0600. */
function populate(t: TmpDir) {
  const dir = (p: string) => (mkdirSync(p, { recursive: true, mode: 0o700 }), p)
  const file = (p: string, v: object) => (writeFileSync(p, `${JSON.stringify(v)}\n`, { mode: 0o600 }), p)
  const home = t.home
  const config = dir(join(home, "config"))
  const state = dir(join(home, "state"))
  const tokens = dir(join(state, "tokens"))
  writeFileSync(
    join(t.path, "ci.json"),
    JSON.stringify({ mcpServers: { api: { url: "https://a.example/mcp", headers: { A: "${K}" } } } }),
  )
  return {
    home,
    config,
    state,
    tokens,
    userConfig: file(join(config, "mcp.json"), { mcpServers: {} }),
    approvals: file(join(state, "approvals.json"), { version: 1, env: [], projects: [] }),
    tokenFile: file(join(tokens, tokenFileName(KEY)), {
      ...KEY,
      server: "fx",
      tokens: { access_token: "at_fx" },
    }),
  }
}
type Home = ReturnType<typeof populate>

// What reads and what writes each path: config through `mcp list`/`mcp add`, approvals through
// `env list`/`env approve`, tokens through `mcp auth --status`/`mcp logout`.
const CONFIG = { read: ["mcp", "list"], write: ["mcp", "add", "x", "--", "echo", "hi"] }
const STATE = { read: ["env", "list"], write: ["env", "approve", "K", "--mcp", "ci.json"] }
const TOKENS = { read: ["mcp", "auth", "--status"], write: ["mcp", "logout", "--url", KEY.resource] }
const CASES: {
  id: string
  path: keyof Home
  kind: "dir" | "file"
  ops: { read: string[]; write: string[] }
}[] = [
  { id: "F03", path: "home", kind: "dir", ops: CONFIG },
  { id: "F03", path: "config", kind: "dir", ops: CONFIG },
  { id: "F03", path: "state", kind: "dir", ops: STATE },
  { id: "F03", path: "tokens", kind: "dir", ops: TOKENS },
  { id: "F04", path: "userConfig", kind: "file", ops: CONFIG },
  { id: "F04", path: "approvals", kind: "file", ops: STATE },
  { id: "F04", path: "tokenFile", kind: "file", ops: TOKENS },
]

async function both(t: TmpDir, ops: { read: string[]; write: string[] }): Promise<CliResult[]> {
  const run = (args: string[]) => runCli(args, { home: t.home, cwd: t.path, binary: true })
  return [await run(ops.read), await run(ops.write)]
}

describe.skipIf(!isRoot)(
  "compiled binary: agent uses only paths the user owns and nobody else may write",
  () => {
    it("control: with every path private, each read and write command succeeds", async () => {
      await ensureBinary()
      for (const ops of [CONFIG, STATE, TOKENS]) {
        await using t = await tmpdir()
        populate(t)
        for (const r of await both(t, ops))
          expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.any(String) })
      }
    }, 60_000)

    for (const c of CASES) {
      it(`${c.id}: ${c.path} owned by uid ${OTHER}: refused on read and on write, exit 2, the path named, nothing changed`, async () => {
        await using t = await tmpdir()
        const home = populate(t)
        const path = home[c.path]
        chownSync(path, OTHER, OTHER)
        const before = c.kind === "file" ? readFileSync(path, "utf8") : undefined
        for (const r of await both(t, c.ops)) {
          expect(r.code).toBe(2)
          expect(r.stderr).toContain(
            `error: ${path} is owned by uid ${OTHER}, not you (uid 0); agent will not use it`,
          )
          expect(r.stderr).toContain(`chown 0 ${path}`)
          expect(
            r.stderr
              .trim()
              .split("\n")
              .filter((l) => l.startsWith("error:")),
          ).toHaveLength(1)
        }
        if (before !== undefined) expect(readFileSync(path, "utf8")).toBe(before)
      }, 30_000)

      const mode = c.kind === "dir" ? 0o775 : 0o664
      it(`${c.id}: ${c.path} writable by its group (${mode.toString(8)}): refused on read and on write, exit 2`, async () => {
        await using t = await tmpdir()
        const home = populate(t)
        const path = home[c.path]
        chmodSync(path, mode)
        for (const r of await both(t, c.ops)) {
          expect(r.code).toBe(2)
          expect(r.stderr).toContain(
            `error: ${path} is writable by its group (mode ${mode.toString(8)}); agent will not use it`,
          )
          expect(r.stderr).toContain(`chmod go-w ${path}`)
        }
      }, 30_000)
    }

    it("F03: a parent of AGENTRT_HOME owned by another user is refused; /tmp (root, sticky 1777) is not", async () => {
      await using t = await tmpdir()
      const parent = join(t.path, "theirs")
      mkdirSync(parent, { mode: 0o755 })
      chownSync(parent, OTHER, OTHER)
      const r = await runCli(CONFIG.read, { home: join(parent, "home"), cwd: t.path, binary: true })
      expect(r.code).toBe(2)
      expect(r.stderr).toContain(`${parent} is owned by uid ${OTHER}`)
      // t.path sits right under /tmp: every other test in the suite depends on that passing.
      expect((await runCli(CONFIG.read, { home: t.home, cwd: t.path, binary: true })).code).toBe(0)
    }, 30_000)

    it("F04: a project .mcp.json another user owns is not refused (it is approval-gated) but not trusted silently", async () => {
      await using t = await tmpdir()
      const file = await t.write(".mcp.json", { mcpServers: { proj: { command: "echo", args: ["hi"] } } })
      chownSync(file, OTHER, OTHER)
      const r = await runCli(["config", "validate"], { home: t.home, cwd: t.path, binary: true })
      expect(r.code).toBe(3) // the project server still needs approval
      expect(r.stderr).toContain(
        `${file}: owned by uid ${OTHER}, not you (uid 0): someone else can change its servers`,
      )
    }, 30_000)
  },
)

describe.skipIf(!isRoot)("compiled binary: a pre-created AGENTRT_HOME of another user (F05)", () => {
  it("AGENTRT_HOME=/tmp/agentrt-ci-… owned by uid 65534 with a server in its mcp.json: exit 2, the server never starts", async () => {
    await using t = await tmpdir()
    // Right under /tmp, as a CI script's fixed AGENTRT_HOME=/tmp/agentrt-ci would be.
    const ci = await mkdtemp("/tmp/agentrt-ci-")
    try {
      const marker = join(t.path, "started")
      const plant = (owner: number) => {
        mkdirSync(join(ci, "config"), { recursive: true, mode: 0o755 })
        writeFileSync(
          join(ci, "config", "mcp.json"),
          JSON.stringify({ mcpServers: { planted: { command: "sh", args: ["-c", `touch '${marker}'`] } } }),
        )
        chmodSync(ci, 0o755)
        for (const p of [ci, join(ci, "config"), join(ci, "config", "mcp.json")]) chownSync(p, owner, owner)
      }
      const run = (args: string[]) => runCli(args, { home: ci, cwd: t.path, binary: true })

      plant(OTHER)
      for (const args of [
        ["mcp", "list"],
        ["mcp", "call", "planted", "echo"],
        ["config", "show"],
      ]) {
        const r = await run(args)
        expect(r.code).toBe(2)
        expect(r.stderr).toContain(
          `error: ${ci} is owned by uid ${OTHER}, not you (uid 0); agent will not use it`,
        )
        expect(r.stdout).toBe("")
      }
      expect(existsSync(marker)).toBe(false)

      // Control: the same home, ours, does start the server, so the marker above was a real test.
      plant(0)
      await run(["mcp", "list"])
      expect(existsSync(marker)).toBe(true)
    } finally {
      await rm(ci, { recursive: true, force: true })
    }
  }, 60_000)
})
