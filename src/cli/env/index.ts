import {
  openApprovals,
  variableNeeds,
  type ApprovalStore,
  type Config,
  type EnvApproval,
  type ServerEntry,
  type VariableNeed,
} from "../../config/index.ts"
import { ConfigError, UsageError } from "../../util/errors.ts"
import { plural } from "../../util/text.ts"
import { approvalQuestionText } from "../shared/approval-prompt.ts"
import { command, commonArgs, mcpArg, outputArg } from "../command.ts"
import { createContext, loadFromArgs, type Ctx } from "../shared/context.ts"
import { printJson, printTable, printText } from "../shared/output.ts"
import { confirm } from "../shared/prompt.ts"
import { didYouMean } from "../../util/suggest.ts"

// `agent env`: which variables each server may read (docs/design.md §4). Approvals bind to the
// server's current definition; nothing here ever reads or prints a variable's value.

const serverArg = {
  server: {
    type: "string",
    valueHint: "NAME",
    description: "Only this server (default: every server that references the variable)",
  },
} as const

interface Pending {
  entry: ServerEntry
  need: VariableNeed
}

function pendingNeeds(config: Config, store: ApprovalStore): Pending[] {
  return config.servers
    .filter((e) => !e.server.disabled)
    .flatMap((entry) =>
      variableNeeds(entry, config.inputs)
        .filter((need) => !store.isEnvApproved(need.variable, entry))
        .map((need) => ({ entry, need })),
    )
}

type ApprovalState = "valid" | "stale" | "unused"

function stateOf(a: EnvApproval, config: Config): ApprovalState {
  const entry = config.servers.find((e) => e.name === a.server)
  if (!entry) return "unused"
  return entry.fingerprint === a.fingerprint ? "valid" : "stale"
}

const STATE_WORDS: Record<ApprovalState, string> = {
  valid: "approved",
  stale: "stale (server changed)",
  unused: "unused (no such server here)",
}

const list = command({
  name: "list",
  description: "List approved variables (never their values) and the ones the config still needs approved",
  args: { ...commonArgs, ...outputArg, ...mcpArg },
  examples: ["agent env list", "agent env list --mcp ci.json --output json"],
  run({ args, rawArgs }) {
    const ctx = createContext(args)
    const config = loadFromArgs(ctx, rawArgs)
    const store = openApprovals(ctx.paths)
    const approvals = store.envApprovals().map((a) => ({
      variable: a.variable,
      server: a.server,
      approvedAt: a.approvedAt,
      status: stateOf(a, config),
    }))
    const pending = pendingNeeds(config, store).map(({ entry, need }) => ({
      variable: need.variable,
      server: entry.name,
      status: "pending" as const,
      fields: need.fields,
      destination: need.destination,
    }))
    if (ctx.output === "json") return printJson({ approvals, pending })
    if (approvals.length === 0 && pending.length === 0) {
      printText("no variables approved, and the loaded config references none")
      return
    }
    const rows = [
      ...approvals.map((a) => [
        a.variable,
        a.server,
        STATE_WORDS[a.status],
        a.approvedAt.slice(0, 19).replace("T", " "),
        "",
      ]),
      ...pending.map((p) => [p.variable, p.server, "pending", "-", p.destination]),
    ]
    printTable(rows, ["VARIABLE", "SERVER", "STATUS", "APPROVED (UTC)", "GOES TO"])
    if (pending.length)
      ctx.log.info(
        "approve with `agent env approve VAR --server NAME`, or run `agent env approve` at a terminal to go through them",
      )
  },
})

const approve = command({
  name: "approve",
  description:
    "Let servers read these variables; stored until the server's definition changes or you revoke it",
  args: {
    ...commonArgs,
    ...mcpArg,
    ...serverArg,
    variables: {
      type: "positional",
      required: false,
      valueHint: "VAR",
      description: "Variables to approve (at a terminal, omit to go through every pending one)",
    },
  },
  examples: [
    "agent env approve GITHUB_TOKEN --server github",
    "agent env approve API_KEY DB_URL --mcp ci.json   # every server in ci.json that references them",
    "agent env approve                                # at a terminal: asks about each pending variable",
  ],
  async run({ args, rawArgs }) {
    const ctx = createContext(args)
    const config = loadFromArgs(ctx, rawArgs)
    const store = openApprovals(ctx.paths)
    const variables = positionals(args._)
    const server = args.server as string | undefined
    if (variables.length === 0) return walkPending(ctx, config, store, server)
    const items = variables.flatMap((variable) =>
      targetsFor(config, variable, server).map((t) => ({ variable, ...t })),
    )
    await store.approveEnvMany(items.map(({ variable, entry }) => ({ variable, entry })))
    for (const i of items) printText(`approved ${i.variable} for "${i.entry.name}": ${i.need.destination}`)
  },
})

