// S31: what a caller sends the daemon of its environment without being asked. These names are
// not secrets: where files are (AGENTRT_HOME, XDG_*), what a stdio server inherits anyway (C05's
// list: PATH, HOME, locale…) and how to print (NO_COLOR, TERM). Every other variable (an approved
// ${VAR}, a model's API key) is sent only when the command, run inside the daemon, reads it,
// which the approvals gate: the daemon asks for those names and the caller answers with their
// values. The daemon never reads its own environment in place of the caller's.

import { POSIX_ENV, WINDOWS_ENV } from "../util/inherited-env.ts"

const NAMES = new Set([
  // C05's list, which a stdio server inherits anyway (Windows' part too: a caller may be there).
  ...POSIX_ENV,
  ...WINDOWS_ENV,
  "COLORTERM",
  "NO_COLOR",
  "FORCE_COLOR",
  "CI",
  "AGENTRT_HOME",
  // docs/policy.md: a path, read by every command inside the daemon too (the policy applies there).
  "AGENTRT_POLICY",
  "XDG_CONFIG_HOME",
  "XDG_STATE_HOME",
  // Read by every command that might sign in (can a browser open here?): where, not secrets.
  "BROWSER",
  "DISPLAY",
  "WAYLAND_DISPLAY",
  "SSH_CONNECTION",
  "SSH_TTY",
  // docs/performance.md: `AGENTRT_TRACE=1 agent daemon start` traces each request in the daemon's log.
  "AGENTRT_TRACE",
])

/** Whether the caller sends `name` with every request (else only when the daemon asks for it). */
export function isBaseEnv(name: string): boolean {
  return NAMES.has(name) || name.startsWith("LC_")
}

export function baseEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(env)) if (v !== undefined && isBaseEnv(k)) out[k] = v
  return out
}
