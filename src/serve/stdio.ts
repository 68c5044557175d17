import type { JSONRPCMessage, Transport } from "@modelcontextprotocol/server"
import { StdioServerTransport } from "@modelcontextprotocol/server/stdio"
import type { ServeCore } from "./core.ts"

// `agent mcp serve` / `agent mcp proxy` on stdin/stdout: one session, a 2025 `initialize` one
// (clients that probe 2026-07-28 with server/discover fall back to it). stdout carries only
// JSON-RPC from here on; everything agent says goes to stderr.

/** Serves until the client closes stdin (or `signal` aborts); resolves then. */
export async function serveOverStdio(core: ServeCore, signal: AbortSignal): Promise<void> {
  const transport = new StdioServerTransport()
  const server = core.createSession()
  const closed = Promise.withResolvers<void>()
  transport.onclose = () => closed.resolve()
  // The SDK's stdio transport does not notice the end of stdin by itself.
  const onEnd = () => void server.close().finally(() => closed.resolve())
  process.stdin.once("end", onEnd)
  const onAbort = () => onEnd()
  signal.addEventListener("abort", onAbort, { once: true })
  try {
    await server.connect(transport)
    await closed.promise
  } finally {
    process.stdin.off("end", onEnd)
    signal.removeEventListener("abort", onAbort)
  }
}

/** Both directions of a tunnelled stdio session (the daemon's caller: docs/daemon.md "Serve and proxy through the daemon"). */
export interface LinePipe {
  write(data: string): void
  /** Each chunk of the client's input, then null when it ends. */
  onData(fn: (data: string | null) => void): void
}

/**
 * `serveOverStdio` for a session whose stdin/stdout are a caller's, tunnelled through the daemon:
 * the same one session, over JSON-RPC lines. Resolves when the client's input ends (or `signal`).
 */
export async function serveOverLines(core: ServeCore, pipe: LinePipe, signal: AbortSignal): Promise<void> {
  const transport = new LineTransport(pipe)
  const server = core.createSession()
  const closed = Promise.withResolvers<void>()
  transport.onclose = () => closed.resolve()
  const onAbort = () => void server.close().finally(() => closed.resolve())
  signal.addEventListener("abort", onAbort, { once: true })
  try {
    await server.connect(transport)
    await closed.promise
  } finally {
    signal.removeEventListener("abort", onAbort)
  }
}

class LineTransport implements Transport {
  onclose?: () => void
  onerror?: (error: Error) => void
  onmessage?: (message: JSONRPCMessage) => void
  private buf = ""
  private isClosed = false

  constructor(private readonly pipe: LinePipe) {}

  async start(): Promise<void> {
    this.pipe.onData((data) => {
      if (data === null) return void this.close()
      this.buf += data
      let i = this.buf.indexOf("\n")
      while (i >= 0) {
        const line = this.buf.slice(0, i).trim()
        this.buf = this.buf.slice(i + 1)
        if (line !== "") {
          try {
            this.onmessage?.(JSON.parse(line) as JSONRPCMessage)
          } catch (e: unknown) {
            // As the SDK's stdio transport does: a line that is not JSON-RPC is reported, not fatal.
            this.onerror?.(e instanceof Error ? e : new Error(String(e)))
          }
        }
        i = this.buf.indexOf("\n")
      }
    })
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (!this.isClosed) this.pipe.write(`${JSON.stringify(message)}\n`)
  }

  async close(): Promise<void> {
    if (this.isClosed) return
    this.isClosed = true
    this.onclose?.()
  }
}
