import { parseTemplate } from "./interpolate.ts"
import { FILE_OAUTH_KEYS, FILE_OAUTH_SECRETS, looksLikeCredential } from "./secrets.ts"

// Literal secrets in a server entry as written to a file (I14): `--env API_KEY=sk-…`, a literal
// `Authorization: Bearer …` header, an OAuth client secret typed into the file. They are still
// written when the user asks (a config may legitimately hold one), but never silently: the CLI
// warns and suggests the `${VAR}` form, and `--secrets-to-env` rewrites them to references.

export interface LiteralSecret {
  /** The map or object it sits in, as spelled in the entry: env, environment, headers, oauth, auth. */
  field: string
  key: string
  /** The variable a `${VAR}` reference would read instead. */
  variable: string
}

const ENV_MAPS = ["env", "environment"]
const HEADER_MAPS = ["headers"]

/** Every literal (not `${VAR}`-only) credential-looking value in env, headers and OAuth secrets. */
export function findLiteralSecrets(name: string, entry: Record<string, unknown>): LiteralSecret[] {
  const found: LiteralSecret[] = []
  for (const field of [...ENV_MAPS, ...HEADER_MAPS]) {
    const map = entry[field]
    if (!isObject(map)) continue
    for (const [key, value] of Object.entries(map)) {
      if (typeof value !== "string" || !hasLiteral(value)) continue
      if (!looksLikeCredential(key, value)) continue
      found.push({
        field,
        key,
        variable: ENV_MAPS.includes(field) ? envName(key) : envName(`${name}_${key}`),
      })
    }
  }
  for (const field of FILE_OAUTH_KEYS) {
    const o = entry[field]
    if (!isObject(o)) continue
    for (const key of FILE_OAUTH_SECRETS) {
      const value = o[key]
      if (typeof value === "string" && hasLiteral(value))
        found.push({ field, key, variable: envName(`${name}_${key}`) })
    }
  }
  return found
}

/**
 * `--secrets-to-env`: each literal secret becomes a `${VAR}` reference (a header keeps its
 * `Bearer ` scheme). The values are dropped here and never printed; the user sets VAR instead.
 */
export function secretsToEnv(
  name: string,
  entry: Record<string, unknown>,
): { entry: Record<string, unknown>; moved: LiteralSecret[] } {
  const moved = findLiteralSecrets(name, entry)
  const out = structuredClone(entry)
  for (const s of moved) {
    const obj = out[s.field] as Record<string, unknown>
    const scheme = HEADER_MAPS.includes(s.field)
      ? (/^(Bearer|Basic|Token)\s+/i.exec(String(obj[s.key]))?.[0] ?? "")
      : ""
    obj[s.key] = `${scheme}\${${s.variable}}`
  }
  return { entry: out, moved }
}

/** The warning line for one literal secret; names only, never the value. */
export function literalSecretWarning(server: string, s: LiteralSecret): string {
  return `server "${server}": ${s.field} ${s.key} holds a literal secret, written as is; prefer "\${${s.variable}}" and set ${s.variable} in the environment (--secrets-to-env does this rewrite)`
}

function hasLiteral(value: string): boolean {
  try {
    const segs = parseTemplate(value)
    const literal = segs.map((s) => (s.type === "text" ? s.value : "")).join("")
    return literal.replace(/^(?:Bearer|Basic|Token)\s+/i, "").trim() !== ""
  } catch {
    return value.trim() !== ""
  }
}

function envName(s: string): string {
  const n = s
    .toUpperCase()
    .replace(/[^A-Z0-9_]/g, "_")
    .replace(/_+/g, "_")
  return /^[0-9]/.test(n) ? `_${n}` : n
}

function isObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === "object" && !Array.isArray(x)
}
