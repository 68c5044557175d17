// Public surface of the mcp domain: what other domains use (CONTRIBUTING.md "Who may import whom": they
// import only this file); tests import the module they test. Nothing here loads the client SDK at import time
// (tests/mcp/index-load.test.ts checks it); createManager loads it on the first connect.
export type {
  CallOptions,
  CallToolResult,
  ElicitHandler,
  GetPromptResult,
  LoggingLevel,
  ListHint,
  Manager,
  ManagerOptions,
  NamespacedTool,
  Prompt,
  Resource,
  FilteredTool,
  ReadResourceResult,
  ServerSkill,
  SkillContent,
  SkillListing,
  InvalidSkill,
  SamplingHandler,
  ServerState,
  AuthHooks,
  SignInHook,
  PendingSignIn,
} from "./types.ts"
export { createManager } from "./manager.ts"
export { POSIX_ENV, WINDOWS_ENV } from "./spawn.ts"
export {
  DEFAULT_LIST_TTL_MS,
  dropListCache,
  readListCache,
  ttlFromHint,
  writeListCache,
  type CachedLists,
} from "./list-cache.ts"
export { namespaceTools } from "./tools.ts"
export { McpRequestError, McpTimeoutError, SkillRejectedError } from "./error-classes.ts"
export type { TaskOutcome } from "./task-driver.ts"
export { isTerminal, TASK_STATUSES, type Started, type TaskSnapshot, type TaskStatus } from "./tasks.ts"
export {
  findHandle,
  handleText,
  parseHandle,
  readHandles,
  removeHandle,
  saveHandle,
  type TaskHandle,
} from "./task-handles.ts"
export { elicitDefaults } from "./elicit.ts"
export type { Finding, ServerReport, SchemaProvider } from "./doctor-types.ts"
export { isBroken } from "./doctor-types.ts"
/** `agent mcp doctor`; loaded on demand because its probes import the SDK. */
export const loadDoctor = () => import("./doctor.ts")
export { readLock, relockDefinition, snapshot, writeLock } from "./lock.ts"
export { checkLock, diffLock, formatChanges, LockMismatchError, type LockChange } from "./lock-diff.ts"
export { ToolFilteredError } from "./error-classes.ts"
export {
  configFilter,
  describeFilter,
  matchesGlob,
  runFilter,
  splitPatterns,
  type FilteredBy,
  type RunToolFilter,
} from "./filters.ts"
