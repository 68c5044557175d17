// The only writer to stdout (CONTRIBUTING.md "Code style"). With --output json a command prints exactly one
// JSON document; everything else (logs, progress, prompts) goes to stderr.
import { runSecrets } from "../../util/secrets.ts"
import { escapeJsonText, escapeTerminal } from "../../util/text.ts"

export type OutputFormat = "text" | "json"

// Whether this process has written to stdout: a command that fails after printing its document
// gets no second one (runCli adds a JSON error document only to an empty stdout).
const stdout = { hasWritten: false }

// The last write's completion: Bun's process.stdout.write("", cb) calls back before earlier
// large writes have reached a slow pipe, so exiting after it cut a 5 MB result at 64 KB.
let lastWrite: Promise<void> = Promise.resolve()

function write(chunk: string): void {
  stdout.hasWritten ||= chunk.length > 0
  lastWrite = new Promise((resolve) => process.stdout.write(chunk, () => resolve()))
}

/** Resolves once everything written to stdout so far has been handed to the OS (main.ts awaits it before exiting). */
export function stdoutWritten(): Promise<void> {
  return lastWrite
}

/** The daemon runs many commands in one process: each starts with nothing written. */
export function resetWrittenStdout(): void {
  stdout.hasWritten = false
}

export function hasWrittenStdout(): boolean {
  return stdout.hasWritten
}

/** P03: string values are redacted before serialising, so the document stays valid JSON. */
export function printJson(doc: unknown): void {
  // P10: invisible code points as \u escapes: the same JSON value, but a person sees them.
  write(`${escapeJsonText(JSON.stringify(doc, runSecrets.replacer, 2))}\n`)
}

/**
 * `--output json` asked for on this command line (`--output json`, `--output=json`, `-o json`,
 * `-o=json`, `-ojson`), before any `--`: then even a failure prints one JSON document.
 */
export function isJsonRequested(argv: string[]): boolean {
  const end = argv.indexOf("--")
  const args = end < 0 ? argv : argv.slice(0, end)
  return args.some(
    (a, i) =>
      ((a === "--output" || a === "-o") && args[i + 1] === "json") ||
      a === "--output=json" ||
      a === "-o=json" ||
      a === "-ojson",
  )
}

/** The document a failed `--output json` command prints: the error, its exit code and the hint. */
export function errorDocument(e: { code: string; exitCode: number; message: string; hint?: string }) {
  return {
    error: {
      code: e.code,
      exitCode: e.exitCode,
      message: e.message,
      ...(e.hint !== undefined && { hint: e.hint }),
    },
  }
}

/** Text for people; escapes control characters so config or server text cannot drive the terminal. */
export function printText(text: string): void {
  write(`${escapeTerminal(text).replace(/\\x0a/g, "\n")}\n`)
}

/** Already-safe text (built from escaped parts), printed as is. */
export function printRaw(text: string): void {
  write(text.endsWith("\n") ? text : `${text}\n`)
}

/** Columns padded to their widest cell; cells are escaped. */
export function printTable(rows: string[][], header?: string[]): void {
  const all = (header ? [header, ...rows] : rows).map((r) => r.map(escapeTerminal))
  const widths: number[] = []
  for (const r of all) {
    r.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, c.length)
    })
  }
  const lines = all.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd(),
  )
  write(`${lines.join("\n")}\n`)
}

/** A chunk as is (streamed model text, stream-json lines); the caller made it terminal-safe. */
export function writeStdout(chunk: string): void {
  write(chunk)
}
