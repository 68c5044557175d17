import { localName, registryRequest, resolveRegistryServer } from "../../install/index.ts"
import { loadFromArgs, type Ctx } from "../shared/context.ts"
import { commandLookup, registryClients, registryUrls } from "../shared/registries.ts"
import type { InstallArgs, Prepared } from "./plan.ts"

// `agent install io.github.owner/server[@VERSION]` (docs/registry.md): resolve the server.json
// in the registries, in order, pick a package or remote, and hand plan.ts a request that has
// passed every link check. From there it is the install-link path: the same screen (I20: the
// registry's text is escaped there; the chosen way and why are its second line), --yes, --scope, --dry-run and write.

export async function prepareRegistryInstall(
  ctx: Ctx,
  args: InstallArgs,
  rawArgs: string[],
  target: { name: string; version?: string },
): Promise<Prepared> {
  const urls = registryUrls(ctx, args.registry, loadFromArgs(ctx, rawArgs))
  const resolved = await resolveRegistryServer(registryClients(ctx, urls), target.name, target.version, {
    ...(args.package !== undefined && { package: args.package }),
    ...(args.remote && { remote: true }),
    hasCommand: commandLookup(ctx),
  })
  const { found, registry } = resolved
  return {
    req: registryRequest(args.name ?? localName(found.server.name), resolved),
    registry: {
      url: registry,
      name: found.server.name,
      version: found.server.version,
      ...(found.isLatest !== undefined && { isLatest: found.isLatest }),
      ...(found.status !== undefined && { status: found.status }),
      chosen: resolved.chosen,
      reason: resolved.reason,
    },
  }
}
