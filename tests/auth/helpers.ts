// Headless sign-in against the OAuth fixture: a "browser" that GETs the authorization URL
// without following the redirect, and a minimal callback capture standing in for the hono
// /oauth/callback route (another domain's).
import { auth } from "@modelcontextprotocol/client"
import { createOAuthProvider, type AgentOAuthProvider } from "../../src/auth/index.ts"
import type { OAuthProviderOptions } from "../../src/auth/provider.ts"
import type { TokenStore } from "../../src/auth/store.ts"

export interface Browser {
  opened: URL[]
  callbacks: URL[]
  open(url: URL): Promise<void>
}

export function headlessBrowser(): Browser {
  const b: Browser = {
    opened: [],
    callbacks: [],
    async open(url) {
      b.opened.push(url)
      const res = await fetch(url, { redirect: "manual" })
      const location = res.headers.get("location")
      if (res.status !== 302 || !location)
        throw new Error(`authorize answered ${res.status}: ${await res.text()}`)
      b.callbacks.push(new URL(location))
    },
  }
  return b
}

export function makeProvider(
  store: TokenStore,
  serverUrl: string,
  browser?: Browser,
  extra: Partial<OAuthProviderOptions> = {},
) {
  return createOAuthProvider({
    server: "fx",
    serverUrl,
    store,
    redirectUrl: "http://127.0.0.1:45678/oauth/callback",
    openAuthorizationUrl: browser ? (u) => browser.open(u) : undefined,
    allowLoopback: true,
    ...extra,
  })
}

/** auth() → browser → callback (state checked by us) → auth(code). */
export async function signIn(
  provider: AgentOAuthProvider,
  serverUrl: string,
  browser: Browser,
  scope?: string,
) {
  const first = await auth(provider, { serverUrl, scope, fetchFn: provider.fetch })
  if (first === "AUTHORIZED") return
  const cb = browser.callbacks.at(-1)
  if (!cb) throw new Error("no callback captured")
  const { code, iss } = provider.checkCallback(cb.searchParams)
  const second = await auth(provider, { serverUrl, authorizationCode: code, iss, fetchFn: provider.fetch })
  if (second !== "AUTHORIZED") throw new Error(`second leg: ${second}`)
}
