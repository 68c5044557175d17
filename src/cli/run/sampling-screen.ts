import { samplingParts, type SamplingRequest } from "../../agent/index.ts"
import { escapeTerminal, plural } from "../../util/text.ts"

// P11: what a server's sampling/createMessage asks the model, shown before the user says yes:
// the system prompt and every message with its role, not only the last message. A server can
// put its real instruction in the system prompt or an earlier turn, so each part is shown; long
// parts are cut, and every cut says how much is hidden so nothing is hidden silently.

/** Lines of one part before it is cut; a 200-line system prompt must not scroll the question away. */
const PART_LINES = 12
const PART_CHARS = 1200
/** With more messages than this, the middle ones are summarised (the first and last are shown). */
const MAX_PARTS = 8

export function samplingScreen(server: string, request: SamplingRequest): string[] {
  const parts = samplingParts(request)
  const total = parts.reduce((n, p) => n + p.text.length, 0)
  const lines = [
    `Server "${server}" asks the model to answer (up to ${request.maxTokens} tokens); the whole request, ${plural(parts.length, "part")}, ${plural(total, "character")}:`,
  ]
  const shown =
    parts.length > MAX_PARTS ? [...parts.slice(0, 2), undefined, ...parts.slice(-(MAX_PARTS - 3))] : parts
  for (const part of shown) {
    if (!part) {
      const hidden = parts.slice(2, parts.length - (MAX_PARTS - 3))
      const chars = hidden.reduce((n, p) => n + p.text.length, 0)
      lines.push(`  … ${plural(hidden.length, "message")} hidden here (${plural(chars, "character")})`)
      continue
    }
    lines.push(`  ${part.role}:`, ...partLines(part.text))
  }
  return lines
}

/** One part, each line escaped and marked with "│" so its text cannot pass for our own lines. */
function partLines(text: string): string[] {
  const cut = text.length > PART_CHARS ? text.slice(0, PART_CHARS) : text
  const all = cut.split("\n")
  const kept = all.slice(0, PART_LINES)
  const lines = kept.map((l) => `    │ ${escapeTerminal(l).replace(/\t/g, "\\t")}`)
  const hiddenChars = text.length - kept.join("\n").length
  if (hiddenChars > 0) {
    const hiddenLines = text.split("\n").length - kept.length
    lines.push(
      `    … ${plural(hiddenChars, "more character")}${hiddenLines > 0 ? ` (${plural(hiddenLines, "more line")})` : ""} of this part hidden`,
    )
  }
  return lines
}
