// `agent report merge` and the end of `agent run --batch` (docs/json-output.md "agent report merge"):
// results files (one per shard) folded into one summary. An id seen twice (a task rerun after a
// failure, or the same shard uploaded twice) counts once, as its last report.
import type { TaskReport } from "./batch-results.ts"
import { escapeTerminal } from "../util/text.ts"
import { parseResults } from "./batch-results.ts"

export interface BatchFailure {
  id: string
  exitReason: string
  exitCode: number
  error?: string
  file: string
}

export interface BatchSummary {
  type: "batch_summary"
  files: string[]
  tasks: number
  succeeded: number
  failed: number
  exitReasons: Record<string, number>
  failures: BatchFailure[]
  /** Ids in --tasks with no report in any file (only with --tasks). */
  missing?: string[]
  duplicates: string[]
  /** Torn last lines skipped (a writer killed mid-line). */
  tornLines: number
  usage: { inputTokens: number; outputTokens: number; totalTokens: number }
  turns: number
  toolCalls: number
  durationMs: { total: number; mean: number; p50: number; p95: number; max: number }
}

export function mergeResults(inputs: { file: string; text: string }[], expectedIds?: string[]): BatchSummary {
  const entries: { report: TaskReport; file: string }[] = []
  let tornLines = 0
  for (const { file, text } of inputs) {
    const read = parseResults(text, file)
    if (read.isTorn) tornLines++
    for (const report of read.reports) entries.push({ report, file })
  }
  return summarize(entries, { files: inputs.map((i) => i.file), tornLines, expectedIds })
}

/** The summary of reports in the order they were written (a later report of an id replaces the earlier). */
export function summarize(
  entries: { report: TaskReport; file: string }[],
  o: { files: string[]; tornLines?: number; expectedIds?: string[] },
): BatchSummary {
  const { expectedIds } = o
  const byId = new Map<string, { report: TaskReport; file: string }>()
  const duplicates = new Set<string>()
  for (const e of entries) {
    if (byId.has(e.report.id)) duplicates.add(e.report.id)
    byId.delete(e.report.id) // re-insert, so the order is that of the last reports
    byId.set(e.report.id, e)
  }
  const all = [...byId.values()]
  const exitReasons: Record<string, number> = {}
  const usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 }
  let turns = 0
  let toolCalls = 0
  for (const { report: r } of all) {
    exitReasons[r.exitReason] = (exitReasons[r.exitReason] ?? 0) + 1
    usage.inputTokens += r.usage?.inputTokens ?? 0
    usage.outputTokens += r.usage?.outputTokens ?? 0
    usage.totalTokens += r.usage?.totalTokens ?? 0
    turns += r.turns ?? 0
    toolCalls += r.toolCalls?.length ?? 0
  }
  const failures = all
    .filter(({ report: r }) => r.exitCode !== 0)
    .map(({ report: r, file }) => ({
      id: r.id,
      exitReason: r.exitReason,
      exitCode: r.exitCode,
      ...(r.error !== undefined && { error: r.error }),
      file,
    }))
  const missing = expectedIds?.filter((id) => !byId.has(id))
  return {
    type: "batch_summary",
    files: o.files,
    tasks: all.length,
    succeeded: all.length - failures.length,
    failed: failures.length,
    exitReasons,
    failures,
    ...(missing && { missing }),
    duplicates: [...duplicates],
    tornLines: o.tornLines ?? 0,
    usage,
    turns,
    toolCalls,
    durationMs: durations(all.map(({ report: r }) => r.durationMs ?? 0)),
  }
}

/** Whether the batch as a whole succeeded: every task exit 0 and none missing. */
export function isBatchOk(s: BatchSummary): boolean {
  return s.failed === 0 && (s.missing?.length ?? 0) === 0
}

/** People's text; ids and errors come from files, so they are escaped for the terminal. */
export function formatSummary(s: BatchSummary): string {
  const esc = escapeTerminal
  const lines = [
    `${s.tasks} tasks: ${s.succeeded} succeeded, ${s.failed} failed` +
      (s.missing?.length ? `, ${s.missing.length} missing` : ""),
    `tokens: ${s.usage.inputTokens} in, ${s.usage.outputTokens} out; ${s.turns} turns, ${s.toolCalls} tool calls`,
    `duration per task: mean ${ms(s.durationMs.mean)}, p50 ${ms(s.durationMs.p50)}, p95 ${ms(s.durationMs.p95)}, max ${ms(s.durationMs.max)} (total ${ms(s.durationMs.total)})`,
  ]
  for (const f of s.failures)
    lines.push(
      `failed ${esc(f.id)}: ${f.exitReason} (exit ${f.exitCode})${f.error ? `: ${esc(oneLine(f.error))}` : ""}`,
    )
  for (const id of s.missing ?? []) lines.push(`missing ${esc(id)}: no report in any file`)
  if (s.duplicates.length > 0)
    lines.push(`reported more than once (the last report counts): ${s.duplicates.map(esc).join(", ")}`)
  if (s.tornLines > 0) lines.push(`skipped ${s.tornLines} torn last line(s)`)
  return lines.join("\n")
}

function durations(list: number[]): BatchSummary["durationMs"] {
  if (list.length === 0) return { total: 0, mean: 0, p50: 0, p95: 0, max: 0 }
  const sorted = [...list].sort((a, b) => a - b)
  const total = sorted.reduce((a, b) => a + b, 0)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!
  return {
    total,
    mean: Math.round(total / sorted.length),
    p50: at(0.5),
    p95: at(0.95),
    max: sorted.at(-1)!,
  }
}

function ms(n: number): string {
  return n >= 10_000 ? `${(n / 1000).toFixed(1)}s` : `${n}ms`
}

function oneLine(s: string): string {
  const first = s.split("\n")[0]!
  return first.length > 200 ? `${first.slice(0, 200)}…` : first
}
