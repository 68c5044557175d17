// Public surface of the daemon domain (docs/daemon.md). Light on purpose: the caller's side of a
// warm command imports this file, so it holds the socket naming, the protocol and the env rule;
// the listening side and the server pool (which load the MCP manager) load on demand.
export { daemonPlace, pipeName, MAX_SOCKET_PATH, type DaemonPlace, type Who } from "./paths.ts"
export {
  PROTOCOL_VERSION,
  encode,
  lineReader,
  type CallerTty,
  type ClientMessage,
  type DaemonMessage,
  type DaemonStatus,
  type HeldServerStatus,
} from "./protocol.ts"
export { baseEnv, isBaseEnv } from "./env.ts"
export type { Pool } from "./pool.ts"
export type { Caller, Daemon, DaemonOptions } from "./server.ts"
/** The listening side and the pool: only `agent daemon run` loads them. */
export const loadDaemonServer = async () => {
  const [server, pool] = await Promise.all([import("./server.ts"), import("./pool.ts")])
  return { startDaemon: server.startDaemon, createPool: pool.createPool }
}
