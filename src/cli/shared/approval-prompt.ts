import type { ApprovalQuestion, PromptFn } from "../../config/index.ts"
import { confirm } from "./prompt.ts"
import type { Ctx } from "./context.ts"
import { trustQuestion } from "./present.ts"

// The terminal side of resolveServers' questions (docs/design.md §4): says which server gets which
// variable and where it goes, never its value. Only offered when a person is at a terminal.

export function approvalQuestionText(q: ApprovalQuestion): string {
  if (q.kind === "env") {
    const n = q.need
    const lines = [
      `Server "${q.server}" wants to read the environment variable ${n.variable}`,
      `  it goes to: ${n.destination}`,
      `  fields:     ${n.fields.join(", ")}`,
    ]
    if (n.description) lines.push(`  input:      ${n.description}`)
    lines.push(`Allow ${n.variable} for "${q.server}" from now on (until its definition changes)?`)
    return lines.join("\n")
  }
  return trustQuestion(q).join("\n")
}

/** A PromptFn for resolveServers, or undefined when nobody can answer (deny by default). */
export function terminalPrompt(ctx: Ctx): PromptFn | undefined {
  if (!ctx.isInteractive) return undefined
  // confirm() escapes control characters; newlines pass.
  return (q) => confirm(approvalQuestionText(q))
}
