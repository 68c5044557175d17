import { createConsola, type ConsolaInstance } from "consola"

// Logs, progress and prompts go to stderr; stdout belongs to results (cli/output.ts).
// Levels: 0 error, 1 warn, 3 info, 4 debug. --debug → 4, --quiet → 1.
export function createLog(level = 3): ConsolaInstance {
  return createConsola({
    level,
    stdout: process.stderr,
    stderr: process.stderr,
    formatOptions: { date: false, compact: true },
  })
}

export type Log = ConsolaInstance
