// The values this run resolved from approved `${VAR}` references (and OAuth tokens and client
// secrets as they are read), so that no output ever shows one (P03). Every sink redacts from
// this set: the stdout/stderr guard that cli/index.ts installs, the JSON writers, the logger.
//
// Why a process-wide registry, when the project otherwise keeps state inside factories: the set is
// process-wide by nature (what *this run* read from the environment or the token store), and
// its whole point is that a new code path printing an error cannot forget to pass a redactor
// through every context. It only ever grows, holds nothing but strings, and a unit test that
// registers a value changes at most what that process prints. `createSecretSet()` gives tests
// (and anything that wants isolation) their own.
import { escapeTerminal } from "./text.ts"

/**
 * Shorter values are not redacted: a 3–5 character value (a port, "true", "dev", a short user
 * name) is too likely to appear in ordinary output, and replacing it everywhere would wreck paths
 * and numbers while protecting nothing a credential would be.
 */
export const MIN_SECRET_LENGTH = 6

export interface SecretSet {
  /** Adds a value (with the name it came from, shown as `[redacted:NAME]`). */
  add(value: string | undefined, name?: string): void
  readonly size: number
  /** `text` with every registered value, in every spelling we print it in, replaced. */
  redact(text: string): string
  /** A JSON.stringify replacer: redacts string values and keys, so the document stays valid JSON. */
  replacer(this: void, key: string, value: unknown): unknown
  /** The longest registered spelling; a stream guard holds back at most this many characters. */
  readonly longest: number
  /** The length of the longest suffix of `text` that begins some registered spelling (0 if none). */
  partialTail(text: string): number
}

export function createSecretSet(): SecretSet {
  /** Each spelling we may print a value in → its replacement; longest first when redacting. */
  const forms = new Map<string, string>()
  let sorted: string[] = []
  let longest = 0

  const add = (value: string | undefined, name?: string) => {
    if (!value || value.length < MIN_SECRET_LENGTH || forms.has(value)) return
    const mark = name && /^[A-Za-z0-9_.:-]{1,64}$/.test(name) ? `[redacted:${name}]` : "***"
    // The spellings output uses: as is, escaped for the terminal, inside a JSON string, and
    // percent-encoded in a URL (a query value in a `could not connect to …` message).
    for (const form of new Set([
      value,
      escapeTerminal(value),
      JSON.stringify(value).slice(1, -1),
      jsonEscaped(escapeTerminal(value)),
      safeEncode(value),
    ])) {
      if (form.length >= MIN_SECRET_LENGTH && !forms.has(form)) forms.set(form, mark)
    }
    sorted = [...forms.keys()].sort((a, b) => b.length - a.length)
    longest = sorted[0]?.length ?? 0
  }

  const redact = (text: string) => {
    if (!sorted.length || !text) return text
    let out = text
    for (const form of sorted) if (out.includes(form)) out = out.split(form).join(forms.get(form))
    return out
  }

  return {
    add,
    get size() {
      return forms.size
    },
    redact,
    replacer: (_key, value) =>
      typeof value === "string" ? redact(value) : isPlainObject(value) ? redactKeys(value, redact) : value,
    get longest() {
      return longest
    },
    partialTail(text) {
      let best = 0
      for (const form of sorted) {
        for (let n = Math.min(form.length - 1, text.length); n > best; n--) {
          if (text.endsWith(form.slice(0, n))) {
            best = n
            break
          }
        }
      }
      return best
    },
  }
}

function jsonEscaped(s: string): string {
  return JSON.stringify(s).slice(1, -1)
}

function safeEncode(s: string): string {
  try {
    return encodeURIComponent(s)
  } catch {
    return s // a lone surrogate: no URL holds it encoded, and the raw form is registered anyway
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return (
    typeof v === "object" && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype
  )
}

/** Object keys are strings too (an env map keyed by a value would print it). */
function redactKeys(o: Record<string, unknown>, redact: (s: string) => string): Record<string, unknown> {
  if (!Object.keys(o).some((k) => redact(k) !== k)) return o
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [redact(k), v]))
}

/** This process's set: what this run resolved. */
export const runSecrets: SecretSet = createSecretSet()

export function registerSecret(value: string | undefined, name?: string): void {
  runSecrets.add(value, name)
}

export function redactSecrets(text: string): string {
  return runSecrets.redact(text)
}

const SECRET_KEYS = [
  "access_token",
  "refresh_token",
  "id_token",
  "client_secret",
  "code",
  "code_verifier",
  "client_assertion",
  "assertion",
]
const PARAM_RE = new RegExp(`((?:"|\\b)(?:${SECRET_KEYS.join("|")})"?\\s*[:=]\\s*"?)([^"&\\s,}]+)`, "gi")

/**
 * Masks token-like values in text meant for logs (O14): Authorization headers, and
 * access_token/refresh_token/code/code_verifier/client_secret/assertions in JSON, query
 * strings and form bodies.
 */
export function redactTokens(text: string): string {
  return text
    .replace(/\b(Bearer|Basic|DPoP)\s+[A-Za-z0-9._~+/=-]+/g, "$1 [redacted]")
    .replace(PARAM_RE, "$1[redacted]")
}
