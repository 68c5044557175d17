import type { ParseCache } from "../../config/index.ts"
import type { CallerTty, Pool } from "../../daemon/index.ts"
import { AgentError } from "../../util/errors.ts"

// A command running inside the daemon for a caller (docs/daemon.md "What it does for a command"). The
// daemon runs one request at a time, so "the current request" is process-wide on purpose, like
// Ctrl-C in util/abort.ts: createContext takes the caller's cwd, environment and terminal from it,
// withServers takes servers from its pool, and prompts go to the caller's terminal through it.

export interface WarmRequest {
  cwd: string
  /** S31: the caller's environment as far as it was sent; reading a name not sent records it. */
  env: Record<string, string | undefined>
  tty: CallerTty
  pool: Pool
  /** Config files parsed by earlier requests, reused while their text is unchanged (read at every request). */
  parseCache: ParseCache
  /** Where this request's stdout (1) and stderr (2) go: the daemon sends them to the caller. */
  write(fd: 1 | 2, data: string): void
  /**
   * Called once the command knows which servers it needs (after approvals were checked), before
   * it touches the pool: a variable it read that the caller has not sent yet ends this attempt
   * (NeedMoreEnv), and the daemon runs it again with the value.
   */
  checkpoint(): void
  /** Output held so far goes out; from here on the attempt cannot be repeated. */
  commit(): void
  /** The caller must do this one itself (an OAuth sign-in in its browser): the daemon says so and it runs cold. */
  handBack(reason: string): never
  /** One line typed at the caller's terminal (null: its stdin closed). */
  ask(): Promise<string | null>
  /** All of the caller's stdin (`agent run -`). */
  readStdin(): Promise<string>
  /**
   * `agent mcp serve` / `proxy` on stdio: the caller's stdin/stdout become this MCP session's
   * pipe, and the request goes on in the background (the daemon takes the next one; this one is
   * no longer the current request). Its servers stay acquired until the session ends.
   */
  tunnel(): LinePipe
  /**
   * AGENTRT_TRACE in the daemon's environment: this request's milestones (ms and CPU since the
   * request arrived), written to the daemon's log when it ends. Absent: not traced.
   */
  trace?: (event: string) => void
}

/** Both directions of a tunnelled stdio session: text chunks, null at the end of the input. */
export interface LinePipe {
  write(data: string): void
  onData(fn: (data: string | null) => void): void
}

let current: WarmRequest | undefined

export function warmRequest(): WarmRequest | undefined {
  return current
}

/** Runs `fn` as the daemon's current request (never two at once: the daemon queues them). */
export async function asWarmRequest<T>(req: WarmRequest, fn: () => Promise<T>): Promise<T> {
  if (current) throw new Error("unreachable: two warm requests at once")
  current = req
  try {
    return await fn()
  } finally {
    if (current === req) current = undefined
  }
}

/** The request stops being the current one (it went on in the background: WarmRequest.tunnel). */
export function leaveWarmRequest(req: WarmRequest): void {
  if (current === req) current = undefined
}

/** Ends an attempt that must start again with more of the caller's environment (not an error the user sees). */
export class NeedMoreEnvError extends AgentError {
  constructor(readonly names: string[]) {
    super("failure", `the daemon needs ${names.join(", ")} from the caller`)
  }
}

/** Ends a warm attempt the caller must run itself (not an error the user sees). */
export class HandBackError extends AgentError {
  constructor(readonly reason: string) {
    super("failure", reason)
  }
}
