import { isAbsolute, relative, resolve } from "node:path"
import type { ServerConfig } from "./schema.ts"

// Variables that load code into, or pick, the program a server runs (I10). A link or a project
// file that sets one of these decides what runs as surely as its `command` does: NODE_OPTIONS
// =--import=data:… runs any JavaScript before the server, LD_PRELOAD any library, PATH=.tools:…
// any `npx`. From a link or an untrusted project file they are refused unless the user types
// --allow-dangerous-env NAME; in the user's own config they are shown in full with a warning.
// The list is documented in docs/security.md ("Variables that decide what runs").

const EXACT: Record<string, string> = {
  PATH: "picks which program a bare command name runs",
  PATHEXT: "picks which file extensions Windows runs as programs",
  COMSPEC: "picks the Windows command interpreter",
  NODE_OPTIONS: "loads code into Node.js (--require, --import)",
  NODE_PATH: "picks where Node.js loads modules from",
  PYTHONPATH: "picks where Python loads modules from",
  PYTHONSTARTUP: "runs a Python file at start",
  PYTHONHOME: "picks the Python standard library",
  PERL5OPT: "passes options (-M modules) to every Perl",
  PERL5LIB: "picks where Perl loads modules from",
  RUBYOPT: "passes options (-r libraries) to every Ruby",
  RUBYLIB: "picks where Ruby loads libraries from",
  JAVA_TOOL_OPTIONS: "loads agents into every JVM",
  _JAVA_OPTIONS: "loads agents into every JVM",
  JDK_JAVA_OPTIONS: "loads agents into the java launcher",
  BASH_ENV: "runs a file in every non-interactive bash",
  ENV: "runs a file in every POSIX shell",
  ZDOTDIR: "picks the startup files zsh runs",
  PROMPT_COMMAND: "runs a command in bash",
  GIT_SSH: "runs a program for git over ssh",
  GIT_SSH_COMMAND: "runs a command for git over ssh",
  GIT_EXTERNAL_DIFF: "runs a program for git diff",
  GIT_PAGER: "runs a program for git output",
  GIT_EDITOR: "runs a program as git's editor",
  GIT_ASKPASS: "runs a program for git credentials",
  SSH_ASKPASS: "runs a program for ssh credentials",
  GIT_PROXY_COMMAND: "runs a command for git connections",
  GIT_EXEC_PATH: "picks the programs git runs",
  GIT_TEMPLATE_DIR: "installs hooks into new repositories",
  EDITOR: "runs a program as an editor",
  VISUAL: "runs a program as an editor",
  PAGER: "runs a program as a pager",
}

const PREFIXES: [string, string][] = [
  ["LD_", "loads libraries into every program (LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT)"],
  ["DYLD_", "loads libraries into every program on macOS"],
  ["GIT_CONFIG_", "injects git configuration, which can run commands (core.sshCommand, core.fsmonitor)"],
  ["NPM_CONFIG_", "changes what npx installs and runs (registry, node-options, script-shell)"],
]

/** Why setting this variable decides what runs, or undefined when it does not. Windows names ignore case. */
export function isDangerousEnv(name: string): string | undefined {
  const upper = name.toUpperCase()
  if (EXACT[upper]) return EXACT[upper]
  for (const [prefix, why] of PREFIXES) if (upper.startsWith(prefix)) return why
  return undefined
}

/** Where a definition came from: a link, a project file nobody trusted yet, or the user's own config. */
export type EnvOrigin = "link" | "project" | "user"

export interface EnvFinding {
  /** The variable, or "command" for a program inside the project. */
  variable: string
  value: string
  reason: string
  /** Whether `--allow-dangerous-env NAME` can let it through. */
  canAllow: boolean
}

export interface ScopeCheck {
  /** Refused: a link or project sets it and the user did not allow it. */
  refused: EnvFinding[]
  /** Dangerous but let through (user config, or named by --allow-dangerous-env): shown with a warning. */
  allowed: EnvFinding[]
}

/**
 * I10/I11: the dangerous variables a definition sets, and for project servers a relative
 * directory in PATH or a command that resolves inside the project (the repository would pick
 * the program). `allow` holds the names the user typed after --allow-dangerous-env.
 */
export function checkServerForScope(
  server: ServerConfig,
  origin: EnvOrigin,
  opts: { allow?: string[]; projectDir?: string } = {},
): ScopeCheck {
  const out: ScopeCheck = { refused: [], allowed: [] }
  if (server.transport !== "stdio") return out
  const allow = new Set((opts.allow ?? []).map((n) => n.toUpperCase()))
  for (const [variable, value] of Object.entries(server.env)) {
    const reason = isDangerousEnv(variable)
    if (!reason) continue
    const finding = { variable, value, reason, canAllow: true }
    if (origin === "project" && variable.toUpperCase() === "PATH" && relativePathDir(value)) {
      // I11: a relative PATH directory resolves inside the checkout: the repository picks the program.
      out.refused.push({
        ...finding,
        reason: `holds the relative directory "${relativePathDir(value)}", which resolves inside the project`,
        canAllow: false,
      })
    } else if (origin === "user" || allow.has(variable.toUpperCase())) out.allowed.push(finding)
    else out.refused.push(finding)
  }
  if (
    origin === "project" &&
    opts.projectDir &&
    commandInProject(server.command, server.cwd, opts.projectDir)
  ) {
    out.refused.push({
      variable: "command",
      value: server.command,
      reason: "is a program inside the project, which the repository can replace",
      canAllow: false,
    })
  }
  return out
}

/** The first relative entry of a PATH-style value (`.tools`, ``, `./bin`), ignoring ${VAR} references. */
function relativePathDir(value: string): string | undefined {
  for (const dir of value.split(/[:;]/)) {
    if (dir.startsWith("${") || dir.startsWith("{env:") || /^[A-Za-z]$/.test(dir)) continue // ${PATH}; a drive letter split off by ":"
    if (!isAbsolute(dir) && !/^[A-Za-z]:[\\/]/.test(dir) && !dir.startsWith("\\"))
      return dir === "" ? "(empty: the current directory)" : dir
  }
  return undefined
}

/** A command with a path separator, relative or absolute, that lands inside the project directory. */
function commandInProject(command: string, cwd: string | undefined, projectDir: string): boolean {
  if (!/[\\/]/.test(command) || command.includes("${")) return false
  const where = resolve(projectDir, cwd ?? ".", command)
  const rel = relative(projectDir, where)
  return !rel.startsWith("..") && !isAbsolute(rel)
}

/** `NODE_OPTIONS (loads code into Node.js …)`, or `command "./x" is a program inside …`, for a message. */
export function findingText(f: EnvFinding): string {
  if (f.variable === "command") return `command "${f.value}" ${f.reason}`
  return f.canAllow ? `${f.variable} (${f.reason})` : `${f.variable} ${f.reason}`
}

/** I10: warnings for a loaded server that sets variables deciding what runs, value in full (the user's own config runs them). */
export function dangerousEnvWarnings(name: string, server: ServerConfig): string[] {
  if (server.transport !== "stdio") return []
  return Object.entries(server.env).flatMap(([variable, value]) => {
    const why = isDangerousEnv(variable)
    return why ? [`server "${name}" sets ${variable}=${value}, which ${why}`] : []
  })
}
