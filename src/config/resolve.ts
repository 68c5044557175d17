import { ApprovalRequiredError, ConfigError, PolicyError } from "../util/errors.ts"
import { registerSecret } from "../util/secrets.ts"
import { findUrlSecrets } from "./url-secrets.ts"
import type { ApprovalStore } from "./approvals.ts"
import { checkServerForScope, findingText, type EnvFinding } from "./dangerous-env.ts"
import { dirname } from "node:path"
import { destinationOf, describeServer, diffServers } from "./describe.ts"
import { expandTemplate, walkStrings, type Missing } from "./interpolate.ts"
import type { InputInfo, ServerEntry } from "./types.ts"
import { fieldLabel, interpolatedParts, variableUses } from "./references.ts"
import type { ServerConfig } from "./schema.ts"
import {
  checkPolicyForServer,
  POLICY_HINT,
  recordedOrigin,
  type Policy,
  type PolicyViolation,
} from "./policy.ts"

// Turns loaded entries into servers ready to start, enforcing docs/design.md §4: a variable is read
// from the environment only after it is approved for that server (an unapproved
// ${AWS_SECRET} is never even looked up), project servers need trust too, and nothing that
// still holds a reference is ever produced.

export interface VariableNeed {
  variable: string
  /** "args[2]", "headers.Authorization" */
  fields: string[]
  /** Where the value goes, e.g. "header Authorization sent to api.github.com". */
  destination: string
  /** VS Code input description, when the variable comes from `${input:id}`. */
  description?: string
}

/** Why a server cannot start, said once here: the manager and every command show this text. */
export interface Blocked {
  message: string
  hint: string
}

export type Resolution =
  | { status: "ready"; entry: ServerEntry; server: ServerConfig; secrets: string[] }
  | { status: "disabled"; entry: ServerEntry }
  /** docs/policy.md: an organisation's policy file forbids it; it is never started. */
  | { status: "blocked"; entry: ServerEntry; violation: PolicyViolation; blocked: Blocked }
  | {
      status: "needs_approval"
      entry: ServerEntry
      variables: VariableNeed[]
      project?: { status: "new" | "changed"; previous?: ServerConfig; refused?: EnvFinding[] }
      blocked: Blocked
    }
  | {
      status: "unset"
      entry: ServerEntry
      missing: { variable: string; message?: string }[]
      blocked: Blocked
    }
export type ReadyResolution = Extract<Resolution, { status: "ready" }>

/** What an interactive prompt is asked to confirm; never holds a value. */
export type ApprovalQuestion =
  | { kind: "env"; server: string; need: VariableNeed }
  | {
      kind: "project"
      server: string
      file: string
      status: "new" | "changed"
      summary: string[]
      diff: string[]
    }
export type PromptFn = (q: ApprovalQuestion) => Promise<boolean>

export interface ResolveOptions {
  store: ApprovalStore
  env: Record<string, string | undefined>
  /**
   * `--approve-env VAR` approves VAR for every server of this run; `--approve-env SERVER:VAR`
   * for that one server only (C10). Never stored.
   */
  approveEnv?: string[]
  /** Only when a person can answer; a "yes" is stored as a permanent approval. */
  prompt?: PromptFn
  inputs?: Map<string, InputInfo>
  /** `--allow-dangerous-env NAME`: a project server may set NAME (PATH, NODE_OPTIONS…) for this approval. */
  allowDangerousEnv?: string[]
  /** The policy in force (docs/policy.md); a server it forbids resolves to "blocked". */
  policy?: Policy
}

/** The variables a server references, grouped, with where each one's value goes. */
export function variableNeeds(entry: ServerEntry, inputs?: Map<string, InputInfo>): VariableNeed[] {
  const byName = new Map<string, VariableNeed>()
  for (const use of variableUses(entry.server)) {
    const need = byName.get(use.variable) ?? { variable: use.variable, fields: [], destination: "" }
    const label = fieldLabel(use.field)
    if (!need.fields.includes(label)) need.fields.push(label)
    const dest = destinationOf(entry.server, use.field)
    need.destination =
      need.destination && !need.destination.split("; ").includes(dest)
        ? `${need.destination}; ${dest}`
        : need.destination || dest
    const description = use.ref.kind === "input" ? inputs?.get(use.variable)?.description : undefined
    if (description) need.description = description
    byName.set(use.variable, need)
  }
  return [...byName.values()]
}

export async function resolveServers(entries: ServerEntry[], opts: ResolveOptions): Promise<Resolution[]> {
  const out: Resolution[] = []
  // Sequential on purpose: prompts must not interleave.
  for (const entry of entries) out.push(await resolveOne(entry, opts))
  return out
}

