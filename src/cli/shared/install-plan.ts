import { existsSync } from "node:fs"
import {
  checkServerForScope,
  findingText,
  fingerprintServer,
  openApprovals,
  parseConfigFile,
  variableNeeds,
  type PolicySubject,
  type ServerConfig,
  type ServerEntry,
  type VariableNeed,
} from "../../config/index.ts"
import { describeInstall, safeLine, type InstallRequest, type LinkSource } from "../../install/index.ts"
import { ApprovalRequiredError } from "../../util/errors.ts"
import { escapeTerminal } from "../../util/text.ts"
import type { Ctx } from "./context.ts"
import { resolveTarget, writeServers, type Target } from "./config-write.ts"
import { printJson, printRaw, printText } from "./output.ts"
import { entryJson, jsonText } from "./present.ts"
import { confirm } from "./prompt.ts"
import { enforceDefinitionPolicy, enforceLinkPolicy, policyFor } from "./policy.ts"

// What `agent install` shows, asks and writes, shared by the terminal path (cli/install/index.ts),
// the browser page (cli/install/browser.ts) and `agent mcp update` (cli/mcp/registry.ts). Nothing is written before the user has seen exactly what the link
// would add (SEP-1024; I01-I08: links are shown verbatim, escaped, and need an approval).

export type Origin = LinkSource | "catalog" | "registry" | "mcpb"

/** Where a registry install came from and which of its ways was chosen (registry.ts). */
export interface RegistryNote {
  url: string
  name: string
  version: string
  isLatest?: boolean
  status?: string
  chosen: string
  reason: string
}

export interface Plan {
  req: InstallRequest
  origin: Origin
  target: Target
  existing?: ServerConfig
  needs: VariableNeed[]
  registry?: RegistryNote
  /** A catalog install's entry name (docs/policy.md: the policy's `names` match it). */
  catalogName?: string
  /** A bundle's own lines (what it is, where from, its sha256, where it unpacks), shown under the name. */
  bundle?: string[]
}

/** A request made elsewhere (a registry), already checked like a link and already named. */
export interface Prepared {
  req: InstallRequest
  registry: RegistryNote
}

export interface InstallArgs {
  target?: string
  scope?: string
  mcp?: string
  name?: string
  yes?: boolean
  "dry-run"?: boolean
  "approve-env"?: boolean
  browser?: boolean
  /** `--allow-dangerous-env NAME` (repeatable), read from the raw arguments. */
  allowDangerousEnv?: string[]
  /** Registry installs: `--registry URL`, `--package TYPE`, `--remote`. */
  registry?: string
  package?: string
  remote?: boolean
}

/** The write once approved, shared by the terminal and the browser (browser.ts) paths. */
export async function applyInstall(
  ctx: Ctx,
  args: InstallArgs,
  plan: Plan,
  approved: string[],
): Promise<void> {
  resolveTarget(ctx, args) // now creates the user config dir (0700) if needed
  // An add only adds: a server that appeared after the screen was shown fails (exit 2)
  // instead of being overwritten unseen (I05).
  await writeServers(plan.target, [{ name: plan.req.name, entry: plan.req.entry }], {
    existing: plan.existing ? "replace" : "fail",
    policy: policyFor(ctx),
    origin: policyOriginOf(plan.origin, plan.registry, plan.catalogName, plan.req.server.registry),
  })
  report(ctx, plan, await recordApprovals(ctx, plan, approved), false)
}

