import type { ConsolaInstance, ConsolaReporter } from "consola"
import { redactTokens } from "./secrets.ts"
import { escapeTerminal } from "./text.ts"

// Logs, progress and prompts go to stderr; stdout belongs to results (cli/shared/output.ts).
// Levels: 0 error, 1 warn, 3 info, 4 debug. --debug and --verbose → 4, --quiet → 0.
//
// consola itself loads on the first message that is actually printed: its entry costs ~5 ms of
// start-up (node:tty for colours, an Intl.Segmenter for string-width), and most runs print
// nothing at their level. Below the level a call is dropped here, exactly where consola would
// drop it (before its throttling), so what reaches stderr is unchanged.
//
// P05: every message is escaped before consola sees it (its own colours come after), so a
// server's stderr line, a stack or a server-supplied error text under --debug cannot drive the
// terminal. Values this run resolved are redacted by the stderr guard (cli/shared/redact-streams.ts).

/** consola's level for each method we use (its LogTypes). */
const LEVELS = { error: 0, warn: 1, log: 2, info: 3, success: 3, debug: 4 } as const
type Method = keyof typeof LEVELS
type LogFn = (message?: unknown, ...args: unknown[]) => void

export type Log = { readonly level: number; withTag(tag: string): Log } & Record<Method, LogFn>

/**
 * node:util on first use: importing it (or a named export) loads its inspect module, ~5 ms of
 * start-up that every command paid before printing anything (docs/performance.md, 2026-12-06).
 */
export function nodeUtil(): typeof import("node:util") {
  return require("node:util") as typeof import("node:util")
}

/** Loaded synchronously (Bun's require of an ES module), so messages keep their order. */
function load(): typeof import("consola") {
  return require("consola") as typeof import("consola")
}

class LazyLog implements Log {
  private real?: ConsolaInstance

  constructor(
    readonly level: number,
    private readonly make: () => ConsolaInstance,
  ) {}

  private consola(): ConsolaInstance {
    return (this.real ??= this.make())
  }

  withTag(tag: string): Log {
    return new LazyLog(this.level, () => this.consola().withTag(tag))
  }

  private emit(method: Method, args: unknown[]): void {
    if (LEVELS[method] > this.level) return
    ;(this.consola()[method] as (...a: unknown[]) => void)(...args.map((a) => safeArg(a, method, this.level)))
  }

  error(...args: unknown[]) {
    this.emit("error", args)
  }
  warn(...args: unknown[]) {
    this.emit("warn", args)
  }
  log(...args: unknown[]) {
    this.emit("log", args)
  }
  info(...args: unknown[]) {
    this.emit("info", args)
  }
  success(...args: unknown[]) {
    this.emit("success", args)
  }
  debug(...args: unknown[]) {
    this.emit("debug", args)
  }
}

/**
 * Strings escaped; an Error becomes its escaped stack under --debug, its escaped message otherwise.
 * Debug messages also lose token-shaped values (O14: Authorization, code, refresh_token, … in
 * logged requests), including tokens agent never stored, such as a server's own.
 */
function safeArg(arg: unknown, method: Method, level: number): unknown {
  const text =
    typeof arg === "string"
      ? arg
      : arg instanceof Error
        ? (level >= 4 && arg.stack) || `${arg.name}: ${arg.message}`
        : undefined
  if (text === undefined) return arg
  return escapeTerminal(method === "debug" ? redactTokens(text) : text)
}

export function createLog(level = 3): Log {
  return new LazyLog(level, () =>
    load().createConsola({
      level,
      stdout: process.stderr,
      stderr: process.stderr,
      formatOptions: { date: false, compact: true },
      reporters: [plain],
    }),
  )
}

/**
 * One style with main.ts's `error: …` / `hint: …`: no badges or icons. Errors and warnings
 * say so in words, info lines are bare, debug lines keep their tag ([mcp:name]) for context.
 */
const plain: ConsolaReporter = {
  log(entry) {
    const text = nodeUtil().formatWithOptions({ colors: false, compact: true }, ...entry.args)
    const prefix =
      entry.level <= 0
        ? "error: "
        : entry.level === 1
          ? "warning: "
          : entry.level >= 4 && entry.tag
            ? `debug: [${escapeTerminal(entry.tag)}] `
            : entry.level >= 4
              ? "debug: "
              : ""
    process.stderr.write(`${prefix}${text}\n`)
  },
}
