// The https form of our install link (docs/install-links.md, "Links that work on the web"):
// GitHub and most sites drop custom-scheme links from a README, so a badge points at a static
// page (web/install.html) with the link's query in the URL *fragment*:
//
//   https://agentrt.github.io/agentrt/install.html#name=NAME&config=<base64url JSON>
//
// A fragment never reaches the page's host, and agent never fetches the page: `agent install`
// reads the fragment of a URL whose origin and path are exactly this build's page (I15).
import { linkError, printable } from "./link-query.ts"

// Set by build.ts from AGENTRT_INSTALL_PAGE_URL at build time (docs/build.md); absent from source.
declare const AGENTRT_INSTALL_PAGE_URL: string | undefined

/** The project's GitHub Pages site: the page a build points at unless told otherwise. */
export const DEFAULT_INSTALL_PAGE_URL = "https://agentrt.github.io/agentrt/install.html"

/** The install page this binary links to and accepts links of. */
export const INSTALL_PAGE_URL: string =
  typeof AGENTRT_INSTALL_PAGE_URL === "string" && AGENTRT_INSTALL_PAGE_URL !== ""
    ? AGENTRT_INSTALL_PAGE_URL
    : DEFAULT_INSTALL_PAGE_URL

/**
 * Why a page URL cannot be used, or undefined when it can: https, no user, port, query or
 * fragment (the fragment is where the link goes). build.ts refuses a bad one before compiling.
 */
export function installPageProblem(page: string): string | undefined {
  let url: URL
  try {
    url = new URL(page)
  } catch {
    return "is not a URL" // the reason is the message; the parser's own error adds nothing
  }
  if (url.protocol !== "https:") return "must be an https: URL"
  if (url.username || url.password || url.port) return "must not carry a user, password or port"
  if (url.search || url.hash || page.includes("#") || page.includes("?"))
    return "must not have a query or fragment"
  return undefined
}

/** Whether `url` is the install page (same origin and path); its fragment is then our link. */
export function isInstallPage(url: URL, page = INSTALL_PAGE_URL): boolean {
  const p = new URL(page)
  return url.protocol === "https:" && url.origin === p.origin && url.pathname === p.pathname
}

/** The `name=…&config=…` of a page URL, checked: no query, one fragment, nothing else. */
export function installPageFragment(url: URL): string {
  if (url.search !== "")
    throw linkError("an install page link carries the server in its #fragment, not a query")
  const fragment = url.hash.replace(/^#/, "")
  if (fragment === "") throw linkError("the install page link has no #name=…&config=… fragment")
  if (fragment.includes("#")) throw linkError(`the fragment "${printable(fragment)}" holds a second "#"`)
  return fragment
}

/** The page URL for a link query (`name=…&config=…`). */
export function installPageUrl(query: string, page = INSTALL_PAGE_URL): string {
  return `${page}#${query}`
}
