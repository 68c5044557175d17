// GET /oauth/callback: where the browser lands after sign-in (docs/design.md §6, RFC 8252 loopback
// redirect). The query carries an authorization code, so the route only hands it over once
// `state` matched (the check is the provider's, one use): a wrong or missing state is a 400 and
// no token request follows (L07), and it does not use up the pending sign-in (O18: only the
// matching state completes or fails it); a second callback, or one after the flow ended, is
// refused (L08). The code exchange itself happens in the CLI process, never in this route.
import { Hono, type Context } from "hono"
import { CallbackStateError } from "../auth/index.ts"
import { escapeHtml, renderPage } from "./html.ts"

export const CALLBACK_PATH = "/oauth/callback"

export type CallbackCheck = (params: URLSearchParams) => { code: string; iss?: string }

export interface PendingCallback {
  readonly path: typeof CALLBACK_PATH
  readonly routes: Hono
  /** Resolves once a callback passed `check`; rejects when one failed it or the flow ended. */
  wait(check: CallbackCheck): Promise<{ code: string; iss?: string }>
  /** The --no-browser paste flow: the same checks as a request to the route. True when accepted. */
  submit(params: URLSearchParams): Promise<boolean>
  /** Ends the flow (timeout, Ctrl-C, done): later callbacks are refused. */
  end(reason: Error): void
}

type State = { status: "idle" } | { status: "waiting"; check: CallbackCheck } | { status: "over" }

/** A fast browser can land here before the CLI has started waiting; it waits this long for it. */
const READY_WAIT_MS = 30_000

export function createPendingCallback(opts: { server: string }): PendingCallback {
  let state: State = { status: "idle" }
  const result = Promise.withResolvers<{ code: string; iss?: string }>()
  result.promise.catch(() => {}) // observed by wait(); a flow nobody waits on must not crash the process
  const ready = Promise.withResolvers<void>()

  async function accept(
    params: URLSearchParams,
    isPasted: boolean,
  ): Promise<{ ok: true } | { ok: false; why: string }> {
    if (state.status === "idle") {
      let timer: Timer | undefined
      await Promise.race([ready.promise, new Promise<void>((r) => (timer = setTimeout(r, READY_WAIT_MS)))])
      clearTimeout(timer)
    }
    if (state.status !== "waiting")
      return { ok: false, why: "This sign-in link was already used, or the sign-in is over." }
    const waiting = state
    state = { status: "over" } // one use, whatever the outcome (L08)
    try {
      result.resolve(waiting.check(params))
      return { ok: true }
    } catch (e: unknown) {
      const why = e instanceof Error ? e.message : "the sign-in callback was refused"
      // O18: a wrong state is someone else's GET (any page can send one), not this sign-in's
      // answer: refused, and the sign-in keeps waiting for the callback that carries its state.
      // A pasted address (--no-browser) is the user's own answer, so there it ends the sign-in.
      if (e instanceof CallbackStateError && !isPasted) {
        state = waiting
        return { ok: false, why }
      }
      result.reject(e)
      return { ok: false, why }
    }
  }

  const routes = new Hono()
  routes.get(CALLBACK_PATH, async (c: Context) => {
    const outcome = await accept(new URL(c.req.url).searchParams, false)
    if (outcome.ok) {
      return c.html(
        renderPage(
          "Signed in",
          `<h1 class="ok">Signed in to “${escapeHtml(opts.server)}”</h1>\n<p>agent has the authorization. You can close this window.</p>`,
        ),
      )
    }
    return c.html(
      renderPage(
        "Sign-in refused",
        `<h1 class="no">Sign-in refused</h1>\n<p>${escapeHtml(outcome.why)}</p>\n<p class="muted">Nothing was exchanged. Run the sign-in command again.</p>`,
      ),
      400,
    )
  })

  return {
    path: CALLBACK_PATH,
    routes,
    wait(check) {
      if (state.status === "idle") state = { status: "waiting", check }
      ready.resolve()
      return result.promise
    },
    submit: async (params) => (await accept(params, true)).ok,
    end(reason) {
      if (state.status === "over") return
      state = { status: "over" }
      ready.resolve()
      result.reject(reason)
    },
  }
}
