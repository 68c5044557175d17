import { homedir } from "node:os"
import { isAbsolute, resolve } from "node:path"
import { peerConfigSources, recordedOrigin, toFileEntry, type Config } from "../../config/index.ts"
import {
  EXPORT_CLIENT_INFO,
  EXPORT_CLIENTS,
  exportDiff,
  planExport,
  writeExport,
  type ExportClient,
  type ExportPlan,
} from "../../install/index.ts"
import { ApprovalRequiredError, UsageError } from "../../util/errors.ts"
import { didYouMean } from "../../util/suggest.ts"
import { escapeTerminal, plural } from "../../util/text.ts"
import { command, commonArgs, mcpArg, outputArg } from "../command.ts"
import { createContext, loadFromArgs, type Ctx } from "../shared/context.ts"
import { selfCommand } from "../shared/daemon-client.ts"
import { printJson, printRaw, printTable } from "../shared/output.ts"
import { enforceDefinitionPolicy } from "../shared/policy.ts"
import { confirm } from "../shared/prompt.ts"

// `agent mcp export --to CLIENT`: agent's servers into another client's config file (issue 15).
// The domain (install/export*.ts) plans the edit; this file shows the diff, asks, and writes.

export default command({
  name: "export",
  description:
    "Write agent's servers into another client's config (Claude Code, Cursor, VS Code, Codex, Goose, Antigravity, Zed, Windsurf, Claude Desktop)",
  args: {
    ...commonArgs,
    ...outputArg,
    ...mcpArg,
    to: {
      type: "string",
      valueHint: EXPORT_CLIENTS.join("|"),
      description: "The client whose config to write",
    },
    proxy: {
      type: "boolean",
      description:
        "Each entry runs `agent mcp proxy NAME`: secrets, sign-in and approvals stay in agent (works for every server)",
    },
    scope: {
      type: "string",
      valueHint: "user|project",
      description: "The client's user config (default) or its file in this project",
    },
    file: { type: "string", valueHint: "PATH", description: "Write this file instead of the client's own" },
    only: { type: "string", valueHint: "A,B", description: "Export only these servers (comma-separated)" },
    yes: {
      type: "boolean",
      alias: "y",
      description: "Write without asking (needed without a terminal); the diff is still printed",
    },
    "dry-run": { type: "boolean", description: "Write nothing; print the diff" },
    force: { type: "boolean", description: "Replace an entry of the same name that the client already has" },
  },
  examples: [
    "agent mcp export --to cursor --dry-run",
    "agent mcp export --to claude-desktop --proxy   # every server through agent: its sign-in and secrets stay here",
    "agent mcp export --to codex --only github,fs --yes",
    "agent mcp export --to vscode --scope project   # ./.vscode/mcp.json",
    "agent mcp export --to goose --proxy --yes --output json",
  ],
  async run({ args, rawArgs }) {
    const ctx = createContext(args)
    const client = checkClient(args.to)
    const isDryRun = Boolean(args["dry-run"])
    const file = await targetFile(ctx, client, args)
    const config = loadFromArgs(ctx, rawArgs)
    refuseOwnFile(config, file)
    const servers = pickServers(config, args.only)
    // docs/policy.md: a server agent may not run is not handed to another client either (exit 6),
    // with or without --proxy (a proxied one would only fail there).
    for (const s of servers) {
      enforceDefinitionPolicy(ctx, {
        name: s.name,
        server: s.server,
        scope: s.scope,
        ...recordedOrigin(s.server),
      })
    }
    const plan = await planExport({
      client,
      file,
      servers: servers.map((s) => ({
        name: s.name,
        entry: toFileEntry(s.server),
        scope: s.scope,
        file: s.file,
      })),
      ...(args.proxy && { proxy: selfCommand() }),
      force: Boolean(args.force),
    })
    const diff = await exportDiff(plan.before, plan.after)
    if (ctx.output !== "json" || !isDryRun) showPlan(ctx, plan, diff, isDryRun)
    if (!isDryRun && plan.written.length > 0) {
      await approve(ctx, plan, Boolean(args.yes))
      await writeExport(plan)
    }
    if (ctx.output === "json") printJson(report(plan, diff, isDryRun))
    else printSummary(ctx, plan, isDryRun)
    if (plan.written.length === 0 && plan.unchanged.length === 0 && plan.skipped.length > 0) {
      const first = plan.skipped[0]!
      throw new UsageError(`nothing was exported: "${first.name}": ${first.reason}`, {
        hint: first.hint ?? "see the list above",
      })
    }
  },
})

function checkClient(to: string | undefined): ExportClient {
  if (EXPORT_CLIENTS.includes(to as ExportClient)) return to as ExportClient
  throw new UsageError(
    to ? `unknown --to "${escapeTerminal(to)}"${didYouMean(to, EXPORT_CLIENTS)}` : "--to is required",
    { hint: `one of: ${EXPORT_CLIENTS.join(", ")}` },
  )
}

