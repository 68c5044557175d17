import { PassThrough } from "node:stream"
import type { JSONRPCMessage, Transport } from "@modelcontextprotocol/client"
import { parseJSONRPCMessage, SdkError, SdkErrorCode, serializeMessage } from "@modelcontextprotocol/client"
import type { Log } from "../util/log.ts"
import { LineSplitter } from "./lines.ts"
import { type Launcher, type ServerChild, type Spawned, signalGroup, spawnServer } from "./spawn.ts"

export { minimalEnv } from "./spawn.ts"

// Our own stdio transport instead of the SDK's StdioClientTransport, because we need:
// the child's exit code/signal (S01), a bounded line reader (T06: the SDK concatenates
// buffers per chunk and has no per-line cap that keeps memory flat), a capped stderr tail
// (S02), a minimal environment (C05) and a fast, bounded teardown of the server and of
// everything it started (S03, S04).
// It is "stdio-shaped" for the SDK (has `stderr` and `pid`), so version negotiation probes in
// place on this one process instead of spawning a disposable sibling.

export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024
const STDERR_TAIL_BYTES = 64 * 1024
/** Time a child gets to exit on its own after stdin closes, then SIGTERM, then SIGKILL. */
const STDIN_GRACE_MS = 300
const TERM_GRACE_MS = 1500

export interface StdioParams {
  name: string
  command: string
  args: string[]
  env: Record<string, string>
  cwd?: string
  launcher?: Launcher
  log: Log
  maxMessageBytes?: number
  /** Already started by the manager (spawnServer with these same params), to adopt. */
  early?: Spawned
}

export type ExitInfo = { code: number | null; signal: NodeJS.Signals | null }

export class StdioTransport implements Transport {
  onclose?: () => void
  onerror?: (error: Error) => void
  onmessage?: (message: JSONRPCMessage) => void
  /** Present so the SDK treats this as stdio (probe timeouts mean "legacy server"). */
  readonly stderr = new PassThrough()
  private child?: ServerChild
  private tail: Buffer[] = []
  private tailBytes = 0
  private closing = false
  private exited?: Promise<ExitInfo>
  private swept?: Promise<void>
  /** Why the connection ended, when it was not our close(): "exited with status 3". */
  failure?: string
  /** We ended the connection because the server went over a limit (T06), not the server. */
  isLimit = false
  /** What to do about `failure`, when the failure itself knows (a missing command). */
  failureHint?: string
  /** The first non-JSON line on stdout before any message: reported once, at once. */
  private noise?: string
  private hasMessage = false
  exit?: ExitInfo

  constructor(private readonly params: StdioParams) {}

  get pid(): number | null {
    return this.child?.pid ?? null
  }

  start(): Promise<void> {
    if (this.child) throw new SdkError(SdkErrorCode.AlreadyConnected, "stdio transport already started")
    const p = this.params
    return new Promise((resolve, reject) => {
      const spawned = p.early ?? spawnServer(p, p.log)
      const child = spawned.child
      this.child = child
      let isSpawned = false
      let exited!: (info: ExitInfo) => void
      this.exited = new Promise((res) => (exited = res))
      const lines = new LineSplitter(
        p.maxMessageBytes ?? MAX_MESSAGE_BYTES,
        (line) => this.onLine(line),
        (bytes) => this.onOversize(bytes),
      )
      spawned.attach({
        spawn: () => {
          isSpawned = true
          resolve()
        },
        error: (e) => {
          if (isSpawned) return this.onerror?.(e)
          // A command that cannot start never emits "exit"; settle here so close() cannot hang.
          exited({ code: null, signal: null })
          if ((e as { code?: unknown }).code === "ENOENT" && !/[\\/]/.test(p.command)) {
            this.failure ??= `command \`${p.command}\` not found on PATH`
            this.failureHint ??= "install it, or give its full path in the server's command"
          } else if ((e as { code?: unknown }).code === "ENOENT") {
            this.failure ??= `could not start ${p.command}: no such file`
            this.failureHint ??= "check the path in the server's command"
          } else this.failure ??= `could not start ${p.command}: ${e.message}`
          this.exit = { code: null, signal: null }
          reject(e)
        },
        exit: (code, signal) => {
          exited({ code, signal })
          this.onExit({ code, signal })
        },
        stdout: (chunk) => lines.push(chunk),
        stderr: (chunk) => this.onStderr(chunk),
        stdinError: (e) => this.onerror?.(e),
      })
    })
  }

