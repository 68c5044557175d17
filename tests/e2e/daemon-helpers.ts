// Shared by the daemon e2e tests: the compiled binary run in one temp dir, and a daemon that is
// always stopped (and, should stop fail, killed) when the test ends.
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { BUN, ROOT, runCli, type CliResult } from "../helpers/cli.ts"
import { isAlive } from "../helpers/processes.ts"
import type { TmpDir } from "../helpers/tmp.ts"

export const COUNTER = join(ROOT, "tests/fixtures/servers/stdio-counter.ts")
export const BASIC = join(ROOT, "tests/fixtures/servers/stdio-basic.ts")
export const counterServer = (extra: object = {}) => ({ command: BUN, args: [COUNTER], ...extra })

export function agent(t: TmpDir, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCli(args, { home: t.home, cwd: t.path, binary: true, env, timeoutMs: 30_000 })
}

export function daemonDir(t: TmpDir): string {
  return join(t.home, "state", `daemon-${process.getuid?.() ?? "user"}`)
}

export interface HeldServer {
  name: string
  status: string
  pid?: number
  calls: number
  rssBytes?: number
  uptimeMs: number
}

export async function status(t: TmpDir): Promise<{ running: boolean; pid?: number; servers?: HeldServer[] }> {
  return (await agent(t, ["daemon", "status", "-o", "json"])).json()
}

/** `agent daemon start`; disposing stops it, and kills its pid if it is still there. */
export async function startedDaemon(
  t: TmpDir,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<AsyncDisposable & { pid: number }> {
  const r = await agent(t, ["daemon", "start", ...args], env)
  if (r.code !== 0) throw new Error(`daemon start failed (${r.code}): ${r.stderr}`)
  const pid = Number(readFileSync(join(daemonDir(t), "daemon.pid"), "utf8"))
  return {
    pid,
    async [Symbol.asyncDispose]() {
      await agent(t, ["daemon", "stop"]).catch(() => undefined) // killed below if it did not stop
      if (isAlive(pid)) process.kill(pid, "SIGKILL")
    },
  }
}

export function daemonLog(t: TmpDir): string {
  const file = join(daemonDir(t), "daemon.log")
  return existsSync(file) ? readFileSync(file, "utf8") : ""
}
