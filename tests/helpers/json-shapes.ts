// The documents `--output json` prints, one valibot schema per command: tests/e2e/json-output.test.ts
// validates what the binary prints against them, and tests/cli/readme-json.test.ts the
// examples in docs/json-output.md. Our own documents are strict objects (a field the docs do not name fails);
// results that are the MCP server's own (call, prompt, read) are checked loosely.
import * as v from "valibot"
import { ExitCode } from "../../src/util/errors.ts"
import { RunReport } from "../../src/agent/events.ts"

const str = v.string()
const num = v.number()
const bool = v.boolean()
const opt = <T extends v.GenericSchema>(s: T) => v.optional(s)
const scope = v.picklist(["user", "project", "file"])
const object = v.record(v.string(), v.unknown())

export const ErrorBody = v.strictObject({
  code: v.picklist(Object.keys(ExitCode) as (keyof typeof ExitCode)[]),
  exitCode: num,
  message: str,
  hint: opt(str),
})
/** What any command prints with --output json when it fails before its own document. */
export const ErrorDoc = v.strictObject({ error: ErrorBody })

const ConfigValidate = v.union([
  v.strictObject({
    valid: bool,
    servers: v.array(
      v.strictObject({
        name: str,
        scope,
        file: str,
        status: v.picklist(["ready", "disabled", "needs_approval", "unset", "blocked"]),
        policy: opt(v.strictObject({ file: str, rule: str })),
        variables: opt(v.array(v.strictObject({ variable: str, fields: v.array(str), destination: str }))),
        project: opt(str),
        missing: opt(v.array(v.unknown())),
      }),
    ),
    warnings: v.array(v.strictObject({ file: str, path: str, message: str })),
  }),
  v.strictObject({
    valid: v.literal(false),
    error: v.strictObject({ ...ErrorBody.entries, file: opt(str), path: opt(str) }),
  }),
])

const ConfigPath = v.strictObject({
  files: v.array(v.strictObject({ scope, file: str, exists: bool })),
  stateDir: str,
  userConfig: str,
  policy: v.array(v.strictObject({ source: v.picklist(["managed", "AGENTRT_POLICY"]), file: str })),
})

const ConfigShow = v.strictObject({
  servers: v.array(v.looseObject({ name: str, scope, file: str })),
  shadowed: v.array(v.unknown()),
  sources: v.array(v.strictObject({ scope, file: str, exists: bool, servers: num })),
})

const EnvList = v.strictObject({
  approvals: v.array(
    v.strictObject({
      variable: str,
      server: str,
      approvedAt: str,
      status: v.picklist(["valid", "stale", "unused"]),
    }),
  ),
  pending: v.array(
    v.strictObject({
      variable: str,
      server: str,
      status: v.literal("pending"),
      fields: v.array(str),
      destination: str,
    }),
  ),
})

const Install = v.strictObject({
  name: str,
  file: str,
  scope,
  action: v.picklist(["added", "replaced"]),
  source: str,
  server: object,
  variables: v.array(v.strictObject({ variable: str, approved: bool })),
  dryRun: opt(v.literal(true)),
  registry: opt(object),
})

const McpSearch = v.strictObject({
  registry: str,
  registries: opt(v.array(str)),
  servers: v.array(
    v.strictObject({
      name: str,
      registry: opt(str),
      version: str,
      description: str,
      runs: str,
      isLatest: opt(bool),
      status: opt(str),
    }),
  ),
  nextCursor: opt(str),
})

const McpOutdated = v.strictObject({
  servers: v.array(
    v.strictObject({
      server: str,
      registry: str,
      name: str,
      installed: str,
      latest: opt(str),
      isOutdated: opt(bool),
      error: opt(str),
    }),
  ),
})

/** `agent mcp update`: the install document, or nothing to do. */
const McpUpdate = v.union([Install, v.strictObject({ name: str, action: v.literal("none"), version: str })])

