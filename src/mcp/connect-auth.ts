import type { RemoteServer } from "../config/index.ts"
import { AuthRequiredError, isAgentError } from "../util/errors.ts"
import { connectRemote, type Attempt, type ConnectContext, type Connection } from "./attempt.ts"
import { classify } from "./classify.ts"
import { createRemoteAuth, type RemoteAuth } from "./remote-auth.ts"

// Sign-in around a remote connect (docs/design.md §6), split from connection.ts.

type Kind = "http" | "sse"

/**
 * Stored tokens first, silently; when the server still wants a sign-in and this run can do one,
 * a second attempt whose 401 opens the browser, then the code exchange, then a third connect.
 */
export async function connectWithAuth(
  kind: Kind,
  server: RemoteServer,
  url: URL,
  ctx: ConnectContext,
  make: (auth: RemoteAuth) => Attempt,
): Promise<Connection> {
  const auth = createRemoteAuth(server, url, {
    name: ctx.name,
    hooks: ctx.opts.auth,
    log: ctx.log,
    signal: ctx.signal,
  })
  let attempt: Attempt
  // A 2025-03-26 server whose metadata issuer is a path on its own origin: the SDK refuses it
  // (O05); when the narrow exception applies (auth/legacy.ts) it is adopted and the attempt runs once more.
  const run = () =>
    connectRemote(kind, attempt, ctx, auth).catch(async (e: unknown) => {
      if (ctx.signal.aborted || !(await auth.adoptLegacyIssuer(e))) throw e
      attempt = make(auth)
      return connectRemote(kind, attempt, ctx, auth)
    })
  try {
    await auth.prepare()
    attempt = make(auth)
    try {
      return await run()
    } catch (e: unknown) {
      if (classify(e).kind !== "auth" || ctx.signal.aborted) throw e
      if (!auth.isRedirected()) {
        if (!(await auth.beginSignIn())) throw e
        attempt = make(auth)
        try {
          return await run()
        } catch (again: unknown) {
          if (!auth.isRedirected() || classify(again).kind !== "auth") throw again
        }
      }
    }
    await auth.finish(attempt.transport)
    return await connectRemote(kind, make(auth), ctx, auth)
  } catch (e: unknown) {
    const isSigningIn = auth.isSigningIn()
    await auth.close()
    // During a sign-in, what the SDK rejects (malformed or hostile AS metadata: a javascript:
    // authorization_endpoint fails its schema, O01) is a failed sign-in, exit 4, not a dead server.
    if (isSigningIn && classify(e).kind === "other" && !isAgentError(e)) {
      throw new AuthRequiredError(
        `sign-in to ${ctx.name} failed: the authorization server's metadata or answer was refused`,
        { cause: e, hint: "run with --debug for the details; nothing was opened" },
      )
    }
    throw e
  }
}
