// What the web install page (web/install.html) shows for its URL fragment: the approval
// screen's link lines (describeLink, the same masking and escaping as the terminal), our
// agentrt:// link and the `agent install '…'` command to copy, or why the fragment is refused.
// Pure, so it is bundled into the page as it is and tested here (I16, I17).
import { AgentError } from "../util/errors.ts"
import { formatInstallLink, parseInstallLink } from "./links.ts"
import { describeLink } from "./present.ts"

export type PageView =
  | { status: "ok"; name: string; lines: string[]; link: string; command: string }
  | { status: "refused"; message: string; hint?: string }

/** The page's view of `location.hash`: the same query as an agentrt:// link, after the "#". */
export function viewFragment(hash: string): PageView {
  const fragment = hash.replace(/^#/, "")
  if (fragment === "")
    return {
      status: "refused",
      message: "This link names no server: the page's address has nothing after the #.",
      hint: 'An "Add to agent" link looks like install.html#name=NAME&config=…; ask its author for the whole link.',
    }
  try {
    // A "#" inside would end the query of the link built below and drop the rest unseen.
    if (fragment.includes("#")) return refused('install link refused: the fragment holds a second "#"')
    const req = parseInstallLink(`agentrt://mcp/install?${fragment}`)
    // Re-encoded from the checked entry: only URL-safe characters, whatever the fragment held.
    const link = formatInstallLink(req.name, req.entry, "agentrt")
    return {
      status: "ok",
      name: req.name,
      lines: describeLink(req),
      link,
      command: `agent install ${shellQuote(link)}`,
    }
  } catch (e: unknown) {
    if (e instanceof AgentError) return refused(e.message, e.hint)
    throw e
  }
}

function refused(message: string, hint?: string): PageView {
  return { status: "refused", message, ...(hint !== undefined && { hint }) }
}

/** POSIX sh single quotes: nothing inside is special except the quote itself. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`
}
