// Public surface of the serve domain (docs/design.md §13, docs/serve.md): `agent mcp serve` and
// `agent mcp proxy` serve a ServerSource (the manager, or the daemon's held servers) to other MCP
// clients over stdio or loopback HTTP. Loaded only by those two commands (it imports the server SDK).
export { createServeCore, type ServeCore, type ServeCoreOptions } from "./core.ts"
export type { ListKind, ServerSource, SourceEvents } from "./source.ts"
export { connectedNames } from "./source.ts"
export { parseBind, SERVE_HOST, type BindAddress } from "./bind.ts"
export { serveToken, TOKEN_FILE } from "./token.ts"
export { listen, MCP_PATH, type HttpServer } from "./http.ts"
export { serveOverLines, serveOverStdio, type LinePipe } from "./stdio.ts"
export { createServeLimit, READ_TOOL_OUTPUT, type ServeLimit } from "./limit.ts"
