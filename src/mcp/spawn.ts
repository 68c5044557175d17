import { spawn } from "node:child_process"
import { statSync } from "node:fs"
import type { StdioServer } from "../config/index.ts"
import type { Log } from "../util/log.ts"
import { type Libc, loadLibc, SpawnFailure, type SpawnOutcome } from "./libc-spawn.ts"
import { failedChild, posixChild, spawnError } from "./posix-child.ts"
import { type ChildEvents, nodeChild, type ServerChild } from "./server-child.ts"
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
  /** "child_process" forces node:child_process (tests, and AGENTRT_SPAWN=child_process in the CLI). */
  launcher?: Launcher
}

/**
 * How a stdio server is started, built once per server: the early spawn and the transport (and
 * a legacy restart) all use this value, so they cannot disagree about the command or environment.
 */
export function spawnParams(
  server: StdioServer,
  parentEnv: Record<string, string | undefined>,
  launcher?: Launcher,
): SpawnParams {
  return {
    command: server.command,
    args: server.args,
    env: minimalEnv(parentEnv, server.env),
    ...(server.cwd !== undefined && { cwd: server.cwd }),
    ...(launcher !== undefined && { launcher }),
  }
}

export type { ChildEvents, ServerChild } from "./server-child.ts"

/** How stdio servers are started: "auto" is posix_spawn where libc-spawn.ts can load, else "child_process". */
export type Launcher = "auto" | "child_process"

export interface Spawned {
  child: ServerChild
  /** Hands the child's events to `events`, first replaying (in order) those that already fired. */
  attach(events: ChildEvents): void
}

// S04: on POSIX every stdio server leads its own process group, and stopping it signals the
// whole group: what `sh -c 'helper & exec server'` started goes too, even a helper that ignores
// the end of stdin. On Linux the group is made by posix_spawn with POSIX_SPAWN_SETPGROUP
// (libc-spawn.ts), inside agent's session: a new session per server (Bun's `detached`, setsid)
// would also be a new autogroup for the scheduler, ~24 ms of CPU per server (docs/performance.md).
// Elsewhere, or when libc cannot be loaded through bun:ffi, `detached` (setsid) makes the group.
// The price of a group of its own: the terminal's Ctrl-C no longer reaches servers directly, so
// agent forwards it (S05), as it does SIGTERM and SIGHUP (S06): main.ts. A process that makes
// its own group or session (a daemon) still escapes; only a cgroup could hold it.
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
export function spawnServer(p: SpawnParams, log?: Log): Spawned {
  let target: ChildEvents | undefined
  const queued: (() => void)[] = []
  const emit = <K extends keyof ChildEvents>(k: K, ...a: Parameters<ChildEvents[K]>) => {
    const fire = () => (target![k] as (...x: Parameters<ChildEvents[K]>) => void)(...a)
    if (target) fire()
    else queued.push(fire)
  }
  const libc = p.launcher === "child_process" ? undefined : posixLibc(log)
  const child =
    libc && (p.cwd === undefined || libc.hasChdir) ? spawnPosix(libc, p, emit) : spawnNode(p, emit)
  return {
    child,
    attach(events) {
      if (target) throw new Error("unreachable: a spawned server attached twice")
      target = events
      for (const fire of queued.splice(0)) fire()
    },
  }
}

type Emit = <K extends keyof ChildEvents>(k: K, ...a: Parameters<ChildEvents[K]>) => void

function spawnNode(p: SpawnParams, emit: Emit): ServerChild {
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
  child.once("spawn", () => emit("spawn"))
  child.on("error", (e) => emit("error", e))
  child.once("exit", (code, signal) => emit("exit", code, signal))
  child.stdout!.on("data", (chunk: Buffer) => emit("stdout", chunk))
  child.stderr!.on("data", (chunk: Buffer) => emit("stderr", chunk))
  child.stdin!.on("error", (e) => emit("stdinError", e))
  return nodeChild(child, OWN_GROUP)
}

/**
 * PATH is looked up with the server's own PATH (C05's), as node:child_process does; a command
 * with a slash is used as given (relative to the server's cwd, since the chdir happens first).
 */
function spawnPosix(libc: Libc, p: SpawnParams, emit: Emit): ServerChild {
  // As node:child_process does: a NUL would cut the C string short, so refuse it outright.
  for (const s of [p.command, ...p.args, ...Object.entries(p.env).flat()])
    if (s.includes("\0")) throw Object.assign(new TypeError(NUL_MESSAGE), { code: "ERR_INVALID_ARG_VALUE" })
  const file = p.command.includes("/")
    ? p.command
    : Bun.which(p.command, { PATH: p.env.PATH ?? "", ...(p.cwd !== undefined && { cwd: p.cwd }) })
  if (file === null) return failedChild(spawnError(p.command, p.args, ENOENT), emit)
  let started: SpawnOutcome
  try {
    started = libc.spawn({
      file,
      argv: [p.command, ...p.args],
      env: p.env,
      ...(p.cwd !== undefined && { cwd: p.cwd }),
    })
  } catch (e: unknown) {
    if (!(e instanceof SpawnFailure)) throw e
    started = { ok: false, errno: e.errno } // no pipes (EMFILE): an "error" event, as Node gives
  }
  if (!started.ok) return failedChild(spawnError(p.command, p.args, started.errno), emit)
  return posixChild(libc, started, emit)
}

const ENOENT = 2
const NUL_MESSAGE = "a stdio server's command, argument or environment contains a NUL byte"

/** libc, loaded on the first spawn; when it cannot be, the reason is logged (at debug) once per process. */
let libcMemo: Libc | string | undefined
function posixLibc(log?: Log): Libc | undefined {
  if (libcMemo === undefined) {
    libcMemo = loadLibc()
    if (typeof libcMemo === "string")
      log?.debug(`stdio servers start through node:child_process: ${libcMemo}`)
  }
  return typeof libcMemo === "string" ? undefined : libcMemo
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false
}

/** S04: sends `signal` to the server's whole process group (Windows: to the server alone). */
export function signalGroup(child: ServerChild, signal: NodeJS.Signals | 0): boolean {
  return child.signalGroup(signal)
}
