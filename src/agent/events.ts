// What `agent run` prints (docs/design.md §9), as valibot schemas: tests validate real output against
// them and docs/runs.md documents them. `--output json` prints one RunReport; `--output
// stream-json` prints one RunEvent per line, `init` first and `result` (a RunReport) last.
import * as v from "valibot"

// startup_error: the agent never started (bad flag or config, missing approval, sign-in or key,
// a required server down); the report's exitCode is that error's (2–5).
export const EXIT_REASONS = [
  "completed",
  "max_turns",
  "timeout",
  "interrupted",
  "model_error",
  "refused",
  "replay_mismatch",
  "startup_error",
] as const
export const ExitReason = v.picklist(EXIT_REASONS)
export type ExitReason = v.InferOutput<typeof ExitReason>

// inputTokens counts cached input too; the cache and reasoning fields are there only when the
// provider reports them (Anthropic, Bedrock: cache; OpenAI Responses: cache reads, reasoning).
export const Usage = v.object({
  inputTokens: v.number(),
  outputTokens: v.number(),
  totalTokens: v.number(),
  /** Input tokens read from the provider's prompt cache (billed at a fraction). */
  cacheReadTokens: v.optional(v.number()),
  /** Input tokens written to the prompt cache (Anthropic bills these at a premium). */
  cacheWriteTokens: v.optional(v.number()),
  /** Output tokens spent on reasoning (part of outputTokens). */
  reasoningTokens: v.optional(v.number()),
})
export type Usage = v.InferOutput<typeof Usage>

export const Phases = v.object({ startupMs: v.number(), agentMs: v.number() })
export type Phases = v.InferOutput<typeof Phases>

export const ServerStatus = v.object({
  name: v.string(),
  status: v.picklist([
    "connected",
    "needs_auth",
    "needs_approval",
    "failed",
    "disabled",
    "connecting",
    "blocked",
  ]),
  transport: v.optional(v.picklist(["stdio", "http", "sse"])),
  tools: v.optional(v.number()),
  error: v.optional(v.string()),
})
export type ServerStatus = v.InferOutput<typeof ServerStatus>

export const ToolCallRecord = v.object({
  id: v.string(),
  /** The name the model used (`server__tool`). */
  name: v.string(),
  server: v.optional(v.string()),
  tool: v.optional(v.string()),
  turn: v.number(),
  durationMs: v.number(),
  /** Size of the result text before truncation (UTF-8 bytes). */
  bytes: v.number(),
  isError: v.boolean(),
  isRefused: v.boolean(),
  isTruncated: v.boolean(),
  /** The call ran as an MCP task: its id and the last status seen (completed, failed, cancelled…). */
  task: v.optional(
    v.object({
      id: v.string(),
      status: v.picklist(["working", "input_required", "completed", "failed", "cancelled"]),
    }),
  ),
})
export type ToolCallRecord = v.InferOutput<typeof ToolCallRecord>

/** A tool result over the limit, saved whole in the run's directory (spill.ts). */
export const SpillRecord = v.object({
  /** What read_tool_output takes ("out1", ...). */
  id: v.string(),
  callId: v.string(),
  name: v.string(),
  server: v.optional(v.string()),
  tool: v.optional(v.string()),
  turn: v.number(),
  /** The whole result as text (0600). */
  path: v.string(),
  chars: v.number(),
  /** UTF-8 bytes of that text. */
  bytes: v.number(),
  /** ≈ 4 characters a token, over the text and the binary items' base64. */
  estimatedTokens: v.number(),
  limitTokens: v.number(),
  /** One file per image, audio or blob content item. */
  files: v.array(v.object({ path: v.string(), mimeType: v.string(), bytes: v.number() })),
})

export type SpillRecord = v.InferOutput<typeof SpillRecord>

export const Refusal = v.object({ id: v.string(), name: v.string(), turn: v.number(), reason: v.string() })
export type Refusal = v.InferOutput<typeof Refusal>

export const SkippedTool = v.object({ name: v.string(), reason: v.string() })
export type SkippedTool = v.InferOutput<typeof SkippedTool>

