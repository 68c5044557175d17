import { win32 } from "node:path"
import { McpConnectError } from "../util/errors.ts"

// S10: starting a stdio server on Windows. `"command": "npx"` names npx.cmd, a batch file, and
// since CVE-2024-27980 (BatBadBut) Node refuses to spawn .cmd/.bat without a shell (Bun cannot
// run one without cmd.exe either). A shell is exactly what config text must never reach
// unescaped, so agent finds the file itself (PATH × PATHEXT) and, for a batch file, builds the
// one `cmd.exe /d /s /c "…"` line with cross-spawn's quoting rules (lib/util/escape.js, after
// https://qntm.org/cmd): each argument is quoted the way the program's C runtime splits it, then
// every cmd.exe metacharacter, the quotes included, gets a caret, so cmd.exe sees no quoted
// region and no operator; `%VAR%` survives because cmd leaves an undefined `%VAR^%` alone.
// Batch files get the carets twice, whatever their directory: a shim passes `%*` on to a second
// parse (npx.cmd runs `node npx-cli.js %*`), which would otherwise see the bare characters.
// cross-spawn doubles them only under node_modules\.bin; npx.cmd lives in the Node.js install dir.
// Pure: the platform's rules are applied here whatever the host is, so the tests run anywhere.

/** cmd.exe metacharacters cross-spawn escapes (its metaCharsRegExp), space and quote included. */
const META = /([()\][%!^"`<>&|;, *?])/g
const BATCH = /\.(?:cmd|bat)$/i
const DEFAULT_PATHEXT = ".COM;.EXE;.BAT;.CMD"

export interface WindowsSpawn {
  /** What to start: the resolved file, or cmd.exe for a batch file. */
  file: string
  args: string[]
  /** The command line is already quoted (cmd.exe's `/s /c "…"`): spawn must pass it as is. */
  isVerbatim: boolean
}

export interface WindowsSpawnInput {
  command: string
  args: string[]
  /** The server's environment: PATH, PATHEXT and COMSPEC come from here (names in any case). */
  env: Record<string, string>
  /** Where a relative command path (one with a separator) starts from. */
  cwd: string
  /** True when `path` names an existing regular file. */
  isFile: (path: string) => boolean
}

/**
 * Quotes one argument for cmd.exe's line: cross-spawn's escapeArgument (qntm.org/cmd) with the
 * carets doubled for a batch file. One deliberate difference: a run of backslashes before a quote
 * is doubled whole (`a\\"b` → `a\\\\\"b`), where cross-spawn 7's backtracking-free regex doubles
 * only the last one, so the program would end the argument at that quote. A loop, not a regex:
 * linear on any input.
 */
export function escapeArgument(arg: string, isDoubled: boolean): string {
  let quoted = '"'
  let slashes = 0
  for (const ch of arg) {
    if (ch === "\\") slashes++
    else {
      // Backslashes before a quote are doubled and the quote escaped; elsewhere they are literal.
      quoted += ch === '"' ? `${"\\".repeat(slashes * 2)}\\"` : `${"\\".repeat(slashes)}${ch}`
      slashes = 0
    }
  }
  // Backslashes at the end come before our closing quote: doubled too.
  quoted += `${"\\".repeat(slashes * 2)}"`
  quoted = quoted.replace(META, "^$1")
  return isDoubled ? quoted.replace(META, "^$1") : quoted
}

/** The program's own path on the line: carets before metacharacters and spaces, no quotes (cross-spawn's escapeCommand). */
export function escapeCommand(command: string): string {
  return command.replace(META, "^$1")
}

/**
 * How to start `command args` on Windows: an .exe/.com (or anything not a batch file) directly,
 * a .cmd/.bat through cmd.exe with the escaped line. A command not found is left as it is, so
 * spawn fails with ENOENT and the usual "not found on PATH" message.
 */
export function windowsSpawn(input: WindowsSpawnInput): WindowsSpawn {
  const resolved = resolveCommand(input)
  if (!resolved || !BATCH.test(resolved))
    return { file: resolved ?? input.command, args: input.args, isVerbatim: false }
  for (const [i, a] of [resolved, ...input.args].entries()) {
    // cmd.exe ends its line at a newline and no escape carries one (or a NUL) through it.
    if (/[\r\n\0]/.test(a))
      throw new McpConnectError(
        `${i === 0 ? "the command" : `argument ${i}`} of a Windows batch file (${win32.basename(resolved)}) holds a line break or NUL, which cmd.exe cannot be given safely`,
        {
          hint: "remove it from the server's args, or start the program behind the .cmd directly (e.g. node.exe and its script)",
        },
      )
  }
  const line = [
    escapeCommand(win32.normalize(resolved)),
    ...input.args.map((a) => escapeArgument(a, true)),
  ].join(" ")
  return {
    file: envValue(input.env, "COMSPEC") ?? "cmd.exe",
    args: ["/d", "/s", "/c", `"${line}"`],
    isVerbatim: true,
  }
}

/**
 * The file Windows would run for `command`: a path (with a separator) from `cwd`, else each PATH
 * directory in order, each trying the name as given when it already ends in a PATHEXT extension,
 * then with every PATHEXT extension. Unlike CreateProcess, the current directory is not searched
 * first: a project directory holding npx.cmd must not decide what `npx` runs.
 */
export function resolveCommand(input: WindowsSpawnInput): string | undefined {
  const exts = (envValue(input.env, "PATHEXT") ?? DEFAULT_PATHEXT)
    .split(";")
    .map((e) => e.trim())
    .filter((e) => e.startsWith("."))
    .map((e) => e.toLowerCase()) // the file system ignores case; messages read better
  const ext = win32.extname(input.command).toLowerCase()
  const candidates = (base: string) => [
    ...(ext && exts.includes(ext) ? [base] : []),
    ...exts.map((e) => base + e),
  ]
  if (/[\\/]/.test(input.command) || win32.isAbsolute(input.command))
    return candidates(win32.resolve(input.cwd, input.command)).find(input.isFile)
  const dirs = (envValue(input.env, "PATH") ?? "").split(";").map((d) => d.trim().replace(/^"(.*)"$/, "$1"))
  for (const dir of dirs) {
    if (!dir) continue
    const found = candidates(win32.join(dir, input.command)).find(input.isFile)
    if (found) return found
  }
  return undefined
}

/** Windows variable names ignore case (`Path`, `PATH`). */
function envValue(env: Record<string, string>, name: string): string | undefined {
  for (const [k, v] of Object.entries(env)) if (k.toUpperCase() === name) return v
  return undefined
}
