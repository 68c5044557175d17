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
): number | void {
  if (s.ctx.output === "json") printJson(result)
  else if (!result.isError) printRaw(renderToolResult(result) || "(no content)")
  if (!result.isError) return
  process.stderr.write(`${renderToolResult(result) || "(no content)"}\n`)
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
