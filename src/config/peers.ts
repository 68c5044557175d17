import type { Peer } from "./import-convert.ts"

// The peers `agent mcp import --from` reads, apart from their importers (import.ts), which load
// only when an import runs: the list is needed to define the command's flags.
export const PEERS = [
  "claude",
  "cursor",
  "vscode",
  "kiro",
  "gemini",
  "opencode",
  "codex",
  "goose",
  "antigravity",
  "claude-desktop",
  "windsurf",
  "zed",
] as const satisfies readonly Peer[]
