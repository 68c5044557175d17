import { statSync } from "node:fs"
import { resolve } from "node:path"
import {
  PROTOCOL_VERSIONS,
  dangerousEnvWarnings,
  openApprovals,
  policyError,
  resolveServers,
  type Config,
  type Resolution,
} from "../../config/index.ts"
import { dropListCache } from "../../mcp/index.ts"
import type {
  ElicitHandler,
  LoggingLevel,
  Manager,
  ManagerOptions,
  SamplingHandler,
  ServerState,
} from "../../mcp/index.ts"
import { interruptSignal } from "../../util/abort.ts"
import { DURATION_HINT, parseDuration } from "../../util/duration.ts"
import {
  type AgentError,
  ApprovalRequiredError,
  AuthRequiredError,
  ConfigError,
  InterruptedError,
  McpConnectError,
  PolicyError,
  UsageError,
  isAgentError,
} from "../../util/errors.ts"
import { escapeLine, escapeTerminal } from "../../util/text.ts"
import { terminalPrompt } from "./approval-prompt.ts"
import { commonArgs, mcpArg, outputArg, sharedArgs } from "../command.ts"
import { createContext, loadFromArgs, repeated, runApprovals, type Ctx } from "./context.ts"
import { elicitArg, elicitHandler, elicitMode } from "./elicit-prompt.ts"
import { adhocArgs, adhocServer } from "./adhoc.ts"
import { connectProgress } from "./progress.ts"
import { shownUrl } from "./present.ts"
import { authHooks, type SignInChoice } from "./sign-in.ts"
import { createQueue } from "./queue.ts"
import { didYouMean } from "../../util/suggest.ts"
import { createTrace } from "./trace.ts"
import { warmRequest } from "./warm.ts"
import { enforceAdHocPolicy } from "./policy.ts"

// Shared by the `agent mcp` commands that talk to servers (list, get, tools, call, prompts,
// prompt, resources, read): which servers (config or ad hoc), the manager, Ctrl-C, cleanup.
// All of them are read-only toward config and approval files, except that an interactive
// approval prompt stores the user's "yes" as resolveServers does everywhere.

export const connectArgs = sharedArgs("Connection options", {
  ...commonArgs,
  ...outputArg,
  ...mcpArg,
  ...adhocArgs,
  ...elicitArg,
  "approve-env": {
    type: "string",
    valueHint: "[SERVER:]VAR",
    description:
      "Treat VAR as approved for this run only: for every server, or with SERVER: for that server alone (repeatable)",
  },
  "allow-dangerous-env": {
    type: "string",
    valueHint: "NAME",
    description:
      "Let a project server set NAME (PATH, NODE_OPTIONS, LD_PRELOAD…: variables that decide what runs) when you trust it (repeatable)",
  },
  root: {
    type: "string",
    valueHint: "DIR",
    description:
      'Offer DIR to every server as an MCP root (repeatable); none are offered unless asked, here or in a server\'s "roots"',
  },
  timeout: {
    type: "string",
    valueHint: "DURATION",
    description:
      "Request timeout (30s, 2m, 500ms; bare number = ms; default 60s), reset by progress; an unanswered request is cancelled and the command exits 5",
  },
  "connect-timeout": {
    type: "string",
    valueHint: "DURATION",
    description: "How long each server may take to connect (default 30s)",
  },
  "allow-insecure-http": {
    type: "boolean",
    description: "Allow plain http:// to a host other than this machine (trusted networks only)",
  },
  "protocol-version": {
    type: "string",
    valueHint: "VERSION",
    description:
      "Speak this MCP revision with every server instead of negotiating (2026-07-28, 2025-11-25, 2025-06-18, 2025-03-26, 2024-11-05); no fallback",
  },
  interactive: {
    type: "boolean",
    negativeDescription: "Never ask for approvals or answers, even at a terminal",
  },
  // Read by the small client in main.ts before any of this loads (docs/daemon.md); declared for --help and strictness.
  daemon: {
    type: "boolean",
    description: "Run in the user's daemon (warm servers), starting one if none is running",
    negativeDescription: "Run cold, even while a daemon is running",
  },
} as const)

export interface ConnectFlags {
  debug?: boolean
  quiet?: boolean
  output?: string
  interactive?: boolean
  verbose?: boolean
  timeout?: string
  "connect-timeout"?: string
  "allow-insecure-http"?: boolean
  "protocol-version"?: string
  url?: string
  type?: string
  name?: string
  elicit?: string
}

