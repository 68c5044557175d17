// What the user reads before approving an install (docs/design.md §8; SEP-1024; I01, I03, I05, I07):
// the exact name, the program and each argument or the URL, header and env *names* (values
// masked by config's one list of secrets, secrets.ts, unless they are only `${VAR}`
// references), the variables the server will ask for, where it is written, and what changes
// when it replaces an existing server. Pure: the CLI prompt and the approval page print these
// lines as they are.
import {
  diffServers,
  envShown,
  isDangerousEnv,
  maskUrlSecrets,
  maskValue,
  referencedVariables,
  templateHost,
  type ServerConfig,
  type StdioServer,
  type RemoteServer,
} from "../config/index.ts"
import { displayArg, escapeLine } from "../util/text.ts"
import type { InstallRequest, LinkSource } from "./link-entry.ts"

export interface DescribeOptions {
  /** The config file the entry will be written to. */
  file: string
  /** The server already defined under this name in that file, if any. */
  existing?: ServerConfig
}

// With the article: "an agentrt link", "a Cursor link".
const SOURCE_LABEL: Record<LinkSource, string> = {
  agentrt: "an agentrt",
  cursor: "a Cursor",
  vscode: "a VS Code",
  kiro: "a Kiro",
  goose: "a Goose",
  lmstudio: "an LM Studio",
  windsurf: "a Windsurf",
  antigravity: "an Antigravity",
}

/** One escaped line per item; no raw control, bidi or zero-width character survives. */
export function describeInstall(req: InstallRequest, opts: DescribeOptions): string[] {
  const lines = linkLines(req)
  lines.push(`file:    ${opts.file}`)
  if (!opts.existing) {
    lines.push(`action:  adds "${req.name}"`)
  } else {
    lines.push(`action:  replaces the existing "${req.name}"`)
    const diff = diffServers(opts.existing, req.server)
    lines.push(diff.length ? "changes:" : "changes: none (same definition)")
    for (const d of diff) lines.push(`  ${d}`)
  }
  return lines.map(safeLine)
}

/**
 * The part of the screen that depends only on the link: everything but the file and whether it
 * adds or replaces. The web install page (web/) shows exactly these lines, escaped the same way.
 */
export function describeLink(req: InstallRequest): string[] {
  return linkLines(req).map(safeLine)
}

function linkLines(req: InstallRequest): string[] {
  const server = req.server
  const lines = [`server:  "${req.name}"  (from ${SOURCE_LABEL[req.source]} link)`]
  if (server.description) lines.push(`about:   ${server.description}`)
  lines.push(
    ...(server.transport === "stdio" ? stdioLines(server, req.envDescriptions) : remoteLines(server)),
  )
  lines.push(...variableLines(server, req.envDescriptions))
  lines.push(...policyLines(server))
  return lines
}

/** One approval-screen line: escapeTerminal plus the tab and newline it keeps (util/text.ts). */
export function safeLine(line: string): string {
  return escapeLine(line)
}

function stdioLines(server: StdioServer, descriptions: Record<string, string>): string[] {
  // P04: a password or key in a URL argument is shown masked, like the server URL's.
  const shown = (s: string) => displayArg(maskUrlSecrets(s))
  const lines = [
    `runs:    ${[server.command, ...server.args].map(shown).join(" ")}`,
    `command: ${shown(server.command)}`,
  ]
  server.args.forEach((arg, i) => {
    lines.push(`arg ${i + 1}:   ${shown(arg)}`)
  })
  // I01: `npx; curl x|sh` is one (nonexistent) program name, spawned as argv; say so.
  if (/[\s;&|`$<>()\\*?!#~'"]/.test(server.command)) {
    lines.push("note:    the command is run as one program name, never through a shell")
  }
  if (server.cwd !== undefined) lines.push(`cwd:     ${shown(server.cwd)}`)
  for (const [key, value] of Object.entries(server.env)) {
    // I10: shown unless it looks like a credential; a variable that decides what runs always in full.
    const shown = envShown(key, value)
    const what =
      shown === "***" ? "(fixed value from the link, hidden)" : shown === "" ? "(empty)" : `= ${shown}`
    const danger = isDangerousEnv(key)
    const about = danger
      ? `  — warning: ${danger}; allowed by --allow-dangerous-env ${key}`
      : descriptions[key]
        ? `  — ${descriptions[key]}`
        : ""
    lines.push(`env:     ${key} ${what}${about}`)
  }
  return lines
}

function remoteLines(server: RemoteServer): string[] {
  const transport =
    server.transport === "auto"
      ? "Streamable HTTP, falling back to SSE"
      : server.transport === "http"
        ? "Streamable HTTP"
        : "SSE"
  const host = templateHost(server.url)
  const lines = [
    `url:     ${maskUrlSecrets(server.url)}  (${transport})`,
    `host:    ${host ?? "decided by a variable"}`,
  ]
  for (const [key, value] of Object.entries(server.headers))
    lines.push(`header:  ${key}: ${maskValue(value)}`)
  if (server.oauth) {
    const o = server.oauth
    const parts = [
      o.grant === "client_credentials"
        ? "client credentials"
        : o.grant === "cross_app_access"
          ? "identity provider (cross-app access)"
          : o.grant === "jwt_bearer"
            ? `workload JWT (jwt-bearer) ${workloadSource(o)}`
            : "browser sign-in",
    ]
    if (o.dpop !== undefined) parts.push(o.dpop ? "DPoP" : "no DPoP")
    if (o.clientId) parts.push(`client ${o.clientId}`) // client ids are public; the secret is never shown
    if (o.scopes?.length) parts.push(`scopes ${o.scopes.join(" ")}`)
    lines.push(`oauth:   ${parts.join(", ")}`)
  }
  return lines
}

/** Where a jwt_bearer JWT is read: the file path and the CI are what an approver must see (O21). */
function workloadSource(o: NonNullable<RemoteServer["oauth"]>): string {
  if (o.assertionFile !== undefined) return `from the file ${o.assertionFile}`
  if (o.assertionFrom === "github-actions")
    return `from GitHub Actions' OIDC service${o.audience ? ` (audience ${o.audience})` : ""}`
  return "from a variable"
}

function variableLines(server: ServerConfig, descriptions: Record<string, string>): string[] {
  const used = referencedVariables(server)
  const declared = Object.keys(descriptions).filter((k) => !used.includes(k))
  const all = [...used, ...declared]
  if (!all.length) return ["variables: none"]
  // I07: installing never approves a variable; each is asked for on first use.
  const lines = [`variables: ${all.join(", ")}  (each needs its own approval before the server starts)`]
  for (const name of all) if (descriptions[name]) lines.push(`  ${name}: ${descriptions[name]}`)
  return lines
}

function policyLines(server: ServerConfig): string[] {
  const lines: string[] = []
  if (server.autoApprove.length) {
    const which = server.autoApprove.includes("*") ? "ALL tools" : server.autoApprove.join(", ")
    lines.push(`warning: the link asks to run ${which} without asking you each time`)
  }
  if (server.disabled) lines.push("disabled: yes (installed but not started)")
  if (server.required) lines.push("required: yes (runs fail when this server is unavailable)")
  if (server.timeout !== undefined) lines.push(`timeout: ${server.timeout} ms`)
  if (server.excludeTools?.length) lines.push(`excluded tools: ${server.excludeTools.join(", ")}`)
  if (server.includeTools) lines.push(`only tools: ${server.includeTools.join(", ")}`)
  return lines
}