const InstallLink = v.strictObject({
  name: str,
  format: v.picklist([
    "agentrt",
    "scheme",
    "url",
    "markdown",
    "html",
    "cursor",
    "vscode",
    "kiro",
    "lmstudio",
  ]),
  link: str,
})

const InstallRegister = v.strictObject({
  mode: v.picklist(["register", "unregister"]),
  os: str,
  dryRun: bool,
  exec: opt(str),
  isRegistered: bool,
  actions: v.array(v.strictObject({ kind: str, text: str, ok: bool, detail: opt(str) })),
  record: opt(v.unknown()),
  notes: v.array(str),
})

const Counts = v.strictObject({ tools: num, prompts: num, resources: num })
const ServerSummary = v.strictObject({
  name: str,
  scope,
  file: str,
  status: v.picklist(["connected", "needs_auth", "needs_approval", "failed", "disabled", "blocked"]),
  transport: str,
  protocolVersion: v.nullable(str),
  sessionId: opt(str),
  counts: v.nullable(Counts),
  connectMs: v.nullable(num),
  error: opt(str),
  hint: opt(str),
})

const McpList = v.strictObject({ servers: v.array(ServerSummary) })

const McpGet = v.strictObject({
  ...ServerSummary.entries,
  server: v.union([v.strictObject({ command: str, args: v.array(str) }), v.strictObject({ url: str })]),
  serverInfo: v.nullable(v.looseObject({ name: str, version: str })),
  instructions: v.nullable(str),
  capabilities: object,
})

const McpTools = v.strictObject({
  tools: v.array(
    v.strictObject({
      name: str,
      server: str,
      tool: str,
      title: v.nullable(str),
      description: v.nullable(str),
      inputSchema: v.looseObject({ type: v.literal("object") }),
      outputSchema: v.nullable(v.looseObject({ type: v.literal("object") })),
      annotations: v.nullable(v.looseObject({})),
      icons: v.nullable(v.array(v.looseObject({ src: str }))),
      execution: v.nullable(v.looseObject({ taskSupport: opt(str) })),
      /** With --tokens: this definition's estimated tokens. */
      tokens: opt(num),
    }),
  ),
  /** Tools includeTools/excludeTools hide, with the rule. */
  filtered: v.array(
    v.strictObject({
      server: str,
      tool: str,
      filtered: v.strictObject({ by: v.picklist(["excludeTools", "includeTools"]), pattern: opt(str) }),
    }),
  ),
  tokens: opt(
    v.strictObject({
      model: str,
      provider: str,
      method: str,
      total: num,
      servers: v.array(v.strictObject({ server: str, tools: num, tokens: num })),
    }),
  ),
})

const McpCall = v.looseObject({
  content: v.array(v.looseObject({ type: str })),
  isError: opt(bool),
  structuredContent: opt(v.unknown()),
})

const taskStatus = v.picklist(["working", "input_required", "completed", "failed", "cancelled"])
/** A kept task handle (`agent mcp call --task --detach`, each row of `agent mcp tasks`). */
const TaskHandleDoc = v.strictObject({
  handle: str,
  server: str,
  taskId: str,
  tool: str,
  file: str,
  createdAt: str,
  status: taskStatus,
  statusMessage: v.nullable(str),
})
const McpTasks = v.strictObject({ tasks: v.array(TaskHandleDoc) })
/** `agent mcp task get|cancel`: the handle and the task as the server reports it. */
const McpTask = v.looseObject({
  handle: str,
  server: str,
  taskId: str,
  status: taskStatus,
  statusMessage: opt(str),
  createdAt: opt(str),
  lastUpdatedAt: opt(str),
  ttlMs: opt(v.nullable(num)),
  pollIntervalMs: opt(num),
})

const McpPrompts = v.strictObject({
  prompts: v.array(
    v.looseObject({
      server: str,
      name: str,
      description: opt(str),
      arguments: opt(v.array(v.looseObject({ name: str, required: opt(bool) }))),
    }),
  ),
})

