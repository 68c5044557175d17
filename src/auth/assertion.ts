// Where the jwt_bearer grant's workload JWT comes from (jwt-bearer.ts): the resolved value of an
// approved ${VAR} (oauth.assertion), a file read at each sign-in (oauth.assertionFile: a
// Kubernetes projected token or a file the CI wrote; they rotate, so never cached), or the CI's
// own OIDC token service (oauth.assertionFrom). Each value is registered as a secret (P03).
import { constants } from "node:fs"
import { open } from "node:fs/promises"
import { describeFsError } from "../util/atomic.ts"
import { AuthRequiredError } from "../util/errors.ts"
import { registerSecret } from "../util/secrets.ts"

/** GitHub Actions' OIDC token service, as the runner announces it (ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN). */
export interface GithubOidc {
  requestUrl?: string
  requestToken?: string
}

export interface AssertionSource {
  server: string
  assertion?: string
  assertionFile?: string
  assertionFrom?: "github-actions"
  /** The audience asked of the CI; default the issuer the JWT is for (O21). */
  audience?: string
  github?: GithubOidc
  fetch?: typeof fetch
}

const MAX_JWT = 64 * 1024

export function assertionFor(src: AssertionSource): (issuer: string) => Promise<string> {
  return async (issuer) => {
    const jwt = await read(src, issuer)
    registerSecret(jwt, "assertion")
    return jwt
  }
}

async function read(src: AssertionSource, issuer: string): Promise<string> {
  if (src.assertion !== undefined) return checked(src, src.assertion.trim(), "oauth.assertion")
  if (src.assertionFile !== undefined) return checked(src, await readFile(src), src.assertionFile)
  return checked(src, await githubToken(src, src.audience ?? issuer), "the GitHub Actions OIDC token")
}

function checked(src: AssertionSource, jwt: string, from: string): string {
  // A JWS compact serialization: three base64url parts. Anything else would only be refused by the AS.
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(jwt))
    throw new AuthRequiredError(`${src.server}: ${from} does not hold a JWT`, {
      hint: "the jwt_bearer grant needs the workload's signed JWT (header.payload.signature)",
    })
  return jwt
}

async function readFile(src: AssertionSource): Promise<string> {
  const path = src.assertionFile ?? ""
  try {
    const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW)
    try {
      const st = await fh.stat()
      if (!st.isFile() || st.size > MAX_JWT) throw new Error("not a regular file of at most 64 KB")
      return (await fh.readFile("utf8")).trim()
    } finally {
      await fh.close()
    }
  } catch (e: unknown) {
    throw new AuthRequiredError(
      `${src.server}: cannot read oauth.assertionFile ${path}: ${e instanceof Error && !("code" in e) ? e.message : describeFsError(e)}`,
      { cause: e, hint: "check that the CI wrote the token file before agent runs" },
    )
  }
}

/** GitHub Actions: GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=… with the request token; answers {"value": jwt}. */
async function githubToken(src: AssertionSource, audience: string): Promise<string> {
  const { requestUrl, requestToken } = src.github ?? {}
  if (!requestUrl || !requestToken)
    throw new AuthRequiredError(
      `${src.server}: oauth.assertionFrom is github-actions, but this job cannot ask GitHub for an OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN are not set)`,
      { hint: "give the job `permissions: id-token: write` (docs/ci.md)" },
    )
  registerSecret(requestToken, "ACTIONS_ID_TOKEN_REQUEST_TOKEN")
  const url = new URL(requestUrl)
  url.searchParams.set("audience", audience)
  const failed = (why: string, cause?: unknown) =>
    new AuthRequiredError(`${src.server}: GitHub Actions did not issue an OIDC token: ${why}`, {
      cause,
      hint: "the job needs `permissions: id-token: write`",
    })
  let res: Response
  try {
    res = await (src.fetch ?? fetch)(url, {
      headers: { authorization: `Bearer ${requestToken}`, accept: "application/json" },
      redirect: "error",
    })
  } catch (e: unknown) {
    throw failed("the token service did not answer", e)
  }
  if (!res.ok) throw failed(`HTTP ${res.status}`)
  const body = (await res.json().catch(() => undefined)) as { value?: unknown } | undefined
  if (typeof body?.value !== "string") throw failed("the answer carries no token")
  return body.value
}
