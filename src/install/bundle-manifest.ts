import { escapeTerminal } from "../util/text.ts"
import { bundleError } from "./bundle-zip.ts"

// manifest.json, checked with the schemas the MCPB project publishes (@anthropic-ai/mcpb, the
// code Claude Desktop loads bundles with) rather than a copy of our own: each manifest_version
// has its strict schema, so an unknown key or a missing field fails here with its path (I34).

export type UserConfigOption = {
  type: "string" | "number" | "boolean" | "directory" | "file"
  title: string
  description: string
  required?: boolean
  default?: string | number | boolean | string[]
  multiple?: boolean
  sensitive?: boolean
  min?: number
  max?: number
}

export interface McpConfig {
  command: string
  args?: string[]
  env?: Record<string, string>
  platform_overrides?: Record<string, { command?: string; args?: string[]; env?: Record<string, string> }>
}

/** The fields of a manifest we use; the schema has checked the rest. */
export interface BundleManifest {
  manifest_version?: string
  dxt_version?: string
  name: string
  display_name?: string
  version: string
  description: string
  author: { name: string }
  server: { type: string; entry_point: string; mcp_config: McpConfig }
  user_config?: Record<string, UserConfigOption>
  compatibility?: { platforms?: string[] }
}

/** Parses and validates manifest.json; throws a bundle refusal (exit 2) naming the field. */
export async function parseManifest(bytes: Uint8Array): Promise<BundleManifest> {
  // Loaded here, not at the top: `agent install LINK` and `mcp add/remove` never need the schemas.
  const { VERSIONED_MANIFEST_SCHEMAS } = await import("@anthropic-ai/mcpb/schemas")
  const VERSIONS = Object.keys(VERSIONED_MANIFEST_SCHEMAS) as (keyof typeof VERSIONED_MANIFEST_SCHEMAS)[]
  let doc: unknown
  try {
    doc = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes))
  } catch (e: unknown) {
    throw bundleError(`manifest.json is not valid JSON (${escapeTerminal(String(e))})`)
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc))
    throw bundleError("manifest.json must hold a JSON object")
  const fields = doc as Record<string, unknown>
  const version = fields.manifest_version ?? fields.dxt_version
  const schema = VERSIONS.find((v) => v === version)
  if (schema === undefined) {
    throw bundleError(
      `manifest.json has manifest_version ${escapeTerminal(JSON.stringify(version) ?? "missing")}; supported: ${VERSIONS.join(", ")}`,
    )
  }
  const result = VERSIONED_MANIFEST_SCHEMAS[schema].safeParse(doc)
  if (!result.success) {
    const issue = result.error.issues[0]
    const path = issue?.path.length ? issue.path.join(".") : "(top level)"
    throw bundleError(
      `manifest.json field ${escapeTerminal(path)}: ${escapeTerminal(issue?.message ?? "invalid")}`,
    )
  }
  return result.data as BundleManifest
}
