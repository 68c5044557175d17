// The only way agent opens a URL (docs/design.md §6; O01: only https or loopback http;
// O02: argv, never a shell). The URL comes from servers
// we do not control (an authorization_endpoint, say), so it is parsed, limited to https: or
// loopback http:, re-serialised, and handed to the opener as ONE argv element. Never a shell
// string: CVE-2025-6514 (mcp-remote) ran `$(…)` from an authorization URL through a shell.
import { UnavailableError, UsageError } from "./errors.ts"

export interface OpenBrowserOptions {
  /** Where $BROWSER and PATH are read from (the CLI passes process.env). */
  env: Record<string, string | undefined>
  platform?: NodeJS.Platform
  /**
   * Watch each opener this long: one that exits non-zero within it (xdg-open with no browser,
   * a BROWSER that fails) counts as failed and the next is tried. One still running then (a
   * browser started directly) or exited 0 counts as opened. Without it, starting is enough.
   */
  watchMs?: number
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]", "localhost"])

/** The URL as it will be opened, or a refusal: https anywhere, http only to this machine. */
export function checkBrowserUrl(url: string): URL {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch (e: unknown) {
    throw new UsageError(`refusing to open ${JSON.stringify(url.slice(0, 200))}: not a valid URL`, {
      cause: e,
    })
  }
  if (parsed.protocol === "https:") return parsed
  if (parsed.protocol === "http:" && LOOPBACK_HOSTS.has(parsed.hostname)) return parsed
  const why =
    parsed.protocol === "http:"
      ? "plain http is only allowed to 127.0.0.1, [::1] or localhost"
      : `the ${parsed.protocol} scheme is not allowed`
  throw new UsageError(`refusing to open ${JSON.stringify(parsed.href.slice(0, 200))}: ${why}`, {
    hint: "only https: URLs (or http: to this machine) are opened in a browser",
  })
}

/**
 * The argv vectors to try, in order. $BROWSER is a ':'-separated list like xdg-utils reads it;
 * each entry is one program (a path may contain spaces) run as [program, href]. An entry with
 * `%s` is split on whitespace and `%s` replaced inside its element, still with no shell.
 */
export function browserCommands(href: string, opts: OpenBrowserOptions): string[][] {
  const env = opts.env
  const fromEnv = (env.BROWSER ?? "").split(":").filter((e) => e.trim() !== "")
  if (fromEnv.length > 0) return fromEnv.map((entry) => browserEntry(entry, href))
  switch (opts.platform ?? process.platform) {
    case "darwin":
      return [["open", href]]
    case "win32":
      return [["rundll32", "url.dll,FileProtocolHandler", href]]
    default:
      return [["xdg-open", href]]
  }
}

function browserEntry(entry: string, href: string): string[] {
  if (!entry.includes("%s")) return [entry, href]
  // A function replacement: `$&` or `$1` in the URL must not be read as a pattern.
  return entry
    .trim()
    .split(/\s+/)
    .map((part) => part.replaceAll("%s", () => href))
}

/**
 * Opens `url` in the user's browser. Refuses anything checkBrowserUrl refuses (exit 2; the
 * OAuth flow wraps it as an auth error). Resolves once an opener has started; the opener runs
 * detached so it outlives us, and a browser that cannot be started is an error, not silence.
 */
export async function openBrowser(url: string, opts: OpenBrowserOptions): Promise<void> {
  const href = checkBrowserUrl(url).href
  const env = opts.env
  const failures: string[] = []
  for (const argv of browserCommands(href, opts)) {
    try {
      const proc = Bun.spawn(argv, {
        env: env as Record<string, string>,
        stdio: ["ignore", "ignore", "ignore"],
        detached: true,
      })
      proc.unref()
      const code = opts.watchMs ? await exitWithin(proc.exited, opts.watchMs) : undefined
      if (code === undefined || code === 0) return
      failures.push(`${argv[0]}: exited with code ${code}`)
    } catch (e: unknown) {
      failures.push(`${argv[0]}: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
  throw new UnavailableError(`could not start a browser (${failures.join("; ")})`, {
    hint: "set BROWSER to your browser's program, or open the URL yourself",
  })
}

/** The exit code, or undefined when the process is still running after ms. */
async function exitWithin(exited: Promise<number>, ms: number): Promise<number | undefined> {
  let timer: Timer | undefined
  const later = new Promise<undefined>((resolve) => {
    timer = setTimeout(resolve, ms)
    timer.unref()
  })
  try {
    return await Promise.race([exited, later])
  } finally {
    clearTimeout(timer)
  }
}
