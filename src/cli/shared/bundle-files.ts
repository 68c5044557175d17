import { existsSync } from "node:fs"
import { configLocations, parseConfigFile } from "../../config/index.ts"
import { bundleDirOf, bundlesDir, removeBundleDir } from "../../install/index.ts"
import type { Ctx } from "./context.ts"

// `agent mcp remove NAME` for a server installed from an MCPB bundle (I37): its unpacked files
// go too, but only a directory directly inside our bundles directory, and only when no server
// left in the user, project or given config still runs from it. A config we cannot read counts
// as still using it: leaving files behind is harmless, deleting a server's code is not.

/** Deletes the bundle directory the removed entry ran from; returns it, or undefined when kept. */
export async function removeUnusedBundle(
  ctx: Ctx,
  removed: unknown,
  file: string,
): Promise<string | undefined> {
  const root = bundlesDir(ctx.paths.stateDir)
  const dir = bundleDirOf(removed, root)
  if (dir === undefined || isStillUsed(ctx, dir, root, file)) return undefined
  return (await removeBundleDir(root, dir)) ? dir : undefined
}

function isStillUsed(ctx: Ctx, dir: string, root: string, file: string): boolean {
  const locations = configLocations({ paths: ctx.paths, cwd: ctx.cwd, files: [file] })
  for (const loc of locations) {
    if (!existsSync(loc.file)) continue
    try {
      const servers = parseConfigFile(loc.file, loc.scope).servers
      if (servers.some((e) => e.server.transport === "stdio" && bundleDirOf(e.server, root) === dir))
        return true
    } catch {
      return true // unreadable: see above, keep the files
    }
  }
  return false
}
