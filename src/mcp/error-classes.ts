import { AgentError, AuthRequiredError, McpConnectError, type ErrorOptions } from "../util/errors.ts"

// Error classes the manager throws (SDK-free, so the CLI can `instanceof` them without
// loading the client SDK). Exit codes come from util/errors.ts (docs/design.md §10).

/**
 * A request got no answer in time (T04): `notifications/cancelled` was sent. Exit 5 like
 * any unavailable server; `instanceof McpTimeoutError` tells the CLI it was a timeout.
 */
export class McpTimeoutError extends McpConnectError {
  constructor(
    readonly server: string,
    message: string,
    opts?: ErrorOptions,
  ) {
    super(message, opts)
  }
}

/** The server answered with a JSON-RPC error (unknown tool, bad params…): the call failed, the server is fine. */
export class McpRequestError extends AgentError {
  constructor(
    readonly server: string,
    readonly rpcCode: number | undefined,
    message: string,
    opts?: ErrorOptions,
  ) {
    super("failure", message, opts)
  }
}

/** A 401 from a server with no OAuth metadata: it wants an API key in a header; a sign-in cannot help. */
export class ApiKeyRequiredError extends AuthRequiredError {}

/** The server's Mcp-Session-Id holds bytes outside visible ASCII 0x21–0x7E (T07). */
export class InvalidSessionIdError extends Error {
  constructor() {
    super("the server sent an Mcp-Session-Id with bytes outside visible ASCII (0x21-0x7E)")
    this.name = "InvalidSessionIdError"
  }
}
