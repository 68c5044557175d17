import { isAbsolute, resolve } from "node:path"
import {
  checkPolicyForAdHoc,
  checkPolicyForDefinition,
  checkPolicyForLinks,
  checkPolicyForRegistry,
  checkPolicyForServer,
  loadPolicy,
  policyError,
  type Policy,
  type PolicyLocation,
  type PolicySubject,
} from "../../config/index.ts"
import { escapeTerminal } from "../../util/text.ts"

/** What finding the policy needs of a command's context (Ctx has it; kept narrow: context.ts imports this file). */
export interface PolicyCtx {
  env: Record<string, string | undefined>
  cwd: string
}

// Where the organisation's policy is (docs/policy.md), decided here so domain code only ever
// gets the parsed policy. C14: the managed path is fixed per OS and read from no variable (an
// environment the user controls must not move it); AGENTRT_POLICY adds a file (CI); both apply.

const MANAGED: Partial<Record<NodeJS.Platform, string>> = {
  darwin: "/Library/Application Support/agentrt/policy.json",
  // %ProgramData% on a standard install; not read from the variable, for the reason above.
  win32: "C:\\ProgramData\\agentrt\\policy.json",
}

/** The managed policy file of this OS (every Unix but macOS: /etc/agentrt/policy.json). */
export function managedPolicyPath(platform: NodeJS.Platform = process.platform): string {
  return MANAGED[platform] ?? "/etc/agentrt/policy.json"
}

/** The policy files to read, managed first; AGENTRT_POLICY (relative: to the working directory) after. */
export function policyLocations(ctx: PolicyCtx): PolicyLocation[] {
  const out: PolicyLocation[] = [{ file: managedPolicyPath(), source: "managed", required: false }]
  const extra = ctx.env.AGENTRT_POLICY
  if (extra) {
    out.push({
      file: isAbsolute(extra) ? extra : resolve(ctx.cwd, extra),
      source: "AGENTRT_POLICY",
      required: true,
    })
  }
  return out
}

// One read per command (several steps ask): keyed by the context, so a daemon request (a new
// context each time) reads the files again and a changed policy applies to the next command.
const loaded = new WeakMap<PolicyCtx, Policy>()

/** The policy in force for this command; a broken policy file is an error (exit 2), never ignored. */
export function policyFor(ctx: PolicyCtx): Policy {
  let policy = loaded.get(ctx)
  if (!policy) {
    policy = loadPolicy(policyLocations(ctx))
    loaded.set(ctx, policy)
  }
  return policy
}

/** Throws the policy error (exit 6) when the policy forbids this server. */
export function enforcePolicy(
  ctx: PolicyCtx,
  subject: PolicySubject,
  opts: { denyOnly?: boolean } = {},
): void {
  const violation = checkPolicyForServer(policyFor(ctx), subject, opts)
  if (violation) throw policyError(`server "${escapeTerminal(subject.name)}"`, violation)
}

/** A server about to be written (an install's screen comes after this): see checkPolicyForDefinition. */
export function enforceDefinitionPolicy(ctx: PolicyCtx, subject: PolicySubject): void {
  const violation = checkPolicyForDefinition(policyFor(ctx), subject)
  if (violation) throw policyError(`server "${escapeTerminal(subject.name)}"`, violation)
}

/** Install links at all (any format), and the agentrt:// handler. */
export function enforceLinkPolicy(ctx: PolicyCtx, what = "installing from a link"): void {
  const off = checkPolicyForLinks(policyFor(ctx))
  if (off) throw policyError(what, off)
}

/** A registry URL (`agent install NAME`, `agent mcp search`): every policy file must list it. */
export function enforceRegistryPolicy(ctx: PolicyCtx, registry: string): void {
  const off = checkPolicyForRegistry(policyFor(ctx), registry)
  if (off) throw policyError(`registry ${escapeTerminal(registry)}`, off)
}

/** `--url URL` / `-- COMMAND`: ad hoc servers at all, then this one's command or URL. */
export function enforceAdHocPolicy(ctx: PolicyCtx, subject: Omit<PolicySubject, "isAdhoc">): void {
  const off = checkPolicyForAdHoc(policyFor(ctx))
  if (off) throw policyError("an ad hoc server (--url URL or -- COMMAND)", off)
  enforcePolicy(ctx, { ...subject, isAdhoc: true })
}
