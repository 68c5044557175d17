import type { ArgDef, ArgsDef, CommandDef, CommandContext, SubCommandsDef } from "citty"

// Every command carries real examples; `agent <cmd> --help` prints them after the usage.
// biome-ignore lint/suspicious/noExplicitAny: citty's CommandDef is invariant in its args, and one list holds commands with different args
export type Command = CommandDef<any> & { examples?: string[] }

export interface CommandSpec<T extends ArgsDef> {
  name: string
  description: string
  args?: T
  examples?: string[]
  subCommands?: Record<string, () => Promise<Command>>
  /** Returns the exit code (undefined = 0). */
  run?: (ctx: CommandContext<T>) => Promise<number | void> | number | void
}

export function command<const T extends ArgsDef>(spec: CommandSpec<T>): Command {
  return {
    meta: { name: spec.name, description: spec.description },
    args: spec.args,
    examples: spec.examples,
    subCommands: spec.subCommands as SubCommandsDef | undefined,
    // citty drops a subcommand's return value, so the exit code travels in process.exitCode;
    // runCli reads it back and main.ts is still the only place that exits.
    run:
      spec.run &&
      (async (ctx) => {
        const code = await spec.run!({ ...ctx, args: plainArgs(ctx.args) } as CommandContext<T>)
        if (typeof code === "number") process.exitCode = code
        return code
      }),
  }
}

/**
 * citty's parsed args are a Proxy whose every miss (a flag not given, which is most reads) runs
 * scule's camelCase and kebabCase on the name: ~10 µs a read, ~0.2 ms a command. The parser has
 * already stored each flag under its name and every alias (camelCase and kebab-case included),
 * so a plain copy of what it stored answers every read the same, misses with undefined at once.
 */
function plainArgs(parsed: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(parsed)) out[key] = parsed[key]
  return out
}

// Which shared block a flag belongs to, for --help: a command's own flags come first, then
// each block (connection flags, global flags) under its title. Keyed by the definition object,
// which a spread (`...connectArgs`) keeps, so no command has to list its blocks.
const blocks = new WeakMap<object, string>()

/** Flags shared by several commands; the first block that names a flag keeps it. */
export function sharedArgs<const T extends ArgsDef>(title: string, args: T): T {
  for (const def of Object.values(args)) if (!blocks.has(def)) blocks.set(def, title)
  return args
}

export function blockOf(def: ArgDef): string | undefined {
  return blocks.get(def)
}

/**
 * Flags every command accepts, in any position (`agent -q mcp list`); strict.ts hands them on.
 * Strictness (strict.ts) also reads each command's args: an undeclared flag is an error, and a
 * value flag whose valueHint lists words (`text|json`) accepts only those words.
 */
export const commonArgs = sharedArgs("Global options", {
  quiet: {
    type: "boolean",
    alias: "q",
    description: "Print only errors on stderr: no progress, hints or warnings",
  },
  verbose: {
    type: "boolean",
    alias: "v",
    description: "Print more detail on stderr (the servers' log messages, full tool results)",
  },
  debug: { type: "boolean", description: "Log debug details and print stack traces on errors" },
} as const)

export const outputArg = {
  output: {
    type: "string",
    alias: "o",
    valueHint: "text|json",
    description: "Output format: text for people, json for one JSON document on stdout",
    default: "text",
  },
} as const

export const mcpArg = {
  mcp: {
    type: "string",
    valueHint: "FILE",
    description: "Also load this config file (repeatable; later files win by server name)",
  },
  // Claude Code calls it --strict-mcp-config; accepting that spelling lets its commands work here.
  "mcp-only": {
    type: "boolean",
    alias: "strict-mcp-config",
    description: "Read only the --mcp files: no user or project config (alias --strict-mcp-config)",
  },
} as const
