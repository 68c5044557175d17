import { loadConfig, type Config } from "../../config/index.ts"
import { UsageError } from "../../util/errors.ts"
import { escapeTerminal } from "../../util/text.ts"
import { didYouMean } from "../../util/suggest.ts"
import { createLog, type Log } from "../../util/log.ts"
import { resolvePaths, type Paths } from "../../util/paths.ts"
import type { OutputFormat } from "./output.ts"
import { warmRequest } from "./warm.ts"
import { policyFor } from "./policy.ts"

export interface Ctx {
  log: Log
  paths: Paths
  cwd: string
  env: Record<string, string | undefined>
  /** A person can answer prompts: stdin and stderr are terminals and --no-interactive is absent. */
  isInteractive: boolean
  debug: boolean
  output: OutputFormat
}

interface CommonParsed {
  debug?: boolean
  quiet?: boolean
  verbose?: boolean
  output?: string
  interactive?: boolean
}

export function createContext(args: CommonParsed): Ctx {
  const output = args.output ?? "text"
  if (output !== "text" && output !== "json") {
    throw new UsageError(`--output must be "text" or "json", got "${output}"`)
  }
  // Inside the daemon the caller's directory, environment and terminal stand in for this process's.
  const warm = warmRequest()
  const env = warm?.env ?? process.env
  // stderr first: the first use of process.stdin builds its stream (~4 ms of CPU in the compiled
  // binary, before a cold run's first request), which a run whose stderr is no terminal (CI,
  // pipes, the bench) then never pays. process.stderr is built anyway (the redaction guard).
  const isTty = warm
    ? warm.tty.stdin && warm.tty.stderr
    : Boolean(process.stderr.isTTY && process.stdin.isTTY)
  return {
    // -q leaves only errors (progress and warnings included: CI logs stay clean); -v adds debug lines.
    log: createLog(args.debug || (args.verbose && !args.quiet) ? 4 : args.quiet ? 0 : 3),
    paths: resolvePaths(env),
    cwd: warm?.cwd ?? process.cwd(),
    env,
    isInteractive: isTty && args.interactive !== false,
    debug: Boolean(args.debug),
    output,
  }
}

/**
 * Values of a repeatable flag (`--mcp a --mcp b`, `--mcp=a`), up to a `--` separator.
 * citty keeps only the last occurrence, so repeatable flags are read from the raw argv.
 */
/**
 * `--approve-env VAR` and `--approve-env SERVER:VAR` (C10). A SERVER that is not in the loaded
 * config is a usage error with a did-you-mean: a misspelt name would otherwise approve nothing,
 * silently, and the run would stop later at an approval the user thought they gave.
 */
export function runApprovals(rawArgs: string[], serverNames: string[]): string[] {
  const values = repeated(rawArgs, "approve-env")
  for (const v of values) {
    const i = v.indexOf(":")
    if (i < 0) continue
    const server = v.slice(0, i)
    if (serverNames.includes(server)) continue
    throw new UsageError(
      `--approve-env ${escapeTerminal(v)}: no server "${escapeTerminal(server)}" in the loaded config${escapeTerminal(didYouMean(server, serverNames))}`,
      {
        hint: `servers: ${serverNames.join(", ") || "none"}; --approve-env ${escapeTerminal(v.slice(i + 1))} approves it for every server of this run`,
      },
    )
  }
  return values
}

export function repeated(rawArgs: string[], name: string): string[] {
  const out: string[] = []
  for (let i = 0; i < rawArgs.length; i++) {
    const a = rawArgs[i] as string
    if (a === "--") break
    if (a === `--${name}`) {
      const next = rawArgs[i + 1]
      if (next === undefined || next.startsWith("--")) throw new UsageError(`--${name} needs a value`)
      out.push(next)
      i++
    } else if (a.startsWith(`--${name}=`)) out.push(a.slice(name.length + 3))
  }
  return out
}

/** `--arg KEY=VALUE` values (repeatable) as an object, each value read by parse. */
export function keyValues(rawArgs: string[], parse: (raw: string) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const item of repeated(rawArgs, "arg")) {
    const i = item.indexOf("=")
    const key = i > 0 ? item.slice(0, i) : ""
    if (!key)
      throw new UsageError(`--arg expects KEY=VALUE, got "${escapeTerminal(item.slice(0, 40))}"`, {
        hint: "for example --arg text=hello --arg count=3",
      })
    if (key === "__proto__") throw new UsageError('--arg name "__proto__" is reserved')
    out[key] = parse(item.slice(i + 1))
  }
  return out
}

/** Everything after the first `--` (a command and its arguments). */
export function afterDashDash(rawArgs: string[]): string[] | undefined {
  const i = rawArgs.indexOf("--")
  return i < 0 ? undefined : rawArgs.slice(i + 1)
}

/** Which config files the flags name: every `--mcp FILE`, and with `--mcp-only` nothing else. */
export function configFiles(rawArgs: string[]): { files: string[]; only: boolean } {
  const files = repeated(rawArgs, "mcp")
  const before = afterDashDash(rawArgs) === undefined ? rawArgs : rawArgs.slice(0, rawArgs.indexOf("--"))
  const only = before.some((a) => a === "--mcp-only" || a === "--strict-mcp-config")
  if (only && files.length === 0) {
    throw new UsageError("--mcp-only reads only the --mcp files, and none is given", {
      hint: "add --mcp FILE, e.g. --mcp-only --mcp mcp.json",
    })
  }
  return { files, only }
}

/** Loads user + project + every `--mcp FILE` (only those with --mcp-only) and logs the warnings once. */
export function loadFromArgs(ctx: Ctx, rawArgs: string[]): Config {
  // docs/policy.md: read before the config, so a broken policy file stops the command first.
  // Never from the daemon's parse cache: a changed policy applies to the next command.
  const policy = policyFor(ctx)
  const cache = warmRequest()?.parseCache
  const config = {
    ...loadConfig({
      paths: ctx.paths,
      cwd: ctx.cwd,
      ...configFiles(rawArgs),
      ...(cache && { cache }),
    }),
    policy,
  }
  for (const w of config.warnings) ctx.log.warn(`${w.file}: ${w.message}`)
  return config
}
