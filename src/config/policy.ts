import { existsSync } from "node:fs"
import * as v from "valibot"
import { ConfigError, PolicyError } from "../util/errors.ts"
import { closest } from "../util/suggest.ts"
import { readJsonFile } from "./json.ts"
import { commandMatches, nameMatches, urlMatches } from "./policy-match.ts"
import type { ServerConfig } from "./schema.ts"

// An organisation's policy (docs/policy.md): files the user cannot override, read by the CLI
// (which knows where they are) and handed to every path that installs, writes or starts a
// server. Several files all apply (the managed one and AGENTRT_POLICY): a server must pass every
// one, so a second file can only narrow the first. A file that cannot be read or parsed is an
// error, never an empty policy: a typo must not turn a policy off (fail closed).

const Patterns = v.array(v.pipe(v.string(), v.minLength(1, "a pattern cannot be empty")))

export const PolicyRules = v.strictObject({
  names: v.optional(
    v.pipe(Patterns, v.description("Registry names (io.github.acme/*) or catalog names; * and ? globs")),
  ),
  commands: v.optional(
    v.pipe(
      Patterns,
      v.description(
        'The executable and, optionally, argument globs: "docker", "npx -y @acme/* **", "/opt/tools/*"',
      ),
    ),
  ),
  urls: v.optional(
    v.pipe(
      Patterns,
      v.description('URL patterns: "https://mcp.acme.com/*", "*.acme.com", "http://localhost:*"'),
    ),
  ),
})
export type PolicyRules = v.InferOutput<typeof PolicyRules>

export const PolicyFile = v.strictObject({
  $schema: v.optional(v.string()),
  allow: v.optional(PolicyRules),
  deny: v.optional(PolicyRules),
  registries: v.optional(
    v.pipe(Patterns, v.description("Registries `agent install` and `agent mcp search` may use")),
  ),
  allowInstallLinks: v.optional(v.boolean()),
  allowProjectServers: v.optional(v.boolean()),
  allowAdHoc: v.optional(v.boolean()),
})
export type PolicyFile = v.InferOutput<typeof PolicyFile>

const RULE_KEYS = ["names", "commands", "urls"] as const
const TOP_KEYS = Object.keys(PolicyFile.entries)

export type PolicySource = "managed" | "AGENTRT_POLICY"

export interface PolicyLayer {
  file: string
  source: PolicySource
  rules: PolicyFile
}

/** Every policy file in force, managed first; none: `{ layers: [] }`. */
export interface Policy {
  layers: PolicyLayer[]
}

export const NO_POLICY: Policy = Object.freeze({ layers: [] }) as Policy

export interface PolicyLocation {
  file: string
  source: PolicySource
  /** AGENTRT_POLICY names a file that must exist; the managed file is optional. */
  required: boolean
}

/** Reads every policy file that exists; throws ConfigError (exit 2) for one that is broken. */
export function loadPolicy(locations: PolicyLocation[]): Policy {
  const layers: PolicyLayer[] = []
  for (const loc of locations) {
    if (!existsSync(loc.file)) {
      if (!loc.required) continue
      throw new ConfigError(`policy file ${loc.file} (from AGENTRT_POLICY) does not exist`, {
        file: loc.file,
        hint: "AGENTRT_POLICY must name a policy file; unset it to run without one",
      })
    }
    layers.push({ file: loc.file, source: loc.source, rules: parsePolicyFile(loc.file) })
  }
  return { layers }
}

export function parsePolicyFile(file: string): PolicyFile {
  const hint = "fix the file or ask whoever manages it; agent refuses to run with a policy it cannot read"
  let value: unknown
  try {
    value = readJsonFile(file, { jsonc: true }).value
  } catch (e: unknown) {
    if (e instanceof ConfigError) throw new ConfigError(`policy ${e.message}`, { file, hint, cause: e })
    throw new ConfigError(`cannot read policy file ${file}`, { file, hint, cause: e })
  }
  const unknown = unknownKey(value)
  if (unknown) throw new ConfigError(`policy file ${file}: ${unknown}`, { file, hint })
  const r = v.safeParse(PolicyFile, value)
  if (r.success) return r.output
  const issue = r.issues[0]
  const path = (issue.path ?? []).map((p) => String(p.key)).join(".")
  throw new ConfigError(`policy file ${file}: "${path || "(top)"}": ${issue.message}`, { file, hint })
}

/** Unknown keys are errors here (a misspelt "deny" must not be a policy that denies nothing). */
function unknownKey(value: unknown): string | undefined {
  if (!isObject(value)) return undefined // the schema says what is wrong
  const bad = (k: string, known: readonly string[], at: string) => {
    const near = closest(k, known)
    return `unknown field "${k}"${at}${near ? ` (did you mean "${near}"?)` : ""}`
  }
  for (const k of Object.keys(value)) if (!TOP_KEYS.includes(k)) return bad(k, TOP_KEYS, "")
  for (const list of ["allow", "deny"] as const) {
    const rules = value[list]
    if (!isObject(rules)) continue
    for (const k of Object.keys(rules))
      if (!(RULE_KEYS as readonly string[]).includes(k)) return bad(k, RULE_KEYS, ` in "${list}"`)
  }
  return undefined
}

/** What a check is about: a server about to be written or started, and where it came from. */
export interface PolicySubject {
  name: string
  server: ServerConfig
  /** Where the definition lives ("project": a checkout's .mcp.json); the same names as a ServerEntry's. */
  scope?: "user" | "project" | "file"
  /** The registry a server comes from, and its name there (or the catalog name). */
  registry?: string
  registryName?: string
  /**
   * The registry and name come from the config file (the `registry` an install recorded), which
   * the user can edit: they may deny a server, never admit one (allow.names is not matched).
   */
  isOriginRecorded?: boolean
  /** `--url URL` or `-- COMMAND` on the command line. */
  isAdhoc?: boolean
  /** An install link (agentrt://, the https form, a peer's link). */
  isLink?: boolean
}