const SkillListed = {
  server: str,
  name: str,
  description: str,
  path: str,
  uri: str,
  files: opt(num),
  size: opt(num),
  dynamic: opt(v.literal(true)),
  frontmatter: object,
}

const McpSkills = v.strictObject({
  skills: v.array(v.strictObject(SkillListed)),
  invalid: v.array(v.strictObject({ server: str, index: num, uri: opt(str), reason: str })),
})

const McpSkill = v.strictObject({
  ...SkillListed,
  file: v.strictObject({ uri: str, mimeType: opt(str), bytes: num, isVerified: bool, text: str }),
})

const McpPrompt = v.looseObject({
  messages: v.array(
    v.looseObject({ role: v.picklist(["user", "assistant"]), content: v.looseObject({ type: str }) }),
  ),
})

const McpResources = v.strictObject({
  servers: v.array(
    v.strictObject({
      server: str,
      resources: v.array(v.looseObject({ uri: str, name: str })),
      templates: v.array(v.looseObject({ uriTemplate: str, name: str })),
    }),
  ),
})

const McpRead = v.looseObject({ contents: v.array(v.looseObject({ uri: str })) })

const McpDoctor = v.strictObject({
  servers: v.array(
    v.strictObject({
      name: str,
      findings: v.array(
        v.strictObject({
          check: str,
          severity: v.picklist(["ok", "info", "warn", "error"]),
          message: str,
          hint: opt(str),
        }),
      ),
    }),
  ),
})

const LockChange = v.strictObject({
  server: str,
  tool: opt(str),
  kind: v.picklist(["server-added", "added", "removed", "tool-changed", "server-changed"]),
  field: opt(
    v.picklist([
      "title",
      "description",
      "input-schema",
      "output-schema",
      "annotations",
      "command",
      "args",
      "cwd",
      "url",
      "env",
      "headers",
    ]),
  ),
  before: opt(str),
  after: opt(str),
})
const McpLock = v.strictObject({
  lock: str,
  written: bool,
  changes: v.array(LockChange),
  error: opt(ErrorBody),
})

const McpCatalog = v.strictObject({
  servers: v.array(
    v.strictObject({
      name: str,
      title: str,
      description: str,
      auth: v.picklist(["none", "token", "oauth"]),
      variables: v.array(v.looseObject({ name: str })),
      homepage: str,
      entry: object,
    }),
  ),
})

const McpImport = v.strictObject({
  from: str,
  files: v.array(v.strictObject({ file: str, exists: bool })),
  target: v.strictObject({ scope, file: str }),
  dryRun: bool,
  imported: v.array(
    v.strictObject({
      name: str,
      action: v.picklist(["added", "replaced"]),
      source: str,
      notes: v.array(str),
      server: opt(v.unknown()),
    }),
  ),
  skipped: v.array(v.strictObject({ name: str, source: str, reason: opt(str) })),
  inputs: v.array(v.unknown()),
  result: opt(object),
})

const McpExport = v.strictObject({
  to: str,
  file: str,
  dryRun: bool,
  written: v.array(
    v.strictObject({ name: str, action: v.picklist(["added", "replaced"]), notes: v.array(str) }),
  ),
  unchanged: v.array(str),
  skipped: v.array(v.strictObject({ name: str, reason: str, hint: opt(str) })),
  diff: v.array(str),
})

const SignIn = v.strictObject({
  server: str,
  status: v.picklist([
    "signed_in",
    "expired",
    "not_signed_in",
    "client_credentials",
    "cross_app_access",
    "jwt_bearer",
    "not_needed",
  ]),
  issuer: opt(str),
  resource: opt(str),
  scopes: v.array(str),
  expiresAt: opt(str),
  canRefresh: bool,
  subject: opt(str),
  tokenType: opt(v.literal("DPoP")),
})

const McpAuthStatus = v.strictObject({ servers: v.array(SignIn) })

const McpLogout = v.strictObject({ server: str, removed: num, forgotClient: bool })

