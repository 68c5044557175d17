// Refresh without losing a rotated refresh token (docs/design.md §6, RFC 9700 §4.14, O10). The SDK's
// auth() reads the tokens, POSTs grant_type=refresh_token and saves the answer, with no lock
// around the three, so parallel `agent` runs would each send the same refresh token and an AS
// with reuse detection would revoke them all. Every token request the SDK makes goes through
// the transport's fetch, so that is where we lock: inside the lock the file is re-read; if
// another process already rotated the token we answer from the file without calling the AS,
// otherwise we call it and save the new pair before the lock is released.
// Limitation: a refresh that auth() starts without a 401 (a direct auth() call on a fresh
// token) still reaches the AS; that is safe, just not free.
import type { StoredOAuthTokens } from "@modelcontextprotocol/client"
import type { FetchFn } from "./guard.ts"
import { WriteError } from "../util/errors.ts"
import type { SavedTokens, TokenEntry, TokenKey, TokenStore } from "./store.ts"

/** Tokens this close to expiry count as expired (clock skew, request time). */
export const EXPIRY_SKEW_MS = 30_000

export function isExpired(t: SavedTokens, now = Date.now()): boolean {
  return t.expires_at !== undefined && t.expires_at - EXPIRY_SKEW_MS <= now
}

export function toSaved(t: StoredOAuthTokens, previous?: SavedTokens): SavedTokens {
  return {
    access_token: t.access_token,
    ...(t.token_type ? { token_type: t.token_type } : {}),
    // RFC 6749 §6: a refresh answer without refresh_token keeps the old one valid.
    ...((t.refresh_token ?? previous?.refresh_token)
      ? { refresh_token: t.refresh_token ?? previous?.refresh_token }
      : {}),
    ...(t.expires_in !== undefined ? { expires_at: Date.now() + t.expires_in * 1000 } : {}),
    ...((t.scope ?? previous?.scope) ? { scope: t.scope ?? previous?.scope } : {}),
  }
}

export function fromSaved(t: SavedTokens): StoredOAuthTokens {
  return {
    access_token: t.access_token,
    token_type: t.token_type ?? "Bearer",
    ...(t.refresh_token ? { refresh_token: t.refresh_token } : {}),
    ...(t.expires_at !== undefined
      ? { expires_in: Math.max(0, Math.floor((t.expires_at - Date.now()) / 1000)) }
      : {}),
    ...(t.scope ? { scope: t.scope } : {}),
  } as StoredOAuthTokens
}

export interface LockedRefreshOptions {
  store: TokenStore
  base: FetchFn
  /** The key of the tokens being refreshed (known once discovery named the issuer). */
  key: () => TokenKey | undefined
  /** The access token this process last sent, i.e. the one the server just refused. */
  usedAccessToken: () => string | undefined
  /**
   * Called with each access token this fetch stored (or answered from the file). The SDK then
   * calls saveTokens with the same answer, after the lock is gone: by then another process may
   * have rotated again, so that late write must be skipped or it would restore a spent token.
   */
  onStored?: (accessToken: string) => void
  /**
   * F06: the AS answered with new tokens but they could not be saved (full disk, read-only).
   * The answer still reaches the SDK, so this run goes on with it; the old file stays as it
   * was (atomic write). The caller keeps `entry` in memory and tells the user.
   */
  onUnsaved?: (entry: TokenEntry, error: WriteError) => void
  /** True while tokens from onUnsaved are in use: the file's are older, so it is not consulted. */
  isFileBehind?: () => boolean
}

export function createLockedRefreshFetch(opts: LockedRefreshOptions): FetchFn {
  return async (input, init) => {
    const body = init?.body
    const key = opts.key()
    if (
      !key ||
      init?.method !== "POST" ||
      !(body instanceof URLSearchParams) ||
      body.get("grant_type") !== "refresh_token"
    ) {
      return opts.base(input, init)
    }
    return opts.store.withTokenLock(key, async () => {
      const entry = await opts.store.read(key)
      const isBehind = opts.isFileBehind?.() === true
      const saved = isBehind ? undefined : entry?.tokens
      if (saved && !isExpired(saved) && saved.access_token !== opts.usedAccessToken()) {
        // Another process refreshed since we sent our (rejected) token: its result is ours too,
        // the AS is not asked again. The SDK itself would refresh even a fresh token.
        opts.onStored?.(saved.access_token)
        return Response.json(fromSaved(saved), { headers: { "cache-control": "no-store" } })
      }
      if (saved?.refresh_token && saved.refresh_token !== body.get("refresh_token"))
        body.set("refresh_token", saved.refresh_token)
      const res = await opts.base(input, init)
      if (res.ok && entry) {
        const fresh = (await res.clone().json()) as StoredOAuthTokens
        if (typeof fresh?.access_token === "string") {
          // When the file is behind, the refresh token in use is the one this request sent.
          const previous = isBehind
            ? { access_token: "", refresh_token: body.get("refresh_token") ?? undefined }
            : saved
          const next = { ...entry, tokens: toSaved(fresh, previous) }
          try {
            await opts.store.write(next)
          } catch (e: unknown) {
            // Failing the request would drop the only copy of a rotated refresh token.
            if (!(e instanceof WriteError) || !opts.onUnsaved) throw e
            opts.onUnsaved(next, e)
            return res
          }
          opts.onStored?.(fresh.access_token)
        }
      }
      return res
    })
  }
}
