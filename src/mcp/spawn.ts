import { spawn, type ChildProcess } from "node:child_process"
import { statSync } from "node:fs"
import type { StdioServer } from "../config/index.ts"
import { windowsSpawn, type WindowsSpawn } from "./windows-spawn.ts"

// Starting a stdio server, without the client SDK: the manager spawns the first servers
// before the SDK has loaded (~25 ms of module evaluation) so the children boot meanwhile, and
// StdioTransport adopts them. Events that fire before the transport attaches are queued.

import { POSIX_ENV, WINDOWS_ENV } from "../util/inherited-env.ts"

export { POSIX_ENV, WINDOWS_ENV }

/** C05: only these parent variables reach a stdio server, plus its configured `env`. */
export function minimalEnv(
  parent: Record<string, string | undefined>,
  extra: Record<string, string>,
  platform = process.platform,
): Record<string, string> {
  const allowed = new Set(platform === "win32" ? [...POSIX_ENV, ...WINDOWS_ENV] : POSIX_ENV)
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(parent)) {
    if (value === undefined || value.startsWith("()")) continue // exported shell functions
    const upper = platform === "win32" ? key.toUpperCase() : key
    if (allowed.has(upper) || upper.startsWith("LC_")) env[key] = value
  }
  return { ...env, ...extra }
}

export interface SpawnParams {
  command: string
  args: string[]
  env: Record<string, string>
  cwd?: string
}

/**
 * How a stdio server is started, built once per server: the early spawn and the transport (and
 * a legacy restart) all use this value, so they cannot disagree about the command or environment.
 */
export function spawnParams(server: StdioServer, parentEnv: Record<string, string | undefined>): SpawnParams {
  return {
    command: server.command,
    args: server.args,
    env: minimalEnv(parentEnv, server.env),
    ...(server.cwd !== undefined && { cwd: server.cwd }),
  }
}

export interface ChildEvents {
  spawn(): void
  error(e: Error): void
  exit(code: number | null, signal: NodeJS.Signals | null): void
  stdout(chunk: Buffer): void
  stderr(chunk: Buffer): void
  stdinError(e: Error): void
}

export interface Spawned {
  child: ChildProcess
  /** Hands the child's events to `events`, first replaying (in order) those that already fired. */
  attach(events: ChildEvents): void
}

// S04: on POSIX every stdio server leads its own process group (`detached`: Bun and Node call
// setsid, so the group id is the server's pid), and stopping it signals the whole group: what
// `sh -c 'helper & exec server'` started goes too, even a helper that ignores the end of stdin.
// The price: the terminal's Ctrl-C no longer reaches servers directly, so agent forwards it
// (S05), as it does SIGTERM and SIGHUP (S06): main.ts. A process that makes its own group or
// session (a daemon) still escapes; only a cgroup could hold it.
// Windows: Bun gives no job objects, and `detached` there only opens a new console, so servers
// start as before and stopping one ends that process alone, not what it started (docs/commands.md, "Stopping servers").
const OWN_GROUP = process.platform !== "win32"

/**
 * What spawn runs for `p`: the command itself, except on Windows (S10), where PATH × PATHEXT finds
 * the file and a .cmd/.bat (npx) runs through cmd.exe with an escaped line (windows-spawn.ts).
 * Throws McpConnectError when a batch file would need a line break or NUL on that line.
 */
export function spawnPlan(
  p: SpawnParams,
  platform: NodeJS.Platform,
  isFileAt: (path: string) => boolean = isFile,
): WindowsSpawn {
  if (platform !== "win32") return { file: p.command, args: p.args, isVerbatim: false }
  return windowsSpawn({ ...p, cwd: p.cwd ?? process.cwd(), isFile: isFileAt })
}

/** Throws as spawnPlan does (S10); every other failure to start arrives as the child's "error" event. */
export function spawnServer(p: SpawnParams): Spawned {
  const plan = spawnPlan(p, process.platform)
  const child = spawn(plan.file, plan.args, {
    env: p.env,
    cwd: p.cwd,
    stdio: ["pipe", "pipe", "pipe"],
    shell: false,
    windowsHide: true,
    windowsVerbatimArguments: plan.isVerbatim,
    detached: OWN_GROUP,
  })
  let target: ChildEvents | undefined
  const queued: (() => void)[] = []
  const on =
    <K extends keyof ChildEvents>(k: K) =>
    (...a: Parameters<ChildEvents[K]>) => {
      const fire = () => (target![k] as (...x: Parameters<ChildEvents[K]>) => void)(...a)
      if (target) fire()
      else queued.push(fire)
    }
  child.once("spawn", on("spawn"))
  child.on("error", on("error"))
  child.once("exit", on("exit"))
  child.stdout!.on("data", on("stdout"))
  child.stderr!.on("data", on("stderr"))
  child.stdin!.on("error", on("stdinError"))
  return {
    child,
    attach(events) {
      if (target) throw new Error("unreachable: a spawned server attached twice")
      target = events
      for (const fire of queued.splice(0)) fire()
    },
  }
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false
}

/**
 * S04: sends `signal` to the server's whole process group (Windows: to the server alone).
 * False when nobody was left to receive it.
 */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals | 0): boolean {
  const pid = child.pid
  if (pid === undefined) return false
  if (!OWN_GROUP)
    return signal === 0 ? child.exitCode === null && child.signalCode === null : child.kill(signal)
  try {
    process.kill(-pid, signal)
    return true
  } catch (e: unknown) {
    // ESRCH: the group is empty. EPERM: what is left there is no longer ours to signal.
    if (e instanceof Error && "code" in e && (e.code === "ESRCH" || e.code === "EPERM")) return false
    throw e
  }
}
