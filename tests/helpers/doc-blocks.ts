// Reads the code blocks of README.md and docs/, and finds the `agent …` commands in their shell
// blocks, so tests can run or check every command a reader may copy.
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

export interface DocBlock {
  file: string
  /** 1-based line of the opening fence. */
  line: number
  lang: string
  body: string
}

/** README.md and every docs/**\/*.md, as paths relative to root. */
export function docPages(root: string): string[] {
  const out = ["README.md"]
  const walk = (dir: string) => {
    for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
      if (e.isDirectory()) walk(`${dir}/${e.name}`)
      else if (e.name.endsWith(".md")) out.push(`${dir}/${e.name}`)
    }
  }
  walk("docs")
  return out
}

export function codeBlocks(file: string, text: string): DocBlock[] {
  const blocks: DocBlock[] = []
  for (const m of text.matchAll(/^```(\w*)\n([\s\S]*?)^```/gm)) {
    blocks.push({ file, line: text.slice(0, m.index).split("\n").length, lang: m[1]!, body: m[2]! })
  }
  return blocks
}

/** A block's commands: `\` continuations joined, comment lines and trailing `# …` comments dropped. */
export function shellLines(body: string): string[] {
  return body
    .replaceAll(/\\\n\s*/g, " ")
    .split("\n")
    .map((l) => stripComment(l).trim())
    .filter((l) => l !== "")
}

function stripComment(line: string): string {
  let quote = ""
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (quote) {
      if (c === quote) quote = ""
    } else if (c === "'" || c === '"') quote = c
    else if (c === "#" && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i)
  }
  return line
}

/** Shell words (quotes removed, `$(…)` kept whole) and the operators | || && & ; > >> as their own tokens. */
export function shellWords(line: string): string[] {
  const words: string[] = []
  let word: string | undefined
  let i = 0
  const push = () => {
    if (word !== undefined) words.push(word)
    word = undefined
  }
  while (i < line.length) {
    const c = line[i]!
    if (/\s/.test(c)) {
      push()
      i++
    } else if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1)
      if (end < 0) throw new Error(`unclosed ${c} in: ${line}`)
      word = (word ?? "") + line.slice(i + 1, end)
      i = end + 1
    } else if (c === "$" && line[i + 1] === "(") {
      const end = line.indexOf(")", i)
      word = (word ?? "") + line.slice(i, end + 1)
      i = end + 1
    } else if (/[|&;>]/.test(c)) {
      push()
      const op = /^(\|\||&&|\||;|>>?|&)/.exec(line.slice(i))![1]!
      words.push(op)
      i += op.length
    } else {
      word = (word ?? "") + c
      i++
    }
  }
  push()
  return words
}

const OPERATORS = new Set(["|", "||", "&&", ";", ">", ">>", "&"])
/** How the docs spell the binary: installed, built, or from source. */
const AGENT = [["agent"], ["dist/agent"], ["npm", "run", "agent", "--"]]

export interface AgentCommand {
  /** Leading VAR=value assignments of the shell line. */
  env: Record<string, string>
  /** The arguments after `agent`. */
  args: string[]
}

/** Every `agent …` invocation in a shell line (one per pipeline stage that runs agent). */
export function agentCommands(line: string): AgentCommand[] {
  const out: AgentCommand[] = []
  let stage: string[] = []
  const flush = () => {
    const env: Record<string, string> = {}
    let i = 0
    for (; i < stage.length && /^[A-Za-z_]\w*=/.test(stage[i]!); i++) {
      const eq = stage[i]!.indexOf("=")
      env[stage[i]!.slice(0, eq)] = stage[i]!.slice(eq + 1)
    }
    const rest = stage.slice(i)
    const spelling = AGENT.find((a) => a.every((w, j) => rest[j] === w))
    if (spelling) out.push({ env, args: rest.slice(spelling.length) })
    stage = []
  }
  const words = shellWords(line)
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!
    if (OPERATORS.has(w)) {
      flush()
      if (w === ">" || w === ">>") i++ // the redirect's target is no command
    } else stage.push(w)
  }
  flush()
  return out
}

/** The command path of an invocation: `run`, `install`, or a group and its subcommand (`mcp call`). */
export function commandPath(args: string[]): string[] {
  const [first, second, third] = args
  if (first === undefined || first.startsWith("-")) return []
  // `agent mcp task get|wait|result|cancel`: the one group three words deep.
  if (first === "mcp" && second === "task" && third !== undefined && !third.startsWith("-"))
    return [first, second, third]
  if (
    ["mcp", "config", "env", "daemon", "report"].includes(first) &&
    second !== undefined &&
    !second.startsWith("-")
  )
    return [first, second]
  return [first]
}

/** The flags an invocation uses, up to a `--` (what follows is a server's command line). */
export function flagsOf(args: string[]): string[] {
  const end = args.indexOf("--")
  return (end < 0 ? args : args.slice(0, end))
    .filter((a) => /^--?[A-Za-z]/.test(a))
    .map((a) => a.split("=")[0]!)
}

export function readPage(root: string, file: string): string {
  return readFileSync(join(root, file), "utf8")
}
