// A model of how Windows hands a `cmd.exe /d /s /c "…"` line to the program a batch shim starts,
// for tests/mcp/windows-spawn.test.ts (S10): cmd.exe's percent expansion and caret/quote/operator
// parse (https://ss64.com/nt/syntax-esc.html, qntm.org/cmd), the shim's `%*` re-parse, and the
// C runtime's argv split (Microsoft's "Parsing C command-line arguments"). An unescaped operator
// at either cmd.exe parse is an injection and throws.

export class InjectionError extends Error {}

/** Phase 1 on the command line: `%NAME%` of a defined variable is replaced; an undefined one stays as written. */
function expandPercent(line: string, env: Record<string, string>): string {
  const upper = new Map(Object.entries(env).map(([k, v]) => [k.toUpperCase(), v]))
  return line.replace(/%([^%]+)%/g, (whole, name: string) => upper.get(name.toUpperCase()) ?? whole)
}

/**
 * Phase 2, then the program token: carets outside quotes escape the next character (an escaped
 * space stays inside the token); an unescaped `& | < > ( )` outside quotes is an operator.
 */
function parseLine(line: string, where: string): { program: string; rest: string } {
  let program = ""
  let rest = ""
  let isProgram = true
  let isQuoted = false
  for (let i = 0; i < line.length; i++) {
    let ch = line[i]!
    let isEscaped = false
    if (!isQuoted && ch === "^") {
      ch = line[++i] ?? ""
      isEscaped = true
    } else if (ch === '"') isQuoted = !isQuoted
    else if (!isQuoted && "&|<>()".includes(ch))
      throw new InjectionError(`cmd.exe (${where}) sees an operator "${ch}" at ${i}: ${line}`)
    if (isProgram && !isQuoted && !isEscaped && ch === " ") {
      isProgram = false
      continue
    }
    if (!isProgram) rest += ch
    else if (isEscaped || ch !== '"') program += ch
  }
  return { program, rest }
}

/** The C runtime's split of a command line (after the program name) into argv. */
export function crtArgv(tail: string): string[] {
  const args: string[] = []
  let cur = ""
  let hasArg = false
  let isQuoted = false
  for (let i = 0; i < tail.length; ) {
    const ch = tail[i]!
    if (ch === "\\") {
      let n = 0
      while (tail[i] === "\\") {
        n++
        i++
      }
      if (tail[i] === '"') {
        cur += "\\".repeat(n >> 1)
        hasArg = true
        if (n % 2) {
          cur += '"'
          i++
        }
      } else {
        cur += "\\".repeat(n)
        hasArg = true
      }
      continue
    }
    if (ch === '"') {
      hasArg = true
      if (isQuoted && tail[i + 1] === '"') {
        cur += '"' // "" inside quotes: a literal quote
        i += 2
        continue
      }
      isQuoted = !isQuoted
      i++
      continue
    }
    if (!isQuoted && (ch === " " || ch === "\t")) {
      if (hasArg) args.push(cur)
      cur = ""
      hasArg = false
      i++
      continue
    }
    cur += ch
    hasArg = true
    i++
  }
  if (hasArg) args.push(cur)
  return args
}

/**
 * What a shim like npx.cmd (`"node.exe" "npx-cli.js" %*`) passes to node when started as
 * `cmd.exe /d /s /c "<line>"`: the batch path cmd.exe runs, and the argv node's script sees.
 */
export function throughShim(cmdArgs: string[], env: Record<string, string>) {
  const [d, s, c, quoted] = cmdArgs
  if (d !== "/d" || s !== "/s" || c !== "/c" || !quoted?.startsWith('"') || !quoted.endsWith('"'))
    throw new Error(`not a cmd.exe /d /s /c line: ${cmdArgs.join(" ")}`)
  // /s: the first and last quote go; the rest is parsed as typed at the prompt.
  const { program, rest } = parseLine(expandPercent(quoted.slice(1, -1), env), "outer line")
  // Inside the shim, %* is replaced by the argument text as that parse left it (carets consumed,
  // not expanded again), and the line is parsed anew: hence the doubled carets.
  const inner = parseLine(`"node.exe" "npx-cli.js" ${rest}`, "the shim's %* line")
  return { batch: program, args: crtArgv(inner.rest).slice(1) }
}
