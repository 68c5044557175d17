import {
  describeServer,
  diffServers,
  maskEntry,
  maskedDefinition,
  maskUrlSecrets,
  SERVER_KEYS,
  toFileEntry,
  variableNeeds,
  type ApprovalQuestion,
  type ServerConfig,
  type ServerEntry,
} from "../../config/index.ts"
import { displayArg, escapeLine, escapeTerminal } from "../../util/text.ts"

// The one terminal presenter of a server: every screen, listing and report that shows a server
// definition (config show, mcp add/add-json/remove/import, install reports and --dry-run,
// mcp get, the trust screens and the diff of a changed definition) renders it here. What is
// secret is config's one list (config/secrets.ts), shared with the install approval page; this
// file only shapes lines and JSON, and every line it returns is escaped for the terminal.

type Entry = Record<string, unknown>

/** A server as written in a file (any peer's spelling kept), secrets masked: the JSON reports print this. */
export function entryJson(entry: unknown): unknown {
  return maskEntry(entry)
}

/** A loaded server in file form, secrets masked: `config show`'s definition. */
export function serverJson(server: ServerConfig): Entry {
  return toFileEntry(maskedDefinition(server)) as Entry
}

/** A whole config document with every server's secrets masked; other keys untouched (import --dry-run). */
export function documentJson(doc: Entry): Entry {
  const out: Entry = { ...doc }
  for (const key of SERVER_KEYS) {
    const servers = out[key]
    if (isObject(servers))
      out[key] = Object.fromEntries(Object.entries(servers).map(([n, e]) => [n, entryJson(e)]))
  }
  return out
}

/** What a loaded server runs or where it is, for a listing's JSON (`mcp get`): URL credentials masked. */
export function targetJson(server: ServerConfig): { command: string; args: string[] } | { url: string } {
  return server.transport === "stdio"
    ? { command: server.command, args: server.args.map(maskUrlSecrets) }
    : { url: maskUrlSecrets(server.url) }
}

/** Pretty JSON for people, escaped; escapeTerminal keeps its layout, and JSON already writes a line break inside a value as \n. */
export function jsonText(value: unknown): string {
  return escapeTerminal(JSON.stringify(value, null, 2))
}

/** A server URL as a listing or message shows it: credentials masked (text callers escape it). */
export function shownUrl(url: string): string {
  return maskUrlSecrets(url)
}

/** Lines describing an entry as written (mcp add, add-json, remove): masked, escaped, indented. */
export function entryLines(entry: unknown, indent = "  "): string[] {
  const e = entryJson(entry)
  if (!isObject(e)) return [`${indent}${escapeTerminal(JSON.stringify(e))}`]
  const lines: string[] = []
  const cmd = [e.command, ...(Array.isArray(e.args) ? e.args : [])].flat().filter((x) => x !== undefined)
  if (e.command !== undefined) lines.push(`command  ${cmd.map((a) => displayArg(String(a))).join(" ")}`)
  for (const k of ["url", "httpUrl", "serverUrl", "type", "cwd"])
    if (e[k] !== undefined) lines.push(`${k.padEnd(8)} ${escapeTerminal(String(e[k]))}`)
  for (const k of ["env", "environment", "headers"]) {
    const m = e[k]
    if (!isObject(m)) continue
    const sep = k === "headers" ? ": " : "="
    for (const [n, v] of Object.entries(m))
      lines.push(`${k.padEnd(8)} ${escapeTerminal(n)}${sep}${escapeTerminal(String(v))}`)
  }
  const shown = new Set([
    "command",
    "args",
    "url",
    "httpUrl",
    "serverUrl",
    "type",
    "cwd",
    "env",
    "environment",
    "headers",
  ])
  for (const [k, v] of Object.entries(e)) {
    if (!shown.has(k)) lines.push(`${escapeTerminal(k).padEnd(8)} ${escapeTerminal(JSON.stringify(v))}`)
  }
  return lines.map((l) => `${indent}${escapeLine(l)}`)
}

/** What a loaded server runs or reaches, for a trust screen (runs/url/env/header/oauth): masked, escaped. */
export function serverLines(server: ServerConfig): string[] {
  return describeServer(server).map(escapeLine)
}

/** `- field: old` / `+ field: new` / `~ field: value changed (hidden)`: masked, escaped. */
export function diffLines(previous: ServerConfig, next: ServerConfig): string[] {
  return diffServers(previous, next).map(escapeLine)
}

/** `agent mcp approve`'s screen: the server, the variables it reads, and what changed since it was trusted. */
export function trustScreen(entry: ServerEntry, previous?: ServerConfig): string[] {
  const lines = [
    escapeLine(`Project server "${entry.name}" from ${entry.file}:`),
    ...serverLines(entry.server).map((l) => `  ${l}`),
  ]
  const vars = variableNeeds(entry).map((n) => n.variable)
  if (vars.length) lines.push(`  reads variables (each approved separately): ${escapeLine(vars.join(", "))}`)
  if (previous) {
    const diff = diffLines(previous, entry.server)
    lines.push(
      "Changed since you trusted it:",
      ...(diff.length ? diff : ["(only fields that are not shown)"]).map((l) => `  ${l}`),
    )
  }
  return lines
}

/**
 * The inline trust question `agent run` and `agent mcp` ask before starting a project server:
 * its description, or what changed since it was trusted (config's describeServer/diffServers).
 */
export function trustQuestion(q: Extract<ApprovalQuestion, { kind: "project" }>): string[] {
  const head =
    q.status === "changed"
      ? `Project server "${q.server}" in ${q.file} changed since you trusted it:`
      : `Project server "${q.server}" in ${q.file} is not trusted yet:`
  const body = q.status === "changed" && q.diff.length ? q.diff : q.summary
  return [
    escapeLine(head),
    ...body.map((l) => `  ${escapeLine(l)}`),
    escapeLine(`Trust "${q.server}" as shown?`),
  ]
}

function isObject(x: unknown): x is Entry {
  return x !== null && typeof x === "object" && !Array.isArray(x)
}
