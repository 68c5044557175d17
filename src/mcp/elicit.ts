import type { ElicitRequest, ElicitResult } from "@modelcontextprotocol/client"

/**
 * Accepts a form elicitation with the schema's defaults (SEP-1034), for non-interactive runs
 * that should still answer; the conformance scenario `elicitation-sep1034-client-defaults`
 * expects exactly this. URL-mode elicitation is declined: nobody can open it.
 */
export async function elicitDefaults(
  _server: string,
  request: ElicitRequest["params"],
): Promise<ElicitResult> {
  if (!("requestedSchema" in request) || !request.requestedSchema) return { action: "decline" }
  const content: Record<string, string | number | boolean | string[]> = {}
  for (const [key, prop] of Object.entries(request.requestedSchema.properties ?? {})) {
    const value = (prop as { default?: unknown }).default
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
      content[key] = value
    else if (Array.isArray(value) && value.every((v) => typeof v === "string")) content[key] = value
  }
  return { action: "accept", content }
}

/** A handler that always declines, for callers that want to be explicit. */
export async function elicitDecline(): Promise<ElicitResult> {
  return { action: "decline" }
}