export interface Session {
  ctx: Ctx
  manager: Manager
  states: ServerState[]
  signal: AbortSignal
  timeoutMs?: number
  isAdhoc: boolean
  /** The loaded config (absent for an ad hoc server). */
  config?: Config
}

export interface SessionOptions {
  /** Connect only this server (by name); with an ad hoc server, it must be that one's name. */
  only?: string
  /** Connect only these servers (`agent mcp serve --only A,B`); each must be in the config. */
  among?: string[]
  /** Live connect progress on stderr (list). */
  progress?: boolean
  /** The command needs exactly one server: `only`, or the ad hoc one. */
  isSingle?: boolean
  /** How a server that needs OAuth sign-in is handled (default: inline when a browser can open). */
  signIn?: SignInChoice
  /** Server → client requests during the session (elicitation: per --elicit unless given; without `sample`, sampling is refused). */
  elicit?: ElicitHandler
  sample?: SamplingHandler
  /** A server's log message, besides stderr (-v) or the debug log (agent mcp serve passes it on). */
  onLog?: (server: string, level: LoggingLevel, data: unknown) => void
  /** A server's tools, prompts or resources changed (agent mcp serve passes it on to its clients). */
  onListChanged?: (server: string, kind: "tools" | "prompts" | "resources") => void
  /**
   * The body reacts to Ctrl-C itself (session.signal) and still returns its result (agent run's
   * final report); it gets `graceMs` to do so before the session gives up on it with 130.
   */
  interruptGraceMs?: number
  /**
   * Ends the session early, connecting included (agent run's --timeout). Its reason, an
   * AgentError such as TimeoutError, is what withServers then throws; session.signal carries it.
   */
  signal?: AbortSignal
  /** Each server's state as it changes while connecting (agent run's connect spans). */
  onState?: (state: ServerState) => void
  /**
   * Called once approvals are settled and before any server is connected (cold runs only, not in
   * the daemon): agent run starts its first model request from cached lists here. A promise
   * returned holds the servers' start until it settles (the request is sent first, so twenty
   * servers starting at once do not compete with it for the CPU).
   */
  beforeConnect?: (pre: PreConnect) => Promise<void> | void
}

/** What a command knows before its servers connect: every resolution has passed the approval checks. */
export interface PreConnect {
  ctx: Ctx
  config?: Config
  resolutions: Resolution[]
  signal: AbortSignal
}

