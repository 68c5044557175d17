import { mkdirSync, statSync, type Stats } from "node:fs"
import { homedir } from "node:os"
import { dirname, isAbsolute, join } from "node:path"
import { ConfigError } from "./errors.ts"

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
 * set it); otherwise the XDG base directories. Pure: creates nothing, and reads only `env`
 * (the CLI passes process.env).
 */
export function resolvePaths(env: Env): Paths {
  const home = env.AGENTRT_HOME
  if (home !== undefined && home !== "") {
    if (!isAbsolute(home)) {
      throw new ConfigError(`AGENTRT_HOME must be an absolute path, got "${home}"`, {
        hint: `set it to an absolute directory, for example AGENTRT_HOME="$PWD/${home}"`,
      })
    }
    return withConfigFile({ configDir: join(home, "config"), stateDir: join(home, "state") })
  }
  const userHome = env.HOME || homedir()
  const xdgConfig = absoluteOr(env.XDG_CONFIG_HOME, join(userHome, ".config"))
  const xdgState = absoluteOr(env.XDG_STATE_HOME, join(userHome, ".local", "state"))
  return withConfigFile({ configDir: join(xdgConfig, "agentrt"), stateDir: join(xdgState, "agentrt") })
}

function withConfigFile(p: { configDir: string; stateDir: string }): Paths {
  return { ...p, userConfig: join(p.configDir, "mcp.json") }
}

// XDG spec: a relative value is invalid and must be ignored.
function absoluteOr(value: string | undefined, fallback: string): string {
  return value && isAbsolute(value) ? value : fallback
}

/**
 * Creates DIR (and parents) with mode 0700 when missing. An existing directory that other
 * users can write to is refused: they could swap our files (C08: AGENTRT_HOME checks;
 * F01: file modes and links).
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
  if ((st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0) {
    throw new ConfigError(`${dir} is writable by other users (mode ${(st.mode & 0o777).toString(8)})`, {
      hint: `run: chmod 700 ${dir}`,
    })
  }
  refuseSharedAncestor(dir)
}

// Like ssh's StrictModes: a world-writable parent without the sticky bit (say a 0777
// AGENTRT_HOME) lets any local user rename our private directory away and plant their own.
function refuseSharedAncestor(dir: string): void {
  for (let d = dirname(dir); ; d = dirname(d)) {
    const st = statSync(d)
    if ((st.mode & 0o002) !== 0 && (st.mode & 0o1000) === 0) {
      throw new ConfigError(`${d} is writable by every user (mode ${(st.mode & 0o777).toString(8)}), so files below it are not private`, {
        hint: `run: chmod 700 ${d}   (or point AGENTRT_HOME somewhere private)`,
      })
    }
    if (d === dirname(d)) return
  }
}
