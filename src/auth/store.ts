// OAuth token store (docs/design.md §6): one file per (resource, issuer) under <stateDir>/tokens/,
// dir 0700, files 0600, written atomically, read with O_NOFOLLOW. Keying on both means a token
// minted for server A is never found when talking to server B, nor sent to another AS (O08, O09).
import { constants, type Stats } from "node:fs"
import { chmod, type FileHandle, lstat, open, readdir, unlink } from "node:fs/promises"
import { join } from "node:path"
import { writeFileAtomic, describeFsError, fsErrorCode } from "../util/atomic.ts"
import { withFileLock, type LockOptions } from "../util/lock.ts"
import { checkPrivatePath, ensurePrivateDir, existingPrivateDir } from "../util/paths.ts"
import { AuthRequiredError, WriteError, isAgentError } from "../util/errors.ts"
import { sha256Hex } from "../util/hash.ts"
import { registerSecret } from "../util/secrets.ts"
import type { DpopPrivateJwk } from "./dpop.ts"

export interface TokenKey {
  /** Canonical MCP server URL (the RFC 8707 resource). */
  resource: string
  /** The authorization server's issuer identifier. */
  issuer: string
}

export interface SavedTokens {
  access_token: string
  token_type?: string
  refresh_token?: string
  /** Epoch ms; absent when the AS gave no expires_in. */
  expires_at?: number
  scope?: string
}

export interface TokenEntry extends TokenKey {
  /** The config name of the server, for `agent mcp logout` and messages. */
  server: string
  clientInformation?: Record<string, unknown>
  tokens?: SavedTokens
  discoveryState?: Record<string, unknown>
  /** DPoP (RFC 9449): the private key the tokens are bound to, kept with them (dpop.ts). */
  dpopKey?: DpopPrivateJwk
  savedAt?: string
}

export interface TokenStore {
  readonly dir: string
  read(key: TokenKey): Promise<TokenEntry | undefined>
  /** Every entry for a resource, newest first (several when its AS changed). */
  findByResource(resource: string): Promise<TokenEntry[]>
  list(): Promise<TokenEntry[]>
  write(entry: TokenEntry): Promise<void>
  /** Read-modify-write under the lock. `fn` returning undefined deletes the file. */
  update(
    key: TokenKey,
    fn: (entry: TokenEntry | undefined) => TokenEntry | undefined,
  ): Promise<TokenEntry | undefined>
  /** Runs `fn` holding this key's lock, shared by every agent process on the machine. */
  withTokenLock<T>(key: TokenKey, fn: () => Promise<T>, opts?: LockOptions): Promise<T>
  /** Logout: drops the tokens; with `client`, the client registration too (the file goes). */
  forget(key: TokenKey, opts?: { client?: boolean }): Promise<boolean>
}

const MAX_FILE = 1 << 20

export function tokenFileName(key: TokenKey): string {
  const h = sha256Hex(`${key.resource}\n${key.issuer}`)
  return `${h.slice(0, 32)}.json`
}