  private onLine(line: Buffer) {
    const text = line.toString("utf8").trim()
    if (!text) return
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      // S02: non-JSON stdout lines (a stray console.log) are dropped, the session goes on. Before
      // the first message it is more likely not an MCP server at all: say so now, not after the
      // connect timeout, and keep it for the error if the connect then fails.
      if (!this.hasMessage && this.noise === undefined) {
        this.noise = JSON.stringify(text.slice(0, 80)) + (text.length > 80 ? "…" : "")
        this.params.log.warn(
          `server "${this.params.name}" printed non-JSON on stdout: ${this.noise}; an MCP stdio server may write only JSON-RPC there (logs belong on stderr)`,
        )
      } else this.params.log.debug(`ignored a non-JSON line on stdout (${text.length} chars)`)
      return
    }
    let message: JSONRPCMessage
    try {
      message = parseJSONRPCMessage(json)
    } catch (e) {
      this.onerror?.(e instanceof Error ? e : new Error(String(e)))
      return
    }
    this.hasMessage = true
    this.onmessage?.(message)
  }

  /** The first non-JSON stdout line, escaped, if the server printed one before any message. */
  get stdoutNoise(): string | undefined {
    return this.noise
  }

  private onOversize(_bytes: number) {
    const limit = this.params.maxMessageBytes ?? MAX_MESSAGE_BYTES
    this.isLimit = true
    this.failure = `sent a message larger than the ${limit >= 1048576 ? `${limit / 1048576} MB` : `${limit} byte`} limit`
    this.onerror?.(new SdkError(SdkErrorCode.ConnectionClosed, this.failure))
    void this.close()
  }

  private onStderr(chunk: Buffer) {
    // S02: keep only a bounded tail for error messages; forward lines only when debugging.
    this.tail.push(chunk)
    this.tailBytes += chunk.length
    while (this.tailBytes - this.tail[0]!.length >= STDERR_TAIL_BYTES)
      this.tailBytes -= this.tail.shift()!.length
    if (this.params.log.level >= 4) {
      for (const line of chunk.toString("utf8").split("\n"))
        if (line.trim()) this.params.log.debug(line.slice(0, 2000))
    }
  }

  /** The last lines the server wrote to stderr (at most a few KB), for error messages. */
  stderrTail(max = 2000): string {
    const text = Buffer.concat(this.tail).toString("utf8").trim()
    return text.length > max ? text.slice(-max) : text
  }

  private onExit(info: ExitInfo) {
    this.exit = info
    // S04: the server is gone; what it started in its group (helpers, `sh -c … &`) goes too.
    if (this.child) this.swept ??= sweepGroup(this.child)
    if (!this.closing)
      this.failure ??= info.signal ? `was killed by ${info.signal}` : `exited with status ${info.code}`
    this.child?.stopOutput()
    this.stderr.end()
    this.onclose?.()
  }

  send(message: JSONRPCMessage): Promise<void> {
    const child = this.child
    if (!child?.isWritable || this.exit)
      return Promise.reject(new SdkError(SdkErrorCode.NotConnected, "not connected"))
    return child.write(serializeMessage(message))
  }

  /**
   * S03: end stdin, then SIGTERM, then SIGKILL, each to the server's whole process group (S04);
   * resolves once the server is gone and its group has been swept.
   */
  async close(): Promise<void> {
    this.closing = true
    const child = this.child
    if (!child || !this.exited) return
    if (!this.exit && child.exitCode === null && child.signalCode === null) {
      const exited = this.exited
      try {
        child.endInput()
      } catch {
        // the pipe is already gone; the signals below still apply
      }
      if (!(await settlesWithin(exited, STDIN_GRACE_MS))) {
        signalGroup(child, "SIGTERM")
        if (!(await settlesWithin(exited, TERM_GRACE_MS))) {
          signalGroup(child, "SIGKILL")
          await exited
        }
      }
    }
    await (this.swept ??= sweepGroup(child))
  }
}

/**
 * S04: after the server exited, stops what is left in its process group: SIGTERM, then SIGKILL
 * to whoever outlives the grace period. Nothing to do (no signal at all) when the group is empty.
 */
async function sweepGroup(child: ServerChild): Promise<void> {
  if (!signalGroup(child, "SIGTERM")) return
  const deadline = Date.now() + TERM_GRACE_MS
  // Not our children, so there is no exit event to wait on: look until the group is empty.
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50))
    if (!signalGroup(child, 0)) return
  }
  signalGroup(child, "SIGKILL")
}

function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined
  return Promise.race([
    p.then(() => true),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms))),
  ]).finally(() => clearTimeout(timer))
}
