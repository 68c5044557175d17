// How one policy rule matches a server (docs/policy.md "Rules"): registry names and URL
// patterns are globs; a command rule is the executable (a glob on its file name, or on the whole
// path when the rule has a slash) followed by optional argument globs, one per argument.
// Kept apart from policy.ts (the file format and the verdicts) so each stays small.

/** `*` any run of characters (in `any`), `?` one; everything else literal. */
function globRegExp(pattern: string, opts: { any?: string; ignoreCase?: boolean } = {}): RegExp {
  const any = opts.any ?? "[\\s\\S]"
  let out = ""
  for (const ch of pattern) {
    if (ch === "*") out += `${any}*`
    else if (ch === "?") out += any
    else out += ch.replace(/[.+^${}()|[\]\\/-]/g, "\\$&")
  }
  return new RegExp(`^${out}$`, opts.ignoreCase ? "i" : "")
}

export function globMatches(pattern: string, value: string, ignoreCase = false): boolean {
  return globRegExp(pattern, { ignoreCase }).test(value)
}

/** A registry or catalog name: `io.github.acme/*`, `github`. Case does not matter. */
export function nameMatches(pattern: string, name: string): boolean {
  return globMatches(pattern, name, true)
}

/** `C:\tools\Docker.EXE` → `docker`: how a rule without a slash sees the executable. */
function executableName(command: string): string {
  const base = command.split(/[\\/]/).pop() ?? command
  return base.replace(/\.(exe|cmd|bat|com)$/i, "")
}

/**
 * A command rule against a stdio server's command and args. `mode` decides what happens to
 * arguments the rule does not list: a deny rule matches a prefix (appending an argument must not
 * slip past it), an allow rule must account for every argument (or end with `**`).
 */
export function commandMatches(
  rule: string,
  command: string,
  args: string[],
  mode: "allow" | "deny",
): boolean {
  const [exe, ...argRules] = rule.trim().split(/\s+/)
  if (!exe) return false
  const isPath = /[\\/]/.test(exe)
  const exeOk = isPath
    ? globMatches(exe, command)
    : globMatches(exe, executableName(command), true) || globMatches(exe, command)
  if (!exeOk) return false
  if (argRules.length === 0) return true
  const rest = argRules.at(-1) === "**"
  const fixed = rest ? argRules.slice(0, -1) : argRules
  if (args.length < fixed.length) return false
  if (!fixed.every((r, i) => globMatches(r, args[i] as string))) return false
  return rest || mode === "deny" || args.length === fixed.length
}

const DEFAULT_PORTS: Record<string, string> = { "http:": "80", "https:": "443", "ws:": "80", "wss:": "443" }

/**
 * A URL pattern against a server's (or registry's) URL. `scheme://host[:port][/path]` matches
 * those parts (host and scheme ignore case; no path: any path); a pattern without `://` is a
 * host (`*.acme.com`, `localhost:8080`) on any scheme and path. The query is never compared.
 */
export function urlMatches(pattern: string, raw: string): boolean {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return false // not a URL: nothing to match (an allow list then refuses it)
  }
  const m = /^([^:/]+):\/\/([^/]*)(\/.*)?$/.exec(pattern.trim())
  if (!m) return hostMatches(pattern.trim(), url)
  const [, scheme, host, path] = m as unknown as [string, string, string, string | undefined]
  if (!globMatches(scheme, url.protocol.slice(0, -1), true)) return false
  if (!hostMatches(host, url)) return false
  return path === undefined || globMatches(path, url.pathname)
}

function hostMatches(pattern: string, url: URL): boolean {
  // `*` in a host never crosses a `/`: `https://*.acme.com` must not match `https://evil.example/x.acme.com`.
  const withPort = /:[\d*?]+$/.test(pattern)
  const port = url.port || DEFAULT_PORTS[url.protocol] || ""
  const value = withPort ? `${url.hostname}:${port}` : url.hostname
  return globRegExp(pattern, { any: "[^/]", ignoreCase: true }).test(value)
}
