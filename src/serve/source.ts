import type { LoggingLevel, Manager, ServerState } from "../mcp/index.ts"

// What `agent mcp serve` and `agent mcp proxy` serve from (docs/serve.md "Design"): the manager of
// this process today, a daemon-backed source later. The serve core never creates or closes one;
// the CLI does, so a daemon client can stand in without the core changing.

/** The calls the serve core makes: the Manager's, so a manager is a source as it is. */
export type ServerSource = Pick<
  Manager,
  "states" | "tools" | "callTool" | "prompts" | "getPrompt" | "resources" | "readResource"
>

export type ListKind = "tools" | "prompts" | "resources"

/** What the source tells the core: a list changed on one of its servers; a server logged a message. */
export interface SourceEvents {
  listChanged(server: string, kind: ListKind): void
  log(server: string, level: LoggingLevel, data: unknown): void
}

/** The connected servers of a source, by name (what is offered downstream). */
export function connectedNames(source: Pick<ServerSource, "states">): string[] {
  return source
    .states()
    .filter((s: ServerState) => s.status === "connected")
    .map((s) => s.name)
}
