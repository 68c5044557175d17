import { join } from "node:path"

// Where a user's daemon listens (docs/daemon.md "Where it listens (S30)"). S30: one socket per user,
// inside that user's state dir (0700) with the uid in its name, so two users' daemons never share
// one even when they share an AGENTRT_HOME; on Windows a named pipe, whose name carries the user
// and a hash of the state dir (pipes live in one machine-wide namespace).

/** Unix socket paths longer than this do not fit sockaddr_un on macOS (104) or Linux (108). */
export const MAX_SOCKET_PATH = 103

export interface DaemonPlace {
  /** The directory that holds the socket, the pid file and the log (created 0700). */
  dir: string
  /** The unix socket path, or the named pipe (\\.\pipe\…) on Windows. */
  socket: string
  log: string
  pidFile: string
}

export interface Who {
  platform: NodeJS.Platform
  /** process.getuid() where it exists (absent on Windows). */
  uid?: number
  /** The user name (Windows: USERNAME), used in the pipe name. */
  user?: string
}

export function daemonPlace(stateDir: string, who: Who): DaemonPlace {
  const id = who.uid !== undefined ? String(who.uid) : safeName(who.user ?? "user")
  const dir = join(stateDir, `daemon-${id}`)
  const socket = who.platform === "win32" ? pipeName(stateDir, who.user ?? "user") : join(dir, "d.sock")
  return { dir, socket, log: join(dir, "daemon.log"), pidFile: join(dir, "daemon.pid") }
}

/**
 * `\\.\pipe\agentrt-<user>-<hash>`: the user keeps two users apart, the hash of the state dir keeps
 * two AGENTRT_HOMEs of one user apart (tests, CI jobs). Pipe names may not contain a backslash and
 * are at most 256 characters; the user part is reduced to [A-Za-z0-9._-] and 64 characters.
 */
export function pipeName(stateDir: string, user: string): string {
  // Bun.hash (wyhash, 64 bits), not node:crypto: this runs on every warm call, and node:crypto
  // costs ~2 ms to load. A name, not a secret: the pipe's own ACL keeps other users out.
  const hash = Bun.hash(stateDir.toLowerCase()).toString(16).padStart(16, "0")
  return `\\\\.\\pipe\\agentrt-${safeName(user)}-${hash}`
}

function safeName(s: string): string {
  const clean = s.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 64)
  return clean === "" ? "user" : clean
}
