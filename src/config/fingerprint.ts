import { sha256Hex } from "../util/hash.ts"
import type { ServerConfig } from "./schema.ts"

/** JSON with object keys sorted, so equal definitions hash equally whatever their key order. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort()
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`).join(",")}}`
  }
  return JSON.stringify(value) ?? "null"
}

/**
 * The identity that approvals bind to (docs/design.md §4): the server's name and its canonical,
 * *uninterpolated* definition. Changing the command, args, url, headers or env text voids
 * every approval for the server; changing a secret's value does not.
 */
export function fingerprintServer(name: string, server: ServerConfig): string {
  return sha256Hex(stableStringify({ name, server }))
}

export function shortFingerprint(fp: string): string {
  return fp.slice(0, 12)
}
