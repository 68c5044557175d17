// The three `--output` writers (docs/design.md §9). They turn RunEvents into lines; the caller supplies
// the sinks (cli/shared/output.ts owns stdout), so this domain never touches the terminal itself.
//   text:        the answer streams to stdout; tool activity, warnings and the outcome go to stderr
//   json:        nothing until the end, then one RunReport document on stdout
//   stream-json: one RunEvent per line on stdout: init first, result last
import { runSecrets } from "../util/secrets.ts"
import { escapeTerminal } from "../util/text.ts"
import type { EventOf, RunEvent, RunReport } from "./events.ts"

export const OUTPUT_FORMATS = ["text", "json", "stream-json"] as const
export type RunOutputFormat = (typeof OUTPUT_FORMATS)[number]

export interface Sinks {
  stdout(chunk: string): void
  stderr(line: string): void
}

export interface RunWriter {
  onEvent(e: RunEvent): void
}

/** isQuiet (-q): in text mode only the outcome of a run that did not complete reaches stderr. */
export function createWriter(
  format: RunOutputFormat,
  sinks: Sinks,
  opts: { isVerbose?: boolean; isQuiet?: boolean } = {},
): RunWriter {
  // P03: values this run resolved are redacted inside the strings, so each document stays valid JSON.
  if (format === "json")
    return {
      onEvent: (e) =>
        void (
          e.type === "result" &&
          sinks.stdout(`${JSON.stringify(e, runSecrets.replacer, 2)}
`)
        ),
    }
  if (format === "stream-json")
    return {
      onEvent: (e) =>
        sinks.stdout(`${JSON.stringify(e, runSecrets.replacer)}
`),
    }
  return textWriter(sinks, opts.isVerbose ?? false, opts.isQuiet ?? false)
}

function textWriter(sinks: Sinks, isVerbose: boolean, isQuiet: boolean): RunWriter {
  // Model and tool text may carry escape sequences; show them, never let them drive the terminal.
  let isLineOpen = false
  const out = (s: string) => {
    if (!s) return
    sinks.stdout(escapeTerminal(s))
    isLineOpen = !s.endsWith("\n")
  }
  const closeLine = () => isLineOpen && out("\n")
  const err = (line: string) => sinks.stderr(escapeTerminal(line))
  const info = (line: string) => isQuiet || err(line)
  return {
    onEvent(e) {
      switch (e.type) {
        case "init":
          for (const s of e.servers)
            if (s.status !== "connected" && s.status !== "disabled")
              info(`server ${s.name}: ${s.status}${s.error ? ` (${s.error})` : ""}`)
          for (const t of e.skippedTools) info(`tool ${t.name} left out: ${t.reason}`)
          break
        case "text":
          out(e.delta)
          break
        case "tool_use":
          closeLine()
          info(`→ ${e.name} ${preview(e.input)}`)
          break
        case "tool_result":
          info(toolLine(e, isVerbose))
          break
        case "warning":
          info(`warning: ${e.message}`)
          break
        case "result":
          closeLine()
          if (e.exitReason !== "completed") err(outcomeLine(e))
          break
      }
    },
  }
}

function toolLine(e: EventOf<"tool_result">, isVerbose: boolean): string {
  const mark = e.isRefused ? "refused" : e.isError ? "error" : "ok"
  const size = e.bytes >= 1024 ? `${(e.bytes / 1024).toFixed(1)} KB` : `${e.bytes} B`
  const head = `← ${e.name} ${mark} ${e.durationMs} ms, ${size}${e.isTruncated ? ", truncated" : ""}`
  if (isVerbose || e.isError) return `${head}: ${oneLine(e.content, isVerbose ? 2000 : 200)}`
  return head
}

function outcomeLine(r: RunReport): string {
  return `run ended: ${r.exitReason.replace("_", " ")}${r.error ? `: ${r.error}` : ""}`
}

function preview(input: unknown): string {
  return oneLine(typeof input === "string" ? input : JSON.stringify(input), 160)
}

function oneLine(s: string, max: number): string {
  const flat = s.replace(/\s+/g, " ").trim()
  return flat.length > max ? `${flat.slice(0, max)}…` : flat
}
