import { describe, expect, it } from "bun:test"
import { existsSync } from "node:fs"
import { managedPolicyPath } from "../../src/cli/shared/policy.ts"
import { isAlive } from "../helpers/processes.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { agent, counterServer, daemonLog, startedDaemon, status } from "./daemon-helpers.ts"

// docs/policy.md on the compiled binary: cold, and inside the daemon, where the same CLI code
// runs for the caller and must read the policy again for each request (C17). The managed file
// is not touched; these tests stand aside on a machine that has one (it would apply too).

async function until(what: () => Promise<boolean> | boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await what())) {
    if (Date.now() > deadline) throw new Error("timed out waiting")
    await Bun.sleep(50)
  }
}

describe.skipIf(existsSync(managedPolicyPath()))("compiled binary: policy", () => {
  it("blocks cold with exit 6 and the rule; config path shows the file (C11)", async () => {
    await using t = await tmpdir({
      files: {
        "mcp.json": { mcpServers: { counter: counterServer() } },
        "policy.json": { deny: { commands: ["*bun*"] } },
      },
    })
    const env = { AGENTRT_POLICY: `${t.path}/policy.json` }
    const r = await agent(t, ["mcp", "call", "counter", "increment", "--mcp", "mcp.json", "--no-daemon"], env)
    expect(r.code).toBe(6)
    expect(r.stderr).toBe(
      `error: server "counter" is blocked by policy ${t.path}/policy.json: deny.commands[0] "*bun*"\n` +
        "  hint: the policy is set by your organisation; `agent config path` shows which file is in force (docs/policy.md)\n",
    )
    const path = await agent(t, ["config", "path", "--output", "json"], env)
    expect(path.json<{ policy: unknown }>().policy).toEqual([
      { source: "AGENTRT_POLICY", file: `${t.path}/policy.json` },
    ])
  }, 60_000)

  it("inside the daemon: a policy written after a server is held blocks the next call and closes it (C17)", async () => {
    await using t = await tmpdir({
      files: { "mcp.json": { mcpServers: { counter: counterServer() } }, "policy.json": {} },
    })
    const env = { AGENTRT_POLICY: `${t.path}/policy.json` }
    const call = (extra: string[] = []) =>
      agent(t, ["mcp", "call", "counter", "increment", "--mcp", "mcp.json", ...extra], env)
    await using _d = await startedDaemon(t)
    expect((await call()).stdout).toBe("1\n")
    expect((await call()).stdout).toBe("2\n") // held by the daemon: the same process counts on
    const pid = (await status(t)).servers![0]!.pid!
    await t.write("policy.json", { deny: { commands: ["*bun*"] } })
    const warm = await call()
    const cold = await call(["--no-daemon"])
    expect(warm.code).toBe(6)
    expect({ stdout: warm.stdout, stderr: warm.stderr }).toEqual({ stdout: cold.stdout, stderr: cold.stderr })
    expect(warm.stderr).toContain('deny.commands[0] "*bun*"')
    await until(() => !isAlive(pid))
    expect(daemonLog(t)).toContain("it is blocked now")
    // A broken policy is an error in the daemon too, never an empty one.
    await t.write("policy.json", '{"deny": ')
    const broken = await call()
    expect(broken.code).toBe(2)
    expect(broken.stderr).toContain(`error: policy ${t.path}/policy.json`)
  }, 90_000)
})
