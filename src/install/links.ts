// Install links in every format an "Add to …" button on the web uses (docs/design.md §8, I06), each
// parsed into the same checked InstallRequest, and the inverse for our own links and badges.
//
//   agentrt://mcp/install?name=NAME&config=<base64url or URL-encoded JSON>
//   cursor://anysphere.cursor-deeplink/mcp/install?name=NAME&config=<base64 JSON>
//   https://cursor.com[/<locale>]/install-mcp?name=NAME&config=<base64 JSON>
//   vscode:mcp/install?<URL-encoded JSON with "name">          (also vscode-insiders:)
//   https://[insiders.]vscode.dev/redirect/mcp/install?name=NAME&config=<URL-encoded JSON>[&inputs=…]
//   https://[insiders.]vscode.dev/redirect?url=<URL-encoded vscode: link>
//   https://kiro.dev/launch/mcp/add?name=NAME&config=<URL-encoded JSON>
//   goose://extension?cmd=…&arg=…&id=…&env=KEY%3Ddesc   or   goose://extension?url=…&type=…
//
// Sources: cursor.com/docs/mcp/install-links, kiro.dev/docs/mcp/share, VS Code's MCP developer
// guide (URL handler) and the vscode.dev redirect links in MCP READMEs, goose's deeplink handler.
import { parseGooseLink } from "./link-goose.ts"
import { buildRequest, type InstallRequest, type LinkSource } from "./link-entry.ts"
import {
  decodeConfigParam,
  linkError,
  MAX_LINK_BYTES,
  parseConfigJson,
  printable,
  Query,
} from "./link-query.ts"

export type { InstallRequest, LinkSource } from "./link-entry.ts"
export type LinkFormat = "agentrt" | "cursor" | "vscode" | "kiro" | "markdown"

/**
 * The "Add to agent" badge: a static shields.io badge (label "Add to", message "agent"), the
 * same service VS Code and many MCP READMEs use for theirs, so it renders on GitHub.
 */
export const BADGE_URL = "https://img.shields.io/badge/Add_to-agent-2F6FEB?style=flat-square"

const NAME_CONFIG = ["name", "config"]
const CURSOR_WEB_PATH = /^\/(?:[a-z]{2,3}(?:-[a-z0-9]{2,4})?\/)?install-mcp\/?$/i
const SUPPORTED =
  "agentrt://mcp/install, cursor://…/mcp/install, cursor.com/install-mcp, vscode:mcp/install, vscode.dev/redirect, kiro.dev/launch/mcp/add, goose://extension"

/** Parses and checks an install link; throws UsageError (exit 2) with a one-line reason. */
export function parseInstallLink(link: string): InstallRequest {
  const size = Buffer.byteLength(link, "utf8")
  if (size > MAX_LINK_BYTES)
    throw linkError(`the link is ${Math.ceil(size / 1024)} KB; the limit is ${MAX_LINK_BYTES / 1024} KB`)
  const text = link.trim()
  // A browser or OS never hands over raw spaces or control bytes; their presence means tampering or a paste accident.
  if (/[\s\u0000-\u001f\u007f-\u009f]/.test(text))
    throw linkError("the link contains spaces or control characters", "percent-encode them")
  return parseUrl(text, false)
}

