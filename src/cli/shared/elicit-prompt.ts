// A server's elicitation request (docs/design.md §5), for `agent run` and every `agent mcp` command
// that talks to servers: `--elicit ask` (the default at a terminal) shows the form field by
// field on stderr; `decline` (the default without one: deny by default) answers decline;
// `defaults` accepts with the schema's defaults (SEP-1034), for scripts and the conformance
// scenario `elicitation-sep1034-client-defaults`.
import { elicitDefaults, type ElicitHandler } from "../../mcp/index.ts"
import { UsageError } from "../../util/errors.ts"
import { escapeTerminal } from "../../util/text.ts"
import { oneLine, type Queue } from "./queue.ts"

export const ELICIT_MODES = ["ask", "decline", "defaults"] as const
export type ElicitMode = (typeof ELICIT_MODES)[number]

export const elicitArg = {
  elicit: {
    type: "string",
    valueHint: "ask|decline|defaults",
    description:
      "Answer a server's elicitation (form) request: ask at the terminal (default there), decline (default without one), or accept the schema's defaults",
  },
} as const

/** The --elicit value; without the flag `ask`, which declines when there is no terminal to ask. */
export function elicitMode(raw: string | undefined): ElicitMode {
  if (raw === undefined) return "ask"
  if ((ELICIT_MODES as readonly string[]).includes(raw)) return raw as ElicitMode
  throw new UsageError(`--elicit must be one of ${ELICIT_MODES.join(", ")}, got "${escapeTerminal(raw)}"`)
}

export interface ElicitDeps {
  /** The terminal's question queue; absent without a terminal (then `ask` declines). */
  queue?: Queue
  signal: AbortSignal
  warn(message: string): void
}

export function elicitHandler(mode: ElicitMode, d: ElicitDeps): ElicitHandler {
  return async (server, request) => {
    if (mode === "defaults") return elicitDefaults(server, request)
    if (mode === "ask" && d.queue) return terminalElicit(d.queue, d.signal)(server, request)
    const why =
      mode === "decline"
        ? "--elicit decline"
        : "no terminal to ask; --elicit defaults accepts the form's defaults"
    // A URL request is answered by opening the page: show it, so the user can go there anyway.
    const url =
      "url" in request && request.url ? `; it asked you to open ${escapeTerminal(String(request.url))}` : ""
    d.warn(`elicitation from ${server} declined: ${why}${url}`)
    return { action: "decline" }
  }
}

type Field = {
  type?: string
  title?: string
  description?: string
  enum?: unknown[]
  default?: unknown
  minimum?: number
  maximum?: number
}

/** At a terminal: the server's form, field by field (Enter keeps a default); a URL request is shown, not opened. */
export function terminalElicit(queue: Queue, signal: AbortSignal): ElicitHandler {
  return async (server, request) => {
    if (!("requestedSchema" in request) || !request.requestedSchema) {
      const url = "url" in request ? String(request.url) : "(no URL)"
      const a = await choose(
        queue,
        signal,
        `Server "${server}" asks you to open ${escapeTerminal(url)}\n  ${oneLine(request.message, 300)}\n  Done? [y]es / [n]o:`,
        false,
      )
      return { action: a === "y" ? "accept" : "decline" }
    }
    const a = await choose(
      queue,
      signal,
      `Server "${server}" asks: ${oneLine(request.message, 500)}\n  Answer? [y]es / [n]o (decline) / [c]ancel:`,
      true,
    )
    if (a === "c") return { action: "cancel" }
    if (a !== "y") return { action: "decline" }
    const content: Record<string, string | number | boolean | string[]> = {}
    const required = new Set(request.requestedSchema.required ?? [])
    for (const [key, raw] of Object.entries(request.requestedSchema.properties ?? {})) {
      const value = await askField(queue, signal, key, raw as Field, required.has(key))
      if (value === null) return { action: "cancel" }
      if (value !== undefined) content[key] = value
    }
    return { action: "accept", content }
  }
}

async function askField(
  queue: Queue,
  signal: AbortSignal,
  key: string,
  f: Field,
  isRequired: boolean,
): Promise<string | number | boolean | undefined | null> {
  const label = `${f.title ?? key}${f.description ? ` (${f.description})` : ""}`
  const choices = f.enum ? ` [${f.enum.join("/")}]` : f.type === "boolean" ? " [y/n]" : ""
  const def = f.default === undefined ? "" : ` (default ${String(f.default)})`
  for (let attempt = 0; attempt < 3; attempt++) {
    const answer = await queue(`  ${label}${choices}${def}${isRequired ? " *" : ""}:`, signal)
    if (answer === undefined) return null
    const raw = answer.trim()
    if (raw === "") {
      if (f.default !== undefined) return f.default as string | number | boolean
      if (!isRequired) return undefined
      continue
    }
    const value = parseField(raw, f)
    if (value !== undefined) return value
    process.stderr.write(`  not a valid value for ${escapeTerminal(key)}\n`)
  }
  return null
}

function parseField(raw: string, f: Field): string | number | boolean | undefined {
  if (f.enum) return f.enum.map(String).includes(raw) ? raw : undefined
  if (f.type === "boolean")
    return /^(y|yes|true)$/i.test(raw) ? true : /^(n|no|false)$/i.test(raw) ? false : undefined
  if (f.type === "integer" || f.type === "number") {
    const n = Number(raw)
    if (!Number.isFinite(n) || (f.type === "integer" && !Number.isInteger(n))) return undefined
    if ((f.minimum !== undefined && n < f.minimum) || (f.maximum !== undefined && n > f.maximum))
      return undefined
    return n
  }
  return raw
}

/**
 * y/n(/c), asked again on any other answer (a typo must not decline a form); no answer (end of
 * input, Ctrl-D) declines, and so do three answers in a row that are none of them.
 */
async function choose(
  queue: Queue,
  signal: AbortSignal,
  question: string,
  canCancel: boolean,
): Promise<"y" | "n" | "c"> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const raw = await queue(
      attempt === 0 ? question : `  Please answer y or n${canCancel ? " or c" : ""}:`,
      signal,
    )
    if (raw === undefined) return "n"
    const a = raw.trim().toLowerCase()
    if (a === "y" || a === "yes") return "y"
    if (a === "n" || a === "no") return "n"
    if (canCancel && (a === "c" || a === "cancel")) return "c"
  }
  return "n"
}
