// The only exit-code table (docs/design.md §10). Domain code throws AgentError subclasses;
// main.ts maps them to exit codes. Never classify errors by matching message text.
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  approval: 3,
  auth: 4,
  unavailable: 5,
  policy: 6,
  timeout: 124,
  interrupted: 130,
} as const
export type ExitCodeName = keyof typeof ExitCode

export interface ErrorOptions {
  cause?: unknown
  /** What the user can do next; printed on its own line after the message. */
  hint?: string
}

export class AgentError extends Error {
  readonly hint?: string
  constructor(
    readonly code: ExitCodeName,
    message: string,
    opts: ErrorOptions = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.name = new.target.name
    this.hint = opts.hint
  }
  get exitCode(): number {
    return ExitCode[this.code]
  }
}

/** Bad flags or arguments on the command line. */
export class UsageError extends AgentError {
  constructor(message: string, opts?: ErrorOptions) {
    super("usage", message, opts)
  }
}

/** A config file that cannot be used: syntax, schema, or an unset variable. */
export class ConfigError extends AgentError {
  constructor(message: string, opts: ErrorOptions & { file?: string; path?: string } = {}) {
    super("usage", message, opts)
    this.file = opts.file
    this.path = opts.path
  }
  readonly file?: string
  readonly path?: string
}

/** Something needs the user's approval first: a variable, a project server, a tool call. */
export class ApprovalRequiredError extends AgentError {
  constructor(message: string, opts?: ErrorOptions) {
    super("approval", message, opts)
  }
}

export class AuthRequiredError extends AgentError {
  constructor(message: string, opts?: ErrorOptions) {
    super("auth", message, opts)
  }
}

/** The run failed: a tool, the model, an install step (exit 1). */
export class FailureError extends AgentError {
  constructor(message: string, opts?: ErrorOptions) {
    super("failure", message, opts)
  }
}

/** Something the command needs is not there: a server, a browser, a port to listen on (exit 5). */
export class UnavailableError extends AgentError {
  constructor(message: string, opts?: ErrorOptions) {
    super("unavailable", message, opts)
  }
}

/** An MCP server that did not connect, or stopped answering. */
export class McpConnectError extends UnavailableError {}

/** An organisation's policy file forbids this server, link, registry or ad hoc server (exit 6). */
export class PolicyError extends AgentError {
  constructor(message: string, opts?: ErrorOptions) {
    super("policy", message, opts)
  }
}

export class TimeoutError extends AgentError {
  constructor(message: string, opts?: ErrorOptions) {
    super("timeout", message, opts)
  }
}

export class InterruptedError extends AgentError {
  constructor(message = "interrupted", opts?: ErrorOptions) {
    super("interrupted", message, opts)
  }
}

/** A write to a config, approval or token file that failed; the old file is intact. */
export class WriteError extends AgentError {
  constructor(message: string, opts?: ErrorOptions) {
    super("usage", message, opts)
  }
}

export function isAgentError(e: unknown): e is AgentError {
  return e instanceof AgentError
}
