import type { ArgDef, ArgsDef } from "citty"
import { UsageError } from "../util/errors.ts"
import { closest, didYouMean } from "../util/suggest.ts"
import { escapeTerminal } from "../util/text.ts"
import { commonArgs, type Command } from "./command.ts"

// Strict command lines, checked once for every command before citty parses them: citty ignores
// an unknown flag (`--ouptut json` ran as if absent, exit 0), so CI never saw the typo.
// The walk follows the command tree (loading only the groups on the path), checks each token
// against the args that command declares, and moves the shared flags (-q, -v, --debug) given
// before a subcommand to it, so `agent -q mcp list` is as quiet as `agent mcp list -q`.

export interface Invocation {
  /** The subcommand names: ["mcp", "list"]; [] for `agent` itself. */
  path: string[]
  cmd: Command
  /** What the command's own parser gets: its tokens, shared flags from earlier positions first. */
  rawArgs: string[]
  wantsHelp: boolean
  wantsVersion: boolean
}

interface Flag {
  name: string
  def: ArgDef
}

/** The args a command accepts: its own plus the shared ones every command takes. */
export function argsOf(cmd: Command): ArgsDef {
  return { ...commonArgs, ...((cmd.args ?? {}) as ArgsDef) }
}

export function commandName(path: string[]): string {
  return ["agent", ...path].join(" ")
}

export async function resolveInvocation(root: Command, argv: string[]): Promise<Invocation> {
  // `agent help mcp add` is `agent mcp add --help`.
  const tokens = argv[0] === "help" ? [...argv.slice(1), "--help"] : argv
  const path: string[] = []
  const hoisted: string[] = []
  let cmd = root
  let i = 0
  let wantsHelp = false // `agent mcp -h list` asks for list's help
  // --help anywhere wins over a bad flag: the user is asking how to fix the line.
  const problems: UsageError[] = []
  for (;;) {
    const subs = cmd.subCommands as Record<string, () => Promise<Command>> | undefined
    const scan = scanTokens(tokens, i, argsOf(cmd), path, Boolean(subs))
    wantsHelp ||= scan.wantsHelp
    problems.push(...scan.problems)
    if (!subs || scan.stop === undefined) {
      const rest = tokens.slice(i)
      if (!wantsHelp && problems[0]) throw problems[0]
      if (!subs && !wantsHelp) checkPositionals(cmd, path, scan.positionals)
      return { path, cmd, rawArgs: [...hoisted, ...rest], wantsHelp, wantsVersion: scan.wantsVersion }
    }
    hoisted.push(...scan.shared)
    const name = tokens[scan.stop] as string
    const load = Object.hasOwn(subs, name) ? subs[name] : undefined
    if (!load) {
      // `agent mcp --mcp f list`: the flag's error explains why "f" looked like a command.
      if (problems[0]) throw problems[0]
      throw new UsageError(
        `unknown command "${escapeTerminal(name)}" for ${commandName(path)}${didYouMean(name, Object.keys(subs))}`,
        {
          hint: `run \`${commandName(path)} --help\` to see the commands`,
        },
      )
    }
    cmd = await load()
    path.push(name)
    i = scan.stop + 1
  }
}

interface Scan {
  /** Index of the first positional (a group's subcommand name), if any. */
  stop?: number
  positionals: string[]
  /** Tokens of shared flags (with their values), to hand on to the subcommand. */
  shared: string[]
  problems: UsageError[]
  wantsHelp: boolean
  wantsVersion: boolean
}

/**
 * Checks the flags from `start` up to `--` (or, in a group, up to the subcommand's name).
 * Accepted: `--name`, `--name=value`, `--name value`, `--no-name` for booleans, `-a` aliases,
 * grouped short booleans (`-qy`) and a short string flag's value attached (`-ojson`).
 */
