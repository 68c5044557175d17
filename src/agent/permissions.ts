// Tool permissions (docs/design.md §9): --deny beats everything, then --allow and a server's
// autoApprove, then --yes; anything else is asked (when there is someone to ask) or refused.
// Patterns match the model-facing name `server__tool` or the pair `server/tool`, `*` any run.
import type { NamespacedTool } from "../mcp/index.ts"

export type Decision = "allow" | "deny" | "ask"
export type CheckResult = Decision | { decision: Decision; reason?: string }
export type AskAnswer = boolean | { allow: boolean; reason?: string }

export interface Permissions {
  check(tool: NamespacedTool): CheckResult
  /** Asked for "ask" decisions; without it they are refused. */
  ask?(tool: NamespacedTool, args: Record<string, unknown>, signal: AbortSignal): Promise<AskAnswer>
}

export interface PermissionRules {
  allow?: string[]
  deny?: string[]
  /** server name → its autoApprove list (`["*"]` = every tool of that server). */
  autoApprove?: Record<string, string[]>
  /** --yes: allow what no rule denies. */
  isYes?: boolean
  ask?: Permissions["ask"]
}

export function createPermissions(rules: PermissionRules): Permissions {
  const deny = (rules.deny ?? []).map(compile)
  const allow = (rules.allow ?? []).map(compile)
  return {
    check(tool) {
      const names = [tool.name, `${tool.server}/${tool.tool.name}`, `${tool.server}__${tool.tool.name}`]
      const hit = (list: RegExp[]) => list.some((re) => names.some((n) => re.test(n)))
      if (hit(deny)) return { decision: "deny", reason: `${tool.name} is denied by a --deny rule` }
      if (hit(allow)) return "allow"
      const auto = rules.autoApprove?.[tool.server] ?? []
      if (auto.includes("*") || auto.includes(tool.tool.name)) return "allow"
      if (rules.isYes) return "allow"
      return "ask"
    },
    ask: rules.ask,
  }
}

export const allowAll: Permissions = { check: () => "allow" }

function compile(pattern: string): RegExp {
  const body = pattern
    .split("*")
    .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*")
  return new RegExp(`^${body}$`)
}

/** Runs check (and ask) for one call; returns undefined when allowed, else the refusal reason. */
export async function decide(
  permissions: Permissions,
  tool: NamespacedTool,
  args: Record<string, unknown>,
  signal: AbortSignal,
): Promise<string | undefined> {
  const checked = permissions.check(tool)
  const { decision, reason } =
    typeof checked === "string" ? { decision: checked, reason: undefined } : checked
  if (decision === "allow") return undefined
  if (decision === "deny") return reason ?? `${tool.name} is not allowed`
  if (!permissions.ask) {
    return (
      reason ??
      `${tool.name} needs approval and nobody can be asked; allow it with --allow ${tool.name} or --yes`
    )
  }
  const answer = await permissions.ask(tool, args, signal)
  const { allow, reason: why } = typeof answer === "boolean" ? { allow: answer, reason: undefined } : answer
  return allow ? undefined : (why ?? `the user refused ${tool.name}`)
}
