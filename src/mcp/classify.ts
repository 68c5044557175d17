import {
  ProtocolError,
  SdkError,
  SdkErrorCode,
  SdkHttpError,
  UnauthorizedError,
} from "@modelcontextprotocol/client"
import { AuthRequiredError } from "../util/errors.ts"
import { InvalidSessionIdError } from "./error-classes.ts"

// Classifies what the SDK throws, by class and code only (never by message text, which changes between SDK versions).

export type Failure =
  | { kind: "auth" }
  | { kind: "forbidden" }
  | { kind: "timeout" }
  | { kind: "closed" }
  | { kind: "http"; status: number }
  | { kind: "protocol"; code: number }
  | { kind: "pagination" }
  | { kind: "session_id" }
  | { kind: "other" }

export function classify(e: unknown): Failure {
  for (let cur: unknown = e, depth = 0; cur !== undefined && cur !== null && depth < 8; depth++) {
    const found = classifyOne(cur)
    if (found) return found
    cur = (cur as { cause?: unknown }).cause
  }
  return { kind: "other" }
}

function classifyOne(e: unknown): Failure | undefined {
  if (e instanceof InvalidSessionIdError) return { kind: "session_id" }
  // Our provider's refusals are sign-in failures too, exit 4: not signed in, or metadata it
  // refused (O01 unsafe authorization URL, O03 no S256, O05 issuer, O06 resource mismatch).
  if (e instanceof AuthRequiredError) return { kind: "auth" }
  if (UnauthorizedError.isInstance(e)) return { kind: "auth" }
  if (SdkHttpError.isInstance(e)) {
    if (e.code === SdkErrorCode.ClientHttpAuthentication || e.status === 401) return { kind: "auth" }
    if (e.code === SdkErrorCode.ClientHttpForbidden || e.status === 403) return { kind: "forbidden" }
    return { kind: "http", status: e.status }
  }
  if (SdkError.isInstance(e)) {
    switch (e.code) {
      case SdkErrorCode.RequestTimeout:
        return { kind: "timeout" }
      case SdkErrorCode.ConnectionClosed:
      case SdkErrorCode.NotConnected:
        return { kind: "closed" }
      case SdkErrorCode.ListPaginationExceeded:
        return { kind: "pagination" }
      default:
        return undefined
    }
  }
  if (ProtocolError.isInstance(e)) return { kind: "protocol", code: e.code }
  return undefined
}

/**
 * The pages a URL-mode elicitation error (-32042, "requires browser-based authorization")
 * asks the user to open, from its `data.elicitations`; empty for any other error.
 */
export function urlsToOpen(e: unknown): string[] {
  if (!ProtocolError.isInstance(e)) return []
  const list = (e.data as { elicitations?: unknown } | undefined)?.elicitations
  if (!Array.isArray(list)) return []
  return list.flatMap((x: unknown) => {
    const url = (x as { url?: unknown } | null)?.url
    return typeof url === "string" ? [url] : []
  })
}

/** One line for a state or an error message; the SDK's messages are already sentences. */
export function reasonOf(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e)
  const line = text.split("\n")[0]!.trim()
  return line.length > 300 ? `${line.slice(0, 300)}…` : line || "unknown error"
}
