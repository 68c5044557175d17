import { closest } from "../util/suggest.ts"
import type { ConfigWarning } from "./types.ts"
import { KNOWN_OAUTH_KEYS, KNOWN_SERVER_KEYS, KNOWN_TOP_KEYS, SERVER_KEYS } from "./schema.ts"

// Unknown fields are warnings, not failures (a newer agent or a peer may have written them);
// the writer keeps them. A close match to a known field is probably a typo, so say so.
export function unknownFieldWarnings(doc: Record<string, unknown>, file: string): ConfigWarning[] {
  const warnings: ConfigWarning[] = []
  const topUnknown = Object.keys(doc).filter((k) => !KNOWN_TOP_KEYS.has(k))
  if (topUnknown.length > 0) {
    const typo = topUnknown.map((k) => suggest(k, KNOWN_TOP_KEYS)).find(Boolean)
    warnings.push({
      file,
      path: "",
      message: `ignoring top-level ${topUnknown.length === 1 ? "field" : "fields"} ${topUnknown.map((k) => `"${k}"`).join(", ")}${typo ? ` (${typo})` : ""}`,
    })
  }
  for (const key of SERVER_KEYS) {
    const servers = doc[key]
    if (!isObject(servers)) continue
    for (const [name, entry] of Object.entries(servers)) {
      if (!isObject(entry)) continue
      warnings.push(...fieldWarnings(entry, KNOWN_SERVER_KEYS, file, `${key}.${name}`))
      if (isObject(entry.oauth))
        warnings.push(...fieldWarnings(entry.oauth, KNOWN_OAUTH_KEYS, file, `${key}.${name}.oauth`))
    }
  }
  return warnings
}

function fieldWarnings(
  obj: Record<string, unknown>,
  known: Set<string>,
  file: string,
  at: string,
): ConfigWarning[] {
  return Object.keys(obj)
    .filter((k) => !known.has(k))
    .map((k) => {
      const typo = suggest(k, known)
      return {
        file,
        path: `${at}.${k}`,
        message: `unknown field "${k}" in ${at} is ignored${typo ? ` (${typo})` : ""}`,
      }
    })
}

function suggest(key: string, known: Set<string>): string | undefined {
  const best = closest(key, known, Math.max(2, Math.floor(key.length / 3)))
  return best && `did you mean "${best}"?`
}

function isObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === "object" && !Array.isArray(x)
}
