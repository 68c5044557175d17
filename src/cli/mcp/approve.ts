import { dirname } from "node:path"
import {
  checkServerForScope,
  findingText,
  openApprovals,
  refusedHints,
  type Config,
  type EnvFinding,
  type ServerConfig,
  type ServerEntry,
} from "../../config/index.ts"
import { ApprovalRequiredError, ConfigError } from "../../util/errors.ts"
import { escapeLine, plural } from "../../util/text.ts"
import { command, commonArgs, mcpArg } from "../command.ts"
import { createContext, loadFromArgs, repeated, type Ctx } from "../shared/context.ts"
import { printText } from "../shared/output.ts"
import { enforcePolicy } from "../shared/policy.ts"
import { trustScreen } from "../shared/present.ts"
import { confirm } from "../shared/prompt.ts"
import { didYouMean } from "../../util/suggest.ts"

// Trust for project-scope servers (.mcp.json in a repository someone else wrote: SEP-1024).
// Before trusting, show exactly what will run: command and args or URL, header and env names
// (values masked unless they are only ${VAR} references), and what changed since last time.

const nameArg = {
  name: {
    type: "positional",
    required: true,
    valueHint: "NAME",
    description: "The server's name in the project config",
  },
} as const

function findEntry(config: Config, name: string): ServerEntry {
  const entry = config.servers.find((e) => e.name === name)
  if (entry) return entry
  throw new ConfigError(
    `no server "${name}" in the loaded config${didYouMean(
      name,
      config.servers.map((e) => e.name),
    )}`,
    {
      hint: `servers: ${config.servers.map((e) => e.name).join(", ") || "none"}; run it in the project directory, or pass --mcp FILE`,
    },
  )
}

/**
 * I10/I11: a project server that sets a variable deciding what runs (PATH, NODE_OPTIONS, LD_*…)
 * is refused unless the user named it with --allow-dangerous-env; one running a program from
 * the checkout or a relative PATH directory is refused outright. Returns the allowed ones.
 */
function checkDangerous(entry: ServerEntry, allow: string[]): EnvFinding[] {
  const check = checkServerForScope(entry.server, "project", { allow, projectDir: dirname(entry.file) })
  if (check.refused.length) {
    throw new ApprovalRequiredError(
      `project server "${entry.name}" from ${entry.file} was refused: it sets ${check.refused.map(findingText).join("; ")}`,
      {
        hint: refusedHints(entry.name, check.refused).join("\n  hint: "),
      },
    )
  }
  return check.allowed
}

/**
 * The approval screen, on stderr: what the user is about to trust (every line escaped, line
 * breaks too: I03, I09). Written straight to stderr when a question follows, even with
 * --quiet: nobody is asked about a screen they did not see (I12).
 */
function showServer(
  ctx: Ctx,
  entry: ServerEntry,
  previous: ServerConfig | undefined,
  allowed: EnvFinding[],
  isAsking: boolean,
): void {
  const lines = trustScreen(entry, previous)
  for (const f of allowed)
    lines.push(
      `  ${escapeLine(`warning: ${f.variable} ${f.reason}; allowed by --allow-dangerous-env ${f.variable}`)}`,
    )
  const text = lines.join("\n")
  if (isAsking) process.stderr.write(`${text}\n`)
  else ctx.log.log(text)
}

const approve = command({
  name: "approve",
  description: "Trust a project server (from .mcp.json) after reviewing exactly what it runs",
  args: {
    ...commonArgs,
    ...mcpArg,
    ...nameArg,
    yes: {
      type: "boolean",
      alias: "y",
      description: "Trust without asking (needed when there is no terminal)",
    },
    "allow-dangerous-env": {
      type: "string",
      valueHint: "NAME",
      description:
        "Let the server set NAME (PATH, NODE_OPTIONS, LD_PRELOAD…: variables that decide what runs) after you read its value (repeatable)",
    },
  },
  examples: [
    "agent mcp approve filesystem           # in the project directory: review, then answer y",
    "agent mcp approve filesystem --yes     # CI or scripts: trust as currently defined",
    "agent mcp approve tools --allow-dangerous-env NODE_OPTIONS   # it sets NODE_OPTIONS, and you read the value",
  ],
  async run({ args, rawArgs }) {
    const ctx = createContext(args)
    const config = loadFromArgs(ctx, rawArgs)
    const entry = findEntry(config, String(args.name))
    if (entry.scope !== "project") {
      printText(
        `"${entry.name}" comes from ${entry.file} (${entry.scope} scope), which is trusted already; nothing to approve`,
      )
      return
    }
    // docs/policy.md: trusting a server the policy forbids would change nothing; say why now.
    enforcePolicy(ctx, { name: entry.name, server: entry.server, scope: entry.scope }, { denyOnly: true })
    const store = openApprovals(ctx.paths)
    const state = store.projectApproval(entry)
    if (state.status === "approved") {
      printText(`"${entry.name}" is already trusted as currently defined in ${entry.file}`)
      return
    }
    const allowed = checkDangerous(entry, repeated(rawArgs, "allow-dangerous-env"))
    const isAsking = !args.yes && ctx.isInteractive
    showServer(ctx, entry, state.status === "changed" ? state.previous : undefined, allowed, isAsking)
    if (!args.yes) {
      if (!ctx.isInteractive) {
        throw new ApprovalRequiredError(
          `project server "${entry.name}" was not trusted: no terminal to ask, and --yes was not given`,
          {
            hint: `review the definition above, then run: agent mcp approve ${entry.name} --yes`,
          },
        )
      }
      if (!(await confirm(`Trust "${entry.name}" as shown?`))) {
        throw new ApprovalRequiredError(`project server "${entry.name}" was not trusted`)
      }
    }
    await store.approveProject(entry)
    printText(`trusted "${entry.name}" from ${entry.file}; a change to its definition will ask again`)
  },
})

export const revoke = command({
  name: "revoke",
  description: "Withdraw trust from a project server; it is refused from the next run on",
  args: { ...commonArgs, ...nameArg },
  examples: ["agent mcp revoke filesystem"],
  async run({ args }) {
    const ctx = createContext(args)
    const n = await openApprovals(ctx.paths).revokeProject(String(args.name))
    if (n === 0) {
      throw new ConfigError(`no trusted project server is called "${args.name}"`, {
        hint: "nothing was changed",
      })
    }
    printText(`revoked trust in ${plural(n, "project server")} called "${args.name}"`)
  },
})

export default approve
