// The agent domain's public surface (STYLE: other domains import only this file).
export { runAgent, exitCodeFor, DEFAULT_MAX_TURNS, DEFAULT_MAX_TOOL_OUTPUT_TOKENS, type RunOptions, type RunResult } from "./loop.ts"
export { createModel, parseModelSpec, resolveModelSpec, schemaFlavor, PROVIDERS, type ProviderName, type ModelSpec, type CreatedModel, type CreateModelOptions } from "./providers.ts"
export { normalizeSchema, modelToolName, type JsonSchema, type Normalized } from "./schema.ts"
export { prepareTools, managerToolSource, resultText, CHARS_PER_TOKEN, type ToolSource, type PreparedTools } from "./tools.ts"
export { createPermissions, allowAll, decide, type Permissions, type PermissionRules, type Decision, type CheckResult, type AskAnswer } from "./permissions.ts"
export { createWriter, OUTPUT_FORMATS, type RunOutputFormat, type RunWriter, type Sinks } from "./output.ts"
export { recordingModel, replayModel, loadRecording, normalizeRequest, ReplayMismatchError, RECORD_VERSION, type RecordedCall } from "./record.ts"
export * from "./events.ts"