function positionals(raw: unknown): string[] {
  return Array.isArray(raw) ? raw.map(String).filter((s) => s !== "") : []
}

function targetsFor(config: Config, variable: string, server: string | undefined): Pending[] {
  if (server !== undefined && !config.servers.some((e) => e.name === server)) {
    throw new ConfigError(
      `no server "${server}" in the loaded config${didYouMean(
        server,
        config.servers.map((e) => e.name),
      )}`,
      {
        hint: `servers: ${config.servers.map((e) => e.name).join(", ") || "none"}; pass --mcp FILE if it lives in another file`,
      },
    )
  }
  const found = config.servers
    .filter((e) => server === undefined || e.name === server)
    .flatMap((entry) =>
      variableNeeds(entry, config.inputs)
        .filter((n) => n.variable === variable)
        .map((need) => ({ entry, need })),
    )
  if (found.length === 0) {
    const where = server === undefined ? "no server in the loaded config" : `server "${server}"`
    const known = [
      ...new Set(config.servers.flatMap((e) => variableNeeds(e, config.inputs).map((n) => n.variable))),
    ]
    throw new ConfigError(`${where} references ${variable}, so there is nothing to approve`, {
      hint: known.length
        ? `referenced variables: ${known.join(", ")}; pass --mcp FILE if the server lives in another file`
        : "the loaded config references no variables; pass --mcp FILE if the server lives in another file",
    })
  }
  return found
}

async function walkPending(
  ctx: Ctx,
  config: Config,
  store: ApprovalStore,
  server: string | undefined,
): Promise<void> {
  if (!ctx.isInteractive) {
    throw new UsageError("name the variables to approve, e.g. `agent env approve API_KEY --server NAME`", {
      hint: "without a terminal nothing is approved implicitly; `agent env list` shows what is pending",
    })
  }
  const pending = pendingNeeds(config, store).filter((p) => server === undefined || p.entry.name === server)
  if (pending.length === 0) return printText("nothing to approve: every referenced variable is approved")
  let approved = 0
  for (const { entry, need } of pending) {
    if (!(await confirm(approvalQuestionText({ kind: "env", server: entry.name, need })))) continue
    await store.approveEnv(need.variable, entry)
    approved++
  }
  printText(`approved ${approved} of ${plural(pending.length, "pending variable")}`)
}

const revoke = command({
  name: "revoke",
  description: "Withdraw approvals; the servers stop getting the variable from the next run on",
  args: {
    ...commonArgs,
    ...serverArg,
    variables: { type: "positional", required: true, valueHint: "VAR", description: "Variables to revoke" },
  },
  examples: [
    "agent env revoke GITHUB_TOKEN                  # for every server",
    "agent env revoke GITHUB_TOKEN --server github",
  ],
  async run({ args }) {
    const ctx = createContext(args)
    const store = openApprovals(ctx.paths)
    const server = args.server as string | undefined
    // stdout says only what was revoked; a variable that matched nothing is the error (exit 2).
    const unmatched: string[] = []
    for (const variable of positionals(args._)) {
      const n = await store.revokeEnv(variable, server)
      if (n === 0) unmatched.push(variable)
      else printText(`revoked ${plural(n, "approval")} of ${variable}${server ? ` for "${server}"` : ""}`)
    }
    if (unmatched.length) {
      const what = `${unmatched.join(", ")}${server ? ` for "${server}"` : ""}`
      throw new ConfigError(
        `no approval of ${what}, so nothing was revoked for ${unmatched.length === 1 ? "it" : "them"}`,
        { hint: "`agent env list` shows the approvals" },
      )
    }
  },
})

export default command({
  name: "env",
  description: "Approve which environment variables each MCP server may read",
  examples: [
    "agent env list",
    "agent env approve GITHUB_TOKEN --server github",
    "agent env revoke GITHUB_TOKEN",
    "agent run --approve-env API_KEY …   # CI: approve for one run without storing it",
  ],
  subCommands: {
    list: () => Promise.resolve(list),
    approve: () => Promise.resolve(approve),
    revoke: () => Promise.resolve(revoke),
  },
})
