import { envShown } from "../config/index.ts"
import { redactTokens } from "../util/secrets.ts"

// The diff `agent mcp export` shows before it writes: changed lines with two lines of context.
// The other client's file may hold its own secrets (a literal token in Claude Desktop's env, say),
// so every line shown goes through the same masking as agent's screens (I18: no secret on screen).

const CONTEXT = 2

/** `- old` / `+ new` / `  same` lines between two texts, masked; empty when they are equal. */
export function exportDiff(before: string, after: string): string[] {
  const a = before === "" ? [] : before.replace(/\r\n/g, "\n").replace(/\n$/, "").split("\n")
  const b = after === "" ? [] : after.replace(/\r\n/g, "\n").replace(/\n$/, "").split("\n")
  let start = 0
  while (start < a.length && start < b.length && a[start] === b[start]) start++
  let endA = a.length
  let endB = b.length
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--
    endB--
  }
  if (start === endA && start === endB) return []
  const middle = lcsDiff(a.slice(start, endA), b.slice(start, endB))
  const head = a.slice(Math.max(0, start - CONTEXT), start).map((l) => `  ${l}`)
  const tail = a.slice(endA, endA + CONTEXT).map((l) => `  ${l}`)
  const lines = [...(start > CONTEXT ? ["  …"] : []), ...head, ...middle, ...tail]
  if (endA + CONTEXT < a.length) lines.push("  …")
  return lines.map(maskLine)
}

/** Line LCS over the changed middle (small: an export touches a few entries). */
function lcsDiff(a: string[], b: string[]): string[] {
  if (a.length * b.length > 4_000_000) return [...a.map((l) => `- ${l}`), ...b.map((l) => `+ ${l}`)]
  const n = a.length
  const m = b.length
  const t: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0))
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      t[i]![j] = a[i] === b[j] ? t[i + 1]![j + 1]! + 1 : Math.max(t[i + 1]![j]!, t[i]![j + 1]!)
  const out: string[] = []
  let i = 0
  let j = 0
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push(`  ${a[i++]}`)
      j++
    } else if (j < m && (i === n || t[i]![j + 1]! >= t[i + 1]![j]!)) out.push(`+ ${b[j++]}`)
    else out.push(`- ${a[i++]}`)
  }
  return out
}

/** `"KEY": "value"`, `KEY = "value"`, `KEY: value`: each value masked when it looks like a credential. */
export function maskLine(line: string): string {
  const mask = (key: string, value: string) => (isVariableName(key) ? value : envShown(key, value))
  const masked = line
    // JSON and TOML pairs, several on a line: "K": "v", K = "v", "K" = "v"
    .replace(
      /(["']?)([A-Za-z0-9_.-]+)\1(\s*[:=]\s*)"((?:[^"\\]|\\.)*)"/g,
      (_m, q: string, key: string, sep: string, value: string) => `${q}${key}${q}${sep}"${mask(key, value)}"`,
    )
    // YAML: K: v (one per line, unquoted)
    .replace(
      /^(\s*(?:-\s+)?)([A-Za-z0-9_.-]+)(:\s+)([^"'\s[{#][^#]*?)(\s*(?:#.*)?)$/,
      (_m, pre: string, key: string, sep: string, value: string, rest: string) =>
        `${pre}${key}${sep}${mask(key, value)}${rest}`,
    )
  return redactTokens(masked)
}

/** Codex's bearer_token_env_var, env_vars and Goose's env_keys hold variable names, not values. */
function isVariableName(key: string): boolean {
  return /(^|_)env_(var|vars|keys)$/i.test(key)
}