/** Connects, runs `body`, always closes (stdio children stopped); Ctrl-C → InterruptedError (130). */
export async function withServers(
  args: ConnectFlags,
  rawArgs: string[],
  opts: SessionOptions,
  body: (s: Session) => Promise<number | void>,
): Promise<number | void> {
  const ctx = createContext(args)
  const warm = warmRequest()
  // Inside the daemon this process's start says nothing about the request: its own timeline.
  const trace = warm ? warm.trace : createTrace(ctx.env)
  trace?.("command line parsed")
  const timeoutMs = millis(args.timeout, "--timeout")
  const connectTimeoutMs = millis(args["connect-timeout"], "--connect-timeout")
  const roots = rootDirs(ctx, rawArgs)
  const elicit = elicitMode(args.elicit)
  const protocolVersion = protocolVersionArg(args["protocol-version"])
  const adhoc = adhocServer(args, rawArgs)
  if (adhoc) enforceAdHocPolicy(ctx, { name: adhoc.entry.name, server: adhoc.server })
  if (adhoc && opts.only !== undefined && opts.only !== adhoc.entry.name) {
    throw new UsageError(
      `the ad hoc server is called "${adhoc.entry.name}", not "${escapeTerminal(opts.only)}"`,
      { hint: "omit the server name, or pass --name" },
    )
  }
  if (opts.isSingle && !adhoc && opts.only === undefined) {
    throw new UsageError("name the server", {
      hint: "`agent mcp list` shows them; or define one ad hoc with --url URL or -- COMMAND ARGS…",
    })
  }
  const config = adhoc ? undefined : loadFromArgs(ctx, rawArgs)
  trace?.("config loaded and validated")
  const resolutions = adhoc ? [adhoc] : await configServers(ctx, rawArgs, config!, opts.only, opts.among)
  trace?.("servers resolved (approvals, fingerprints)")
  // Inside the daemon: approvals are checked (above) before any held server is touched.
  warm?.checkpoint()
  // Taken over only now: a Ctrl-C at an approval prompt above still exits at once.
  using interrupt = interruptSignal()
  const signal = opts.signal ? AbortSignal.any([interrupt.signal, opts.signal]) : interrupt.signal
  // Progress is informational: -q (log level 0) silences it like any info line.
  const progress = opts.progress && ctx.log.level >= 3 ? connectProgress(resolutions.length) : undefined
  const { signIn, ...auth } = authHooks(ctx, { ...opts.signIn, noInteractive: args.interactive === false })
  const managerOpts: ManagerOptions = {
    log: ctx.log,
    cwd: ctx.cwd,
    parentEnv: ctx.env,
    // Internal, cold runs only: node:child_process (a session per server) instead of posix_spawn,
    // for tests and bisecting. Not read warm: the daemon would ask the caller for it every time.
    ...(!warm && ctx.env.AGENTRT_SPAWN === "child_process" && { launcher: "child_process" as const }),
    roots,
    stateDir: ctx.paths.stateDir,
    signal,
    ...(connectTimeoutMs !== undefined && { connectTimeoutMs }),
    ...(timeoutMs !== undefined && { requestTimeoutMs: timeoutMs }),
    allowInsecureHttp: Boolean(args["allow-insecure-http"]),
    ...(protocolVersion && { protocolVersion }),
    // Not a held server's: it outlives this request.
    ...(trace && !warm && { trace }),
    // Warm, a sign-in is the caller's to do (handBack below): the daemon has no browser of theirs.
    auth: warm || !signIn ? auth : { ...auth, signIn },
    elicit:
      opts.elicit ??
      elicitHandler(elicit, {
        ...(elicit === "ask" && ctx.isInteractive && { queue: createQueue() }),
        signal: interrupt.signal,
        warn: (m) => ctx.log.warn(escapeTerminal(m)),
      }),
    ...(opts.sample && { sample: opts.sample }),
    onListChanged: (server, kind) => {
      // notifications/*/list_changed: the cached lists of that server are stale (list-cache.ts).
      const r = resolutions.find((x) => x.entry.name === server)
      ctx.log.debug(`${escapeTerminal(server)}: ${kind} changed; its cached lists are dropped`)
      if (r) dropListCache(ctx.paths.stateDir, r.entry.fingerprint)
      opts.onListChanged?.(server, kind)
    },
    onState: (s) => (progress?.update(s), opts.onState?.(s)),
    onLog: (server, level, data) => {
      opts.onLog?.(server, level, data)
      const line = escapeTerminal(
        `[${server}] ${level}: ${typeof data === "string" ? data : JSON.stringify(data)}`,
      )
      // Warm, to this request's caller even when it runs beside another (a serve session).
      if (args.verbose && !args.quiet) warm ? warm.write(2, `${line}\n`) : process.stderr.write(`${line}\n`)
      else ctx.log.debug(line)
    },
  }
  const manager = warm
    ? // docs/policy.md: a blocked resolution is never started; the pool closes a held server that is blocked now.
      await warm.pool.acquire(resolutions, managerOpts)
    : (await import("../../mcp/index.ts")).createManager(resolutions, managerOpts)
  if (warm) trace?.("servers taken from the pool")
  try {
    throwIfNamedBlocked(resolutions, opts)
    const held = warm
      ? undefined
      : opts.beforeConnect?.({ ctx, resolutions, signal, ...(config && { config }) })
    if (held) await untilAborted(held, signal)
    let states = withResolutions(await untilAborted(manager.connect(), signal), resolutions)
    // An ad hoc server has no config name to sign in to: its sign-in is by URL.
    if (adhoc)
      states = states.map((x) =>
        x.status === "needs_auth" && !x.isApiKey ? { ...x, hint: `run: agent mcp auth --url ${x.url}` } : x,
      )
    progress?.done()
    if (warm && signIn && states.some((x) => x.status === "needs_auth" && !x.isApiKey))
      warm.handBack("a server needs sign-in, which happens in the caller's terminal")
    warm?.commit()
    if (warm) trace?.("connected")
    const session: Session = {
      ctx,
      manager,
      states,
      signal,
      timeoutMs,
      isAdhoc: adhoc !== undefined,
      ...(config && { config }),
    }
    const work = body(session)
    const result = await (opts.interruptGraceMs === undefined
      ? untilAborted(work, signal)
      : withinGrace(work, signal, opts.interruptGraceMs))
    trace?.("command done (output written), closing servers")
    return result
  } catch (e: unknown) {
    progress?.done()
    if (interrupt.signal.aborted) throw new InterruptedError()
    if (opts.signal?.aborted) throw abortReason(opts.signal)
    throw e
  } finally {
    await manager.close()
  }
}

