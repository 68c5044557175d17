// C05: the parent variables a stdio server inherits (Windows adds WINDOWS_ENV), plus LC_*. Kept
// here, apart from mcp/spawn.ts (which loads node:child_process), so the warm caller's light
// side (daemon/env.ts: what it sends the daemon unasked) reads the same list.
export const POSIX_ENV = [
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "SHELL",
  "TERM",
  "LANG",
  "TZ",
  "TMPDIR",
  "TMP",
  "TEMP",
]
export const WINDOWS_ENV = ["SYSTEMROOT", "APPDATA", "LOCALAPPDATA", "USERPROFILE", "PATHEXT", "COMSPEC"]
