// Public surface of the mcp domain (STYLE: other domains import only this file). Nothing
// here loads the client SDK at import time; createManager loads it on the first connect.
export * from "./types.ts"
export { createManager, DEFAULTS } from "./manager.ts"
export { namespaceTools, isToolAllowed, sanitize, MAX_TOOL_NAME, type ServerTools, type ToolNames } from "./tools.ts"
export { McpRequestError, McpTimeoutError, InvalidSessionIdError } from "./failures.ts"
export { elicitDefaults, elicitDecline } from "./elicit.ts"