/** What a definition says of its own origin (`registry`, written by `agent install NAME`): deny-only, see isOriginRecorded. */
export function recordedOrigin(
  server: ServerConfig,
): Pick<PolicySubject, "registry" | "registryName" | "isOriginRecorded"> {
  if (!server.registry) return {}
  return { registry: server.registry.url, registryName: server.registry.name, isOriginRecorded: true }
}

/** The rule that blocks something, said the way the error shows it. */
export interface PolicyViolation {
  file: string
  /** `deny.commands[0] "docker"`, `allowProjectServers: false`. */
  rule: string
}

/**
 * The first rule of any policy file that blocks this server, or undefined. `denyOnly` leaves out
 * the allow list: used before a definition's ${VAR}s are read, when `https://${HOST}/mcp` cannot
 * match an allowed URL yet (the allow list is checked on what actually runs, after they are).
 */
export function checkPolicyForServer(
  policy: Policy,
  subject: PolicySubject,
  opts: { denyOnly?: boolean } = {},
): PolicyViolation | undefined {
  for (const layer of policy.layers) {
    const rule = layerRule(layer.rules, subject, Boolean(opts.denyOnly))
    if (rule) return { file: layer.file, rule }
  }
  return undefined
}

function layerRule(p: PolicyFile, s: PolicySubject, denyOnly: boolean): string | undefined {
  if (s.isAdhoc && p.allowAdHoc === false) return "allowAdHoc: false"
  if (s.isLink && p.allowInstallLinks === false) return "allowInstallLinks: false"
  if (s.scope === "project" && p.allowProjectServers === false) return "allowProjectServers: false"
  if (s.registry !== undefined) {
    const r = registryRule(p, s.registry)
    if (r) return r
  }
  const denied = matchingRule(p.deny, "deny", s)
  if (denied) return denied
  if (denyOnly || p.allow === undefined) return undefined
  if (matchingRule(p.allow, "allow", s)) return undefined
  const kinds = RULE_KEYS.filter((k) => p.allow?.[k]?.length).map((k) => `allow.${k}`)
  return `not in the allow list (${kinds.join(", ") || "allow is empty"})`
}

function matchingRule(rules: PolicyRules | undefined, list: "allow" | "deny", s: PolicySubject) {
  if (!rules) return undefined
  const found = (kind: string, patterns: string[] | undefined, test: (p: string) => boolean) => {
    const i = patterns?.findIndex(test) ?? -1
    return i < 0 ? undefined : `${list}.${kind}[${i}] ${JSON.stringify(patterns?.[i])}`
  }
  const srv = s.server
  const isNameUsable = s.registryName !== undefined && (list === "deny" || !s.isOriginRecorded)
  return (
    (isNameUsable
      ? found("names", rules.names, (p) => nameMatches(p, s.registryName as string))
      : undefined) ??
    (srv.transport === "stdio"
      ? found("commands", rules.commands, (p) => commandMatches(p, srv.command, srv.args, list))
      : found("urls", rules.urls, (p) => urlMatches(p, srv.url)))
  )
}

function registryRule(p: PolicyFile, registry: string): string | undefined {
  if (p.registries === undefined || p.registries.some((r) => urlMatches(r, registry))) return undefined
  return `registries ${JSON.stringify(p.registries)} does not list ${registry}`
}

/**
 * A definition about to be written: the whole policy, except that one whose command, args or URL
 * still hold ${VAR}s is held only to the deny rules (the allow list sees it, read, when it starts).
 */
export function checkPolicyForDefinition(
  policy: Policy,
  subject: PolicySubject,
): PolicyViolation | undefined {
  const full = checkPolicyForServer(policy, subject)
  if (!full) return undefined
  const srv = subject.server
  const runs = srv.transport === "stdio" ? [srv.command, ...srv.args] : [srv.url]
  return runs.some((x) => x.includes("${")) ? checkPolicyForServer(policy, subject, { denyOnly: true }) : full
}

/** A registry URL (`--registry`, AGENTRT_REGISTRY, config `registries`) every policy file allows. */
export function checkPolicyForRegistry(policy: Policy, registry: string): PolicyViolation | undefined {
  for (const layer of policy.layers) {
    const rule = registryRule(layer.rules, registry)
    if (rule) return { file: layer.file, rule }
  }
  return undefined
}

/** Install links at all (`agent install LINK`, `--register`): false in any file turns them off. */
export function checkPolicyForLinks(policy: Policy): PolicyViolation | undefined {
  const layer = policy.layers.find((l) => l.rules.allowInstallLinks === false)
  return layer && { file: layer.file, rule: "allowInstallLinks: false" }
}

/** Ad hoc servers at all (`--url URL`, `-- COMMAND`). */
export function checkPolicyForAdHoc(policy: Policy): PolicyViolation | undefined {
  const layer = policy.layers.find((l) => l.rules.allowAdHoc === false)
  return layer && { file: layer.file, rule: "allowAdHoc: false" }
}

export const POLICY_HINT =
  "the policy is set by your organisation; `agent config path` shows which file is in force (docs/policy.md)"

/** The one error every path gives (exit 6): what, which file, which rule. */
export function policyError(what: string, violation: PolicyViolation): PolicyError {
  return new PolicyError(`${what} is blocked by policy ${violation.file}: ${violation.rule}`, {
    hint: POLICY_HINT,
  })
}

function isObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === "object" && !Array.isArray(x)
}