/** The plan for a checked request: where it goes, what it replaces, which variables it needs. */
export function planFor(
  ctx: Ctx,
  args: InstallArgs,
  req: InstallRequest,
  origin: Origin,
  registry?: RegistryNote,
  /** A catalog install: the entry's catalog name (the policy's `names` see it even under --name). */
  catalogName?: string,
): Plan {
  // docs/policy.md: links at all, then the definition, before any screen or question.
  const policyOrigin = policyOriginOf(origin, registry, catalogName, req.server.registry)
  if (policyOrigin.isLink) enforceLinkPolicy(ctx)
  refuseDangerousEnv(req, args.allowDangerousEnv ?? [])
  // Creates no directory yet: a refused install leaves no trace (I08).
  const target = resolveTarget(ctx, args, { isDryRun: true })
  enforceDefinitionPolicy(ctx, { name: req.name, server: req.server, scope: target.scope, ...policyOrigin })
  const existing = existsSync(target.file)
    ? parseConfigFile(target.file, target.scope).servers.find((e) => e.name === req.name)?.server
    : undefined
  const needs = variableNeeds(entryFor(req, target, req.server))
  return {
    req,
    origin,
    target,
    existing,
    needs,
    ...(registry && { registry }),
    ...(catalogName !== undefined && { catalogName }),
  }
}

/** What the policy is told about where an install comes from: a registry and its name, the catalog, or a link. */
function policyOriginOf(
  origin: Origin,
  registry: RegistryNote | undefined,
  catalogName: string | undefined,
  /** A registry `mcpb` package: its bundle install carries the registry origin on the entry. */
  entryRegistry?: { url: string; name: string },
): Pick<PolicySubject, "isLink" | "registry" | "registryName"> {
  if (origin === "registry") return registry ? { registry: registry.url, registryName: registry.name } : {}
  if (origin === "mcpb" && entryRegistry)
    return { registry: entryRegistry.url, registryName: entryRegistry.name }
  if (origin === "catalog") return catalogName !== undefined ? { registryName: catalogName } : {}
  return { isLink: true }
}

/**
 * I10: a link that sets PATH, NODE_OPTIONS, LD_PRELOAD… picks or changes the program it runs,
 * behind a harmless-looking command. Refused (exit 3, before any screen) unless the user typed
 * --allow-dangerous-env NAME; then the screen shows the value in full with a warning.
 */
export function refuseDangerousEnv(req: InstallRequest, allow: string[]): void {
  const { refused } = checkServerForScope(req.server, "link", { allow })
  if (!refused.length) return
  const names = refused.map((f) => f.variable)
  throw new ApprovalRequiredError(
    `"${req.name}" was not installed: the link sets ${refused.map(findingText).join("; ")}`,
    {
      hint: `if you trust the value, re-run with ${names.map((n) => `--allow-dangerous-env ${n}`).join(" ")}; the screen will show it in full`,
    },
  )
}

function entryFor(req: InstallRequest, target: Target, server: ServerConfig): ServerEntry {
  return {
    name: req.name,
    scope: target.scope,
    file: target.file,
    server,
    fingerprint: fingerprintServer(req.name, server),
  }
}

/** The approval screen, on stderr even with --quiet: it is what the user approves. */
export function showScreen(plan: Plan): void {
  const lines = installScreen(plan)
  const head = plan.existing ? "Server to install (replaces an existing one):" : "Server to install:"
  process.stderr.write(`${head}\n${lines.map((l) => `  ${l}`).join("\n")}\n`)
}

/** The lines the user approves, in the terminal and on the browser page alike. */
export function installScreen(plan: Plan): string[] {
  const lines = describeInstall(plan.req, { file: plan.target.file, existing: plan.existing })
  if (plan.origin === "catalog")
    lines[0] = safeLine(`server:  "${plan.req.name}"  (from the built-in catalog)`)
  if (plan.bundle) {
    lines[0] = safeLine(`server:  "${plan.req.name}"  (from an MCPB bundle)`)
    lines.splice(1, 0, ...plan.bundle.map(safeLine))
  }
  const r = plan.registry
  if (r) {
    const latest = r.isLatest === false ? ", not the latest version" : r.isLatest ? ", latest" : ""
    const status = r.status && r.status !== "active" ? `, ${r.status}` : ""
    lines.splice(
      0,
      1,
      safeLine(
        `server:  "${plan.req.name}"  (${r.name} ${r.version}${latest}${status}, from the registry ${r.url})`,
      ),
      safeLine(`chosen:  ${r.chosen}: ${r.reason}`),
    )
  }
  return lines
}

