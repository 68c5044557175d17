// The daemon's own JSON-lines protocol (docs/daemon.md "Protocol"): one JSON object per line in
// each direction, over the user's unix socket (or named pipe). Small on purpose: the caller's side
// must load nothing heavy (no MCP SDK, no config validator), so it only moves bytes, answers
// questions and forwards Ctrl-C. Version 1; a daemon answers a request of another version with
// `fallback`, and the caller runs cold.

export const PROTOCOL_VERSION = 1

/** The caller's terminal, as the command would have seen it. */
export interface CallerTty {
  stdin: boolean
  stdout: boolean
  stderr: boolean
  columns?: number
}

export type ClientMessage =
  /** Run one command (argv after `agent`) as if in `cwd`, with `env` (S31: only what may be sent). */
  | { t: "run"; v: number; argv: string[]; cwd: string; env: Record<string, string>; tty: CallerTty }
  /** The values of the variables the daemon asked for (null: not set in the caller's environment). */
  | { t: "env"; values: Record<string, string | null> }
  /** One line the person typed at a prompt (null: stdin closed). */
  | { t: "answer"; text: string | null }
  /** The whole of stdin, when the command reads it (`agent run -`). */
  | { t: "stdin"; text: string }
  /** Ctrl-C in the caller: cancel the command (notifications/cancelled reaches the server). */
  | { t: "cancel" }
  | { t: "status"; v: number }
  | { t: "stop"; v: number }
  /** After `tunnel`: a chunk of the caller's stdin (JSON-RPC lines of its MCP client). */
  | { t: "in"; data: string }
  /** After `tunnel`: the caller's stdin closed (its MCP client went away). */
  | { t: "eof" }

export type DaemonMessage =
  | { t: "out"; fd: 1 | 2; data: string }
  | { t: "env?"; names: string[] }
  | { t: "ask" }
  | { t: "stdin?" }
  /**
   * `agent mcp serve` / `proxy`: the MCP session starts; from now on the caller sends its stdin as
   * `in` messages and writes `out` fd 1 (JSON-RPC lines) to its stdout until `exit`.
   */
  | { t: "tunnel" }
  | { t: "exit"; code: number }
  /** Run this command cold instead (a sign-in to do in the caller, another protocol version…). */
  | { t: "fallback"; reason: string }
  | { t: "status"; status: DaemonStatus }
  | { t: "stopping" }

export interface HeldServerStatus {
  name: string
  /** Where the definition came from (the caller's working directory). */
  cwd: string
  transport: string
  status: string
  pid?: number
  uptimeMs: number
  idleMs: number
  calls: number
  /** Resident memory of the stdio child in bytes (absent for remote servers or where unknown). */
  rssBytes?: number
}

export interface DaemonStatus {
  pid: number
  version: string
  socket: string
  log: string
  uptimeMs: number
  idleServerMs: number
  exitAfterMs: number
  requests: number
  servers: HeldServerStatus[]
}

/** Splits a byte stream into JSON lines; a line that is not JSON is skipped (logged by the caller). */
export function lineReader(onMessage: (msg: unknown) => void, onBad?: (line: string) => void) {
  let buf = ""
  return (chunk: string) => {
    buf += chunk
    let i = buf.indexOf("\n")
    while (i >= 0) {
      const line = buf.slice(0, i)
      buf = buf.slice(i + 1)
      if (line.trim() !== "") {
        let msg: unknown
        try {
          msg = JSON.parse(line)
        } catch {
          onBad?.(line) // a broken peer: its line is dropped, the connection goes on
          msg = undefined
        }
        if (msg !== undefined) onMessage(msg)
      }
      i = buf.indexOf("\n")
    }
  }
}

export function encode(msg: ClientMessage | DaemonMessage): string {
  return `${JSON.stringify(msg)}\n`
}