export function createTokenStore(stateDir: string): TokenStore {
  const dir = join(stateDir, "tokens")
  // The dir is made on the first write (or lock), not by a run that only looks: most servers
  // have no tokens, and a read of a missing dir is one stat. An existing dir gets the same
  // checks and chmod either way (C08, F01), once per store.
  let isChecked = false
  const ready = async () => {
    if (isChecked) return
    ensurePrivateDir(stateDir) // F03: the state dir and the tokens dir in it, both ours alone
    ensurePrivateDir(dir)
    await chmod(dir, 0o700)
    isChecked = true
  }
  /** False: there is no tokens dir, so nothing to read. */
  const readable = async () => {
    if (isChecked) return true
    if (!existingPrivateDir(stateDir) || !existingPrivateDir(dir)) return false
    await chmod(dir, 0o700)
    isChecked = true
    return true
  }
  const pathOf = (key: TokenKey) => join(dir, tokenFileName(key))

  async function read(key: TokenKey): Promise<TokenEntry | undefined> {
    if (!(await readable())) return undefined
    const entry = await readEntry(pathOf(key))
    // The file name is a hash; the content must name the same key, or it was swapped (O08).
    return entry && entry.resource === key.resource && entry.issuer === key.issuer ? entry : undefined
  }

  async function list(): Promise<TokenEntry[]> {
    if (!(await readable())) return []
    const out: TokenEntry[] = []
    for (const name of await readdir(dir)) {
      if (!/^[0-9a-f]{32}\.json$/.test(name)) continue
      const e = await readEntry(join(dir, name))
      if (e && tokenFileName(e) === name) out.push(e)
    }
    return out.sort((a, b) => (b.savedAt ?? "").localeCompare(a.savedAt ?? ""))
  }

  async function write(entry: TokenEntry): Promise<void> {
    listing = undefined
    registerEntrySecrets(entry)
    await ready()
    const data = `${JSON.stringify({ ...entry, savedAt: new Date().toISOString() }, null, 2)}\n`
    const path = pathOf(entry)
    // F04: the same check as a read; a link is refused by writeFileAtomic (F01).
    const existing = await lstatOrUndefined(path)
    if (existing && !existing.isSymbolicLink()) checkPrivatePath(path, existing)
    // keepMode false: a token file someone loosened to 0644 is tightened again (F01).
    await writeFileAtomic(path, data, { mode: 0o600, keepMode: false })
  }

  async function remove(key: TokenKey): Promise<boolean> {
    listing = undefined
    try {
      await unlink(pathOf(key))
      return true
    } catch (e: unknown) {
      if (fsErrorCode(e) === "ENOENT") return false
      throw new WriteError(`could not remove ${pathOf(key)}: ${describeFsError(e)}`, { cause: e })
    }
  }

  const withTokenLock = async <T>(key: TokenKey, fn: () => Promise<T>, opts?: LockOptions) => {
    await ready()
    return withFileLock(pathOf(key), fn, opts)
  }

  function update(key: TokenKey, fn: (entry: TokenEntry | undefined) => TokenEntry | undefined) {
    return withTokenLock(key, async () => {
      const next = fn(await read(key))
      if (next) await write({ ...next, resource: key.resource, issuer: key.issuer })
      else await remove(key)
      return next
    })
  }

  async function forget(key: TokenKey, opts: { client?: boolean } = {}): Promise<boolean> {
    let isFound = false
    await update(key, (e) => {
      isFound = e !== undefined
      if (!e || opts.client || !e.clientInformation) return undefined
      return {
        server: e.server,
        resource: e.resource,
        issuer: e.issuer,
        clientInformation: e.clientInformation,
      }
    })
    return isFound
  }

  // Every server of a run looks up its tokens as it connects (findByResource, which lists the
  // dir), twenty at once for twenty servers: the calls made while a listing runs share it, so
  // each token file is read once rather than once per server (docs/performance.md, "the cold
  // CLI phase, trimmed"). Only calls made while it runs: a later one, or one after this store
  // wrote or removed a file, reads the dir afresh.
  let listing: Promise<TokenEntry[]> | undefined
  const listShared = () => {
    if (listing) return listing
    const started = list().finally(() => {
      if (listing === started) listing = undefined
    })
    listing = started
    return started
  }
  const findByResource = async (resource: string) =>
    (await listShared()).filter((e) => e.resource === resource)
  return { dir, read, list, write, withTokenLock, update, forget, findByResource }
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path)
  } catch (e: unknown) {
    if (fsErrorCode(e) === "ENOENT") return undefined
    throw new WriteError(`could not write ${path}: ${describeFsError(e)}`, { cause: e })
  }
}

async function readEntry(path: string): Promise<TokenEntry | undefined> {
  let fh: FileHandle | undefined
  try {
    // F01: O_NOFOLLOW, so a link planted at the token path is never read through.
    fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW)
  } catch (e: unknown) {
    const code = fsErrorCode(e)
    if (code === "ENOENT") return undefined
    if (code === "ELOOP" || code === "EMLINK") {
      throw new AuthRequiredError(`refusing to read ${path}: it is a symbolic link`, {
        hint: `remove it (rm ${path}) and sign in again`,
      })
    }
    throw new AuthRequiredError(`could not read ${path}: ${describeFsError(e)}`, { cause: e })
  }
  try {
    const st = await fh.stat()
    if (!st.isFile() || st.size > MAX_FILE)
      throw new AuthRequiredError(`refusing to read ${path}: not a regular token file`)
    checkPrivatePath(path, st) // F04: a token file another user owns or may write is not ours
    const value = JSON.parse(await fh.readFile("utf8")) as unknown
    if (!isEntry(value)) return undefined
    registerEntrySecrets(value)
    return value
  } catch (e: unknown) {
    if (isAgentError(e)) throw e
    // A corrupt token file is as good as none: the user signs in again and it is replaced.
    return undefined
  } finally {
    await fh.close()
  }
}

/** P03: tokens, a registered client's secret and the DPoP private key, as they are read or saved, are never printed. */
export function registerEntrySecrets(entry: TokenEntry): void {
  registerSecret(entry.tokens?.access_token, "access_token")
  registerSecret(entry.tokens?.refresh_token, "refresh_token")
  const secret = entry.clientInformation?.client_secret
  if (typeof secret === "string") registerSecret(secret, "client_secret")
  registerSecret(entry.dpopKey?.d, "dpop_private_key")
}

function isEntry(v: unknown): v is TokenEntry {
  if (typeof v !== "object" || v === null) return false
  const o = v as Record<string, unknown>
  return typeof o.resource === "string" && typeof o.issuer === "string" && typeof o.server === "string"
}

// redactTokens (O14) lives in util/secrets.ts, where the logger can use it; re-exported for auth callers.
export { redactTokens } from "../util/secrets.ts"