/** One load_skill call: the skill, the file read (its SKILL.md unless `file`), and how it went. */
export const SkillLoad = v.object({
  server: v.string(),
  name: v.string(),
  /** The file asked for, relative to the skill's folder (absent: its SKILL.md). */
  file: v.optional(v.string()),
  /** The URI read (or, when refused, the skill's SKILL.md). */
  uri: v.string(),
  turn: v.number(),
  bytes: v.number(),
  /** Size and sha256 digest matched the server's entry (false for a "dynamic" skill or a refusal). */
  isVerified: v.boolean(),
  /** Why the file was refused (digest, size, frontmatter…) or could not be read; the model was told. */
  error: v.optional(v.string()),
})
export type SkillLoad = v.InferOutput<typeof SkillLoad>

/** What the tool definitions sent on the first turn cost (src/agent/budget.ts: an estimate). */
export const ToolDefinitions = v.object({ tokens: v.number(), tools: v.number(), method: v.string() })
export type ToolDefinitions = v.InferOutput<typeof ToolDefinitions>

/** Tool search turned on: the definitions' tokens, the budget they passed, and why in words. */
export const ToolSearchChoice = v.object({
  definitionTokens: v.number(),
  budgetTokens: v.number(),
  reason: v.string(),
})
export type ToolSearchChoice = v.InferOutput<typeof ToolSearchChoice>

/**
 * Present when the run could start from cached tool lists (docs/runs.md "Cached tool lists"):
 * `used` whether the first model request was built from the cache, `changed` the servers whose
 * live lists differed from it (the live ones were used from the next request on).
 */
export const ToolCache = v.object({ used: v.boolean(), changed: v.array(v.string()) })
export type ToolCache = v.InferOutput<typeof ToolCache>

export const RunReport = v.object({
  type: v.literal("result"),
  exitReason: ExitReason,
  exitCode: v.number(),
  /** The model's final answer: the text of its last turn. */
  result: v.string(),
  model: v.string(),
  turns: v.number(),
  /** Wall time from the command's start (before servers connect) to this report. */
  durationMs: v.number(),
  /** durationMs split: start-up (config, approvals, servers, model, context), then the agent loop. */
  phases: Phases,
  usage: Usage,
  toolCalls: v.array(ToolCallRecord),
  refusals: v.array(Refusal),
  servers: v.array(ServerStatus),
  skippedTools: v.array(SkippedTool),
  /** Tokens the tool definitions cost per request when all are sent (absent in a start-up failure). */
  toolDefinitions: v.optional(ToolDefinitions),
  /** Present when tool search was on (the definitions passed the budget): the model got search_tools. */
  toolSearch: v.optional(ToolSearchChoice),
  /** Present when the servers offered skills (SEP-2640): every load_skill call of the run. */
  skills: v.optional(v.array(SkillLoad)),
  /** Present when a tool result was over the limit: where each whole result was saved. */
  spills: v.optional(v.array(SpillRecord)),
  toolCache: v.optional(ToolCache),
  error: v.optional(v.string()),
})
export type RunReport = v.InferOutput<typeof RunReport>

const turn = v.number()
export const RunEvent = v.variant("type", [
  v.object({
    type: v.literal("init"),
    model: v.string(),
    servers: v.array(ServerStatus),
    tools: v.array(v.string()),
    skippedTools: v.array(SkippedTool),
    /** Present when the definitions exceed --tool-budget: the model starts with search_tools only. */
    toolSearch: v.optional(ToolSearchChoice),
    /** Skills offered through load_skill (`server/name`); absent when no server offers any. */
    skills: v.optional(v.array(v.string())),
  }),
  v.object({ type: v.literal("turn"), turn }),
  v.object({ type: v.literal("text"), turn, delta: v.string() }),
  v.object({
    type: v.literal("tool_use"),
    turn,
    id: v.string(),
    name: v.string(),
    server: v.optional(v.string()),
    tool: v.optional(v.string()),
    input: v.unknown(),
  }),
  v.object({
    type: v.literal("tool_result"),
    turn,
    id: v.string(),
    name: v.string(),
    isError: v.boolean(),
    isRefused: v.boolean(),
    isTruncated: v.boolean(),
    durationMs: v.number(),
    bytes: v.number(),
    /** What the model was sent (after truncation). */
    content: v.string(),
  }),
  v.object({ type: v.literal("usage"), turn, finishReason: v.string(), usage: Usage }),
  v.object({ type: v.literal("warning"), message: v.string() }),
  RunReport,
])
export type RunEvent = v.InferOutput<typeof RunEvent>
export type EventOf<T extends RunEvent["type"]> = Extract<RunEvent, { type: T }>