/** Returns the variables approved along with the install; throws (exit 3) when not approved. */
export async function decide(ctx: Ctx, args: InstallArgs, plan: Plan): Promise<string[]> {
  const { req, target, needs } = plan
  const all = needs.map((n) => n.variable)
  if (args.yes) return args["approve-env"] ? all : []
  if (!ctx.isInteractive) {
    // I08: no terminal means nobody approved anything.
    throw new ApprovalRequiredError(
      `"${req.name}" was not installed: there is no terminal to ask, and --yes was not given`,
      {
        hint: "review the screen above, then re-run the same command with --yes (add --approve-env to also approve its variables)",
      },
    )
  }
  const question = plan.existing
    ? `Replace "${req.name}" in ${target.file}?`
    : `Install "${req.name}" into ${target.file}?`
  if (!(await confirm(question)))
    throw new ApprovalRequiredError(`"${req.name}" was not installed; nothing was written`)
  if (args["approve-env"]) return all
  const approved: string[] = []
  for (const n of needs) {
    if (await confirm(`Also let ${req.name} read ${n.variable} (${n.destination})?`))
      approved.push(n.variable)
  }
  return approved
}

/**
 * Approvals bind to the fingerprint the loader computes, so it is taken from the file as
 * written. A project-scope install is also trusted: the screen showed this exact definition.
 * Returns every variable now approved for the server, including ones approved before.
 */
async function recordApprovals(ctx: Ctx, plan: Plan, approved: string[]): Promise<string[]> {
  const written = parseConfigFile(plan.target.file, plan.target.scope).servers.find(
    (e) => e.name === plan.req.name,
  )
  if (!written) return []
  const store = openApprovals(ctx.paths)
  await store.approveEnvMany(approved.map((variable) => ({ variable, entry: written })))
  if (plan.target.scope === "project") await store.approveProject(written)
  return plan.needs.map((n) => n.variable).filter((v) => store.isEnvApproved(v, written))
}

export function report(ctx: Ctx, plan: Plan, approved: string[], isDryRun: boolean): void {
  const { req, target } = plan
  const action = plan.existing ? "replaced" : "added"
  const variables = plan.needs.map((n) => ({ variable: n.variable, approved: approved.includes(n.variable) }))
  if (ctx.output === "json") {
    printJson({
      name: req.name,
      file: target.file,
      scope: target.scope,
      action,
      source: plan.origin,
      ...(plan.registry && { registry: plan.registry }),
      server: entryJson(req.entry),
      variables,
      ...(isDryRun && { dryRun: true }),
    })
    return
  }
  if (isDryRun) {
    printRaw(jsonText({ [req.name]: entryJson(req.entry) }))
    process.stderr.write(
      `dry run: "${req.name}" would be ${action} in ${escapeTerminal(target.file)}; nothing was written\n`,
    )
    return
  }
  const where = target.scope === "file" ? "--mcp" : `${target.scope} scope`
  const lines = [
    `installed "${req.name}" into ${target.file} (${where})${plan.existing ? ", replacing the previous definition" : ""}`,
  ]
  if (approved.length) lines.push(`approved: ${approved.join(", ")}`)
  const pending = variables.filter((v) => !v.approved).map((v) => v.variable)
  if (pending.length) {
    const mcp = target.scope === "file" ? ` --mcp ${target.file}` : ""
    lines.push(
      `still needs approval: ${pending.join(", ")} (run: agent env approve ${pending.join(" ")} --server ${req.name}${mcp})`,
    )
  }
  if (target.scope === "project") lines.push(`trusted as a project server in ${target.file}`)
  printText(lines.join("\n"))
}
