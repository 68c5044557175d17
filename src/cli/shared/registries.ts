import {
  createRegistryClient,
  normalizeRegistryUrl,
  OFFICIAL_REGISTRY,
  type RegistryClient,
} from "../../install/index.ts"
import type { Config } from "../../config/index.ts"
import type { Ctx } from "./context.ts"
import { enforceRegistryPolicy } from "./policy.ts"

// Which MCP registries a command asks (docs/registry.md), first match wins: --registry URL, else
// AGENTRT_REGISTRY (comma-separated), else `registries` in the user config or --mcp files, else
// the official registry. Read here, in the CLI, and handed to src/install as plain values.

export const registryArg = {
  registry: {
    type: "string",
    valueHint: "URL",
    description:
      "Ask this MCP registry (default: AGENTRT_REGISTRY, then `registries` in the config, then registry.modelcontextprotocol.io)",
  },
} as const

export function registryUrls(
  ctx: Ctx,
  flag: string | undefined,
  config?: Pick<Config, "registries">,
): string[] {
  const from = (list: string[]) => [
    ...new Set(
      list
        .map((u) => u.trim())
        .filter(Boolean)
        .map(normalizeRegistryUrl),
    ),
  ]
  if (flag !== undefined) return from([flag])
  const env = ctx.env.AGENTRT_REGISTRY
  if (env?.trim()) return from(env.split(","))
  if (config?.registries?.length) return from(config.registries)
  return [OFFICIAL_REGISTRY]
}

export function registryClients(ctx: Ctx, urls: string[]): RegistryClient[] {
  // docs/policy.md: every registry call goes through a client made here, so a registry the
  // organisation's policy does not list is refused (exit 6) before anything is asked of it.
  for (const url of urls) enforceRegistryPolicy(ctx, url)
  // Tests shorten the backoff; a user has no reason to (undocumented on purpose).
  const delay = Number(ctx.env.AGENTRT_REGISTRY_RETRY_MS)
  return urls.map((baseUrl) =>
    createRegistryClient({ baseUrl, ...(Number.isFinite(delay) && delay >= 0 && { retryDelayMs: delay }) }),
  )
}

/** PATH lookup for choosing a package whose runtime is here (npx, uvx, docker, dnx). */
export function commandLookup(ctx: Ctx): (name: string) => boolean {
  const PATH = ctx.env.PATH ?? ""
  return (name) => Bun.which(name, { PATH, cwd: ctx.cwd }) !== null
}
