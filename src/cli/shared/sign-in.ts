import type { Interface } from "node:readline"
import type { AuthHooks, PendingSignIn, SignInHook } from "../../mcp/index.ts"
import { openBrowser } from "../../util/browser.ts"
import { AgentError, AuthRequiredError } from "../../util/errors.ts"
import { escapeTerminal } from "../../util/text.ts"
import type { Ctx } from "./context.ts"

// How this run signs in to a remote server (docs/design.md §6): the browser (the hono server receives
// the callback on 127.0.0.1), the --no-browser paste flow (SSH, headless), or not at all (CI,
// --no-interactive): then the connect fails at once with exit 4 and the command to run.

/** The callback wait, and the local server's idle limit (L08). */
export const SIGN_IN_TIMEOUT_MS = 5 * 60_000

export interface SignInChoice {
  /** `agent mcp auth`: the user asked to sign in, so sign in even without a terminal. */
  isExplicit?: boolean
  /** --no-browser: print the URL, read the redirect URL from stdin. */
  noBrowser?: boolean
  /** Sign in afresh even when stored tokens work (`agent mcp auth`). */
  isForced?: boolean
  /** --no-interactive was given. */
  noInteractive?: boolean
}

/** Whether a browser can open here: $BROWSER, or a desktop session that is not over SSH. */
export function canOpenBrowser(
  env: Record<string, string | undefined>,
  platform: NodeJS.Platform = process.platform,
): boolean {
  if (env.BROWSER?.trim()) return true
  if (env.SSH_CONNECTION || env.SSH_TTY) return false
  if (platform === "darwin" || platform === "win32") return true
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY)
}

export function authHooks(ctx: Ctx, choice: SignInChoice = {}): AuthHooks {
  const hasBrowser = canOpenBrowser(ctx.env)
  let mode: "browser" | "paste" | undefined
  if (choice.isExplicit) mode = choice.noBrowser || !hasBrowser ? "paste" : "browser"
  // Inline: a person at a terminal with a browser, or an explicit $BROWSER; never with --no-interactive.
  else if (!choice.noInteractive && hasBrowser && (ctx.isInteractive || ctx.env.BROWSER?.trim()))
    mode = "browser"
  if (mode === "paste" && !choice.noBrowser && !process.stdin.isTTY) mode = undefined
  return {
    stateDir: ctx.paths.stateDir,
    ...(mode && { signIn: createSignIn(ctx, mode) }),
    ...(choice.isForced && { isForced: true }),
    // Workload identity in GitHub Actions: only jobs with `id-token: write` have these, and only a
    // server whose oauth.assertionFrom is "github-actions" uses them (auth/assertion.ts). Read when
    // that server asks, not here: in the daemon a read is a question to the caller (S31), and one
    // here made every warm command run twice to learn that the variable is not set.
    github: {
      get requestUrl() {
        return ctx.env.ACTIONS_ID_TOKEN_REQUEST_URL
      },
      get requestToken() {
        return ctx.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN
      },
    },
  }
}

/** One sign-in at a time: two servers needing it get their pages one after the other. */
function createSignIn(ctx: Ctx, mode: "browser" | "paste"): SignInHook {
  let queue: Promise<void> = Promise.resolve()
  return async (server, opts) => {
    const previous = queue
    const turn = Promise.withResolvers<void>()
    queue = turn.promise
    await previous
    try {
      return await startSignIn(ctx, mode, server, opts, turn.resolve)
    } catch (e: unknown) {
      turn.resolve()
      throw e
    }
  }
}

async function startSignIn(
  ctx: Ctx,
  mode: "browser" | "paste",
  server: string,
  opts: { callbackPort?: number; signal: AbortSignal },
  release: () => void,
): Promise<PendingSignIn> {
  // Loaded only when a sign-in really starts: most runs never need the local server.
  const { CALLBACK_PATH, createApp, createPendingCallback, startLocalServer } = await import(
    "../../server/index.ts"
  )
  const callback = createPendingCallback({ server })
  const local = await startLocalServer((port) => createApp({ port, oauth: callback }), {
    ...(opts.callbackPort !== undefined && { port: opts.callbackPort }),
    idleMs: SIGN_IN_TIMEOUT_MS,
    signal: opts.signal,
  })
  const who = escapeTerminal(server)
  const timer = setTimeout(
    () =>
      callback.end(
        new AuthRequiredError(`sign-in to ${server} timed out after ${SIGN_IN_TIMEOUT_MS / 60_000} minutes`, {
          hint: `run: agent mcp auth ${server}`,
        }),
      ),
    SIGN_IN_TIMEOUT_MS,
  )
  void local.closed.then(() => callback.end(new AuthRequiredError(`sign-in to ${server} was interrupted`)))
  let paste: Interface | undefined
  let isClosed = false
  return {
    redirectUrl: `${local.url}${CALLBACK_PATH}`,
    async open(url) {
      if (mode === "paste") {
        process.stderr.write(
          `To sign in to ${who}, open this URL in a browser on any machine:\n\n  ${url.href}\n\n` +
            `After you approve, the browser goes to ${local.url}${CALLBACK_PATH}?code=… (that page may fail to load there).\n` +
            `Paste that whole address here and press Enter:\n`,
        )
        return
      }
      process.stderr.write(
        `Opening the sign-in page for ${who} in your browser. If it does not open, visit:\n  ${url.href}\n`,
      )
      try {
        await openBrowser(url.href, { env: ctx.env })
      } catch (e: unknown) {
        // The URL passed the O01 check already; a browser that will not start leaves the printed URL.
        ctx.log.warn(e instanceof AgentError ? e.message : String(e))
      }
    },
    async wait(check) {
      const result = callback.wait(check)
      // Read the pasted address only now that the check is in place (piped input arrives at once).
      if (mode === "paste") paste = readRedirect((params) => void callback.submit(params))
      else process.stderr.write(`Waiting for the sign-in to ${who} to finish (Ctrl-C cancels)…\n`)
      return result
    },
    async close() {
      if (isClosed) return
      isClosed = true
      clearTimeout(timer)
      paste?.close()
      callback.end(new AuthRequiredError(`sign-in to ${server} is over`))
      await local.close()
      release()
    },
  }
}

/** --no-browser: the address the browser ended on, pasted on stdin (one line). */
function readRedirect(submit: (params: URLSearchParams) => void): Interface {
  const { createInterface } = require("node:readline") as typeof import("node:readline") // on first use, as in prompt.ts
  const rl = createInterface({ input: process.stdin, terminal: false })
  rl.once("line", (line) => {
    rl.close()
    let params = new URLSearchParams()
    try {
      params = new URL(line.trim()).searchParams
    } catch (e: unknown) {
      void e // not a URL: submitted empty, so the state check refuses it with the usual message
    }
    submit(params)
  })
  return rl
}
