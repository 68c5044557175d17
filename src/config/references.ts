import {
  InterpolationSyntaxError,
  findRefs,
  hasRefs,
  parseTemplate,
  walkStrings,
  type Ref,
} from "./interpolate.ts"
import type { ServerConfig } from "./schema.ts"

export type FieldPath = (string | number)[]

/** One `${…}` reference inside a server definition: which variable, and where its value goes. */
export interface VariableUse {
  variable: string
  field: FieldPath
  ref: Ref
}

/** The part of a server definition that interpolation touches (docs/design.md §4). */
export function interpolatedParts(server: ServerConfig): Record<string, unknown> {
  if (server.transport === "stdio") {
    return {
      command: server.command,
      args: server.args,
      env: server.env,
      ...(server.cwd !== undefined && { cwd: server.cwd }),
    }
  }
  return { url: server.url, headers: server.headers, ...(server.oauth && { oauth: server.oauth }) }
}

/** Checks every template's syntax, and that a literal url is http(s). */
export function checkTemplates(
  server: ServerConfig,
  fail: (field: FieldPath, message: string, hint?: string) => never,
): void {
  walkStrings(interpolatedParts(server), (s, path) => {
    try {
      parseTemplate(s)
    } catch (e: unknown) {
      if (e instanceof InterpolationSyntaxError) fail(path, e.message, e.hint)
      throw e
    }
    return s
  })
  if (server.transport !== "stdio" && !hasRefs(server.url)) {
    const problem = urlProblem(server.url)
    if (problem) fail(["url"], problem, "use a full http:// or https:// URL, e.g. https://example.com/mcp")
  }
}

export function urlProblem(url: string): string | undefined {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return `${JSON.stringify(url)} is not a valid URL`
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    return `URL scheme ${parsed.protocol} is not allowed`
  return undefined
}

/** Every variable the server's definition references, with the field it feeds. */
export function variableUses(server: ServerConfig): VariableUse[] {
  const uses: VariableUse[] = []
  walkStrings(interpolatedParts(server), (s, path) => {
    for (const ref of findRefs(s)) uses.push({ variable: ref.name, field: path, ref })
    return s
  })
  return uses
}

/** Distinct variable names, in first-use order. */
export function referencedVariables(server: ServerConfig): string[] {
  return [...new Set(variableUses(server).map((u) => u.variable))]
}

/** "args[2]", "env.API_KEY", "headers.Authorization" */
export function fieldLabel(field: FieldPath): string {
  return field.reduce<string>((s, k) => (typeof k === "number" ? `${s}[${k}]` : s ? `${s}.${k}` : k), "")
}
