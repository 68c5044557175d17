// Public surface of the config domain; other domains import only this file.
export * from "./schema.ts"
export * from "./load.ts"
export { fingerprintServer, shortFingerprint, stableStringify } from "./fingerprint.ts"
export { normalizeServer, toFileEntry } from "./normalize.ts"
export { interpolatedParts, referencedVariables, variableUses, fieldLabel, urlProblem, type VariableUse, type FieldPath } from "./references.ts"
export { openApprovals, approvalsPath, type ApprovalStore, type EnvApproval, type ProjectApproval, type ProjectStatus } from "./approvals.ts"
export { resolveServers, requireReady, redact, variableNeeds, type Resolution, type ReadyResolution, type VariableNeed, type ApprovalQuestion, type PromptFn, type ResolveOptions } from "./resolve.ts"
export { describeServer, diffServers, maskValue, maskedDefinition, commandLine, destinationOf, templateHost } from "./describe.ts"