/** Resolves to `work`, or rejects as soon as `signal` aborts (Ctrl-C, --timeout): a hung server cannot hold us. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal))
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal))
    signal.addEventListener("abort", onAbort, { once: true })
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort))
  })
}

/** The error an aborted session ends with: the signal's own AgentError (a TimeoutError), else Ctrl-C's. */
function abortReason(signal: AbortSignal): AgentError {
  return isAgentError(signal.reason) ? signal.reason : new InterruptedError()
}

/** Lets `work` finish after Ctrl-C (or --timeout), but no longer than `graceMs` (a hung server cannot hold us). */
function withinGrace<T>(work: Promise<T>, signal: AbortSignal, graceMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined
    const onAbort = () => (timer = setTimeout(() => reject(abortReason(signal)), graceMs))
    if (signal.aborted) onAbort()
    else signal.addEventListener("abort", onAbort, { once: true })
    work.then(resolve, reject).finally(() => {
      clearTimeout(timer)
      signal.removeEventListener("abort", onAbort)
    })
  })
}

async function configServers(
  ctx: Ctx,
  rawArgs: string[],
  config: Config,
  only: string | undefined,
  among: string[] = [],
): Promise<Resolution[]> {
  let entries = config.servers
  for (const name of among) if (!entries.some((e) => e.name === name)) unknownServer(config, name)
  if (among.length) entries = entries.filter((e) => among.includes(e.name))
  if (only !== undefined) {
    entries = entries.filter((e) => e.name === only)
    if (entries.length === 0) unknownServer(config, only)
  }
  // I10: the user's own config may set PATH or NODE_OPTIONS; it runs, with the value said aloud.
  for (const e of entries)
    if (e.scope !== "project")
      for (const w of dangerousEnvWarnings(e.name, e.server)) ctx.log.warn(escapeLine(w))
  const resolutions = await resolveServers(entries, {
    policy: config.policy,
    store: openApprovals(ctx.paths),
    env: ctx.env,
    approveEnv: runApprovals(
      rawArgs,
      config.servers.map((e) => e.name),
    ),
    allowDangerousEnv: repeated(rawArgs, "allow-dangerous-env"),
    prompt: terminalPrompt(ctx),
    inputs: config.inputs,
  })
  return resolutions
}

/**
 * docs/policy.md: a server named on the command line that the policy forbids is the error;
 * among all the others it is only shown as blocked. Thrown once the manager (or the daemon's
 * pool, which closes a held server that is blocked now) has seen it, and before any connect.
 */
function throwIfNamedBlocked(resolutions: Resolution[], opts: SessionOptions): void {
  if (opts.only === undefined && !opts.among?.length) return
  const blocked = resolutions.find((r) => r.status === "blocked")
  if (blocked?.status === "blocked")
    throw policyError(`server "${escapeTerminal(blocked.entry.name)}"`, blocked.violation)
}

function unknownServer(config: Config, only: string): never {
  const names = config.servers.map((e) => e.name)
  throw new ConfigError(
    `no server "${escapeTerminal(only)}" in the loaded config${escapeTerminal(didYouMean(only, names))}`,
    {
      hint: `servers: ${names.join(", ") || "none"}; pass --mcp FILE, or define one ad hoc with --url URL or -- COMMAND`,
    },
  )
}

/**
 * The manager's states, with any server it did not report filled in from its resolution, so
 * an unapproved or unset server shows as needs_approval / failed with the same message and
 * hint `config validate` gives (the resolution carries them).
 */
function withResolutions(states: ServerState[], resolutions: Resolution[]): ServerState[] {
  return resolutions.map((r) => states.find((s) => s.name === r.entry.name) ?? stateOf(r))
}

function stateOf(r: Resolution): ServerState {
  const { entry } = r
  if (r.status === "disabled") return { status: "disabled", name: entry.name, entry }
  if (r.status === "blocked")
    return { status: "blocked", name: entry.name, entry, reason: r.blocked.message, hint: r.blocked.hint }
  if (r.status === "ready") return { status: "failed", name: entry.name, entry, error: "not started" }
  return r.status === "needs_approval"
    ? { status: "needs_approval", name: entry.name, entry, reason: r.blocked.message, hint: r.blocked.hint }
    : { status: "failed", name: entry.name, entry, error: r.blocked.message, hint: r.blocked.hint }
}

