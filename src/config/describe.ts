import { stableStringify } from "./fingerprint.ts"
import { parseTemplate } from "./interpolate.ts"
import { fieldLabel, type FieldPath } from "./references.ts"
import type { ServerConfig } from "./schema.ts"
import { isDangerousEnv } from "./dangerous-env.ts"
import { envShown, isSecretPath, maskField, maskValue } from "./secrets.ts"
import { maskUrlSecrets } from "./url-secrets.ts"

// What a server will do, in words a person can check before approving it (SEP-1024: show the
// exact command, args, env names and URL). What is secret, and how it is masked, is secrets.ts's
// one list: a literal secret is never shown, a `${VAR}` reference is.

/** `npx -y pkg` as written (references shown, not expanded), shortened for one line. */
export function commandLine(server: ServerConfig, max = 80): string {
  if (server.transport !== "stdio") return maskUrlSecrets(server.url)
  const line = [server.command, ...server.args].map((a) => quote(maskUrlSecrets(a))).join(" ")
  return line.length > max ? `${line.slice(0, max - 1)}…` : line
}

function quote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./${}-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`
}

/** Lines describing the server for an approval screen. Callers escape before printing. */
export function describeServer(server: ServerConfig): string[] {
  const lines: string[] = []
  if (server.transport === "stdio") {
    lines.push(`runs:    ${[server.command, ...server.args].map((a) => quote(maskUrlSecrets(a))).join(" ")}`)
    if (server.cwd !== undefined) lines.push(`cwd:     ${maskUrlSecrets(server.cwd)}`)
    const env = Object.entries(server.env)
    // One line per variable: a value holding a space cannot pass for another variable (I09).
    for (const [k, val] of env)
      lines.push(`env:     ${k}=${envShown(k, val)}${isDangerousEnv(k) ? `  (${isDangerousEnv(k)})` : ""}`)
  } else {
    lines.push(
      `url:     ${maskUrlSecrets(server.url)}  (${server.transport === "auto" ? "http, sse fallback" : server.transport})`,
    )
    for (const [k, val] of Object.entries(server.headers)) lines.push(`header:  ${k}: ${maskValue(val)}`)
    if (server.oauth)
      lines.push(
        `oauth:   ${server.oauth.grant}${server.oauth.clientId ? ` client ${server.oauth.clientId}` : ""}`,
      )
  }
  if (server.disabled) lines.push("disabled: yes")
  if (server.autoApprove.length) lines.push(`auto-approved tools: ${server.autoApprove.join(", ")}`)
  if (server.roots?.length) lines.push(`roots:   ${server.roots.join(", ")}`)
  return lines
}

/** `- path: old` / `+ path: new` lines for every field that differs; masked values compare by content. */
export function diffServers(previous: ServerConfig, next: ServerConfig): string[] {
  const a = flatten(previous)
  const b = flatten(next)
  const lines: string[] = []
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(key)
    const y = b.get(key)
    if (x?.raw === y?.raw) continue
    if (x && y && x.shown === y.shown) {
      lines.push(`~ ${key}: value changed (hidden)`)
      continue
    }
    if (x) lines.push(`- ${key}: ${x.shown}`)
    if (y) lines.push(`+ ${key}: ${y.shown}`)
  }
  return lines
}

function flatten(server: ServerConfig): Map<string, { raw: string; shown: string }> {
  const out = new Map<string, { raw: string; shown: string }>()
  const visit = (value: unknown, path: FieldPath) => {
    if (Array.isArray(value) && path[0] !== "args") {
      out.set(fieldLabel(path), { raw: stableStringify(value), shown: JSON.stringify(value) })
    } else if (value !== null && typeof value === "object") {
      for (const [k, val] of Object.entries(value))
        visit(val, [...path, Array.isArray(value) ? Number(k) : k])
    } else if (value !== undefined) {
      const raw = typeof value === "string" ? value : JSON.stringify(value)
      // I12: an env value that is shown (not secret-looking, or one deciding what runs) diffs old against new.
      const isShownEnv = path[0] === "env" && typeof value === "string" && maskField(value, path) !== "***"
      const shown =
        typeof value !== "string"
          ? JSON.stringify(value)
          : isSecretPath(path) && !isShownEnv
            ? maskValue(value)
            : JSON.stringify(maskField(value, path))
      out.set(fieldLabel(path), { raw, shown })
    }
  }
  visit(server, [])
  return out
}

/** The host a remote URL template points at, or undefined when a variable decides it. */
export function templateHost(url: string): string | undefined {
  const marker = "agentrt-ref-placeholder"
  let text: string
  try {
    text = parseTemplate(url)
      .map((s) => (s.type === "text" ? s.value : marker))
      .join("")
  } catch {
    return undefined
  }
  try {
    const host = new URL(text).host
    return host.includes(marker) ? undefined : host
  } catch {
    return undefined
  }
}

/** Where a value referenced at `field` goes: "header Authorization sent to api.github.com". */
export function destinationOf(server: ServerConfig, field: FieldPath): string {
  const [top, key] = field
  if (server.transport === "stdio") {
    const of = `of \`${commandLine(server, 60)}\``
    if (top === "env") return `env ${String(key)} ${of}`
    if (top === "args") return `argument ${Number(key) + 1} ${of}`
    if (top === "command") return "the program to run"
    return `working directory ${of}`
  }
  const host = templateHost(server.url)
  const to = host ? `sent to ${host}` : "sent to a host the variable decides"
  if (top === "headers") return `header ${String(key)} ${to}`
  if (top === "url")
    return host ? `part of the URL sent to ${host}` : "the server URL (the variable decides the host)"
  return `OAuth ${fieldLabel(field.slice(1))} ${to}`
}
