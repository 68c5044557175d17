// Public surface of the config domain; other domains import only this file.
export * from "./schema.ts"
export * from "./load.ts"
export { fingerprintServer, shortFingerprint, stableStringify } from "./fingerprint.ts"
export { normalizeServer, toFileEntry } from "./normalize.ts"
export { interpolatedParts, referencedVariables, variableUses, fieldLabel, urlProblem, type VariableUse, type FieldPath } from "./references.ts"
