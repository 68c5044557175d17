// Public surface of the config domain: what other domains use (they import only this file);
// tests import the module they test.
export {
  ServerFile,
  RegistryOrigin,
  InputFile,
  SERVER_KEYS,
  KNOWN_SERVER_KEYS,
  KNOWN_OAUTH_KEYS,
  ServerName,
  PROTOCOL_VERSIONS,
  type ProtocolVersion,
  type OAuthConfig,
  type StdioServer,
  type RemoteServer,
  type ServerConfig,
} from "./schema.ts"
export { configLocations, loadConfig, parseConfigFile, parseConfigValue } from "./load.ts"
export { createParseCache, type ParseCache } from "./parse-cache.ts"
export type { Config, ConfigWarning, ServerEntry } from "./types.ts"
export { fingerprintServer, stableStringify } from "./fingerprint.ts"
export { normalizeServer, toFileEntry } from "./normalize.ts"
export { referencedVariables, variableUses, fieldLabel, checkTemplates } from "./references.ts"
export { openApprovals, type ApprovalStore, type EnvApproval } from "./approvals.ts"
// I10/I11: variables that decide what runs, and where a definition may set them.
export {
  checkServerForScope,
  dangerousEnvWarnings,
  findingText,
  isDangerousEnv,
  type EnvFinding,
  type EnvOrigin,
  type ScopeCheck,
} from "./dangerous-env.ts"
export {
  refusedHints,
  resolveServers,
  variableNeeds,
  type Resolution,
  type ReadyResolution,
  type VariableNeed,
  type ApprovalQuestion,
  type PromptFn,
} from "./resolve.ts"
// docs/policy.md: an organisation's policy file; the CLI finds and loads it, every path checks it.
export {
  checkPolicyForAdHoc,
  checkPolicyForDefinition,
  checkPolicyForLinks,
  checkPolicyForRegistry,
  checkPolicyForServer,
  loadPolicy,
  NO_POLICY,
  policyError,
  recordedOrigin,
  type Policy,
  type PolicyLocation,
  type PolicySubject,
  type PolicyViolation,
} from "./policy.ts"
export { describeServer, diffServers, templateHost } from "./describe.ts"
export { envShown, maskEntry, maskedDefinition, maskValue } from "./secrets.ts"
export { inputVariableName, parseTemplate } from "./interpolate.ts"
// P04: URL credentials, for install links and every screen that renders a server (the presenter).
export { hasUrlSecrets, maskUrlSecrets, urlSecretFields } from "./url-secrets.ts"
export {
  findLiteralSecrets,
  literalSecretWarning,
  secretsToEnv,
  type LiteralSecret,
} from "./literal-secrets.ts"
export { PEERS } from "./peers.ts"
export type { ImportedInput, Peer, PeerImport } from "./import.ts"
export { editJsonFile, type JsonObject } from "./edit.ts"
export { MAX_CONFIG_BYTES, parseJsonText, readJsonFile } from "./json.ts"

// Loaded on use, not re-exported: every command imports this file, and a static re-export would
// load the peer importers and the JSON Schema generator (@valibot/to-json-schema) at each start.
type ImportModule = typeof import("./import.ts")
/** `agent mcp import`: the servers one peer's config files define (see import.ts). */
export async function importFromPeer(
  ...a: Parameters<ImportModule["importFromPeer"]>
): ReturnType<ImportModule["importFromPeer"]> {
  return (await import("./import.ts")).importFromPeer(...a)
}
/** `agent mcp export`: the files a peer reads its servers from, user scope first (see import.ts). */
export async function peerConfigSources(
  ...a: Parameters<ImportModule["peerSources"]>
): Promise<ReturnType<ImportModule["peerSources"]>> {
  return (await import("./import.ts")).peerSources(...a)
}
/** `agent config schema`: the JSON Schema of mcp.json (see json-schema.ts). */
export async function configJsonSchema(): Promise<
  ReturnType<typeof import("./json-schema.ts").configJsonSchema>
> {
  return (await import("./json-schema.ts")).configJsonSchema()
}
