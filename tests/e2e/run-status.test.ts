// `agent run` at a terminal (a pty) on the compiled binary: a status line on stderr names the
// tool that runs and its seconds once a call passes about a second, and says when the run waits
// for the model; not in json mode, not with -q, and never left on the screen.
import { describe, expect, it } from "bun:test"
import { fakeModel } from "../fixtures/model/server.ts"
import { runCliTty } from "../helpers/cli.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { config, modelEnv } from "./run-helpers.ts"

const MODEL = ["-m", "anthropic:claude-test"]
const script = () => [
  { delayMs: 1600, toolCalls: [{ name: "srv__sleep", args: { ms: 2500 } }] },
  { text: "finished" },
]

describe("compiled binary: agent run status line", () => {
  it("shows the running tool with its seconds and the wait for the model, then erases it", async () => {
    await using t = await tmpdir()
    await using srv = await fakeModel(script())
    const r = await runCliTty(["run", "--mcp", await config(t), ...MODEL, "--yes", "go"], {
      home: t.home,
      cwd: t.path,
      env: modelEnv(srv),
      binary: true,
      input: [],
      timeoutMs: 30_000,
    })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("waiting for the model (1s)")
    expect(r.stdout).toContain("running srv__sleep (1s)")
    expect(r.stdout).toContain("running srv__sleep (2s)")
    expect(r.stdout).toMatch(/← srv__sleep ok/)
    // The screen: each line after its last carriage return; no status line is left.
    const screen = r.stdout.split("\n").map((l) => l.slice(l.lastIndexOf("\r") + 1).replace("\x1b[2K", ""))
    expect(screen.filter((l) => /running srv__sleep|waiting for the model/.test(l))).toEqual([])
    expect(screen.join("\n")).toContain("finished")
  }, 40_000)

  it("is absent with -o json and with -q", async () => {
    await using t = await tmpdir()
    for (const flags of [["-o", "json"], ["-q"]]) {
      await using srv = await fakeModel(script())
      const r = await runCliTty(["run", "--mcp", await config(t), ...MODEL, "--yes", ...flags, "go"], {
        home: t.home,
        cwd: t.path,
        env: modelEnv(srv),
        binary: true,
        input: [],
        timeoutMs: 30_000,
      })
      expect(r.code).toBe(0)
      expect(r.stdout).toContain("finished")
      expect(r.stdout).not.toMatch(/running srv__sleep|waiting for the model/)
    }
  }, 60_000)
})
