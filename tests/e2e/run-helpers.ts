// Shared by the `agent run` e2e tests: a config with the agent fixture server, the compiled
// binary run against the fake model, and the output checked against the documented schemas.
import { expect } from "bun:test"
import { readFileSync, readdirSync } from "node:fs"
import { join } from "node:path"
import * as v from "valibot"
import { RunEvent, RunReport } from "../../src/agent/index.ts"
import type { FakeModel } from "../fixtures/model/server.ts"
import { BUN, ROOT, runAgent, type RunResult } from "../helpers/cli.ts"
import type { TmpDir } from "../helpers/tmp.ts"

export const AGENT_SERVER = join(ROOT, "tests/fixtures/servers/stdio-agent.ts")
export const MANY_TOOLS = join(ROOT, "tests/fixtures/servers/stdio-many-tools.ts")

export const config = (t: TmpDir, servers: Record<string, object> = { srv: { command: BUN, args: [AGENT_SERVER] } }) =>
  t.write("mcp.json", { mcpServers: servers })

export const modelEnv = (srv: FakeModel) => ({ ANTHROPIC_API_KEY: "test-key", ANTHROPIC_BASE_URL: srv.anthropicBaseUrl })

export function run(t: TmpDir, args: string[], env: Record<string, string> = {}, timeoutMs = 30_000): Promise<RunResult> {
  return runAgent(["run", ...args], { home: t.home, cwd: t.path, env, binary: true, timeoutMs })
}

/** stdout of `-o stream-json`: every line a valid RunEvent, init first, result last. */
export function events(r: RunResult): RunEvent[] {
  const list = r.stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as RunEvent)
  for (const e of list) expect(v.safeParse(RunEvent, e).issues).toBeUndefined()
  expect(list[0]!.type).toBe("init")
  expect(list.at(-1)!.type).toBe("result")
  return list
}

/** stdout of `-o json`: one valid RunReport. */
export function report(r: RunResult): RunReport {
  const doc = r.json<RunReport>()
  expect(v.safeParse(RunReport, doc).issues).toBeUndefined()
  expect(doc.exitCode).toBe(r.code)
  return doc
}

export function collect(stream: ReadableStream<Uint8Array>) {
  const out = { text: "", done: Promise.resolve() }
  out.done = (async () => {
    for await (const chunk of stream) out.text += new TextDecoder().decode(chunk)
  })()
  return out
}

export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    return !/\) Z /.test(stat)
  } catch {
    return false
  }
}

/** Every process below `pid` (from /proc: Linux only, like the rest of the e2e suite). */
export function descendants(pid: number): number[] {
  const parent = new Map<number, number>()
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8")
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]))
    } catch {}
  }
  const out: number[] = []
  const walk = (p: number) => {
    for (const [child, pp] of parent) if (pp === p) (out.push(child), walk(child))
  }
  walk(pid)
  return out
}
