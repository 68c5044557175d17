import { parseTemplate, walkStrings } from "./interpolate.ts"
import { fieldLabel } from "./references.ts"

// P04: a password or key written into a URL (`https://user:pw@host/…`, `?api_key=…`, `?token=…`)
// is a literal secret like a literal header value: an install link must not publish it and
// `config show` must not print it. These work on any text that holds URLs (a `url` field, an
// arg such as `--db=postgres://u:pw@host/db`, an env value), so one detector serves every field.
//
// What counts as a credential: any userinfo (`user:pw@`, and a bare `token@` too, since GitHub-
// style tokens are often written as the user name), and the value of a query parameter whose
// name says key, token, secret, password, signature, credential, session, auth or jwt. A value
// made only of `${VAR}` references is not a literal secret (the link carries the reference, the
// user approves the variable). Not detected: a key written into the path (`/v1/sk-…/mcp`), which
// no pattern can tell from an ordinary path segment.

const URL_RE = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi
const AUTHORITY_RE = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@/i
/** Matched against the name lower-cased with `-`/`_`/`.` removed: api_key → apikey, X-Amz-Signature → xamzsignature. */
const SECRET_PARAM_RE =
  /(?:key|keys|^sig|sig$)$|token|secret|passw|pwd|^pass$|signature|credential|^auth$|authorization|session|jwt|cookie|bearer/

function isSecretParam(name: string): boolean {
  return SECRET_PARAM_RE.test(name.toLowerCase().replace(/[-_.]/g, ""))
}

export interface UrlSecret {
  /** "userinfo" or "query parameter api_key". */
  where: string
  /** The credential as written (a query value may still be percent-encoded); never to be printed. */
  value: string
}

/** Every literal credential in the URLs inside `text`. */
export function findUrlSecrets(text: string): UrlSecret[] {
  // URL_RE needs a "://": most strings (a transport, a header name, a path) have none.
  if (!text.includes("://")) return []
  const found: UrlSecret[] = []
  for (const url of text.match(URL_RE) ?? []) {
    const auth = AUTHORITY_RE.exec(url)
    if (auth && isLiteral(secretOfUserinfo(auth[2]!)))
      found.push({ where: "userinfo", value: secretOfUserinfo(auth[2]!) })
    for (const [name, value, raw] of queryParams(url)) {
      if (isSecretParam(name) && value !== "" && isLiteral(value))
        found.push({ where: `query parameter ${name}`, value: raw })
    }
  }
  return found
}

/** Every field of a server definition holding a URL credential: `[{ field: "args[1]", where: "userinfo" }]`. */
export function urlSecretFields(server: unknown): { field: string; where: string }[] {
  const out: { field: string; where: string }[] = []
  walkStrings(server, (s, path) => {
    for (const f of findUrlSecrets(s)) out.push({ field: fieldLabel(path), where: f.where })
    return s
  })
  return out
}

export function hasUrlSecrets(text: string): boolean {
  return findUrlSecrets(text).length > 0
}

/** `text` with each literal URL credential replaced by `***` (the user name stays when a password follows). */
export function maskUrlSecrets(text: string): string {
  return text.replace(URL_RE, (url) => {
    let out = url.replace(AUTHORITY_RE, (all, scheme: string, info: string) => {
      if (!isLiteral(secretOfUserinfo(info))) return all
      const colon = info.indexOf(":")
      return colon >= 0 ? `${scheme}${info.slice(0, colon)}:***@` : `${scheme}***@`
    })
    const q = out.search(/[?#]/)
    if (q < 0 || out[q] !== "?") return out
    const hash = out.indexOf("#", q)
    const end = hash < 0 ? out.length : hash
    const query = out
      .slice(q + 1, end)
      .split("&")
      .map((pair) => {
        const eq = pair.indexOf("=")
        if (eq < 0) return pair
        const name = decode(pair.slice(0, eq))
        const value = pair.slice(eq + 1)
        return isSecretParam(name) && value !== "" && isLiteral(decode(value))
          ? `${pair.slice(0, eq)}=***`
          : pair
      })
      .join("&")
    out = `${out.slice(0, q + 1)}${query}${out.slice(end)}`
    return out
  })
}

/** The password of `user:pw`; the whole of a bare `token` (a token is often written as the user name). */
function secretOfUserinfo(info: string): string {
  const colon = info.indexOf(":")
  return colon < 0 ? info : info.slice(colon + 1)
}

/** [name, value, value as written] for each `name=value` of the query. */
function queryParams(url: string): [string, string, string][] {
  const q = url.indexOf("?")
  if (q < 0) return []
  const hash = url.indexOf("#", q)
  return url
    .slice(q + 1, hash < 0 ? undefined : hash)
    .split("&")
    .filter((pair) => pair.includes("="))
    .map((pair) => {
      const eq = pair.indexOf("=")
      return [decode(pair.slice(0, eq)), decode(pair.slice(eq + 1)), pair.slice(eq + 1)]
    })
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "))
  } catch {
    return s
  }
}

/** True when `s` holds text besides `${VAR}` references (an unparsable template counts as literal). */
function isLiteral(s: string): boolean {
  if (s === "") return false
  try {
    return parseTemplate(s).some((seg) => seg.type === "text" && seg.value !== "")
  } catch {
    return true
  }
}