async function resolveOne(entry: ServerEntry, opts: ResolveOptions): Promise<Resolution> {
  if (entry.server.disabled) return { status: "disabled", entry }
  // C11/C12: deny rules first, on the definition as written, so nothing is asked about a server
  // that cannot run; the whole policy again below, on what would actually run (${VAR}s read).
  const early = policyBlock(entry, entry.server, opts.policy, true)
  if (early) return early
  const project = await checkProject(entry, opts)
  const pending: VariableNeed[] = []
  for (const need of variableNeeds(entry, opts.inputs)) {
    if (
      isRunApproved(opts.approveEnv, entry.name, need.variable) ||
      opts.store.isEnvApproved(need.variable, entry)
    )
      continue
    // No point asking about variables of a project server the user just refused to trust.
    if (!project && opts.prompt && (await opts.prompt({ kind: "env", server: entry.name, need }))) {
      await opts.store.approveEnv(need.variable, entry)
      continue
    }
    pending.push(need)
  }
  if (project || pending.length) {
    const r = { status: "needs_approval" as const, entry, variables: pending, ...(project && { project }) }
    return {
      ...r,
      blocked: { message: approvalLine(r), hint: [...new Set(approvalHints(r))].join("\n  hint: ") },
    }
  }
  const r = interpolate(entry, opts.env)
  return (r.status === "ready" && policyBlock(entry, r.server, opts.policy, false)) || r
}

function policyBlock(
  entry: ServerEntry,
  server: ServerConfig,
  policy: Policy | undefined,
  denyOnly: boolean,
): Resolution | undefined {
  if (!policy?.layers.length) return undefined
  // A registry install recorded where it came from: its name and registry can deny it here too.
  const violation = checkPolicyForServer(
    policy,
    { name: entry.name, server, scope: entry.scope, ...recordedOrigin(server) },
    { denyOnly },
  )
  if (!violation) return undefined
  return {
    status: "blocked",
    entry,
    violation,
    blocked: {
      message: `server "${entry.name}" is blocked by policy ${violation.file}: ${violation.rule}`,
      hint: POLICY_HINT,
    },
  }
}

/** C10: `SERVER:VAR` approves VAR only for the server of that name, never for the others. */
export function isRunApproved(approved: string[] | undefined, server: string, variable: string): boolean {
  return approved !== undefined && (approved.includes(variable) || approved.includes(`${server}:${variable}`))
}

async function checkProject(entry: ServerEntry, opts: ResolveOptions) {
  if (entry.scope !== "project") return undefined
  const state = opts.store.projectApproval(entry)
  if (state.status === "approved") return undefined
  const previous = state.status === "changed" ? { previous: state.previous } : {}
  // I10/I11: a variable that decides what runs, or a program inside the checkout, is refused
  // before any question: answering "y" to a screen is not how such a value gets in.
  const check = checkServerForScope(entry.server, "project", {
    allow: opts.allowDangerousEnv,
    projectDir: dirname(entry.file),
  })
  if (check.refused.length) return { status: state.status, ...previous, refused: check.refused }
  const diff = state.status === "changed" ? diffServers(state.previous, entry.server) : []
  const warnings = check.allowed.map(
    (f) => `warning: ${f.variable} ${f.reason}; allowed by --allow-dangerous-env ${f.variable}`,
  )
  const q: ApprovalQuestion = {
    kind: "project",
    server: entry.name,
    file: entry.file,
    status: state.status,
    summary: [...describeServer(entry.server), ...warnings],
    diff: diff.length ? [...diff, ...warnings] : [],
  }
  if (opts.prompt && (await opts.prompt(q))) {
    await opts.store.approveProject(entry)
    return undefined
  }
  return { status: state.status, ...previous }
}

/** Every variable here is approved, so reading it is allowed. */
function interpolate(entry: ServerEntry, env: Record<string, string | undefined>): Resolution {
  const secrets = new Set<string>()
  const missing: Missing[] = []
  const lookup = (name: string) => {
    const value = env[name]
    if (value) {
      secrets.add(value)
      // P03: the one place a ${VAR} value is read; from now on every output sink redacts it.
      registerSecret(value, name)
    }
    return value
  }
  const parts = walkStrings(interpolatedParts(entry.server), (s) => {
    const r = expandTemplate(s, lookup)
    if (r.ok) return r.value
    for (const m of r.missing) if (!missing.some((x) => x.name === m.name)) missing.push(m)
    return ""
  }) as Partial<ServerConfig>
  if (missing.length) {
    const r = {
      status: "unset" as const,
      entry,
      missing: missing.map((m) => ({
        variable: m.name,
        ...(m.message !== undefined && { message: m.message }),
      })),
    }
    return { ...r, blocked: { message: unsetLine(r), hint: unsetHint(r.missing.map((m) => m.variable)) } }
  }
  const server = { ...entry.server, ...parts } as ServerConfig
  registerUrlCredentials(server)
  return { status: "ready", entry, server, secrets: [...secrets] }
}

