// The only writer to stdout (CONTRIBUTING.md "Code style"). With --output json a command prints exactly one
// JSON document; everything else (logs, progress, prompts) goes to stderr.
import { runSecrets } from "../../util/secrets.ts"
import { escapeTerminal } from "../../util/text.ts"

export type OutputFormat = "text" | "json"

/** P03: string values are redacted before serialising, so the document stays valid JSON. */
export function printJson(doc: unknown): void {
  process.stdout.write(`${JSON.stringify(doc, runSecrets.replacer, 2)}\n`)
}

/** Text for people; escapes control characters so config or server text cannot drive the terminal. */
export function printText(text: string): void {
  process.stdout.write(`${escapeTerminal(text).replace(/\\x0a/g, "\n")}\n`)
}

/** Already-safe text (built from escaped parts), printed as is. */
export function printRaw(text: string): void {
  process.stdout.write(text.endsWith("\n") ? text : `${text}\n`)
}

/** Columns padded to their widest cell; cells are escaped. */
export function printTable(rows: string[][], header?: string[]): void {
  const all = (header ? [header, ...rows] : rows).map((r) => r.map(escapeTerminal))
  const widths: number[] = []
  for (const r of all) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)))
  const lines = all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ").trimEnd())
  process.stdout.write(`${lines.join("\n")}\n`)
}

/** A chunk as is (streamed model text, stream-json lines); the caller made it terminal-safe. */
export function writeStdout(chunk: string): void {
  process.stdout.write(chunk)
}