const HeldServer = v.strictObject({
  name: str,
  cwd: str,
  transport: str,
  status: str,
  pid: opt(num),
  uptimeMs: num,
  idleMs: num,
  calls: num,
  rssBytes: opt(num),
})
const daemonUp = {
  running: v.literal(true),
  pid: num,
  version: str,
  socket: str,
  log: str,
  uptimeMs: num,
  idleServerMs: num,
  exitAfterMs: num,
  requests: num,
  servers: v.array(HeldServer),
}
export const DaemonDown = v.strictObject({ running: v.literal(false), socket: str, reason: str })
const DaemonStatus = v.union([v.strictObject(daemonUp), DaemonDown])
const DaemonStart = v.strictObject({ ...daemonUp, alreadyRunning: bool })
const DaemonStop = v.strictObject({ stopped: bool })
const BatchSummary = v.strictObject({
  type: v.literal("batch_summary"),
  files: v.array(str),
  tasks: num,
  succeeded: num,
  failed: num,
  exitReasons: v.record(str, num),
  failures: v.array(v.strictObject({ id: str, exitReason: str, exitCode: num, error: opt(str), file: str })),
  missing: opt(v.array(str)),
  duplicates: v.array(str),
  tornLines: num,
  usage: v.strictObject({ inputTokens: num, outputTokens: num, totalTokens: num }),
  turns: num,
  toolCalls: num,
  durationMs: v.strictObject({ total: num, mean: num, p50: num, p95: num, max: num }),
})
/** `agent run --batch -o json`: the summary of the batch's tasks, plus the batch's wall time. */
const RunBatch = v.strictObject({ ...BatchSummary.entries, wallMs: num })

/** Every command that takes --output json, by its name as typed, with the document it prints. */
export const JSON_COMMANDS = {
  "agent config validate": ConfigValidate,
  "agent config path": ConfigPath,
  "agent config show": ConfigShow,
  "agent env list": EnvList,
  "agent install": Install,
  "agent install --link": InstallLink,
  "agent install --register": InstallRegister,
  "agent mcp list": McpList,
  "agent mcp get": McpGet,
  "agent mcp tools": McpTools,
  "agent mcp call": McpCall,
  "agent mcp call --task --detach": TaskHandleDoc,
  "agent mcp tasks": McpTasks,
  "agent mcp task get": McpTask,
  "agent mcp task wait": McpCall,
  "agent mcp task result": McpCall,
  "agent mcp task cancel": McpTask,
  "agent mcp prompts": McpPrompts,
  "agent mcp prompt": McpPrompt,
  "agent mcp resources": McpResources,
  "agent mcp read": McpRead,
  "agent mcp skills": McpSkills,
  "agent mcp skill": McpSkill,
  "agent mcp doctor": McpDoctor,
  "agent mcp lock": McpLock,
  "agent mcp catalog": McpCatalog,
  "agent mcp search": McpSearch,
  "agent mcp outdated": McpOutdated,
  "agent mcp update": McpUpdate,
  "agent mcp import": McpImport,
  "agent mcp export": McpExport,
  "agent mcp auth": SignIn,
  "agent mcp auth --status": McpAuthStatus,
  "agent mcp logout": McpLogout,
  "agent run": RunReport,
  "agent daemon start": DaemonStart,
  "agent daemon status": DaemonStatus,
  "agent daemon stop": DaemonStop,
  "agent run --batch": RunBatch,
  "agent report merge": BatchSummary,
} as const satisfies Record<string, v.GenericSchema>

export type JsonCommand = keyof typeof JSON_COMMANDS

/** The issues of `doc` against `schema`, as readable lines (empty when it fits). */
export function shapeIssues(schema: v.GenericSchema, doc: unknown): string[] {
  const r = v.safeParse(schema, doc)
  return r.success ? [] : r.issues.map((i) => `${v.getDotPath(i) ?? "(root)"}: ${i.message}`)
}
