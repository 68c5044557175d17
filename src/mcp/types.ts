// The connection manager's public types (docs/design.md §5). Types only: importing this file loads
// nothing from the SDK at run time, so commands that never talk to a server stay fast.
import type { FilteredBy } from "./filters.ts"
import type {
  CallToolResult,
  CreateMessageRequest,
  CreateMessageResult,
  ElicitRequest,
  ElicitResult,
  GetPromptResult,
  FetchLike,
  Implementation,
  LoggingLevel,
  Prompt,
  ReadResourceResult,
  Resource,
  ServerCapabilities,
  Tool,
} from "@modelcontextprotocol/client"
import type { Skill } from "@modelcontextprotocol/client/ext/skills"
import type { Resolution, ServerConfig, ServerEntry } from "../config/index.ts"
import type { Log } from "../util/log.ts"
import type { TaskOutcome } from "./task-driver.ts"
import type { Started, TaskSnapshot } from "./tasks.ts"

export type { CallToolResult, GetPromptResult, LoggingLevel, Prompt, ReadResourceResult, Resource, Tool }

/** The wire transport actually used (an `auto` server resolves to http or sse). */
export type TransportKind = "stdio" | "http" | "sse"

export interface ConnectedInfo {
  transport: TransportKind
  /** e.g. "2026-07-28" (stateless) or "2025-11-25" (session). */
  protocolVersion: string
  /** Mcp-Session-Id for session-based Streamable HTTP. */
  sessionId?: string
  serverInfo?: Implementation
  capabilities?: ServerCapabilities
  instructions?: string
  counts: { tools: number; prompts: number; resources: number }
  connectMs: number
}

/** One server's state, as `agent mcp list` shows it (a union on `status`). */
export type ServerState =
  | ({ status: "connected"; name: string; entry: ServerEntry } & ConnectedInfo)
  | {
      status: "needs_auth"
      name: string
      entry: ServerEntry
      url: string
      hint: string
      reason?: string /** A 401 without OAuth metadata: a header fixes it, not a sign-in. */
      isApiKey?: boolean
    }
  | { status: "needs_approval"; name: string; entry: ServerEntry; reason: string; hint: string }
  /** docs/policy.md: the organisation's policy forbids it; never started. */
  | { status: "blocked"; name: string; entry: ServerEntry; reason: string; hint: string }
  | {
      status: "failed"
      name: string
      entry: ServerEntry
      error: string
      hint?: string
      transport?: TransportKind
    }
  | { status: "disabled"; name: string; entry: ServerEntry }
  | { status: "connecting"; name: string; entry: ServerEntry }

/** A tool as the model sees it: `server__tool`, sanitised, ≤ 64 chars, unique (docs/design.md §5). */
export interface NamespacedTool {
  name: string
  server: string
  tool: Tool
}

/** One skill a server offers (SEP-2640), as listed: nothing of it has been read yet. */
export interface ServerSkill {
  server: string
  /** The frontmatter's name (names may repeat within a server; `path` does not). */
  name: string
  description: string
  /** Its SKILL.md's URI. */
  uri: string
  /** The URI without scheme and `/SKILL.md`: `pdf-processing`, `acme/pdf-processing`. */
  path: string
  /** Listed files and their total bytes; absent for a `"dynamic"` skill. */
  files?: number
  size?: number
  /** The entry as the server listed it, which every read is checked against. */
  entry: Skill
}

/** A `skills/list` entry refused as malformed, and why (the rest of the listing stands). */
export interface InvalidSkill {
  index: number
  uri?: string
  reason: string
}

export interface SkillListing {
  skills: ServerSkill[]
  invalid: InvalidSkill[]
}

/** A skill file read and verified against its entry. */
export interface SkillContent {
  uri: string
  mimeType?: string
  text: string
  bytes: number
  /** Size and digest checked (false only for a `"dynamic"` skill, whose files carry none). */
  isVerified: boolean
  /** SKILL.md only: the markdown after its frontmatter. */
  body?: string
}