async function targetFile(
  ctx: Ctx,
  client: ExportClient,
  args: { file?: string; scope?: string },
): Promise<string> {
  if (args.file !== undefined) {
    if (args.scope !== undefined) throw new UsageError("use either --scope or --file PATH, not both")
    return isAbsolute(args.file) ? args.file : resolve(ctx.cwd, args.file)
  }
  const scope = args.scope ?? "user"
  if (scope !== "user" && scope !== "project")
    throw new UsageError(`--scope must be "user" or "project", got "${escapeTerminal(scope)}"`)
  const sources = await peerConfigSources(client, {
    home: ctx.env.HOME || homedir(),
    cwd: ctx.cwd,
    env: ctx.env,
  })
  const ofScope = sources.filter((s) => s.scope === scope && s.path.length === 1)
  // Antigravity: the CLI's own file (the last user file), not the IDE's.
  const pick = client === "antigravity" ? ofScope.at(-1) : ofScope[0]
  if (!pick) {
    throw new UsageError(`${EXPORT_CLIENT_INFO[client].label} has no ${scope} config file`, {
      hint: scope === "project" ? "use --scope user, or --file PATH" : "use --file PATH",
    })
  }
  return pick.file
}

/**
 * `--to claude --scope project` is ./.mcp.json, which agent reads too: a --proxy entry there would
 * shadow the server it proxies and start itself again. agent's own files are never a target.
 */
function refuseOwnFile(config: Config, file: string) {
  if (!config.sources.some((s) => s.file === file)) return
  throw new UsageError(`${escapeTerminal(file)} is one of agent's own config files; nothing was exported`, {
    hint: "agent already reads it; export to another client's file (--scope user, or --file PATH)",
  })
}

function pickServers(config: Config, only: string | undefined) {
  if (only === undefined) return config.servers
  const names = only
    .split(",")
    .map((n) => n.trim())
    .filter(Boolean)
  const known = config.servers.map((s) => s.name)
  for (const n of names) {
    if (!known.includes(n))
      throw new UsageError(`no server "${escapeTerminal(n)}" in agent's config${didYouMean(n, known)}`, {
        hint: "agent mcp list shows the configured servers",
      })
  }
  return config.servers.filter((s) => names.includes(s.name))
}

function showPlan(ctx: Ctx, plan: ExportPlan, diff: string[], isDryRun: boolean) {
  const write = (s: string) =>
    isDryRun && ctx.output !== "json" ? printRaw(s) : process.stderr.write(`${s}\n`)
  if (diff.length === 0) return
  write(`${plan.exists ? "changes to" : "new file"} ${escapeTerminal(plan.file)}:`)
  write(diff.map((l) => escapeTerminal(l)).join("\n"))
}

/** I19: the diff is the screen; a person says yes, a script says --yes; nobody means no (exit 3). */
async function approve(ctx: Ctx, plan: ExportPlan, yes: boolean) {
  if (yes) return
  const what = `${plural(plan.written.length, "server")} into ${plan.file}`
  if (!ctx.isInteractive) {
    throw new ApprovalRequiredError(
      `nothing was exported: there is no terminal to ask, and --yes was not given`,
      {
        hint: "review the diff above, then re-run the same command with --yes",
      },
    )
  }
  if (!(await confirm(`Write ${what}?`)))
    throw new ApprovalRequiredError("nothing was exported; nothing was written")
}

function report(plan: ExportPlan, diff: string[], isDryRun: boolean) {
  return {
    to: plan.client,
    file: plan.file,
    dryRun: isDryRun,
    written: plan.written,
    unchanged: plan.unchanged,
    skipped: plan.skipped,
    diff,
  }
}

function printSummary(ctx: Ctx, plan: ExportPlan, isDryRun: boolean) {
  const rows = [
    ...plan.written.map((w) => [w.name, isDryRun ? `would be ${w.action}` : w.action]),
    ...plan.unchanged.map((n) => [n, "unchanged"]),
    ...plan.skipped.map((s) => [s.name, "skipped"]),
  ]
  if (rows.length === 0) {
    ctx.log.info("agent's config has no servers to export")
    return
  }
  printTable(rows, ["NAME", "RESULT"])
  for (const w of plan.written)
    for (const n of w.notes) ctx.log.info(`${escapeTerminal(w.name)}: ${escapeTerminal(n)}`)
  for (const s of plan.skipped)
    ctx.log.warn(
      `${escapeTerminal(s.name)} skipped: ${escapeTerminal(s.reason)}${s.hint ? `; ${s.hint}` : ""}`,
    )
  if (!isDryRun && plan.written.length > 0)
    ctx.log.success(`${plural(plan.written.length, "server")} written to ${escapeTerminal(plan.file)}`)
}
