// Low-level pieces of install-link parsing: the query string and the `config=` payload.
// Links come from whoever wrote a web page (docs/security.md, attacker 3), so every step refuses
// rather than guesses: repeated or unknown parameters, bad percent-escapes, bad base64,
// invalid UTF-8, JSON that is duplicated, deep or not an object (I04).
import { parseJsonText } from "../config/index.ts"
import { AgentError, UsageError } from "../util/errors.ts"

/** 64 KB: far above any real server entry, far below what could hurt a prompt or a parser. */
export const MAX_LINK_BYTES = 64 * 1024
/** A server entry is at most ~3 levels deep (oauth.scopes[]); wrappers add two. */
export const MAX_CONFIG_DEPTH = 8

export class Query {
  private constructor(private readonly raw: Map<string, string[]>) {}

  /**
   * Splits a query by hand: URLSearchParams turns a raw "+" into a space, which corrupts the
   * standard-alphabet base64 that Cursor's docs generate unescaped.
   */
  static parse(search: string, allowed: readonly string[], repeatable: readonly string[] = []): Query {
    const raw = new Map<string, string[]>()
    for (const part of search.replace(/^\?/, "").split("&")) {
      if (part === "") continue
      const eq = part.indexOf("=")
      const key = formDecode(eq < 0 ? part : part.slice(0, eq), "parameter name")
      const value = eq < 0 ? "" : part.slice(eq + 1)
      if (!allowed.includes(key)) {
        throw linkError(
          `unknown parameter "${printable(key)}"`,
          `this link format takes ${allowed.join(", ")}`,
        )
      }
      const list = raw.get(key) ?? []
      if (list.length && !repeatable.includes(key))
        throw linkError(`parameter "${key}" is given more than once`)
      list.push(value)
      raw.set(key, list)
    }
    return new Query(raw)
  }

  has(key: string): boolean {
    return this.raw.has(key)
  }

  /** The value with form decoding ("+" is a space), or undefined when absent. */
  get(key: string): string | undefined {
    const v = this.raw.get(key)?.[0]
    return v === undefined ? undefined : formDecode(v, `"${key}"`)
  }

  getAll(key: string): string[] {
    return (this.raw.get(key) ?? []).map((v) => formDecode(v, `"${key}"`))
  }

  /** Percent-decoded only: "+" stays "+" (base64 payloads). */
  getRaw(key: string): string | undefined {
    const v = this.raw.get(key)?.[0]
    return v === undefined ? undefined : percentDecode(v, `"${key}"`)
  }

  require(key: string): string {
    const v = this.get(key)
    if (v === undefined || v === "") throw linkError(`the link has no "${key}" parameter`)
    return v
  }
}

export function linkError(reason: string, hint?: string, cause?: unknown): UsageError {
  return new UsageError(`install link refused: ${reason}`, { hint, cause })
}

/** For messages: a short, control-free rendition of hostile text. */
export function printable(s: string, max = 40): string {
  const clean = s.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
  return clean.length > max ? `${clean.slice(0, max)}…` : clean
}

function formDecode(s: string, what: string): string {
  return percentDecode(s.replace(/\+/g, " "), what)
}

function percentDecode(s: string, what: string): string {
  try {
    return decodeURIComponent(s)
  } catch (e: unknown) {
    throw linkError(`${what} has a malformed %-escape`, undefined, e)
  }
}

/**
 * The `config=` payload: URL-encoded JSON (Kiro, VS Code, ours) or base64 of JSON (Cursor: std
 * or url-safe alphabet, padding optional). JSON starts with "{" or "[", neither a base64 character.
 */
export function decodeConfigParam(q: Query, key = "config"): unknown {
  const raw = q.getRaw(key)
  if (raw === undefined || raw.trim() === "") throw linkError(`the link has no "${key}" parameter`)
  if (/^\s*[{[]/.test(raw)) return parseConfigJson(q.get(key) as string, key)
  return parseConfigJson(decodeBase64Text(raw.replace(/ /g, "+"), key), key)
}

export function decodeBase64Text(s: string, what: string): string {
  const b64 = s.trim()
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(b64) || b64.replace(/=+$/, "").length % 4 === 1) {
    throw linkError(
      `"${what}" is neither URL-encoded JSON nor valid base64`,
      "encode the JSON with encodeURIComponent or base64url",
    )
  }
  let bytes: Uint8Array
  try {
    bytes = base64Bytes(b64)
  } catch (e: unknown) {
    throw linkError(`"${what}" is not valid base64`, undefined, e)
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes)
  } catch (e: unknown) {
    throw linkError(`"${what}" decodes to bytes that are not UTF-8 text`, undefined, e)
  }
}

// The link code also runs in the browser (the install page, web/), so no Buffer: atob/btoa and
// TextEncoder exist in Bun and in every browser.

/** Bytes of a base64 or base64url text already checked against the alphabet (padding optional). */
function base64Bytes(b64: string): Uint8Array {
  const bin = atob(b64.replace(/=+$/, "").replace(/-/g, "+").replace(/_/g, "/"))
  return Uint8Array.from(bin, (c) => c.charCodeAt(0))
}

/** base64 of a text's UTF-8 bytes; `url`: the url-safe alphabet without padding (RFC 4648 §5). */
export function toBase64(text: string, url = false): string {
  const bytes = new TextEncoder().encode(text)
  let bin = ""
  for (const b of bytes) bin += String.fromCharCode(b)
  const std = btoa(bin)
  return url ? std.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "") : std
}

export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length
}

/** Strict JSON (no comments), duplicate and prototype keys refused, then a depth limit. */
export function parseConfigJson(text: string, what: string): unknown {
  let value: unknown
  try {
    value = parseJsonText(text).value
  } catch (e: unknown) {
    if (e instanceof AgentError)
      throw linkError(`"${what}" is not valid JSON: ${firstLine(e.message)}`, undefined, e)
    throw e
  }
  if (depthOf(value, 0) > MAX_CONFIG_DEPTH)
    throw linkError(`"${what}" is nested too deeply (over ${MAX_CONFIG_DEPTH} levels)`)
  return value
}

function depthOf(value: unknown, depth: number): number {
  if (depth > MAX_CONFIG_DEPTH) return depth
  if (value === null || typeof value !== "object") return depth
  const kids = Array.isArray(value) ? value : Object.values(value)
  return kids.reduce<number>((max, k) => Math.max(max, depthOf(k, depth + 1)), depth + 1)
}

function firstLine(s: string): string {
  return printable(s.split("\n")[0] ?? "", 160)
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v)
}
