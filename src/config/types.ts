// The loaded config's data, in a leaf file so load.ts and its helpers (unknown.ts, resolve.ts,
// approvals.ts) share these types without importing each other.
import type { Policy } from "./policy.ts"
import type { ServerConfig } from "./schema.ts"

export type Scope = "user" | "project" | "file"

export interface ServerEntry {
  name: string
  scope: Scope
  file: string
  server: ServerConfig
  /** Hash of name + uninterpolated definition; approvals bind to it. */
  fingerprint: string
}

export interface ConfigWarning {
  file: string
  path: string
  message: string
}

export interface ConfigSource {
  scope: Scope
  file: string
  exists: boolean
  servers: number
}

/** VS Code `inputs`, keyed by the variable name `${input:id}` maps to. */
export interface InputInfo {
  id: string
  description?: string
  password?: boolean
}

export interface Config {
  /** Effective servers, in file order; a later scope replaces an earlier one by name. */
  servers: ServerEntry[]
  /** Entries replaced by a later scope (shown by `config show`). */
  shadowed: ServerEntry[]
  sources: ConfigSource[]
  warnings: ConfigWarning[]
  inputs: Map<string, InputInfo>
  /** The organisation's policy in force (docs/policy.md); set by the CLI, which knows where it is. */
  policy?: Policy
  /** `agent run`'s default model: the last file that sets `model` wins. */
  model?: string
  /** MCP Registry URLs from the user config and --mcp files (not project files), in order. */
  registries?: string[]
}

/** One config file, parsed and validated (before the scopes are merged into a Config). */
export interface ParsedConfigFile {
  servers: ServerEntry[]
  warnings: ConfigWarning[]
  inputs: Map<string, InputInfo>
  model?: string
  registries?: string[]
}
