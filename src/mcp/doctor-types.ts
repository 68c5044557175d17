// What `agent mcp doctor` reports: per server, a list of findings, each with a severity and,
// when something can be done about it, a fix hint. Data only; the CLI renders it.

export type Severity = "ok" | "info" | "warn" | "error"

export interface Finding {
  /** Dotted check id, e.g. "dns", "tls", "transport.stateless", "auth.prm", "tools.schema.google". */
  check: string
  severity: Severity
  message: string
  hint?: string
}

export interface ServerReport {
  name: string
  findings: Finding[]
}

/** One model provider's view of a tool's input schema (injected: mcp does not import agent). */
export interface SchemaProvider {
  name: string
  normalize(schema: unknown): { ok: true; schema: Record<string, unknown> } | { ok: false; reason: string }
}

export function finding(check: string, severity: Severity, message: string, hint?: string): Finding {
  return { check, severity, message, ...(hint !== undefined && { hint }) }
}

export function isBroken(reports: ServerReport[]): boolean {
  return reports.some((r) => r.findings.some((f) => f.severity === "error"))
}

/** A caught value as one line of text (errors keep their code: "connect ECONNREFUSED"). */
export function errorText(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code
    const cause = e.cause instanceof Error ? `: ${e.cause.message}` : ""
    return `${e.message}${cause}${typeof code === "string" && !e.message.includes(code) ? ` (${code})` : ""}`
  }
  return String(e)
}
