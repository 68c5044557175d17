import { openApprovals, refusedHints, resolveServers, type Resolution } from "../../config/index.ts"
import { ConfigError, ExitCode, isAgentError } from "../../util/errors.ts"
import { escapeTerminal } from "../../util/text.ts"
import { command } from "../command.ts"
import { configArgs } from "./args.ts"
import { createContext, loadFromArgs, runApprovals } from "../shared/context.ts"
import { errorDocument, printJson, printRaw } from "../shared/output.ts"

export default command({
  name: "validate",
  description:
    "Check the config: exit 0 when every enabled server is usable, 2 on errors (syntax, schema, unset variables), 3 when variables or project servers still need approval",
  args: {
    ...configArgs,
    "approve-env": {
      type: "string",
      valueHint: "[SERVER:]VAR",
      description:
        "Treat VAR as approved for this check only: for every server, or with SERVER: for that server alone (repeatable)",
    },
  },
  examples: [
    "agent config validate",
    "agent config validate --mcp mcp.example.json --output json",
    "agent config validate --mcp ci.json --approve-env API_KEY   # CI: approve for this run only",
  ],
  async run({ args, rawArgs }) {
    const ctx = createContext(args)
    let resolutions: Resolution[]
    let warnings: { file: string; path: string; message: string }[] = []
    try {
      const config = loadFromArgs(ctx, rawArgs)
      warnings = config.warnings
      resolutions = await resolveServers(config.servers, {
        policy: config.policy,
        store: openApprovals(ctx.paths),
        env: ctx.env,
        approveEnv: runApprovals(
          rawArgs,
          config.servers.map((e) => e.name),
        ),
        inputs: config.inputs,
      })
    } catch (e: unknown) {
      // One JSON document on stdout even when the config cannot be read; the error itself still
      // goes to stderr (rethrown: runCli prints it and adds no second document).
      if (ctx.output === "json" && isAgentError(e)) {
        const { error } = errorDocument(e)
        printJson({
          valid: false,
          error: { ...error, ...(e instanceof ConfigError && { file: e.file, path: e.path }) },
        })
      }
      throw e
    }
    const code = exitCodeFor(resolutions)
    if (ctx.output === "json") {
      printJson({ valid: code === 0, servers: resolutions.map(summarize), warnings })
      return code
    }
    printRaw(resolutions.map(describe).join("\n") || "no servers configured")
    if (code === ExitCode.approval)
      ctx.log.warn("some servers need approval before they can start (see above)")
    if (code === ExitCode.usage) ctx.log.error("some servers cannot start (see above)")
    if (code === ExitCode.policy) ctx.log.error("some servers are blocked by policy (see above)")
    return code
  },
})

function exitCodeFor(rs: Resolution[]): number {
  // docs/policy.md: nothing the user can approve or set makes a blocked server start.
  if (rs.some((r) => r.status === "blocked")) return ExitCode.policy
  if (rs.some((r) => r.status === "unset")) return ExitCode.usage
  if (rs.some((r) => r.status === "needs_approval")) return ExitCode.approval
  return ExitCode.ok
}

function summarize(r: Resolution) {
  const base = { name: r.entry.name, scope: r.entry.scope, file: r.entry.file, status: r.status }
  switch (r.status) {
    case "needs_approval":
      return {
        ...base,
        variables: r.variables,
        ...(r.project && { project: r.project.status }),
        ...(r.project?.refused && { refused: r.project.refused.map((f) => f.variable) }),
      }
    case "unset":
      return { ...base, missing: r.missing }
    case "blocked":
      return { ...base, policy: { file: r.violation.file, rule: r.violation.rule } }
    default:
      return base
  }
}

function describe(r: Resolution): string {
  const head = `${r.entry.name} (${r.entry.scope}, ${r.entry.file})`
  switch (r.status) {
    case "ready":
      return escapeTerminal(`ok        ${head}`)
    case "disabled":
      return escapeTerminal(`disabled  ${head}`)
    case "blocked":
      return escapeTerminal(`blocked   ${head}\n  ${r.blocked.message}\n  hint: ${r.blocked.hint}`)
    case "unset":
      return escapeTerminal(
        [
          `unset     ${head}`,
          ...r.missing.map(
            (m) =>
              `  ${m.variable} is not set${m.message ? `: ${m.message}` : ""}; export it or give a default with \${${m.variable}:-…}`,
          ),
        ].join("\n"),
      )
    case "needs_approval":
      return escapeTerminal(
        [
          `approval  ${head}`,
          // I10/I11: a refused server says which variable or command, and what would let it in.
          ...(r.project?.refused
            ? [
                `  ${r.blocked.message}`,
                ...refusedHints(r.entry.name, r.project.refused).map((h) => `  hint: ${h}`),
              ]
            : []),
          ...(r.project && !r.project.refused
            ? [
                `  project server is ${r.project.status === "changed" ? "changed since it was approved" : "not approved yet"}; run: agent mcp approve ${r.entry.name}`,
              ]
            : []),
          ...r.variables.map(
            (v) =>
              `  ${v.variable} → ${v.destination}; run: agent env approve ${v.variable} --server ${r.entry.name}`,
          ),
        ].join("\n"),
      )
  }
}
