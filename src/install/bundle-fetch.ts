import { readFile, stat } from "node:fs/promises"
import type { FetchError as FetchErrorType } from "ofetch"
import { describeFsError } from "../util/atomic.ts"
import { TimeoutError, UnavailableError, UsageError } from "../util/errors.ts"
import { escapeTerminal } from "../util/text.ts"
import { bundleError, DEFAULT_LIMITS } from "./bundle-zip.ts"

// Getting a .mcpb's bytes: a local file, or an https URL through ofetch (docs/design.md §1) with a
// timeout, a few retries on 5xx/429, and a size cap enforced while the body streams in, so a
// server that sends forever is cut off at the cap (I33). Plain http is refused except on
// loopback (I35): an unauthenticated download is a program someone on the path chose.

export interface FetchedBundle {
  bytes: Uint8Array
  sha256: string
  /** The file path or the final URL (after redirects). */
  source: string
}

export interface FetchBundleOptions {
  timeoutMs?: number
  maxBytes?: number
  retry?: number
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"])

export function sha256OfBytes(bytes: Uint8Array): string {
  return new Bun.CryptoHasher("sha256").update(bytes).digest("hex")
}

/** I35: https, or http to this machine (tests, a local build server). */
export function checkBundleUrl(url: string): URL {
  let u: URL
  try {
    u = new URL(url)
  } catch (e: unknown) {
    throw new UsageError(`"${escapeTerminal(url.slice(0, 120))}" is not a URL`, { cause: e })
  }
  const isLoopbackHttp = u.protocol === "http:" && LOOPBACK.has(u.hostname)
  if (u.protocol !== "https:" && !isLoopbackHttp) {
    throw new UsageError(`bundle URLs must be https://, got ${escapeTerminal(u.protocol)}`, {
      hint: "plain http is accepted only from this machine (127.0.0.1, localhost)",
    })
  }
  if (u.username || u.password) throw new UsageError("a bundle URL may not carry a user or password")
  return u
}

export async function fetchBundleUrl(url: string, opts: FetchBundleOptions = {}): Promise<FetchedBundle> {
  checkBundleUrl(url)
  const maxBytes = opts.maxBytes ?? DEFAULT_LIMITS.maxArchiveBytes
  // Loaded on use: only a bundle download needs it.
  const { ofetch, FetchError } = await import("ofetch")
  let res: Response
  try {
    res = await ofetch.raw(url, {
      responseType: "stream",
      timeout: opts.timeoutMs ?? 60_000,
      retry: opts.retry ?? 2,
      retryDelay: 500,
      retryStatusCodes: [408, 429, 500, 502, 503, 504],
    })
  } catch (e: unknown) {
    throw downloadError(url, e, FetchError)
  }
  const final = res.url || url
  checkBundleUrl(final) // a redirect may not leave https
  const declared = Number(res.headers.get("content-length") ?? "0")
  if (declared > maxBytes) throw bundleError(`the download is ${declared} bytes; the limit is ${maxBytes}`)
  const bytes = await readCapped(res, maxBytes, url, FetchError)
  return { bytes, sha256: sha256OfBytes(bytes), source: final }
}

async function readCapped(
  res: Response,
  maxBytes: number,
  url: string,
  fetchError: typeof FetchErrorType,
): Promise<Uint8Array> {
  const reader = res.body?.getReader()
  if (!reader) return new Uint8Array()
  const chunks: Uint8Array[] = []
  let total = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      total += value.length
      if (total > maxBytes) {
        await reader.cancel()
        throw bundleError(`the download passed ${maxBytes} bytes, the limit for a bundle`)
      }
      chunks.push(value)
    }
  } catch (e: unknown) {
    if (e instanceof UsageError) throw e
    throw downloadError(url, e, fetchError)
  }
  return Buffer.concat(chunks)
}

function downloadError(url: string, e: unknown, FetchError: typeof FetchErrorType): Error {
  const where = escapeTerminal(url.slice(0, 200))
  if (e instanceof FetchError && e.statusCode !== undefined)
    return new UnavailableError(`downloading ${where} failed: HTTP ${e.statusCode}`, { cause: e })
  const cause = e instanceof FetchError ? e.cause : e
  // AbortSignal.timeout's reason: a DOMException in browsers and Node, a plain Error named so in Bun.
  if (cause instanceof Error && cause.name === "TimeoutError")
    return new TimeoutError(`downloading ${where} timed out`, { cause: e })
  return new UnavailableError(`cannot download ${where}: ${escapeTerminal(String(cause ?? e))}`, {
    cause: e,
    hint: "check the URL and your network connection",
  })
}

export async function readBundleFile(path: string, opts: FetchBundleOptions = {}): Promise<FetchedBundle> {
  const maxBytes = opts.maxBytes ?? DEFAULT_LIMITS.maxArchiveBytes
  try {
    const st = await stat(path)
    if (!st.isFile()) throw new UsageError(`${escapeTerminal(path)} is not a file`)
    if (st.size > maxBytes)
      throw bundleError(`${escapeTerminal(path)} is ${st.size} bytes; the limit is ${maxBytes}`)
    const bytes = new Uint8Array(await readFile(path))
    return { bytes, sha256: sha256OfBytes(bytes), source: path }
  } catch (e: unknown) {
    if (e instanceof UsageError) throw e
    throw new UsageError(`cannot read ${escapeTerminal(path)}: ${describeFsError(e)}`, { cause: e })
  }
}

/** `--sha256` / a registry's fileSha256: the bytes must hash to it (I35). */
export function checkSha256(actual: string, expected: string | undefined): void {
  if (expected === undefined) return
  const want = expected
    .trim()
    .toLowerCase()
    .replace(/^sha256:/, "")
  if (!/^[0-9a-f]{64}$/.test(want))
    throw new UsageError(`--sha256 must be 64 hex digits, got "${escapeTerminal(expected.slice(0, 80))}"`)
  if (want !== actual) {
    throw bundleError(
      `its sha256 is ${actual}, not the expected ${want}`,
      "the file is not the one that was published (or the expected hash is wrong); nothing was unpacked",
    )
  }
}