export interface CallOptions {
  signal?: AbortSignal
  onProgress?: (progress: { progress: number; total?: number; message?: string }) => void
  /** Idle timeout, reset by each progress notification. */
  timeoutMs?: number
  /** Hard cap, whatever progress says. */
  totalTimeoutMs?: number
  /**
   * Tasks (tasks.ts): a tool whose `execution.taskSupport` is "required" always runs as a task;
   * "prefer" also runs an "optional" one as a task (`agent mcp call --task`).
   */
  task?: "prefer"
  /** Each new state of a task this call runs as (status, message), for stderr and the run report. */
  onTask?: (server: string, task: TaskSnapshot) => void
  /**
   * Goes into the request's `_meta` (tools/call): the W3C trace context (`traceparent`,
   * `tracestate`, SEP-414), which HTTP transports also send as headers (trace-headers.ts).
   */
  meta?: Record<string, string>
}

export type ElicitHandler = (server: string, request: ElicitRequest["params"]) => Promise<ElicitResult>
export type SamplingHandler = (
  server: string,
  request: CreateMessageRequest["params"],
) => Promise<CreateMessageResult>

export interface ManagerOptions {
  log: Log
  /** Working directory: relative `roots` (and `--root`) resolve against it. Never offered as a root by itself (C09). */
  cwd: string
  /**
   * The environment stdio servers inherit from, after C05's filter (PATH, HOME, locale… plus
   * the server's own `env`; the parent's secrets stay here). The CLI passes process.env.
   */
  parentEnv: Record<string, string | undefined>
  /** How stdio servers start (spawn.ts): "child_process" forces Node's spawn; default "auto" (posix_spawn on Linux). */
  launcher?: "auto" | "child_process"
  /** `--root DIR`: offered as MCP roots to every server of this run, with each server's own `roots`. */
  roots?: string[]
  signal?: AbortSignal
  /** Per-server connect timeout (ms); a server's own `timeout` does not change it. */
  connectTimeoutMs?: number
  /** Default request idle timeout (ms); a server's `timeout` overrides it. */
  requestTimeoutMs?: number
  totalTimeoutMs?: number
  /** Remembered protocol eras of remote servers live here (<stateDir>/protocol-eras.json); absent: none. */
  stateDir?: string
  /** How many stdio servers may be starting at once. */
  concurrency?: number
  /** Without it, elicitation is declined. */
  elicit?: ElicitHandler
  /** Without it, sampling gets an error response. */
  sample?: SamplingHandler
  /** Live state changes while connecting (for progress on stderr). */
  onState?: (state: ServerState) => void
  /** A server said its tools, prompts or resources changed (after the manager dropped its cached list). */
  onListChanged?: (server: string, kind: "tools" | "prompts" | "resources") => void
  /** Server log messages (notifications/message). */
  onLog?: (server: string, level: LoggingLevel, data: unknown) => void
  /** T07: allow plain http:// to a host that is not loopback (default: refused). */
  allowInsecureHttp?: boolean
  /** --protocol-version: speak this revision with every server, no negotiation (overrides a server's `protocolVersion`). */
  protocolVersion?: string
  /** The network under every remote transport when OAuth is off (default: global fetch). Tests pass a stand-in that never leaves this machine. */
  fetch?: FetchLike
  /** OAuth for remote servers (docs/design.md §6). Without it a server answering 401 is needs_auth. */
  auth?: AuthHooks
  /**
   * Milestones of a cold connect (first spawn, SDK loaded, first and last server settled), for
   * the CLI's AGENTRT_TRACE timeline (docs/performance.md); absent: not traced.
   */
  trace?: (event: string) => void
}

export interface AuthHooks {
  /** Tokens live under <stateDir>/tokens. */
  stateDir: string
  /** Present when someone can finish a browser sign-in now (inline flow); absent: exit 4 at once. */
  signIn?: SignInHook
  /** `agent mcp auth`: sign in again even when stored tokens still work. */
  isForced?: boolean
  /** GitHub Actions' OIDC token service, when the job may use it (oauth.assertionFrom "github-actions"). */
  github?: { requestUrl?: string; requestToken?: string }
}

/** Starts the callback receiver for one sign-in (a local server on 127.0.0.1, and/or a paste prompt). */
export type SignInHook = (
  server: string,
  opts: { callbackPort?: number; signal: AbortSignal },
) => Promise<PendingSignIn>