/**
 * P04: a password or key written literally into a URL of the user's own config is as secret as
 * an approved value: every output redacts it too (doctor, errors quoting the URL, --debug).
 */
function registerUrlCredentials(server: ServerConfig): void {
  walkStrings(server, (s) => {
    for (const found of findUrlSecrets(s)) {
      registerSecret(found.value, "url-credential")
      registerSecret(decodeQuietly(found.value), "url-credential")
    }
    return s
  })
}

function decodeQuietly(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/**
 * The ready servers, or an error naming every variable and server that blocks the others:
 * ApprovalRequiredError (exit 3) when something needs approval, else ConfigError (exit 2)
 * for variables that are unset and have no default.
 */
export function requireReady(resolutions: Resolution[]): ReadyResolution[] {
  const approvals = resolutions.filter((r) => r.status === "needs_approval")
  const unset = resolutions.filter((r) => r.status === "unset")
  const blocked = resolutions.find((r) => r.status === "blocked")
  if (blocked) throw new PolicyError(blocked.blocked.message, { hint: blocked.blocked.hint })
  if (approvals.length) {
    const lines = approvals.map(approvalLine)
    const hints = approvals.flatMap(approvalHints)
    if (unset.length) lines.push(...unset.map(unsetLine))
    throw new ApprovalRequiredError(lines.join("\n"), { hint: [...new Set(hints)].join("\n  hint: ") })
  }
  if (unset.length) {
    const vars = [...new Set(unset.flatMap((r) => r.missing.map((m) => m.variable)))]
    throw new ConfigError(unset.map(unsetLine).join("\n"), { hint: unsetHint(vars) })
  }
  return resolutions.filter((r): r is ReadyResolution => r.status === "ready")
}

type NeedsApproval = Omit<Extract<Resolution, { status: "needs_approval" }>, "blocked">
type Unset = Omit<Extract<Resolution, { status: "unset" }>, "blocked">

function unsetHint(vars: string[]): string {
  return `set ${vars.join(", ")} in the environment, or give a default in the config: \${${vars[0]}:-value}`
}

function approvalLine(r: NeedsApproval): string {
  const parts: string[] = []
  if (r.project?.refused) {
    const what = r.project.refused.map(findingText).join("; ")
    parts.push(`project server "${r.entry.name}" from ${r.entry.file} was refused: it sets ${what}`)
  } else if (r.project) {
    const what = r.project.status === "changed" ? "changed since you approved it" : "not yet trusted"
    parts.push(`project server "${r.entry.name}" from ${r.entry.file} is ${what}`)
  }
  for (const v of r.variables)
    parts.push(`server "${r.entry.name}" needs approval to read ${v.variable} (${v.destination})`)
  return parts.join("\n")
}

function approvalHints(r: NeedsApproval): string[] {
  const hints: string[] = []
  if (r.project?.refused) hints.push(...refusedHints(r.entry.name, r.project.refused))
  else if (r.project) hints.push(`review and trust it: agent mcp approve ${r.entry.name}`)
  for (const v of r.variables) {
    hints.push(
      `approve it: agent env approve ${v.variable} --server ${r.entry.name}   (or for this run only: --approve-env ${v.variable})`,
    )
  }
  return hints
}

function unsetLine(r: Unset): string {
  return r.missing
    .map(
      (m) =>
        `server "${r.entry.name}": ${m.variable} is not set${m.message ? `: ${m.message}` : " and has no default"}`,
    )
    .join("\n")
}

/** What the user can do about a refused project server (I10, I11). */
export function refusedHints(name: string, refused: EnvFinding[]): string[] {
  const hints: string[] = []
  const allowable = refused.filter((f) => f.canAllow).map((f) => f.variable)
  if (allowable.length) {
    hints.push(
      `if you have read the value and trust it: agent mcp approve ${name} ${allowable.map((v) => `--allow-dangerous-env ${v}`).join(" ")}`,
    )
  }
  if (refused.some((f) => !f.canAllow)) {
    hints.push(
      "a project server may not run a program from the checkout or put a relative directory in PATH; to run the file as your own, pass --mcp FILE",
    )
  }
  return hints
}
