// The results file of a batch (docs/runs.md "Batch runs"): one RunReport plus the task's `id` per
// line, appended as each task finishes. Each line is one write(2) on an O_APPEND descriptor,
// then fsync: a SIGKILL between tasks loses nothing and leaves no half line, and concurrent
// tasks' lines never interleave. A torn last line (power loss, a full disk) is tolerated: read
// skips it and --resume cuts it off before appending, so the task simply runs again.
import { closeSync, fsyncSync, openSync, readFileSync, truncateSync, writeSync } from "node:fs"
import { ConfigError } from "../util/errors.ts"
import type { RunReport } from "./events.ts"

export type TaskReport = RunReport & { id: string }

export interface ResultsFile {
  append(report: TaskReport): void
  close(): void
}

/** `serialize` turns a report into its line's JSON (the CLI redacts secrets there). */
export function openResults(
  path: string,
  serialize: (r: TaskReport) => string = JSON.stringify,
): ResultsFile {
  let fd: number
  try {
    fd = openSync(path, "a", 0o644)
  } catch (e: unknown) {
    throw new ConfigError(`cannot open the results file ${path}`, { cause: e, file: path })
  }
  return {
    append(report) {
      // One buffer, one write: O_APPEND makes the offset and the write a single step.
      writeSync(fd, Buffer.from(`${serialize(report)}\n`))
      fsyncSync(fd)
    },
    close: () => closeSync(fd),
  }
}

export interface ReadResults {
  reports: TaskReport[]
  /** Bytes of complete lines; less than the file's size when its last line is torn. */
  completeBytes: number
  isTorn: boolean
}

/** Parses a results file; a bad line other than a torn last one is a ConfigError naming it. */
export function parseResults(text: string, file: string): ReadResults {
  const reports: TaskReport[] = []
  const end = text.lastIndexOf("\n") + 1
  const lines = text.slice(0, end).split("\n")
  for (const [i, line] of lines.entries()) {
    if (line.trim() === "") continue
    let doc: unknown
    try {
      doc = JSON.parse(line)
    } catch {
      throw new ConfigError(`${file}:${i + 1}: not a JSON line`, { file })
    }
    if (!isTaskReport(doc))
      throw new ConfigError(`${file}:${i + 1}: not a task report (an object with "id" and "exitCode")`, {
        file,
      })
    reports.push(doc)
  }
  const tail = text.slice(end)
  return { reports, completeBytes: Buffer.byteLength(text.slice(0, end)), isTorn: tail.trim() !== "" }
}

/** The reports already in `path` (none when it does not exist); cuts a torn last line off. */
export function resumeResults(path: string): TaskReport[] {
  let text: string
  try {
    text = readFileSync(path, "utf8")
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return []
    throw new ConfigError(`cannot read the results file ${path}`, { cause: e, file: path })
  }
  const read = parseResults(text, path)
  if (Buffer.byteLength(text) !== read.completeBytes) truncateSync(path, read.completeBytes)
  return read.reports
}

function isTaskReport(doc: unknown): doc is TaskReport {
  if (typeof doc !== "object" || doc === null) return false
  const d = doc as Record<string, unknown>
  return typeof d.id === "string" && typeof d.exitCode === "number"
}
