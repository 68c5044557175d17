// The local hono app (docs/design.md §7): install approval now, /oauth/callback next. Any web page
// the user has open can reach 127.0.0.1, so every request is treated as hostile until the
// guards below say otherwise (docs/security.md L02-L06: Host, token, Origin, GET, framing).
// One small middleware per concern.
import { Hono, type MiddlewareHandler } from "hono"
import type { PendingInstall } from "./install-page.ts"
import { FORM_REFERRER_POLICY, SECURITY_HEADERS } from "./headers.ts"
import type { PendingCallback } from "./oauth-callback.ts"

export interface AppOptions {
  /** The port the server is bound to: Host and Origin must name it exactly. */
  port: number
  install?: PendingInstall
  oauth?: PendingCallback
}

const SAFE_METHODS = new Set(["GET", "HEAD"])

export function createApp(opts: AppOptions): Hono {
  const app = new Hono()
  app.use(securityHeaders(), hostGuard(opts.port), originGuard(opts.port))
  if (opts.install) app.route("/", opts.install.routes)
  if (opts.oauth) app.route("/", opts.oauth.routes)
  app.notFound((c) => c.body(null, 404))
  // Never echo an internal error (it might carry a path or a config value) to a page.
  app.onError((_e, c) => c.body(null, 500))
  return app
}

/** Outermost: stamps every response, guards' refusals and errors included; strips any CORS grant. */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next()
    const isFormPage = c.res.headers.get("Referrer-Policy") === FORM_REFERRER_POLICY
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value)
    if (isFormPage) c.res.headers.set("Referrer-Policy", FORM_REFERRER_POLICY)
    c.res.headers.delete("Access-Control-Allow-Origin")
    c.res.headers.delete("Access-Control-Allow-Credentials")
  }
}

/**
 * DNS rebinding (L02, CVE-2025-49596): evil.example can resolve to 127.0.0.1, but the browser
 * still sends `Host: evil.example`. Only our own two spellings of this origin pass.
 */
export function hostGuard(port: number): MiddlewareHandler {
  const allowed = new Set([`127.0.0.1:${port}`, `localhost:${port}`])
  return async (c, next) => {
    if (!allowed.has(c.req.header("host") ?? "")) return c.body(null, 421)
    await next()
  }
}

/**
 * Cross-site requests (L04): a state-changing request must come from a page we served. A
 * missing Origin, `Origin: null` (sandboxed frames, file: pages) or any other origin is refused.
 */
export function originGuard(port: number): MiddlewareHandler {
  const allowed = new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`])
  return async (c, next) => {
    if (!SAFE_METHODS.has(c.req.method) && !allowed.has(c.req.header("origin") ?? ""))
      return c.body(null, 403)
    await next()
  }
}
