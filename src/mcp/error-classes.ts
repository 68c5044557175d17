import { AgentError, AuthRequiredError, McpConnectError, type ErrorOptions } from "../util/errors.ts"
import { describeFilter, type FilteredBy } from "./filters.ts"

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

/**
 * A skill file that failed the skills extension's checks (SEP-2640 "Integrity and verification"):
 * not listed in its entry, a size or sha256 digest that differs, SKILL.md frontmatter that differs
 * from the entry's (or does not parse), or a listed size over the per-skill limit. The content is
 * not used. Exit 1: the server answered, but with something we must not load; exit 2 for a file
 * the skill does not list.
 */
export class SkillRejectedError extends AgentError {
  constructor(
    readonly server: string,
    readonly skill: string,
    readonly reason: "unlisted" | "size" | "digest" | "frontmatter" | "entry",
    readonly uri: string,
    message: string,
    opts?: ErrorOptions,
  ) {
    // A file the skill does not list is the asker's mistake (exit 2), not the server's.
    super(reason === "unlisted" ? "usage" : "failure", message, opts)
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

/**
 * The config (includeTools/excludeTools) hides this tool: it is not offered and not called.
 * Exit 2, a config matter like an unknown tool; the message names the rule.
 */
export class ToolFilteredError extends AgentError {
  constructor(
    readonly server: string,
    readonly tool: string,
    readonly filtered: FilteredBy,
    file: string,
  ) {
    super(
      "usage",
      `tool "${tool}" of server "${server}" is filtered by ${describeFilter(filtered)} in ${file}`,
      {
        hint:
          filtered.by === "excludeTools"
            ? `remove "${filtered.pattern}" from the server's excludeTools to call it`
            : `add "${tool}" (or a glob matching it) to the server's includeTools to call it`,
      },
    )
  }
}
