import { parseTemplate, walkStrings } from "./interpolate.ts"
import type { FieldPath } from "./references.ts"
import type { ServerConfig } from "./schema.ts"
import { maskUrlSecrets } from "./url-secrets.ts"
import { isDangerousEnv } from "./dangerous-env.ts"

// The one list of what is secret in a server definition. Every screen, listing and report that
// shows a server masks through here: the CLI presenter (cli/shared/present.ts), the install
// screen and its browser page (install/present.ts), approval screens and diffs (describe.ts).
// A value is shown only when it is nothing but `${VAR}` references (plus a `Bearer ` scheme):
// the reference says which variable is read, never what it holds.
//
// Secret:
// - every env and header value (a superset of the secret-looking names: Authorization, Cookie,
//   X-Api-Key, *_TOKEN… are all covered because no literal env or header value is ever shown);
// - the OAuth credentials below;
// - in any URL inside any other field (the server URL, an OAuth endpoint, an argument such as
//   `--db=postgres://u:pw@host/db`), the credentials url-secrets.ts finds (P04: userinfo, and
//   query parameters named key, token, secret, password…).

/** OAuth fields that are credentials; the ID token is a bearer credential for the user's enterprise identity. */
export const OAUTH_SECRET_FIELDS: readonly string[] = [
  "clientSecret",
  "idToken",
  "idpClientSecret",
  "privateKey",
]

/** Maps whose every value may be a literal credential (canonical names). */
export const SECRET_MAPS: readonly string[] = ["env", "headers"]

/** Peers' spellings in a config file as written: `environment` (opencode), Cursor's `auth { CLIENT_SECRET }`. */
const FILE_SECRET_MAPS = [...SECRET_MAPS, "environment"]
export const FILE_OAUTH_KEYS: readonly string[] = ["oauth", "auth"]
export const FILE_OAUTH_SECRETS: readonly string[] = [...OAUTH_SECRET_FIELDS, "CLIENT_SECRET"]

/** Whether the value at this path of a canonical ServerConfig is masked as a whole. */
export function isSecretPath(path: FieldPath): boolean {
  const [top, key] = path
  return SECRET_MAPS.includes(String(top)) || (top === "oauth" && OAUTH_SECRET_FIELDS.includes(String(key)))
}

const SCHEME = /^(?:Bearer|Basic|Token|token|bearer)\s+/

/** A header/env value as written when it only holds references (`Bearer ${TOKEN}`), else "***". */
export function maskValue(value: string): string {
  let segs: ReturnType<typeof parseTemplate>
  try {
    segs = parseTemplate(value)
  } catch {
    return "***"
  }
  if (!segs.some((s) => s.type === "ref")) return value === "" ? "" : "***"
  const literal = segs.map((s) => (s.type === "text" ? s.value : "")).join("")
  return literal.replace(SCHEME, "").trim() === ""
    ? segs.map((s) => (s.type === "text" ? s.value : s.ref.raw)).join("")
    : "***"
}

// An env value is shown unless its name or value looks like a credential (I10): a value such as
// `NODE_OPTIONS=--import=data:…` or `LD_PRELOAD=./x.so` decides what runs, so "***" would hide
// exactly what the user must see. Variables that decide what runs are always shown in full.
// One rule for "this looks like a credential", by name or by value: the screens mask by it
// (envShown) and add/import warn by it (literal-secrets.ts, I14).
const CREDENTIAL_NAME =
  /TOKEN|SECRET|PASSW|PASS$|_PASS_|PWD|KEY|AUTH|CREDENTIAL|COOKIE|SESSION|PRIVATE|SIGNATURE|CERT|BEARER/i
const CREDENTIAL_VALUES = [
  // Common key prefixes and JWTs, long enough to be one.
  /^(?:sk|pk|rk|ghp|gho|ghs|ghu|github_pat|glpat|xox[abpr]|AKIA|ASIA|AIza|ya29|eyJ)[-_.A-Za-z0-9]{6,}/,
  // A long random-looking string.
  /^[A-Za-z0-9+/_=-]{32,}$/,
  // Those prefixes after an auth scheme, any case: a literal `Authorization: Bearer sk-…`.
  /^(?:(?:Bearer|Basic|Token)\s+)?(?:sk-|sk_|pk_live|rk_live|ghp_|gho_|ghs_|ghu_|github_pat_|glpat-|xox[abposr]-|AKIA|AIza|ya29\.|eyJ)/i,
]

/** True when a name or a value says "credential"; a plain `DEBUG=1` or `Accept: text/plain` does not. */
export function looksLikeCredential(name: string, value: string): boolean {
  return CREDENTIAL_NAME.test(name) || CREDENTIAL_VALUES.some((re) => re.test(value))
}

/** An env value as a screen shows it: masked only when its name or value looks like a credential. */
export function envShown(name: string, value: string): string {
  if (isDangerousEnv(name)) return value
  const masked = maskValue(value)
  if (masked !== "***") return masked
  return looksLikeCredential(name, value) ? "***" : maskUrlSecrets(value)
}

/** A string of a canonical server as it may be shown: secrets masked, URL credentials in any other field too. */
export function maskField(value: string, path: FieldPath): string {
  if (path[0] === "env" && path.length === 2) return envShown(String(path[1]), value)
  return isSecretPath(path) ? maskValue(value) : maskUrlSecrets(value)
}

/** A canonical server with every secret masked; the shape is unchanged. */
export function maskedDefinition<T extends ServerConfig>(server: T): T {
  return walkStrings(server, maskField) as T
}

/**
 * A server entry as written in a file (any peer's spelling) with every secret masked: what
 * `mcp add`, `add-json`, `import` and `install` print. Non-string secret values become "***".
 */
export function maskEntry(entry: unknown): unknown {
  if (!isObject(entry)) return entry
  const out: Record<string, unknown> = { ...entry }
  for (const k of FILE_SECRET_MAPS) {
    const m = out[k]
    const shown = (n: string, v: unknown) =>
      k === "headers" ? maskAny(v) : typeof v === "string" ? envShown(n, v) : "***"
    if (isObject(m)) out[k] = Object.fromEntries(Object.entries(m).map(([n, v]) => [n, shown(n, v)]))
  }
  for (const k of FILE_OAUTH_KEYS) {
    const o = out[k]
    if (isObject(o))
      out[k] = Object.fromEntries(
        Object.entries(o).map(([n, v]) => [n, FILE_OAUTH_SECRETS.includes(n) ? maskAny(v) : v]),
      )
  }
  return walkStrings(out, maskUrlSecrets)
}

function maskAny(v: unknown): unknown {
  return typeof v === "string" ? maskValue(v) : "***"
}

function isObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === "object" && !Array.isArray(x)
}
