import { afterEach, describe, expect, it } from "bun:test"
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { editJsonFile } from "../../src/config/edit.ts"
import { cleanupStaleTemps } from "../../src/util/atomic.ts"
import { ConfigError } from "../../src/util/errors.ts"

const BUN = process.execPath
const WRITERS = join(import.meta.dir, "../fixtures/writers")

const dirs: string[] = []
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "agentrt-edit-"))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function servers(file: string): string[] {
  const doc = JSON.parse(readFileSync(file, "utf8"))
  return Object.keys(doc.mcpServers ?? {}).sort()
}

async function runAll(cmds: string[][]) {
  const procs = cmds.map((cmd) => Bun.spawn(cmd, { stdout: "inherit", stderr: "inherit" }))
  expect(await Promise.all(procs.map((p) => p.exited))).toEqual(cmds.map(() => 0))
}

describe("editJsonFile", () => {
  it("keeps key order, unknown fields, tab indent and a missing final newline", async () => {
    const f = join(tmp(), "mcp.json")
    const text =
      '{\n\t"zeta": 1,\n\t"mcpServers": {\n\t\t"b": {"command": "b", "x-custom": [1, 2]},\n\t\t"a": {"url": "https://a"}\n\t},\n\t"alpha": {"keep": true}\n}'
    writeFileSync(f, text)
    await editJsonFile(f, (doc) => {
      ;(doc.mcpServers as Record<string, unknown>).c = { command: "c" }
    })
    const out = readFileSync(f, "utf8")
    expect(out.endsWith("}")).toBe(true)
    expect(out).toContain(
      '\n\t"zeta": 1,\n\t"mcpServers": {\n\t\t"b": {\n\t\t\t"command": "b",\n\t\t\t"x-custom": [',
    )
    expect(Object.keys(JSON.parse(out))).toEqual(["zeta", "mcpServers", "alpha"])
    expect(Object.keys(JSON.parse(out).mcpServers)).toEqual(["b", "a", "c"])
    expect(JSON.parse(out).mcpServers.b["x-custom"]).toEqual([1, 2])
    expect(JSON.parse(out).alpha).toEqual({ keep: true })
  })

  it("keeps 4-space indent, CRLF line ends and a final newline", async () => {
    const f = join(tmp(), "mcp.json")
    writeFileSync(f, '{\r\n    "a": 1\r\n}\r\n')
    await editJsonFile(f, (doc) => ({ ...doc, b: 2 }))
    expect(readFileSync(f, "utf8")).toBe('{\r\n    "a": 1,\r\n    "b": 2\r\n}\r\n')
  })

  it("creates a missing file as {} when asked, with the given mode", async () => {
    const f = join(tmp(), "sub", "mcp.json")
    const doc = await editJsonFile(f, (d) => void (d.mcpServers = {}), { create: true, mode: 0o644 })
    expect(doc).toEqual({ mcpServers: {} })
    expect(readFileSync(f, "utf8")).toBe('{\n  "mcpServers": {}\n}\n')
    expect(statSync(f).mode & 0o777).toBe(0o644)
  })

  it("refuses a missing file without create, and invalid JSON, leaving the file alone", async () => {
    const d = tmp()
    const missing = join(d, "missing.json")
    await expect(editJsonFile(missing, () => {})).rejects.toBeInstanceOf(ConfigError)
    expect(existsSync(missing)).toBe(false)
    const bad = join(d, "bad.json")
    writeFileSync(bad, '{"a": 1,}')
    await expect(editJsonFile(bad, () => {})).rejects.toBeInstanceOf(ConfigError)
    expect(readFileSync(bad, "utf8")).toBe('{"a": 1,}')
    const jsonc = join(d, "settings.json")
    writeFileSync(jsonc, '{\n  // rewriting would drop this comment\n  "a": 1\n}\n')
    await expect(editJsonFile(jsonc, () => {})).rejects.toBeInstanceOf(ConfigError)
    expect(readFileSync(jsonc, "utf8")).toContain("// rewriting")
    expect(readdirSync(d).sort()).toEqual(["bad.json", "settings.json"])
  })

  it("keeps a one-line file on one line", async () => {
    const f = join(tmp(), "mcp.json")
    writeFileSync(f, '{"mcpServers":{"a":{"command":"a"}}}')
    await editJsonFile(f, (doc) => void (doc.z = true))
    expect(readFileSync(f, "utf8")).toBe('{"mcpServers":{"a":{"command":"a"}},"z":true}')
  })

  it("keeps the file mode (0640 stays 0640)", async () => {
    const f = join(tmp(), "mcp.json")
    writeFileSync(f, "{}\n")
    chmodSync(f, 0o640)
    await editJsonFile(f, (doc) => void (doc.a = 1), { mode: 0o600 })
    expect(statSync(f).mode & 0o777).toBe(0o640)
  })

  it("loses no entry when 2 processes each add 50 (F02)", async () => {
    const f = join(tmp(), "mcp.json")
    await runAll(["a", "b"].map((p) => [BUN, join(WRITERS, "add-entries.ts"), f, p, "50"]))
    const expected = ["a", "b"].flatMap((p) => Array.from({ length: 50 }, (_, i) => `${p}-${i}`))
    expect(servers(f)).toEqual(expected.sort())
  }, 60_000)

  it("loses no entry when 20 processes each add one (F02)", async () => {
    const d = tmp()
    const f = join(d, "mcp.json")
    writeFileSync(f, '{\n  "keep": "me"\n}\n')
    const cmds = Array.from({ length: 20 }, (_, i) => [BUN, join(WRITERS, "add-entries.ts"), f, `p${i}`, "1"])
    await runAll(cmds)
    expect(servers(f)).toEqual(Array.from({ length: 20 }, (_, i) => `p${i}-0`).sort())
    expect(JSON.parse(readFileSync(f, "utf8")).keep).toBe("me")
    expect(readdirSync(d)).toEqual(["mcp.json"])
  }, 60_000)

  it("always leaves a complete version when the writer is killed mid-write (SIGINT/SIGKILL)", async () => {
    const d = tmp()
    const f = join(d, "mcp.json")
    let lastVersion = 0
    for (let round = 0; round < 8; round++) {
      await using child = Bun.spawn([BUN, join(WRITERS, "write-loop.ts"), f], {
        stdout: "pipe",
        stderr: "inherit",
      })
      const { value } = await child.stdout.getReader().read()
      expect(new TextDecoder().decode(value)).toBe("ready\n")
      await Bun.sleep(20 + Math.random() * 200)
      child.kill(round % 2 === 0 ? "SIGKILL" : "SIGINT")
      await child.exited
      const doc = JSON.parse(readFileSync(f, "utf8"))
      expect(doc.items.length).toBe(2000)
      expect(doc.items.every((it: { version: number }) => it.version === doc.version)).toBe(true)
      lastVersion = doc.version
    }
    expect(lastVersion).toBeGreaterThan(0)
    // A killed writer may leave its temps and its lock; the next writer breaks the lock (dead
    // pid), and the temps (data and lock) can be swept.
    await cleanupStaleTemps(d, "mcp.json", 0)
    await cleanupStaleTemps(d, "mcp.json.lock", 0)
    expect(readdirSync(d).filter((n) => n.endsWith(".tmp"))).toEqual([])
  }, 60_000)
})
