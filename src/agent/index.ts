// The agent domain's public surface: what other domains use (CONTRIBUTING.md "Who may import whom": they
// import only this file); tests import the module they test.
export { runAgent } from "./loop.ts"
export {
  createModel,
  modelOptions,
  parseModelSpec,
  resolveModelSpec,
  schemaFlavor,
  type ProviderName,
} from "./providers.ts"
export { toolCosts, type ToolCosts } from "./budget.ts"
export { normalizeSchema } from "./schema.ts"
export { CHARS_PER_TOKEN, managerToolSource, type ToolSource } from "./tools.ts"
export { managerSkillSource } from "./skills.ts"
export { createPermissions, type Permissions, type AskAnswer } from "./permissions.ts"
export { createWriter, OUTPUT_FORMATS, type RunOutputFormat } from "./output.ts"
export { recordingModel, replayModel, loadRecording } from "./record.ts"
export { ServerStatus, RunEvent } from "./events.ts"
export { startupReport } from "./report.ts"
export { sampleWithModel, samplingParts, samplingPreview, type SamplingRequest } from "./sampling.ts"
export {
  createSpill,
  limitToolResult,
  readRange,
  writeSpill,
  READ_TOOL_OUTPUT,
  type LimitedResult,
  type SpillPlan,
} from "./spill.ts"
export {
  BatchTask,
  DEFAULT_CONCURRENCY,
  fillVars,
  parseShard,
  parseTasks,
  runPool,
  shardTasks,
  taskFileName,
  type Shard,
} from "./batch.ts"
export { openResults, resumeResults, type ResultsFile, type TaskReport } from "./batch-results.ts"
export { formatSummary, isBatchOk, mergeResults, summarize, type BatchSummary } from "./batch-merge.ts"
