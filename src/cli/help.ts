import type { ArgDef, ArgsDef } from "citty"
import { blockOf, type Command } from "./command.ts"
import { aliasesOf, argsOf, choicesOf, commandName } from "./strict.ts"

// Our own --help: citty's renderUsage pads every column to the longest line (200 columns with
// our descriptions), lists shared flags among a command's own, prints booleans' `--no-` forms
// as odd extra lines and names a subcommand twice ("agent mcp list list"). This one wraps at
// 80 columns: what the command does, usage, its own flags, then each shared block.

const WIDTH = 80
/** Where descriptions start; a longer flag puts its description on the next line. */
const COLUMN = 26

export async function renderHelp(cmd: Command, path: string[], version?: string): Promise<string> {
  const name = commandName(path)
  const meta = cmd.meta as { description?: string }
  const out: string[] = []
  const title = version === undefined ? name : `${name} ${version}`
  out.push(...wrap(`${title}: ${meta.description ?? ""}`, WIDTH, ""), "")

  const args = argsOf(cmd)
  const subs = cmd.subCommands as Record<string, () => Promise<Command>> | undefined
  out.push(...wrap(`Usage: ${name} ${usageLine(args, Boolean(subs))}`, WIDTH, "  "), "")

  if (subs) {
    const rows: [string, string][] = []
    for (const [sub, load] of Object.entries(subs))
      rows.push([sub, ((await load()).meta as { description?: string }).description ?? ""])
    out.push(
      "Commands:",
      ...table(rows, columnFor(rows)),
      "",
      `Run \`${name} COMMAND --help\` for a command's options.`,
      "",
    )
  }

  // The command's own flags first, then each shared block, the global flags last.
  const groups = new Map<string, [string, string][]>([
    ["Arguments", []],
    ["Options", []],
  ])
  for (const [flag, def] of Object.entries(args)) {
    if (def.type === "positional") {
      groups.get("Arguments")!.push([positionalName(flag, def), def.description ?? ""])
      continue
    }
    const block = blockOf(def) ?? "Options"
    if (!groups.has(block)) groups.set(block, [])
    groups.get(block)!.push(flagRow(flag, def))
  }
  const global = groups.get("Global options") ?? []
  groups.delete("Global options")
  groups.set("Global options", [...global, ["-h, --help", "Show this help"]])
  const column = columnFor([...groups.values()].flat())
  for (const [block, rows] of groups) if (rows.length) out.push(`${block}:`, ...table(rows, column), "")

  const examples = (cmd as Command).examples ?? []
  // A comment line (exit codes, JSON shapes) wraps like prose; commands are shown as written.
  // An authored continuation ("#   …") joins the comment before it, then the whole wraps again.
  const folded: string[] = []
  for (const e of examples) {
    if (e.startsWith("#   ") && folded.at(-1)?.startsWith("#")) folded[folded.length - 1] += ` ${e.slice(4)}`
    else folded.push(e)
  }
  const exampleLines = folded.flatMap((e) =>
    e.startsWith("#") ? wrap(e, WIDTH - 2, "#   ") : exampleCommand(e),
  )
  if (exampleLines.length) out.push("Examples:", ...exampleLines.map((e) => `  ${e}`), "")
  return out.join("\n").trimEnd()
}

function usageLine(args: ArgsDef, isGroup: boolean): string {
  if (isGroup) return "COMMAND [options]"
  const parts = ["[options]"]
  for (const [name, def] of Object.entries(args)) {
    if (def.type !== "positional") continue
    const label = positionalName(name, def)
    parts.push(def.required === true ? label : `[${label}]`)
  }
  // Commands that talk to servers take an ad hoc one after `--`, like `agent mcp add`.
  if (Object.values(args).some((d) => blockOf(d) === "Connection options") || "cwd" in args)
    parts.push("[-- COMMAND ARGS…]")
  return parts.join(" ")
}

function positionalName(name: string, def: ArgDef): string {
  return def.valueHint ?? name.toUpperCase()
}

function flagRow(name: string, def: ArgDef): [string, string] {
  const short = aliasesOf(def)
    .filter((a) => a.length === 1)
    .map((a) => `-${a}, `)
    .join("")
  if (def.type === "boolean") {
    // A flag that only matters switched off (`--no-interactive`) is shown that way only.
    if (!def.description && def.negativeDescription) return [`--no-${name}`, def.negativeDescription]
    return [`${short}--${name}`, def.description ?? ""]
  }
  const value =
    choicesOf(def)?.join("|") ??
    (def.type === "string" || def.type === "enum" ? (def.valueHint ?? "VALUE") : "")
  const description = def.description ?? ""
  const dflt =
    def.default !== undefined && !/default/i.test(description) ? ` (default: ${String(def.default)})` : ""
  return [`${short}--${name} ${value}`, `${description}${dflt}`]
}

/** As narrow as the names allow (a list of commands), at most COLUMN (flags with values). */
function columnFor(rows: [string, string][]): number {
  return Math.min(COLUMN, Math.max(0, ...rows.map(([l]) => l.length + 4)) + 2)
}

function table(rows: [string, string][], column: number): string[] {
  const lines: string[] = []
  for (const [left, right] of rows) {
    const head = `  ${left}`
    const body = wrap(right, WIDTH - column, "")
    if (head.length + 2 > column) lines.push(head)
    else lines.push(`${head.padEnd(column)}${body.shift() ?? ""}`.trimEnd())
    for (const line of body) lines.push(`${" ".repeat(column)}${line}`)
  }
  return lines
}

/**
 * A long example command is continued with ` \` between shell words (never inside quotes), so
 * it still runs when pasted; a trailing `# comment` that does not fit goes on the line above.
 */
function exampleCommand(example: string): string[] {
  const words = shellWords(example)
  const hash = words.findIndex((w) => w.startsWith("#"))
  const comment = hash < 0 ? undefined : words.slice(hash).join(" ")
  const command = hash < 0 ? words : words.slice(0, hash)
  if (example.length <= WIDTH - 2) return [example]
  const lines: string[] = comment === undefined ? [] : [comment]
  let line = ""
  for (const word of command) {
    const next = line ? `${line} ${word}` : word
    if (next.length > WIDTH - 4 && line) {
      lines.push(`${line} \\`)
      line = `    ${word}`
    } else line = next
  }
  lines.push(line)
  return lines
}

/** Splits at spaces outside single and double quotes; the words keep their quotes. */
function shellWords(s: string): string[] {
  const words: string[] = []
  let word = ""
  let quote: string | undefined
  for (const c of s) {
    if (quote) {
      if (c === quote) quote = undefined
    } else if (c === "'" || c === '"') quote = c
    else if (c === " ") {
      if (word) words.push(word)
      word = ""
      continue
    }
    word += c
  }
  if (word) words.push(word)
  return words
}

/** Greedy word wrap; a word longer than the width gets a line of its own. */
export function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = []
  let line = ""
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word
    if (next.length > width && line) {
      lines.push(line)
      line = `${indent}${word}`
    } else line = next
  }
  if (line) lines.push(line)
  return lines
}
