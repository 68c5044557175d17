import { basename } from "node:path"
import { pathToFileURL } from "node:url"
import { Client, ProtocolError, ProtocolErrorCode } from "@modelcontextprotocol/client"
import pkg from "../../package.json" with { type: "json" }
import type { ManagerOptions } from "./types.ts"

// Server → client requests and notifications (docs/design.md §5): roots, elicitation, sampling,
// logging, list_changed. One Client per connection attempt, all built here.

const CLIENT_INFO = { name: "agentrt", version: pkg.version }

export interface ClientHooks {
  /** A list changed on the server: drop the cached list so the next read refetches. */
  onListChanged(kind: "tools" | "prompts" | "resources"): void
}

export function createClient(server: string, opts: ManagerOptions, negotiation: "auto" | "legacy", probeTimeoutMs: number, hooks: ClientHooks): Client {
  const client = new Client(CLIENT_INFO, {
    versionNegotiation: negotiation === "auto" ? { mode: "auto", probe: { timeoutMs: probeTimeoutMs, maxRetries: 0 } } : { mode: "legacy" },
    capabilities: {
      roots: { listChanged: true },
      elicitation: { form: { applyDefaults: true }, url: {} },
      sampling: {},
    },
  })
  client.setRequestHandler("roots/list", async () => ({
    roots: [{ uri: pathToFileURL(opts.cwd).href, name: basename(opts.cwd) || opts.cwd }],
  }))
  client.setRequestHandler("elicitation/create", async (req) => {
    if (!opts.elicit) return { action: "decline" }
    return opts.elicit(server, req.params)
  })
  client.setRequestHandler("sampling/createMessage", async (req) => {
    if (!opts.sample) throw new ProtocolError(ProtocolErrorCode.InvalidRequest, "sampling is not available in this command")
    return opts.sample(server, req.params)
  })
  client.setNotificationHandler("notifications/message", (n) => {
    opts.onLog?.(server, n.params.level, n.params.data)
  })
  client.setNotificationHandler("notifications/tools/list_changed", () => hooks.onListChanged("tools"))
  client.setNotificationHandler("notifications/prompts/list_changed", () => hooks.onListChanged("prompts"))
  client.setNotificationHandler("notifications/resources/list_changed", () => hooks.onListChanged("resources"))
  return client
}