function parseUrl(text: string, isInner: boolean): InstallRequest {
  let url: URL
  try {
    url = new URL(text)
  } catch (e: unknown) {
    throw linkError(`"${printable(text)}" is not a URL`, `supported: ${SUPPORTED}`, e)
  }
  if (url.username || url.password || url.port) throw linkError("the link carries a user, password or port")
  const host = url.hostname.toLowerCase()
  const path = url.pathname
  switch (url.protocol) {
    case "agentrt:":
      if (host === "mcp" && path === "/install") return parseNameConfig("agentrt", url.search)
      break
    case "cursor:":
      if (host === "anysphere.cursor-deeplink" && path === "/mcp/install")
        return parseNameConfig("cursor", url.search)
      break
    case "vscode:":
    case "vscode-insiders:":
      if (host === "" && path.replace(/^\/\//, "") === "mcp/install") return parseVsCode(url.search)
      break
    case "goose:":
      if (host === "extension" && (path === "" || path === "/")) return parseGooseLink(url.search)
      break
    case "https:":
      if ((host === "cursor.com" || host === "www.cursor.com") && CURSOR_WEB_PATH.test(path))
        return parseNameConfig("cursor", url.search)
      if (host === "kiro.dev" && path === "/launch/mcp/add") return parseNameConfig("kiro", url.search)
      if (host === "vscode.dev" || host === "insiders.vscode.dev")
        return parseVsCodeRedirect(path, url.search, isInner)
      break
  }
  throw linkError(
    `unknown link type ${printable(`${url.protocol}//${host}${path}`, 80)}`,
    `supported: ${SUPPORTED}`,
  )
}

function parseNameConfig(source: LinkSource, search: string): InstallRequest {
  const q = Query.parse(search, NAME_CONFIG)
  return buildRequest({ source, name: q.require("name"), config: decodeConfigParam(q) })
}

/** `vscode:mcp/install?<encodeURIComponent(JSON incl. name)>`; the `?name=&config=` variant the ecosystem also emits. */
function parseVsCode(search: string): InstallRequest {
  const raw = search.replace(/^\?/, "")
  if (/^(?:\{|%7b)/i.test(raw)) {
    let json: string
    try {
      json = decodeURIComponent(raw)
    } catch (e: unknown) {
      throw linkError("the link has a malformed %-escape", undefined, e)
    }
    return buildRequest({ source: "vscode", config: parseConfigJson(json, "config") })
  }
  return parseVsCodeParams(search)
}

function parseVsCodeParams(search: string): InstallRequest {
  const q = Query.parse(search, ["name", "config", "inputs"])
  const inputs = q.has("inputs") ? parseConfigJson(q.get("inputs") ?? "", "inputs") : undefined
  return buildRequest({ source: "vscode", name: q.require("name"), config: decodeConfigParam(q), inputs })
}

/** GitHub does not link custom schemes, so READMEs wrap VS Code links in vscode.dev redirects. */
function parseVsCodeRedirect(path: string, search: string, isInner: boolean): InstallRequest {
  if (path === "/redirect/mcp/install") return parseVsCodeParams(search)
  if (path === "/redirect" && !isInner) {
    const inner = Query.parse(search, ["url"]).require("url")
    if (!/^vscode(?:-insiders)?:/i.test(inner))
      throw linkError("a vscode.dev redirect must point at a vscode: link")
    return parseUrl(inner, true)
  }
  throw linkError(`unknown vscode.dev link path ${printable(path)}`, `supported: ${SUPPORTED}`)
}

/**
 * Builds a link in the given format (markdown: an "Add to agent" badge around our link). The
 * result is parsed back before it is returned, so an entry a link could not carry is refused.
 */
export function formatInstallLink(name: string, entry: Record<string, unknown>, format: LinkFormat): string {
  const json = JSON.stringify(entry)
  const enc = encodeURIComponent
  const ours = `agentrt://mcp/install?name=${enc(name)}&config=${Buffer.from(json, "utf8").toString("base64url")}`
  parseInstallLink(ours)
  switch (format) {
    case "agentrt":
      return ours
    case "cursor":
      return `cursor://anysphere.cursor-deeplink/mcp/install?name=${enc(name)}&config=${enc(Buffer.from(json, "utf8").toString("base64"))}`
    case "vscode":
      return `vscode:mcp/install?${enc(JSON.stringify({ name, ...entry }))}`
    case "kiro":
      return `https://kiro.dev/launch/mcp/add?name=${enc(name)}&config=${enc(json)}`
    case "markdown":
      return `[![Add to agent](${BADGE_URL})](${ours})`
  }
}
