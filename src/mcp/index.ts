// Public surface of the mcp domain (CONTRIBUTING.md "Who may import whom": other domains import only this file). Nothing
// here loads the client SDK at import time; createManager loads it on the first connect.
export * from "./types.ts"
export { createManager, DEFAULTS } from "./manager.ts"
export { namespaceTools, isToolAllowed, sanitize, MAX_TOOL_NAME, type ServerTools, type ToolNames } from "./tools.ts"
export { McpRequestError, McpTimeoutError, InvalidSessionIdError } from "./failures.ts"
export { elicitDefaults, elicitDecline } from "./elicit.ts"
export type { Finding, ServerReport, Severity, SchemaProvider } from "./doctor-types.ts"
export { isBroken } from "./doctor-types.ts"
/** `agent mcp doctor`; loaded on demand because its probes import the SDK. */
export const loadDoctor = () => import("./doctor.ts")
export { checkLock, diffLock, formatChanges, readLock, snapshot, writeLock, LockMismatchError, LOCK_VERSION, type LockFile, type LockChange, type LockedServer } from "./lock.ts"
export { parsePackage, type LockedPackage } from "./lock-package.ts"
