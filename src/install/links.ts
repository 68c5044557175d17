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
//   lmstudio://add_mcp?name=NAME&config=<base64 JSON>   (also https://lmstudio.ai/install-mcp?…)
//   windsurf:mcp/install?…, antigravity:mcp/install?…   (VS Code's format; see below)
//   https://<install page>#name=NAME&config=<base64url JSON>   (ours on the web, link-web.ts)
//
// Sources: cursor.com/docs/mcp/install-links, kiro.dev/docs/mcp/share, VS Code's MCP developer
// guide (URL handler) and the vscode.dev redirect links in MCP READMEs, goose's deeplink handler,
// lmstudio.ai/docs/app/mcp/deeplink. Windsurf and Antigravity document no install link; both are
// VS Code forks, and the links generators emit for them are VS Code's, so they are read as such.
import { parseGooseLink } from "./link-goose.ts"
import { buildRequest, type InstallRequest, type LinkSource } from "./link-entry.ts"
import { formatLink, type LinkFormat } from "./link-format.ts"
import {
  decodeConfigParam,
  linkError,
  MAX_LINK_BYTES,
  parseConfigJson,
  printable,
  Query,
  utf8Length,
} from "./link-query.ts"
import { installPageFragment, isInstallPage } from "./link-web.ts"

export type { InstallRequest, LinkSource } from "./link-entry.ts"
export { BADGE_URL, LINK_FORMATS, type LinkFormat } from "./link-format.ts"

const NAME_CONFIG = ["name", "config"]
const CURSOR_WEB_PATH = /^\/(?:[a-z]{2,3}(?:-[a-z0-9]{2,4})?\/)?install-mcp\/?$/i
const SUPPORTED =
  "agentrt://mcp/install, the agentrt install page, cursor://…/mcp/install, cursor.com/install-mcp, vscode:mcp/install, vscode.dev/redirect, kiro.dev/launch/mcp/add, goose://extension, lmstudio://add_mcp, windsurf:/antigravity:mcp/install"

/** Parses and checks an install link; throws UsageError (exit 2) with a one-line reason. */
export function parseInstallLink(link: string): InstallRequest {
  const size = utf8Length(link)
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
    case "windsurf:":
    case "antigravity:":
      if (host === "" && path.replace(/^\/\//, "") === "mcp/install")
        return parseVsCode(vsCodeSource(url.protocol), url.search)
      break
    case "goose:":
      if (host === "extension" && (path === "" || path === "/")) return parseGooseLink(url.search)
      break
    case "lmstudio:":
      if (host === "add_mcp" && (path === "" || path === "/")) return parseNameConfig("lmstudio", url.search)
      break
    case "https:":
      // I15: our own page, exactly as this build knows it; the server is in the fragment.
      if (isInstallPage(url)) return parseNameConfig("agentrt", installPageFragment(url))
      if (host === "lmstudio.ai" && path === "/install-mcp") return parseNameConfig("lmstudio", url.search)
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

function vsCodeSource(protocol: string): LinkSource {
  if (protocol === "windsurf:") return "windsurf"
  if (protocol === "antigravity:") return "antigravity"
  return "vscode"
}

/** `vscode:mcp/install?<encodeURIComponent(JSON incl. name)>`; the `?name=&config=` variant the ecosystem also emits. */
function parseVsCode(source: LinkSource, search: string): InstallRequest {
  const raw = search.replace(/^\?/, "")
  if (/^(?:\{|%7b)/i.test(raw)) {
    let json: string
    try {
      json = decodeURIComponent(raw)
    } catch (e: unknown) {
      throw linkError("the link has a malformed %-escape", undefined, e)
    }
    return buildRequest({ source, config: parseConfigJson(json, "config") })
  }
  return parseVsCodeParams(search, source)
}

function parseVsCodeParams(search: string, source: LinkSource = "vscode"): InstallRequest {
  const q = Query.parse(search, ["name", "config", "inputs"])
  const inputs = q.has("inputs") ? parseConfigJson(q.get("inputs") ?? "", "inputs") : undefined
  return buildRequest({ source, name: q.require("name"), config: decodeConfigParam(q), inputs })
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
 * Builds a link in the given format (docs/install-links.md). Our own link is parsed back before
 * anything is returned, so an entry a link could not carry is refused, in every format.
 */
export function formatInstallLink(name: string, entry: Record<string, unknown>, format: LinkFormat): string {
  parseInstallLink(formatLink(name, entry, "agentrt"))
  return formatLink(name, entry, format)
}
