// `agent run`'s questions at a terminal (stderr, one at a time): tool permission (yes / no /
// always for this tool), a server's sampling request, a server's elicitation form. Without a
// terminal none of these are built: the loop refuses calls that are not allowed, sampling needs
// --allow-sampling, and elicitation is declined (DESIGN §9, deny by default).
import type { AskAnswer, Permissions, SamplingRequest } from "../agent/index.ts"
import { samplingPreview } from "../agent/index.ts"
import type { ElicitHandler } from "../mcp/index.ts"
import { escapeTerminal } from "../util/text.ts"
import { ask } from "./prompt.ts"

type Asker = (question: string) => Promise<string>

/** One question at a time: parallel tool calls and server requests share one terminal. */
export function createQueue(asker: Asker = ask) {
  let last: Promise<unknown> = Promise.resolve()
  // `settled`: checked when this question's turn comes (an "always" given meanwhile answers it).
  return (question: string, signal?: AbortSignal, settled?: () => string | undefined): Promise<string | undefined> => {
    const next = last.then(async () => {
      if (signal?.aborted) return undefined
      return settled?.() ?? (await untilAborted(asker(question), signal))
    })
    last = next.catch(() => {})
    return next
  }
}
export type Queue = ReturnType<typeof createQueue>

export function toolAsker(queue: Queue): NonNullable<Permissions["ask"]> {
  const always = new Set<string>()
  return async (tool, args, signal): Promise<AskAnswer> => {
    if (always.has(tool.name)) return true
    const preview = oneLine(JSON.stringify(args), 300)
    const question = `Allow ${tool.name} (server "${tool.server}", tool "${tool.tool.name}") ${preview}?\n  [y]es / [n]o / [a]lways for this tool:`
    const answer = await queue(question, signal, () => (always.has(tool.name) ? "always" : undefined))
    const a = (answer ?? "").trim().toLowerCase()
    if (a === "a" || a === "always") {
      always.add(tool.name)
      return true
    }
    if (a === "y" || a === "yes") return true
    return { allow: false, reason: answer === undefined ? "the run was interrupted before the user answered" : `the user refused ${tool.name}` }
  }
}

/** At a terminal: asks before the model answers a server's sampling request ("always" = for that server). */
export function samplingApprover(queue: Queue): (server: string, request: SamplingRequest, signal: AbortSignal) => Promise<boolean> {
  const always = new Set<string>()
  return async (server, request, signal) => {
    if (always.has(server)) return true
    const q = `Server "${server}" asks the model to answer (up to ${request.maxTokens} tokens): "${samplingPreview(request)}"\n  [y]es / [n]o / [a]lways for this server:`
    const a = ((await queue(q, signal, () => (always.has(server) ? "always" : undefined))) ?? "").trim().toLowerCase()
    if (a === "a" || a === "always") always.add(server)
    return a === "y" || a === "yes" || always.has(server)
  }
}

type Field = { type?: string; title?: string; description?: string; enum?: unknown[]; default?: unknown; minimum?: number; maximum?: number }

/** At a terminal: the server's form, field by field (Enter keeps a default); a URL request is shown, not opened. */
export function terminalElicit(queue: Queue, signal: AbortSignal): ElicitHandler {
  return async (server, request) => {
    if (!("requestedSchema" in request) || !request.requestedSchema) {
      const url = "url" in request ? String(request.url) : "(no URL)"
      const a = await queue(`Server "${server}" asks you to open ${url}\n  ${oneLine(request.message, 300)}\n  Done? [y]es / [n]o:`, signal)
      return { action: isYes(a) ? "accept" : "decline" }
    }
    const a = ((await queue(`Server "${server}" asks: ${oneLine(request.message, 500)}\n  Answer? [y]es / [n]o (decline) / [c]ancel:`, signal)) ?? "").trim().toLowerCase()
    if (a === "c" || a === "cancel") return { action: "cancel" }
    if (!isYes(a)) return { action: "decline" }
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

async function askField(queue: Queue, signal: AbortSignal, key: string, f: Field, isRequired: boolean): Promise<string | number | boolean | undefined | null> {
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
  if (f.type === "boolean") return /^(y|yes|true)$/i.test(raw) ? true : /^(n|no|false)$/i.test(raw) ? false : undefined
  if (f.type === "integer" || f.type === "number") {
    const n = Number(raw)
    if (!Number.isFinite(n) || (f.type === "integer" && !Number.isInteger(n))) return undefined
    if ((f.minimum !== undefined && n < f.minimum) || (f.maximum !== undefined && n > f.maximum)) return undefined
    return n
  }
  return raw
}

const isYes = (a: string | undefined) => /^(y|yes)$/i.test((a ?? "").trim())

function oneLine(s: string, max: number): string {
  const flat = s.replace(/\s+/g, " ").trim()
  return flat.length > max ? `${flat.slice(0, max)}…` : flat
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T | undefined> {
  if (!signal) return work
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(undefined)
    signal.addEventListener("abort", onAbort, { once: true })
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort))
  })
}
