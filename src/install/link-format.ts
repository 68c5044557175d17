// The inverse of links.ts: a server entry as a link in one of the formats an "Add to …" button
// uses, or as an "Add to agent" badge for a README (docs/install-links.md).
import { toBase64 } from "./link-query.ts"
import { INSTALL_PAGE_URL, installPageUrl } from "./link-web.ts"

export type LinkFormat =
  | "agentrt"
  | "scheme"
  | "url"
  | "markdown"
  | "html"
  | "cursor"
  | "vscode"
  | "kiro"
  | "lmstudio"

export const LINK_FORMATS: readonly LinkFormat[] = [
  "agentrt",
  "scheme",
  "url",
  "markdown",
  "html",
  "cursor",
  "vscode",
  "kiro",
  "lmstudio",
]

/**
 * The "Add to agent" badge: a static shields.io badge (label "Add to", message "agent"), the
 * same service VS Code and many MCP READMEs use for theirs, so it renders on GitHub.
 */
export const BADGE_URL = "https://img.shields.io/badge/Add_to-agent-2F6FEB?style=flat-square"

/** Our link's query: `name=…&config=<base64url JSON>`, only URL-safe characters. */
export function agentrtQuery(name: string, entry: Record<string, unknown>): string {
  return `name=${encodeURIComponent(name)}&config=${toBase64(JSON.stringify(entry), true)}`
}

/**
 * The link in `format`. agentrt/scheme: the raw `agentrt://` link; url: the install page with
 * the same query as its fragment; markdown/html: a badge around the page URL, since READMEs
 * drop custom-scheme links. The caller checks that the entry parses back (links.ts).
 */
export function formatLink(
  name: string,
  entry: Record<string, unknown>,
  format: LinkFormat,
  page = INSTALL_PAGE_URL,
): string {
  const enc = encodeURIComponent
  const json = JSON.stringify(entry)
  const query = agentrtQuery(name, entry)
  switch (format) {
    case "agentrt":
    case "scheme":
      return `agentrt://mcp/install?${query}`
    case "url":
      return installPageUrl(query, page)
    case "markdown":
      return `[![Add to agent](${BADGE_URL})](${installPageUrl(query, page)})`
    case "html":
      return `<a href="${attr(installPageUrl(query, page))}"><img src="${attr(BADGE_URL)}" alt="Add to agent"></a>`
    case "cursor":
      return `cursor://anysphere.cursor-deeplink/mcp/install?name=${enc(name)}&config=${enc(toBase64(json))}`
    case "vscode":
      return `vscode:mcp/install?${enc(JSON.stringify({ name, ...entry }))}`
    case "kiro":
      return `https://kiro.dev/launch/mcp/add?name=${enc(name)}&config=${enc(json)}`
    case "lmstudio":
      // lmstudio.ai/docs/app/mcp/deeplink: base64 of the entry, percent-encoded ("=" as %3D).
      return `lmstudio://add_mcp?name=${enc(name)}&config=${enc(toBase64(json))}`
  }
}

/** Safe inside a double-quoted HTML attribute. */
function attr(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
}
