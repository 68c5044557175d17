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