function scanTokens(tokens: string[], start: number, args: ArgsDef, path: string[], isGroup: boolean): Scan {
  const flags = flagTable(args)
  const scan: Scan = { positionals: [], shared: [], problems: [], wantsHelp: false, wantsVersion: false }
  const usage = {
    hint: isGroup
      ? `a command's options go after its name: ${commandName(path)} COMMAND [options] (see \`${commandName(path)} --help\`)`
      : `run \`${commandName(path)} --help\` to see its options`,
  }
  for (let i = start; i < tokens.length; i++) {
    try {
      const token = tokens[i] as string
      if (token === "--") break
      if (token === "--help" || token === "-h") {
        scan.wantsHelp = true
        continue
      }
      if (!token.startsWith("-") || token === "-") {
        if (isGroup) return { ...scan, stop: i }
        scan.positionals.push(token)
        continue
      }
      const start = i
      if (token.startsWith("--")) {
        const eq = token.indexOf("=")
        const name = token.slice(2, eq < 0 ? undefined : eq)
        const negated = name.startsWith("no-") ? flags.get(`--${name.slice(3)}`) : undefined
        const flag = flags.get(`--${name}`) ?? (negated?.def.type === "boolean" ? negated : undefined)
        if (!flag)
          throw new UsageError(
            `unknown option --${escapeTerminal(name)}${didYouMean(name, longNames(flags), (s) => `--${s}`)}`,
            usage,
          )
        if (flag.def.type === "boolean") {
          if (eq >= 0) throw new UsageError(`option --${name} takes no value`, usage)
        } else {
          const value = eq >= 0 ? token.slice(eq + 1) : takeValue(tokens, ++i, name)
          checkChoice(flag, value, usage.hint)
        }
        if (flag.name in commonArgs) scan.shared.push(...tokens.slice(start, i + 1))
        if (flag.name === "version" && path.length === 0) scan.wantsVersion = true
        continue
      }
      // One or more short flags: -q, -qy, -o json, -ojson.
      for (let k = 1; k < token.length; k++) {
        const c = token[k] as string
        const flag = flags.get(`-${c}`)
        if (!flag) throw new UsageError(`unknown option -${escapeTerminal(c)}`, usage)
        if (flag.def.type === "boolean") {
          if (flag.name in commonArgs) scan.shared.push(`-${c}`)
          if (flag.name === "version" && path.length === 0) scan.wantsVersion = true
          continue
        }
        const value = k + 1 < token.length ? token.slice(k + 1) : takeValue(tokens, ++i, flag.name)
        checkChoice(flag, value, usage.hint)
        break
      }
    } catch (e: unknown) {
      if (!(e instanceof UsageError)) throw e
      scan.problems.push(e) // reported unless --help comes later
    }
  }
  return scan
}

function flagTable(args: ArgsDef): Map<string, Flag> {
  const table = new Map<string, Flag>()
  for (const [name, def] of Object.entries(args)) {
    if (def.type === "positional") continue
    table.set(`--${name}`, { name, def })
    for (const a of aliasesOf(def)) table.set(a.length === 1 ? `-${a}` : `--${a}`, { name, def })
  }
  return table
}

export function aliasesOf(def: ArgDef): string[] {
  const alias = "alias" in def ? def.alias : undefined
  return alias === undefined ? [] : Array.isArray(alias) ? alias : [alias]
}

function longNames(flags: Map<string, Flag>): string[] {
  const names: string[] = []
  for (const [key, flag] of flags) {
    if (!key.startsWith("--")) continue
    names.push(key.slice(2))
    if (flag.def.type === "boolean") names.push(`no-${key.slice(2)}`)
  }
  return names
}

function takeValue(tokens: string[], i: number, name: string): string {
  const value = tokens[i]
  if (value === undefined || value === "--" || value.startsWith("--")) {
    throw new UsageError(`option --${name} needs a value`, { hint: `for example --${name}=VALUE` })
  }
  return value
}

/**
 * A value flag whose valueHint lists words (`text|json`) takes one of them: the hint the help
 * shows is the list that is enforced, so the two cannot disagree.
 */
export function choicesOf(def: ArgDef): string[] | undefined {
  if (def.type === "enum") return def.options
  if (def.type !== "string" || !def.valueHint || !CHOICES.test(def.valueHint)) return undefined
  return def.valueHint.split("|")
}
const CHOICES = /^[a-z][a-z-]*(\|[a-z][a-z-]*)+$/

function checkChoice(flag: Flag, value: string, hint: string): void {
  const options = choicesOf(flag.def)
  if (!options || options.includes(value)) return
  const near = closest(value, options)
  throw new UsageError(
    `--${flag.name} must be one of: ${options.join(", ")} (got "${escapeTerminal(value)}"${near ? `; did you mean ${near}?` : ""})`,
    { hint },
  )
}

/** A command that declares no positional arguments gets none (they were silently ignored). */
function checkPositionals(cmd: Command, path: string[], positionals: string[]): void {
  const declared = Object.values(argsOf(cmd)).some((d) => d.type === "positional")
  if (declared || positionals.length === 0) return
  throw new UsageError(
    `unexpected argument "${escapeTerminal(positionals[0] as string)}": ${commandName(path)} takes no arguments`,
    {
      hint: `run \`${commandName(path)} --help\` to see its options`,
    },
  )
}
