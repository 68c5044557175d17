// Public surface of the config domain; other domains import only this file.
export * from "./schema.ts"
export * from "./load.ts"
export type * from "./types.ts"
export { fingerprintServer, shortFingerprint, stableStringify } from "./fingerprint.ts"
export { normalizeServer, toFileEntry } from "./normalize.ts"
export { interpolatedParts, referencedVariables, variableUses, fieldLabel, urlProblem, type VariableUse, type FieldPath } from "./references.ts"
export { openApprovals, approvalsPath, type ApprovalStore, type EnvApproval, type ProjectApproval, type ProjectStatus } from "./approvals.ts"
export { resolveServers, requireReady, redact, variableNeeds, type Resolution, type ReadyResolution, type Blocked, type VariableNeed, type ApprovalQuestion, type PromptFn, type ResolveOptions } from "./resolve.ts"
export { describeServer, diffServers, maskValue, maskedDefinition, commandLine, destinationOf, templateHost } from "./describe.ts"
export { parseJsonText } from "./json.ts"
export { checkTemplates } from "./references.ts"
export { findRefs, inputVariableName, InterpolationSyntaxError, parseTemplate } from "./interpolate.ts"
export { PEERS } from "./peers.ts"
export type { Peer, PeerEnv, PeerImport, PeerSource, ImportedServer, SkippedServer, ImportedInput } from "./import.ts"
export { editJsonFile, type JsonObject } from "./edit.ts"
export { MAX_CONFIG_BYTES, readJsonFile } from "./json.ts"

// Loaded on use, not re-exported: every command imports this file, and a static re-export would
// load the peer importers and the JSON Schema generator (@valibot/to-json-schema) at each start.
type ImportModule = typeof import("./import.ts")
/** `agent mcp import`: the servers one peer's config files define (see import.ts). */
export async function importFromPeer(...a: Parameters<ImportModule["importFromPeer"]>): Promise<ReturnType<ImportModule["importFromPeer"]>> {
  return (await import("./import.ts")).importFromPeer(...a)
}
/** `agent config schema`: the JSON Schema of mcp.json (see json-schema.ts). */
export async function configJsonSchema(): Promise<ReturnType<typeof import("./json-schema.ts").configJsonSchema>> {
  return (await import("./json-schema.ts")).configJsonSchema()
}
