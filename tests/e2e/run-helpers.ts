// Shared by the `agent run` e2e tests: a config with the agent fixture server, the compiled
// binary run against the fake model, and the output checked against the documented schemas.
import { expect } from "bun:test"
import { join } from "node:path"
import * as v from "valibot"
import { RunEvent } from "../../src/agent/index.ts"
import { RunReport } from "../../src/agent/events.ts"
import type { FakeModel } from "../fixtures/model/server.ts"
import { BUN, ROOT, runCli, type CliResult } from "../helpers/cli.ts"
import type { TmpDir } from "../helpers/tmp.ts"

export const AGENT_SERVER = join(ROOT, "tests/fixtures/servers/stdio-agent.ts")
export const MANY_TOOLS = join(ROOT, "tests/fixtures/servers/stdio-many-tools.ts")

export const config = (
  t: TmpDir,
  servers: Record<string, object> = { srv: { command: BUN, args: [AGENT_SERVER] } },
) => t.write("mcp.json", { mcpServers: servers })

export const modelEnv = (srv: FakeModel) => ({
  ANTHROPIC_API_KEY: "test-key",
  ANTHROPIC_BASE_URL: srv.anthropicBaseUrl,
})

export function run(
  t: TmpDir,
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<CliResult> {
  return runCli(["run", ...args], { home: t.home, cwd: t.path, env, binary: true, timeoutMs })
}

/** stdout of `-o stream-json`: every line a valid RunEvent, init first, result last. */
export function events(r: CliResult): RunEvent[] {
  const list = r.stdout
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l) as RunEvent)
  for (const e of list) expect(v.safeParse(RunEvent, e).issues).toBeUndefined()
  expect(list[0]!.type).toBe("init")
  expect(list.at(-1)!.type).toBe("result")
  return list
}

/** stdout of `-o json`: one valid RunReport. */
export function report(r: CliResult): RunReport {
  const doc = r.json<RunReport>()
  expect(v.safeParse(RunReport, doc).issues).toBeUndefined()
  expect(doc.exitCode).toBe(r.code)
  return doc
}

export { collect, descendants, isAlive } from "../helpers/processes.ts"
