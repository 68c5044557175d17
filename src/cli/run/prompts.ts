// `agent run`'s questions at a terminal (stderr, one at a time): tool permission (yes / no /
// always for this tool) and a server's sampling request; the elicitation form is in
// shared/elicit-prompt.ts and the one-at-a-time queue in shared/queue.ts (both shared with `agent mcp`). Without a terminal none of these are built: the
// loop refuses calls that are not allowed and sampling needs --allow-sampling (docs/design.md §9).
import type { AskAnswer, Permissions, SamplingRequest } from "../../agent/index.ts"
import { oneLine, type Queue } from "../shared/queue.ts"
import { samplingScreen } from "./sampling-screen.ts"

export function toolAsker(queue: Queue): NonNullable<Permissions["ask"]> {
  const always = new Set<string>()
  return async (tool, args, signal): Promise<AskAnswer> => {
    if (always.has(tool.name)) return true
    const preview = oneLine(JSON.stringify(args), 300)
    const question = `Allow ${tool.name} (server "${tool.server}", tool "${tool.tool.name}") ${preview}?\n  [y]es / [n]o / [a]lways for this tool:`
    const answer = await queue(question, signal, () => (always.has(tool.name) ? "always" : undefined))
    const a = (answer ?? "").trim().toLowerCase()
    if (a === "a" || a === "always") {
      always.add(tool.name)
      return true
    }
    if (a === "y" || a === "yes") return true
    return {
      allow: false,
      reason:
        answer === undefined
          ? "the run was interrupted before the user answered"
          : `the user refused ${tool.name}`,
    }
  }
}

/** At a terminal: asks before the model answers a server's sampling request ("always" = for that server). */
export function samplingApprover(
  queue: Queue,
): (server: string, request: SamplingRequest, signal: AbortSignal) => Promise<boolean> {
  const always = new Set<string>()
  return async (server, request, signal) => {
    if (always.has(server)) return true
    // P11: the whole request (system prompt and every message), not only the last message.
    const q = `${samplingScreen(server, request).join("\n")}\n  [y]es / [n]o / [a]lways for this server:`
    const a = ((await queue(q, signal, () => (always.has(server) ? "always" : undefined))) ?? "")
      .trim()
      .toLowerCase()
    if (a === "a" || a === "always") always.add(server)
    return a === "y" || a === "yes" || always.has(server)
  }
}
