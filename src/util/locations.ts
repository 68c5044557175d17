import { isAbsolute, join } from "node:path"

// Where agent's files live, computed only: util/paths.ts's resolvePaths gives the same answers
// and checks the directories too (F03, F05). The warm-call client (cli/shared/daemon-client.ts)
// needs only the state dir, and loading paths.ts's checks (node:crypto through atomic.ts) would
// cost it a fifth of its time; the socket it finds there is checked for its owner (S30), and
// the daemon itself starts through resolvePaths. tests/util/locations.test.ts keeps them equal.

type Env = Record<string, string | undefined>

export function locations(env: Env): { configDir: string; stateDir: string; userConfig: string } {
  const home = env.AGENTRT_HOME
  if (home !== undefined && home !== "") return withFile(join(home, "config"), join(home, "state"))
  // node:os only without $HOME: loading it costs a warm call ~0.2 ms, and HOME is nearly always set.
  const userHome = env.HOME || (require("node:os") as typeof import("node:os")).homedir()
  const xdgConfig = absoluteOr(env.XDG_CONFIG_HOME, join(userHome, ".config"))
  const xdgState = absoluteOr(env.XDG_STATE_HOME, join(userHome, ".local", "state"))
  return withFile(join(xdgConfig, "agentrt"), join(xdgState, "agentrt"))
}

function withFile(configDir: string, stateDir: string) {
  return { configDir, stateDir, userConfig: join(configDir, "mcp.json") }
}

function absoluteOr(value: string | undefined, fallback: string): string {
  return value && isAbsolute(value) ? value : fallback
}