/** C09: `--root DIR` (repeatable), absolute; a typo fails here rather than offering a missing directory. */
function rootDirs(ctx: Ctx, rawArgs: string[]): string[] {
  return repeated(rawArgs, "root").map((dir) => {
    const abs = resolve(ctx.cwd, dir)
    if (!statSync(abs, { throwIfNoEntry: false })?.isDirectory())
      throw new UsageError(`--root ${escapeTerminal(dir)} is not a directory`)
    return abs
  })
}

export function millis(raw: string | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined
  const ms = parseDuration(raw)
  if (ms === undefined) throw new UsageError(`${flag} must be ${DURATION_HINT}, got "${escapeTerminal(raw)}"`)
  return ms
}

/** The one server a single-server command needs: connected, or an error with its exit code. */
export function connectedServer(
  session: Session,
  name: string,
): Extract<ServerState, { status: "connected" }> {
  const s = session.states.find((x) => x.name === name)
  if (s?.status === "connected") return s
  throw notConnectedError(s, name)
}

export function notConnectedError(s: ServerState | undefined, name: string): AgentError {
  const who = `server "${escapeTerminal(name)}"`
  switch (s?.status) {
    case "needs_approval":
      return new ApprovalRequiredError(`${who} was not started: ${s.reason}`, { hint: s.hint })
    case "needs_auth":
      return new AuthRequiredError(
        s.reason ? escapeTerminal(s.reason) : `${who} needs sign-in (${shownUrl(s.url)})`,
        { hint: s.hint },
      )
    case "blocked":
      return new PolicyError(escapeTerminal(s.reason), { hint: s.hint })
    case "disabled":
      return new McpConnectError(`${who} is disabled in ${s.entry.file}`, {
        hint: 'remove "disabled": true (or set "enabled": true) to use it',
      })
    case "failed":
      return new McpConnectError(`${who} is unavailable: ${s.error}`, s.hint ? { hint: s.hint } : {})
    default:
      return new McpConnectError(`${who} did not connect`)
  }
}

/** Servers marked `required: true` that did not connect. */
export function missingRequired(states: ServerState[]): ServerState[] {
  return states.filter((s) => s.entry.server.required && s.status !== "connected")
}

/** Servers that did not connect: exit 4 when each of them only needs sign-in (docs/design.md §10), else 5. */
export function missingError(down: ServerState[], why: string): AgentError {
  const names = down.map((d) => escapeTerminal(d.name)).join(", ")
  // docs/policy.md: a required server the policy forbids cannot be fixed by a sign-in or a retry.
  const blocked = down.find((d) => d.status === "blocked")
  if (blocked?.status === "blocked")
    return new PolicyError(escapeTerminal(blocked.reason), { hint: blocked.hint })
  const needAuth = down.flatMap((d) => (d.status === "needs_auth" ? [d] : []))
  if (needAuth.length === down.length) {
    return new AuthRequiredError(`${why} ${names} ${down.length === 1 ? "needs" : "need"} sign-in`, {
      hint: needAuth.map((d) => d.hint || `sign in: agent mcp auth ${d.name}`).join("; "),
    })
  }
  return new McpConnectError(`${why} ${names} did not connect`)
}

/** Positionals before `--` (after it comes an ad hoc server's command line). */
export function positionals(parsed: unknown, rawArgs: string[]): string[] {
  const all = Array.isArray(parsed) ? parsed.map(String) : []
  const i = rawArgs.indexOf("--")
  const after = i < 0 ? 0 : rawArgs.length - i - 1
  return all.slice(0, all.length - after)
}

/** The one optional NAME a command takes (before any `-- COMMAND`); a second one is a usage error. */
export function optionalName(parsed: unknown, rawArgs: string[]): string | undefined {
  const [name, extra] = positionals(parsed, rawArgs)
  if (extra !== undefined) throw new UsageError(`unexpected argument "${escapeTerminal(extra)}"`)
  return name
}

/** --protocol-version: one of the revisions a server can be pinned to (as the config's `protocolVersion`). */
function protocolVersionArg(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  if ((PROTOCOL_VERSIONS as readonly string[]).includes(value)) return value
  throw new UsageError(
    `--protocol-version ${escapeTerminal(value)} is not an MCP revision${didYouMean(value, [...PROTOCOL_VERSIONS])}`,
    { hint: `one of ${PROTOCOL_VERSIONS.join(", ")}` },
  )
}
