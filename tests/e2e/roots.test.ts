// C09 on the compiled binary: agent offers no MCP roots unless the user asked. The fixture's
// `roots` tool reports whether the client declared the roots capability and what roots/list
// answered. Run from a directory full of files, agent must not hand that directory over (a
// filesystem server would widen its sandbox to it); a server's `roots` and `--root DIR` do.
import { describe, expect, it } from "bun:test"
import { mkdirSync } from "node:fs"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { fakeModel } from "../fixtures/model/server.ts"
import { BUN, runCli } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"
import { AGENT_SERVER, config, events, modelEnv, run } from "./run-helpers.ts"

const call = (t: TmpDir, file: string, extra: string[] = []) =>
  runCli(["mcp", "call", "srv", "roots", "--mcp", file, ...extra], {
    home: t.home,
    cwd: t.path,
    binary: true,
    timeoutMs: 30_000,
  })

describe("compiled binary: roots only where the user asked (C09)", () => {
  it("offers nothing by default, not even the working directory", async () => {
    await using t = await tmpdir()
    await t.write("private.txt", "not for the server")
    const file = await config(t)
    const r = await call(t, file)
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({ declared: false, roots: [] })
  }, 30_000)

  it("offers a server's own `roots` (relative to where agent runs) and each --root DIR", async () => {
    await using t = await tmpdir()
    for (const d of ["data", "extra"]) mkdirSync(join(t.path, d))
    const file = await config(t, { srv: { command: BUN, args: [AGENT_SERVER], roots: ["data"] } })
    const r = await call(t, file, ["--root", "extra"])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({
      declared: true,
      roots: [
        { uri: pathToFileURL(join(t.path, "data")).href, name: "data" },
        { uri: pathToFileURL(join(t.path, "extra")).href, name: "extra" },
      ],
    })
  }, 30_000)

  it("refuses a --root that is not a directory before starting anything (exit 2)", async () => {
    await using t = await tmpdir()
    const file = await config(t)
    const r = await call(t, file, ["--root", "missing"])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("--root missing is not a directory")
  }, 30_000)

  it("agent run takes --root too; without it the tool result shows no roots", async () => {
    await using t = await tmpdir()
    mkdirSync(join(t.path, "work"))
    const file = await config(t)
    await using srv = await fakeModel([
      { toolCalls: [{ name: "srv__roots" }] },
      { text: "none" },
      { toolCalls: [{ name: "srv__roots" }] },
      { text: "one" },
    ])
    const result = (args: string[]) =>
      run(
        t,
        ["--mcp", file, "-m", "anthropic:claude-test", "--yes", "-o", "stream-json", ...args, "which roots?"],
        modelEnv(srv),
      )
    const content = async (args: string[]) => {
      const r = await result(args)
      expect(r.code).toBe(0)
      return JSON.parse((events(r).find((e) => e.type === "tool_result") as { content: string }).content)
    }
    expect(await content([])).toEqual({ declared: false, roots: [] })
    expect(await content(["--root", "work"])).toEqual({
      declared: true,
      roots: [{ uri: pathToFileURL(join(t.path, "work")).href, name: "work" }],
    })
  }, 60_000)
})
