import {
  findCatalogEntry,
  formatInstallLink,
  parseInstallLink,
  searchCatalog,
  type InstallRequest,
} from "../../install/index.ts"
import { UsageError } from "../../util/errors.ts"
import { escapeTerminal } from "../../util/text.ts"
import type { Ctx } from "../shared/context.ts"
import { planFor, type InstallArgs, type Origin, type Plan, type Prepared } from "../shared/install-plan.ts"

// Which request `agent install INPUT` makes: a link, a catalog entry, or one prepared from a
// registry (registry.ts). What is shown, asked and written is shared (cli/shared/install-plan.ts),
// so every source gets the same screen (SEP-1024; I01-I08).
export {
  applyInstall,
  decide,
  installScreen,
  report,
  showScreen,
  type InstallArgs,
  type Plan,
  type Prepared,
} from "../shared/install-plan.ts"

/** `cursor://…`, `https://…`, `vscode:mcp/…`: anything with a scheme; catalog names have none. */
const LINK_LIKE = /^[a-z][a-z0-9+.-]*:/i

export function planInstall(ctx: Ctx, args: InstallArgs, input: string, prepared?: Prepared): Plan {
  if (prepared) return planFor(ctx, args, prepared.req, "registry", prepared.registry)
  let { req, origin } = requestFor(input)
  const catalogName = origin === "catalog" ? req.name : undefined
  if (args.name !== undefined && args.name !== req.name) req = renamed(req, args.name)
  return planFor(ctx, args, req, origin, undefined, catalogName)
}

function requestFor(input: string): { req: InstallRequest; origin: Origin } {
  if (LINK_LIKE.test(input)) {
    const req = parseInstallLink(input)
    return { req, origin: req.source }
  }
  const entry = findCatalogEntry(input)
  if (!entry) {
    const similar = searchCatalog(input).map((e) => e.name)
    throw new UsageError(
      `"${escapeTerminal(input.slice(0, 80))}" is neither an install link nor a catalog entry`,
      {
        hint: similar.length
          ? `did you mean: ${similar.join(", ")}?`
          : "`agent mcp catalog` lists the catalog; links start with a scheme such as agentrt:// or cursor://",
      },
    )
  }
  // Through our own link format, so a catalog entry passes exactly the checks a link does.
  const req = parseInstallLink(formatInstallLink(entry.name, entry.entry, "agentrt"))
  const envDescriptions = Object.fromEntries(entry.variables.map((v) => [v.name, v.description]))
  return { req: { ...req, envDescriptions }, origin: "catalog" }
}

/** `--name NEW`: re-checked as if the link had carried that name (I02). */
function renamed(req: InstallRequest, name: string): InstallRequest {
  const again = parseInstallLink(formatInstallLink(name, req.entry, "agentrt"))
  return { ...again, source: req.source, envDescriptions: req.envDescriptions }
}
