import { Client, ProtocolError, ProtocolErrorCode } from "@modelcontextprotocol/client"
import pkg from "../../package.json" with { type: "json" }
import type { Root } from "./roots.ts"
import { TASKS_EXTENSION } from "./tasks.ts"
import type { ManagerOptions } from "./types.ts"

// Server → client requests and notifications (docs/design.md §5): roots, elicitation, sampling,
// logging, list_changed. One Client per connection attempt, all built here.

const CLIENT_INFO = { name: "agentrt", version: pkg.version }

export interface ClientHooks {
  /** A list changed on the server: drop the cached list so the next read refetches. */
  onListChanged(kind: "tools" | "prompts" | "resources"): void
  /** What this server is offered as roots (rootsFor); empty: no roots capability at all (C09). */
  roots: Root[]
}

/**
 * How the client picks the protocol revision: a pinned revision (config `protocolVersion`,
 * `--protocol-version`) is spoken or the connect fails, with no fallback; 2026-07-28 and later
 * through the SDK's pin, a 2025 revision as the only one `initialize` offers and accepts.
 */
function versionOptions(negotiation: "auto" | "legacy", probeTimeoutMs: number, pinned?: string) {
  if (pinned && pinned >= "2026-07-28") return { versionNegotiation: { mode: { pin: pinned } } }
  if (pinned) return { versionNegotiation: { mode: "legacy" as const }, supportedProtocolVersions: [pinned] }
  return {
    versionNegotiation:
      negotiation === "auto"
        ? { mode: "auto" as const, probe: { timeoutMs: probeTimeoutMs, maxRetries: 0 } }
        : { mode: "legacy" as const },
  }
}

export function createClient(
  server: string,
  opts: ManagerOptions,
  negotiation: "auto" | "legacy",
  probeTimeoutMs: number,
  hooks: ClientHooks,
  pinned?: string,
): Client {
  // C09: with no roots, the roots capability is not declared and roots/list has no handler, so a
  // server that asks anyway gets "method not found" (spec: client/roots), never a directory.
  const roots = hooks.roots
  const client = new Client(CLIENT_INFO, {
    ...versionOptions(negotiation, probeTimeoutMs, pinned),
    capabilities: {
      ...(roots.length > 0 && { roots: {} }),
      elicitation: { form: { applyDefaults: true }, url: {} },
      sampling: {},
      // 2026-07-28 tasks (tasks.ts): the server may answer a tools/call with a task, which we follow.
      extensions: { [TASKS_EXTENSION]: {} },
    },
  })
  if (roots.length > 0)
    client.setRequestHandler("roots/list", async () => ({ roots: roots.map((r) => ({ ...r })) }))
  client.setRequestHandler("elicitation/create", async (req) => {
    if (!opts.elicit) return { action: "decline" }
    return opts.elicit(server, req.params)
  })
  client.setRequestHandler("sampling/createMessage", async (req) => {
    if (!opts.sample)
      throw new ProtocolError(ProtocolErrorCode.InvalidRequest, "sampling is not available in this command")
    return opts.sample(server, req.params)
  })
  client.setNotificationHandler("notifications/message", (n) => {
    opts.onLog?.(server, n.params.level, n.params.data)
  })
  client.setNotificationHandler("notifications/tools/list_changed", () => hooks.onListChanged("tools"))
  client.setNotificationHandler("notifications/prompts/list_changed", () => hooks.onListChanged("prompts"))
  client.setNotificationHandler("notifications/resources/list_changed", () =>
    hooks.onListChanged("resources"),
  )
  return client
}
