import { randomBytes, timingSafeEqual } from "node:crypto"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { writeFileAtomic } from "../util/atomic.ts"
import { ensurePrivateDir } from "../util/paths.ts"

// The bearer token of `agent mcp serve --http` (L12). Created once, kept in the state dir in a
// 0600 file written atomically (so a client config that holds it keeps working across restarts);
// delete the file to get a new one. Compared in constant time.

export const TOKEN_FILE = "serve-token"
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/

export async function serveToken(stateDir: string): Promise<{ token: string; file: string; isNew: boolean }> {
  ensurePrivateDir(stateDir) // F03: ours alone, as for the OAuth tokens next to it
  const file = join(stateDir, TOKEN_FILE)
  const existing = await readFile(file, "utf8").then(
    (t) => t.trim(),
    (e: unknown) => {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined
      throw e
    },
  )
  if (existing !== undefined && TOKEN_SHAPE.test(existing)) {
    // keepMode false: a file someone loosened is put back to 0600.
    await writeFileAtomic(file, `${existing}\n`, { mode: 0o600, keepMode: false })
    return { token: existing, file, isNew: false }
  }
  const token = randomBytes(32).toString("base64url")
  await writeFileAtomic(file, `${token}\n`, { mode: 0o600, keepMode: false })
  return { token, file, isNew: true }
}

/** `Authorization: Bearer <token>`, case-insensitive scheme, constant-time comparison. */
export function hasToken(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "")
  if (!m) return false
  const given = Buffer.from(m[1]!)
  const want = Buffer.from(token)
  return given.length === want.length && timingSafeEqual(given, want)
}
