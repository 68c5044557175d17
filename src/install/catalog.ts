// The curated sample servers shipped inside the binary (docs/design.md §8: `agent mcp catalog`). A TS
// array, not a fetched file: nothing to download, nothing a network attacker can swap. Every
// entry passes the same checks as an install link (tests/install/catalog.test.ts), and every
// variable an entry references is listed, so the approval screen can say what each is for.
// Package names and URLs are the ones the projects' own docs give.

export interface CatalogVariable {
  name: string
  description: string
}

export interface CatalogEntry {
  /** Server name it installs as. */
  name: string
  title: string
  description: string
  /** none: works as is; token: a `${VAR}` carries a credential; oauth: browser sign-in. */
  auth: "none" | "token" | "oauth"
  variables: CatalogVariable[]
  homepage: string
  /** The mcp.json entry, in file form. */
  entry: Record<string, unknown>
}

const SERVERS_REPO = "https://github.com/modelcontextprotocol/servers/tree/main/src"

export const CATALOG: readonly CatalogEntry[] = [
  {
    name: "filesystem",
    title: "Filesystem",
    description:
      "Read, write, search and move files under the directories it is given (here: the working directory)",
    auth: "none",
    variables: [],
    homepage: `${SERVERS_REPO}/filesystem`,
    entry: { command: "npx", args: ["-y", "@modelcontextprotocol/server-filesystem", "."] },
  },
  {
    name: "git",
    title: "Git",
    description: "Read and search a Git repository: status, log, diff, show, branches (Python, run with uvx)",
    auth: "none",
    variables: [],
    homepage: `${SERVERS_REPO}/git`,
    entry: { command: "uvx", args: ["mcp-server-git"] },
  },
  {
    name: "memory",
    title: "Memory",
    description: "A persistent knowledge graph of entities, relations and observations the agent can recall",
    auth: "none",
    variables: [],
    homepage: `${SERVERS_REPO}/memory`,
    entry: { command: "npx", args: ["-y", "@modelcontextprotocol/server-memory"] },
  },
  {
    name: "fetch",
    title: "Fetch",
    description: "Fetch a web page and convert it to Markdown for the model (Python, run with uvx)",
    auth: "none",
    variables: [],
    homepage: `${SERVERS_REPO}/fetch`,
    entry: { command: "uvx", args: ["mcp-server-fetch"] },
  },
  {
    name: "everything",
    title: "Everything (test server)",
    description:
      "The MCP reference test server: tools, prompts, resources, sampling and progress, for trying a client",
    auth: "none",
    variables: [],
    homepage: `${SERVERS_REPO}/everything`,
    entry: { command: "npx", args: ["-y", "@modelcontextprotocol/server-everything"] },
  },
  {
    name: "playwright",
    title: "Playwright",
    description: "Drive a real browser through its accessibility tree: navigate, click, type, screenshot",
    auth: "none",
    variables: [],
    homepage: "https://github.com/microsoft/playwright-mcp",
    entry: { command: "npx", args: ["-y", "@playwright/mcp@latest"] },
  },
  {
    name: "sequential-thinking",
    title: "Sequential Thinking",
    description: "A scratchpad tool for step-by-step reasoning that can branch and revise earlier steps",
    auth: "none",
    variables: [],
    homepage: `${SERVERS_REPO}/sequentialthinking`,
    entry: { command: "npx", args: ["-y", "@modelcontextprotocol/server-sequential-thinking"] },
  },
  {
    name: "time",
    title: "Time",
    description: "Current time and time-zone conversion (Python, run with uvx)",
    auth: "none",
    variables: [],
    homepage: `${SERVERS_REPO}/time`,
    entry: { command: "uvx", args: ["mcp-server-time"] },
  },
  {
    name: "github",
    title: "GitHub",
    description: "GitHub's hosted server: repositories, issues, pull requests, Actions and code search",
    auth: "token",
    variables: [
      {
        name: "GITHUB_TOKEN",
        description:
          "A GitHub personal access token (fine-grained or classic) with the scopes you want the agent to have",
      },
    ],
    homepage: "https://github.com/github/github-mcp-server",
    entry: {
      type: "http",
      url: "https://api.githubcopilot.com/mcp/",
      headers: { Authorization: "Bearer ${GITHUB_TOKEN}" },
    },
  },
  {
    name: "notion",
    title: "Notion",
    description:
      "Notion's hosted server: search, read and edit pages and databases; sign in with your Notion account",
    auth: "oauth",
    variables: [],
    homepage: "https://developers.notion.com/docs/mcp",
    entry: { type: "http", url: "https://mcp.notion.com/mcp" },
  },
  {
    name: "linear",
    title: "Linear",
    description:
      "Linear's hosted server: find, create and update issues, projects and comments; sign in with Linear",
    auth: "oauth",
    variables: [],
    homepage: "https://linear.app/docs/mcp",
    entry: { type: "http", url: "https://mcp.linear.app/mcp" },
  },
  {
    name: "sentry",
    title: "Sentry",
    description: "Sentry's hosted server: issues, events, stack traces and releases; sign in with Sentry",
    auth: "oauth",
    variables: [],
    homepage: "https://mcp.sentry.dev",
    entry: { type: "http", url: "https://mcp.sentry.dev/mcp" },
  },
  {
    name: "deepwiki",
    title: "DeepWiki",
    description:
      "Ask questions about any public GitHub repository and read its generated wiki; free, no sign-in",
    auth: "none",
    variables: [],
    homepage: "https://docs.devin.ai/work-with-devin/deepwiki-mcp",
    entry: { type: "http", url: "https://mcp.deepwiki.com/mcp" },
  },
  {
    name: "context7",
    title: "Context7",
    description:
      "Up-to-date, version-specific library documentation and code examples; works without a key (a key raises rate limits)",
    auth: "none",
    variables: [],
    homepage: "https://github.com/upstash/context7",
    entry: { type: "http", url: "https://mcp.context7.com/mcp" },
  },
]

/** Entries whose name, title or description contains the query (case-insensitive); all for "". */
export function searchCatalog(query: string, catalog: readonly CatalogEntry[] = CATALOG): CatalogEntry[] {
  const q = query.trim().toLowerCase()
  if (!q) return [...catalog]
  return catalog.filter((e) => [e.name, e.title, e.description].some((s) => s.toLowerCase().includes(q)))
}

/** The entry with exactly this name, or undefined. */
export function findCatalogEntry(
  name: string,
  catalog: readonly CatalogEntry[] = CATALOG,
): CatalogEntry | undefined {
  return catalog.find((e) => e.name === name)
}
