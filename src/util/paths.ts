import { mkdirSync, statSync, type Stats } from "node:fs"
import { homedir } from "node:os"
import { dirname, isAbsolute, join } from "node:path"
import { describeFsError } from "./atomic.ts"
import { ConfigError } from "./errors.ts"
import { displayArg, escapeTerminal } from "./text.ts"

export interface Paths {
  /** Directory of the user-scope config (mcp.json). */
  configDir: string
  /** Directory for approvals, tokens and logs. */
  stateDir: string
  /** The user-scope config file. */
  userConfig: string
}

type Env = Record<string, string | undefined>

/**
 * AGENTRT_HOME=DIR puts config under DIR/config and state under DIR/state (tests always
 * set it); otherwise the XDG base directories. Creates nothing, and reads only `env` (the CLI
 * passes process.env); an existing AGENTRT_HOME must pass the same checks as the directories
 * inside it (F03, F05: a /tmp/agentrt-ci another user made, holding their mcp.json, must not
 * make agent run their servers).
 */
export function resolvePaths(env: Env): Paths {
  const home = env.AGENTRT_HOME
  if (home !== undefined && home !== "") {
    if (!isAbsolute(home)) {
      throw new ConfigError(`AGENTRT_HOME must be an absolute path, got "${home}"`, {
        hint: `set it to an absolute directory, for example AGENTRT_HOME="$PWD/${home}"`,
      })
    }
    checkHome(home)
    return withConfigFile({ configDir: join(home, "config"), stateDir: join(home, "state") })
  }
  const userHome = env.HOME || homedir()
  const xdgConfig = absoluteOr(env.XDG_CONFIG_HOME, join(userHome, ".config"))
  const xdgState = absoluteOr(env.XDG_STATE_HOME, join(userHome, ".local", "state"))
  return withConfigFile({ configDir: join(xdgConfig, "agentrt"), stateDir: join(xdgState, "agentrt") })
}

function checkHome(home: string): void {
  let st: Stats
  try {
    st = statSync(home)
  } catch (e: unknown) {
    // Missing: ensurePrivateDir creates it 0700 on the first write.
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return
    throw new ConfigError(`cannot use AGENTRT_HOME ${escapeTerminal(home)}: ${describeFsError(e)}`, {
      file: home,
      cause: e,
    })
  }
  checkPrivateDir(home, st)
}

function withConfigFile(p: { configDir: string; stateDir: string }): Paths {
  return { ...p, userConfig: join(p.configDir, "mcp.json") }
}

// XDG spec: a relative value is invalid and must be ignored.
function absoluteOr(value: string | undefined, fallback: string): string {
  return value && isAbsolute(value) ? value : fallback
}

/**
 * Creates DIR (and parents) with mode 0700 when missing. An existing directory must pass
 * checkPrivatePath and its ancestors checkAncestor (C08: AGENTRT_HOME checks; F01: file modes
 * and links; F03: owner and group/other write bits of the agentrt directories).
 */
export function ensurePrivateDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  checkPrivateDir(dir, statSync(dir))
  return dir
}

/**
 * ensurePrivateDir's checks without creating anything, for read-only paths: false when DIR does
 * not exist (nothing to read), true when it is a private directory; otherwise it throws.
 */
export function existingPrivateDir(dir: string): boolean {
  let st: Stats
  try {
    st = statSync(dir)
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return false
    throw e
  }
  checkPrivateDir(dir, st)
  return true
}

function checkPrivateDir(dir: string, st: Stats): void {
  if (!st.isDirectory()) throw new ConfigError(`${dir} exists and is not a directory`)
  checkPrivatePath(dir, st)
  refuseSharedAncestor(dir)
}

/**
 * The one trust check (F03, F04) for every path agent keeps its own data in: AGENTRT_HOME, the
 * config, state and tokens directories, the user mcp.json, approvals.json and token files, for
 * reads and writes alike. The path must be owned by the user running agent and writable by
 * nobody else: another local user who owns it, or a group member who may write it, could put
 * servers there for agent to run, or read and swap approvals and tokens. The caller passes
 * lstat or fstat of the path, so a symlink is judged where the caller refuses them (F01).
 */
export function checkPrivatePath(path: string, st: Stats): void {
  const uid = process.getuid?.()
  // Windows has no uids or POSIX mode bits (ACLs decide there); nothing to compare.
  if (uid === undefined) return
  if (st.uid !== uid) throw notOwned(path, st.uid, uid)
  if ((st.mode & 0o022) !== 0) throw writableByOthers(path, st)
}

/** What checkPrivatePath would refuse, in words ("owned by uid 65534, not you"), or undefined. */
export function privatePathProblem(st: Stats): string | undefined {
  const uid = process.getuid?.()
  if (uid === undefined) return undefined
  if (st.uid !== uid) return `owned by uid ${st.uid}, not you (uid ${uid})`
  if ((st.mode & 0o022) !== 0) return `writable by ${writers(st)} (mode ${(st.mode & 0o777).toString(8)})`
  return undefined
}

/**
 * Like ssh's StrictModes for the directories above ours: each must be owned by us or root and
 * writable by nobody else, unless its sticky bit is set (/tmp): with it, other users cannot
 * rename or delete what we create inside. A 0777 or foreign-owned parent lets its owner or any
 * user rename our private directory away and plant their own.
 */
function refuseSharedAncestor(dir: string): void {
  const uid = process.getuid?.()
  if (uid === undefined) return // Windows: see checkPrivatePath
  for (let d = dirname(dir); ; d = dirname(d)) {
    const st = statSync(d)
    if (st.uid !== uid && st.uid !== 0) throw notOwned(d, st.uid, uid)
    if ((st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0) throw writableByOthers(d, st)
    if (d === dirname(d)) return
  }
}

function notOwned(path: string, owner: number, uid: number): ConfigError {
  return new ConfigError(
    `${escapeTerminal(path)} is owned by uid ${owner}, not you (uid ${uid}); agent will not use it`,
    {
      file: path,
      hint: `if it is yours: chown ${uid} ${displayArg(path)}; otherwise point AGENTRT_HOME at a directory of your own`,
    },
  )
}

function writableByOthers(path: string, st: Stats): ConfigError {
  return new ConfigError(
    `${escapeTerminal(path)} is writable by ${writers(st)} (mode ${(st.mode & 0o777).toString(8)}); agent will not use it`,
    {
      file: path,
      hint: `run: chmod go-w ${displayArg(path)}   (or point AGENTRT_HOME somewhere private)`,
    },
  )
}

const writers = (st: Stats) => ((st.mode & 0o002) !== 0 ? "every user" : "its group")
