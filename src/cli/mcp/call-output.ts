import type { CallToolResult, TaskHandle, TaskSnapshot } from "../../mcp/index.ts"
import { ExitCode } from "../../util/errors.ts"
import { escapeTerminal } from "../../util/text.ts"
import type { Session } from "../shared/connect.ts"
import { printJson, printRaw } from "../shared/output.ts"
import { renderToolResult } from "./render-content.ts"

// What `agent mcp call` and `agent mcp task result|wait` print: the same result either way, and
// a task's states on stderr as they change.

/** stdout: the result (json: the raw CallToolResult); an isError result also on stderr, exit 1. */
export function printCallResult(
  s: Session,
  result: CallToolResult,
  tool: string,
  server: string,
  /** `mcp call --max-output`: printed whole (the user asked for it) unless a script caps it. */
  maxOutput?: number,
): number | void {
  const rendered = renderToolResult(result) || "(no content)"
  const text = maxOutput === undefined ? rendered : rendered.slice(0, maxOutput)
  const cutNote = (shown: number, total: number) =>
    s.ctx.log.warn(`output cut at ${shown} of ${total} characters (--max-output ${maxOutput})`)
  if (s.ctx.output === "json") {
    const cut = maxOutput === undefined ? undefined : cutResult(result, maxOutput)
    if (cut?.isCut) cutNote(cut.shown, cut.total)
    printJson(cut?.result ?? result)
  } else {
    if (text.length < rendered.length) cutNote(text.length, rendered.length)
    if (!result.isError) printRaw(text)
  }
  if (!result.isError) return
  process.stderr.write(`${text}\n`)
  s.ctx.log.error(escapeTerminal(`tool ${tool} on "${server}" reported an error (isError)`))
  return ExitCode.failure
}

/** `working: Gathering sources…`: the server's words, escaped (they are untrusted text). */
export function taskLine(t: Pick<TaskSnapshot, "taskId" | "status" | "statusMessage">): string {
  return escapeTerminal(`task ${t.taskId}: ${t.status}${t.statusMessage ? ` (${t.statusMessage})` : ""}`)
}

/** Reports each new state of a task on stderr (info: -q silences it like any progress). */
export function taskReporter(s: Session): (server: string, t: TaskSnapshot) => void {
  return (server, t) => s.ctx.log.info(`${escapeTerminal(server)}: ${taskLine(t)}`)
}

/** The JSON shape of a stored handle, with its current state when we have it. */
export function handleJson(h: TaskHandle, now?: TaskSnapshot) {
  return {
    handle: h.handle,
    server: h.server,
    taskId: h.taskId,
    tool: h.tool,
    file: h.file,
    createdAt: h.createdAt,
    status: now?.status ?? h.status,
    statusMessage: now?.statusMessage ?? h.statusMessage ?? null,
  }
}

/**
 * --max-output: the result with at most `max` characters of text and base64 data, in order
 * (text cut, a binary item that does not fit left out). `total`/`shown` count those characters.
 */
export function cutResult(
  result: CallToolResult,
  max: number,
): { result: CallToolResult; isCut: boolean; total: number; shown: number } {
  let left = max
  let total = 0
  const content: CallToolResult["content"] = []
  const take = (s: string) => {
    total += s.length
    const kept = s.slice(0, Math.max(0, left))
    left -= kept.length
    return kept
  }
  for (const c of result.content ?? []) {
    if (c.type === "text") {
      const text = take(c.text)
      if (text) content.push({ ...c, text })
    } else if (c.type === "image" || c.type === "audio" || (c.type === "resource" && "blob" in c.resource)) {
      const data = c.type === "resource" ? (c.resource as { blob: string }).blob : c.data
      total += data.length
      if (data.length <= left) {
        left -= data.length
        content.push(c)
      }
    } else if (c.type === "resource" && "text" in c.resource) {
      const text = take(c.resource.text)
      if (text) content.push({ ...c, resource: { ...c.resource, text } })
    } else content.push(c)
  }
  const structured =
    result.structuredContent === undefined ? undefined : JSON.stringify(result.structuredContent)
  if (structured !== undefined) total += structured.length
  const keepStructured = structured !== undefined && structured.length <= left
  if (keepStructured) left -= structured.length
  const { structuredContent: _, ...rest } = result
  const shown = max - Math.max(0, left)
  return {
    result: { ...rest, content, ...(keepStructured && { structuredContent: result.structuredContent }) },
    isCut: total > max,
    total,
    shown: Math.min(shown, total),
  }
}
