import pkg from "../../package.json" with { type: "json" }
import { runCommand } from "citty"
import { isAgentError, ExitCode, UsageError } from "../util/errors.ts"
import { sourceMapped } from "../util/stack.ts"
import { escapeTerminal } from "../util/text.ts"
import { command, commonArgs, type Command } from "./command.ts"
import { guardOutput } from "./shared/redact-streams.ts"
import { errorDocument, hasWrittenStdout, isJsonRequested, printJson } from "./shared/output.ts"
import { renderHelp } from "./help.ts"
import { argsOf, commandName, resolveInvocation } from "./strict.ts"

declare const AGENT_VERSION: string | undefined

// Command groups load lazily: `agent --help` must not pay for modules only `run` needs.
const root = command({
  name: "agent",
  description: "Run AI agents on MCP servers, local or remote, from one binary.",
  args: { ...commonArgs, version: { type: "boolean", alias: "V", description: "Print the version" } },
  examples: [
    "agent config validate --mcp mcp.example.json   # check a config and what it still needs approved",
    "agent mcp add fs -- npx -y @modelcontextprotocol/server-filesystem .",
    "agent mcp add github --url https://api.githubcopilot.com/mcp/ --header 'Authorization: Bearer ${GITHUB_TOKEN}'",
    "agent env approve GITHUB_TOKEN --server github",
    "agent mcp import --from claude",
    'agent run --mcp mcp.json -m anthropic:claude-sonnet-4-5 --yes "summarise the open issues"',
    "agent mcp list --mcp mcp.example.json --output json",
    "agent install github          # from the built-in catalog, after an approval",
    "agent mcp auth linear         # OAuth sign-in in the browser",
  ],
  subCommands: {
    config: () => import("./config/index.ts").then((m) => m.default),
    mcp: () => import("./mcp/index.ts").then((m) => m.default),
    env: () => import("./env/index.ts").then((m) => m.default),
    install: () => import("./install/index.ts").then((m) => m.default),
    run: () => import("./run/index.ts").then((m) => m.default),
    // The daemon runs commands itself, in-process: it gets runCli rather than importing this file.
    daemon: () => import("./daemon/index.ts").then((m) => m.daemonCommand(runCli)),
    report: () => import("./report/index.ts").then((m) => m.default),
  },
})

export async function runCli(argv: string[]): Promise<number> {
  const debug = beforeDashDash(argv).includes("--debug")
  // P03: from here on nothing reaches stdout or stderr without the values this run resolved redacted.
  guardOutput()
  try {
    const inv = await resolveInvocation(root, argv)
    if (inv.wantsHelp) return await printHelp(inv.cmd, inv.path)
    if (inv.wantsVersion && inv.cmd === root) {
      process.stdout.write(`${version()}\n`)
      return 0
    }
    // Test-only, inert unless set: an internal error on demand, so a test can check that
    // --debug stacks point at src/ files through the source maps shipped beside the binary.
    if (process.env.AGENTRT_TEST_INTERNAL_ERROR === "1") throwForTest()
    if (!inv.cmd.run) {
      // A group without its subcommand (`agent`, `agent mcp`): the help shows the choices, on
      // stderr and with exit 2, as for any incomplete command line.
      process.stderr.write(
        `${await renderHelp(inv.cmd, inv.path, inv.cmd === root ? version() : undefined)}\n\n`,
      )
      const first = Object.keys(inv.cmd.subCommands ?? {})[0]
      throw new UsageError(`${commandName(inv.path)} needs a command`, {
        hint: `pick one of the commands above, e.g. \`${commandName(inv.path)} ${first} --help\``,
      })
    }
    // citty parses the command's own args plus the shared ones (-q -v --debug), in any position.
    await runCommand({ ...inv.cmd, args: argsOf(inv.cmd) }, { rawArgs: inv.rawArgs })
    return Number(process.exitCode ?? 0)
  } catch (e: unknown) {
    const code = reportError(e, debug)
    // --output json promises one JSON document on stdout, failures included (unless the command
    // already printed its own, e.g. `mcp lock` with the changes it refuses or run's report).
    if (isJsonRequested(argv) && !hasWrittenStdout()) printJson(errorDocument(describeError(e, code)))
    return code
  }
}

function describeError(e: unknown, exitCode: number) {
  const message = withoutSgr(e instanceof Error ? e.message : String(e))
  if (isAgentError(e))
    return { code: e.code, exitCode, message, ...(e.hint !== undefined && { hint: e.hint }) }
  const code = Object.entries(ExitCode).find(([, n]) => n === exitCode)?.[0] ?? "failure"
  return { code, exitCode, message }
}

function reportError(e: unknown, debug: boolean): number {
  if (isAgentError(e)) {
    process.stderr.write(`error: ${escapeTerminal(e.message)}\n`)
    if (e.hint) process.stderr.write(`  hint: ${escapeTerminal(e.hint)}\n`)
    if (debug) process.stderr.write(`${stackOf(e)}\n`)
    return e.exitCode
  }
  // citty's own argument errors (a missing required positional)
  if (e instanceof Error && e.name === "CLIError") {
    const message = withoutSgr(e.message)
    process.stderr.write(
      `error: ${escapeTerminal(message)}\n  hint: run \`agent --help\` to see the commands\n`,
    )
    if (debug) process.stderr.write(`${stackOf(e)}\n`)
    return ExitCode.usage
  }
  const msg = e instanceof Error ? e.message : String(e)
  process.stderr.write(`error: unexpected failure: ${escapeTerminal(msg)}\n`)
  process.stderr.write(
    debug && e instanceof Error ? `${stackOf(e)}\n` : "  hint: run again with --debug for details\n",
  )
  return ExitCode.failure
}

/** citty colours its messages; its SGR codes are dropped rather than shown escaped. */
function withoutSgr(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, "")
}

/** P05: a stack repeats the message, which may hold server text; escaped like everything else. */
function stackOf(e: Error): string {
  return escapeTerminal(sourceMapped(e.stack ?? `${e.name}: ${e.message}`))
}

function throwForTest(): never {
  throw new Error("internal error forced by AGENTRT_TEST_INTERNAL_ERROR")
}

function version(): string {
  return typeof AGENT_VERSION === "string" ? AGENT_VERSION : pkg.version
}

function beforeDashDash(argv: string[]): string[] {
  const i = argv.indexOf("--")
  return i < 0 ? argv : argv.slice(0, i)
}

async function printHelp(cmd: Command, path: string[]): Promise<number> {
  process.stdout.write(`${await renderHelp(cmd, path, cmd === root ? version() : undefined)}\n`)
  return 0
}

/** The command tree, for tests that check every command (help width, strict flags). */
export { root as commandTree }
export { stdoutWritten } from "./shared/output.ts"