export interface PendingSignIn {
  /** http://127.0.0.1:<port>/oauth/callback */
  redirectUrl: string
  /** Opens the authorization URL (browser), or prints it and asks for the redirect URL (--no-browser). */
  open(url: URL): Promise<void>
  /** The callback's code and iss, once `check` accepted its parameters (L07: a wrong state rejects). */
  wait(
    check: (params: URLSearchParams) => { code: string; iss?: string },
  ): Promise<{ code: string; iss?: string }>
  close(): Promise<void>
}

/** A tool the config hides from the model, with the rule that hides it (`agent mcp tools` shows these). */
export interface FilteredTool {
  server: string
  tool: Tool
  filtered: FilteredBy
}

/** The 2026-07-28 cache hints of a list result (`ttlMs`, `cacheScope`). */
export interface ListHint {
  ttlMs?: number
  cacheScope?: "public" | "private"
}

export interface Manager extends AsyncDisposable {
  /** Connects every ready server in parallel; resolves when each has settled. */
  connect(): Promise<ServerState[]>
  states(): ServerState[]
  state(name: string): ServerState | undefined
  /** Every tool of every connected server, namespaced, after includeTools/excludeTools. */
  tools(): Promise<NamespacedTool[]>
  /** The tools includeTools/excludeTools hide, each with the rule that hides it. */
  filteredTools(): Promise<FilteredTool[]>
  callTool(
    server: string,
    tool: string,
    args: Record<string, unknown>,
    opts?: CallOptions,
  ): Promise<CallToolResult>
  prompts(server?: string): Promise<{ server: string; prompt: Prompt }[]>
  getPrompt(
    server: string,
    name: string,
    args: Record<string, string>,
    opts?: CallOptions,
  ): Promise<GetPromptResult>
  resources(server?: string): Promise<
    {
      server: string
      resources: Resource[]
      templates: { uriTemplate: string; name: string; description?: string; mimeType?: string }[]
    }[]
  >
  readResource(server: string, uri: string, opts?: CallOptions): Promise<ReadResourceResult>
  /** Skills of every connected server that declares the skills extension (or of `server`): listed, never read. */
  skills(server?: string): Promise<({ server: string } & SkillListing)[]>
  /** One file of a listed skill (default its SKILL.md), verified; SkillRejectedError when a check fails. */
  readSkill(skill: ServerSkill, ref?: string, opts?: CallOptions): Promise<SkillContent>
  /** A tool's `execution.taskSupport` from the last tools list ("forbidden" when absent). */
  taskSupport(server: string, tool: string): "required" | "optional" | "forbidden"
  /** tools/call as a task, not followed (`--detach`); `kind: "result"` when the server answered at once. */
  startTask(server: string, tool: string, args: Record<string, unknown>, opts?: CallOptions): Promise<Started>
  getTask(server: string, taskId: string, opts?: CallOptions): Promise<TaskSnapshot>
  /** Polls the task until it ends (answering its input requests), then its result. */
  waitTask(server: string, taskId: string, opts?: CallOptions): Promise<TaskOutcome>
  /** The result of a task (2025-11-25: tasks/result, which waits for the end). */
  taskResult(server: string, taskId: string, opts?: CallOptions): Promise<TaskOutcome>
  /** tasks/cancel; then the task's state when the server still has it. */
  cancelTask(server: string, taskId: string, opts?: CallOptions): Promise<TaskSnapshot | undefined>
  /** tasks/list (2025-11-25 servers only). */
  listTasks(server: string, opts?: CallOptions): Promise<TaskSnapshot[]>
  /** The 2026-07-28 cache hints (ttlMs, cacheScope) of the server's last list results (list-cache.ts). */
  listHints(server: string): Partial<Record<"tools" | "prompts" | "resources", ListHint>>
  /** A namespaced name from the last tools() → its server and original tool name. */
  mapBack(name: string): { server: string; tool: string } | undefined
  /** Pids of the running stdio children (for tests and diagnostics). */
  pids(): number[]
  /** Cancels in-flight requests, closes transports, stops stdio children (TERM, then KILL). */
  close(): Promise<void>
}

export type CreateManager = (servers: Resolution[], opts: ManagerOptions) => Manager

/** What a server definition looks like once interpolated (input to a connection). */
export type ResolvedServer = { name: string; entry: ServerEntry; server: ServerConfig }
