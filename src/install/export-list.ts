import type { Peer } from "../config/index.ts"

// The clients `agent mcp export --to` writes (issue 15), apart from the code that writes them
// (export-clients.ts, loaded only when an export runs): the list defines the command's flags.

export const EXPORT_CLIENTS = [
  "claude",
  "cursor",
  "vscode",
  "codex",
  "goose",
  "antigravity",
  "zed",
  "windsurf",
  "claude-desktop",
] as const satisfies readonly Peer[]
export type ExportClient = (typeof EXPORT_CLIENTS)[number]

export interface ClientInfo {
  label: string
  format: "json" | "toml" | "yaml"
  /** The key holding the servers at the top of the file. */
  key: string
}

export const CLIENTS: Record<ExportClient, ClientInfo> = {
  claude: { label: "Claude Code", format: "json", key: "mcpServers" },
  cursor: { label: "Cursor", format: "json", key: "mcpServers" },
  vscode: { label: "VS Code", format: "json", key: "servers" },
  codex: { label: "Codex", format: "toml", key: "mcp_servers" },
  goose: { label: "Goose", format: "yaml", key: "extensions" },
  antigravity: { label: "Antigravity", format: "json", key: "mcpServers" },
  zed: { label: "Zed", format: "json", key: "context_servers" },
  windsurf: { label: "Windsurf", format: "json", key: "mcpServers" },
  "claude-desktop": { label: "Claude Desktop", format: "json", key: "mcpServers" },
}
