// The browser twin of the terminal install prompt (docs/design.md §8): GET shows exactly the lines
// describeInstall gives the terminal, POST approve/deny decides once. GET never decides (L05);
// a POST needs a one-time token from the page (L03) on top of app.ts's Host and Origin guards.
import { randomUUID } from "node:crypto"
import { Hono, type Context } from "hono"
import { escapeHtml, renderPage } from "./html.ts"
import { createFormTokens } from "./form-tokens.ts"
import { FORM_REFERRER_POLICY } from "./headers.ts"

export type InstallDecision = "approved" | "denied"

export interface PendingInstallOptions {
  /** The server name, shown in the heading. */
  name: string
  /** describeInstall's lines, shown as they are (escaped for HTML here). */
  lines: string[]
  /**
   * Runs once, after the decision and before the page answers, so the page can say what
   * happened ("added … to …"). A thrown error is shown as a failure; nothing is retried.
   */
  onDecision?: (decision: InstallDecision) => Promise<string>
}

export interface PendingInstall {
  /** Random, so the page's address cannot be guessed either. */
  readonly id: string
  /** `/install/<id>` */
  readonly path: string
  /** Settles on the first valid Approve or Deny; never rejects. */
  readonly decision: Promise<InstallDecision>
  /** Settles once onDecision has finished (or at once without one). */
  readonly done: Promise<void>
  /** GET the page, POST approve/deny; createApp({ install }) mounts them behind its guards. */
  readonly routes: Hono
}

type State =
  | { status: "pending" }
  | { status: "deciding"; decision: InstallDecision }
  | { status: "decided"; decision: InstallDecision; message: string; ok: boolean }

export function createPendingInstall(opts: PendingInstallOptions): PendingInstall {
  const id = randomUUID()
  const tokens = createFormTokens()
  let state: State = { status: "pending" }
  const decided = Promise.withResolvers<InstallDecision>()
  const finished = Promise.withResolvers<void>()

  async function decide(c: Context, decision: InstallDecision): Promise<Response> {
    const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>) // unparsable = no token: refused below
    // Check the token first so it is used up even when the request fails for another reason.
    if (!tokens.consume((body as Record<string, unknown>).token) || state.status !== "pending")
      return c.body(null, 403)
    state = { status: "deciding", decision }
    decided.resolve(decision)
    let message =
      decision === "approved"
        ? `Approved "${opts.name}".`
        : `Denied: "${opts.name}" was not installed; nothing was written.`
    let ok = true
    try {
      if (opts.onDecision) message = await opts.onDecision(decision)
    } catch (e: unknown) {
      ok = false
      message = `Could not install "${opts.name}": ${e instanceof Error ? e.message : String(e)}`
    }
    state = { status: "decided", decision, message, ok }
    finished.resolve()
    return c.html(outcomePage(opts.name, state))
  }

  const routes = new Hono()
  routes.get(`/install/${id}`, (c) => {
    if (state.status === "decided") return c.html(outcomePage(opts.name, state))
    if (state.status === "deciding") return c.html(renderPage("agent install", "<p>Working…</p>"))
    // The form posts from this page; see FORM_REFERRER_POLICY for why it is not no-referrer.
    c.header("Referrer-Policy", FORM_REFERRER_POLICY)
    return c.html(approvalPage(id, opts, tokens.issue()))
  })
  routes.post(`/install/${id}/approve`, (c) => decide(c, "approved"))
  routes.post(`/install/${id}/deny`, (c) => decide(c, "denied"))
  return { id, path: `/install/${id}`, decision: decided.promise, done: finished.promise, routes }
}

function approvalPage(id: string, opts: PendingInstallOptions, token: string): string {
  const name = escapeHtml(opts.name)
  const body = `<h1>Add the MCP server “${name}” to agent?</h1>
<p class="warn">A link asked agent to install this server. Approve only if you clicked that link yourself and trust
the server: a command runs on this computer with your permissions, and a URL receives the headers shown.</p>
<pre>${opts.lines.map(escapeHtml).join("\n")}</pre>
<form method="post" action="/install/${escapeHtml(id)}/approve">
<input type="hidden" name="token" value="${escapeHtml(token)}">
<button type="submit" class="approve">Approve</button>
<button type="submit" class="deny" formaction="/install/${escapeHtml(id)}/deny">Deny</button>
</form>
<p class="muted">Nothing is written until you choose. Closing this page, or waiting five minutes, installs nothing.</p>`
  return renderPage(`Install “${opts.name}”?`, body)
}

function outcomePage(name: string, state: Extract<State, { status: "decided" }>): string {
  const cls = state.ok && state.decision === "approved" ? "ok" : "no"
  const heading = !state.ok ? "Install failed" : state.decision === "approved" ? "Installed" : "Not installed"
  const body = `<h1 class="${cls}">${escapeHtml(heading)}</h1>
<p>${escapeHtml(state.message)}</p>
<p class="muted">You can close this window.</p>`
  return renderPage(`${heading}: ${name}`, body)
}
