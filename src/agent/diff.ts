// A readable structural diff of two JSON values: one line per differing path, recorded value
// first, so a replay mismatch says exactly which tool, argument or result changed.
const MAX_LINES = 12
const MAX_VALUE = 160

export function jsonDiff(recorded: unknown, actual: unknown): string[] {
  const out: string[] = []
  walk(recorded, actual, "", out)
  if (out.length > MAX_LINES)
    return [...out.slice(0, MAX_LINES), `  … and ${out.length - MAX_LINES} more differences`]
  return out
}

function walk(a: unknown, b: unknown, path: string, out: string[]) {
  if (out.length > MAX_LINES) return
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.max(a.length, b.length)
    for (let i = 0; i < n; i++) {
      if (i >= a.length) out.push(`  ${path}[${i}]: not recorded; now ${show(b[i])}`)
      else if (i >= b.length) out.push(`  ${path}[${i}]: recorded ${show(a[i])}; now missing`)
      else walk(a[i], b[i], `${path}[${i}]`, out)
    }
    return
  }
  if (isObject(a) && isObject(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const p = path ? `${path}.${k}` : k
      if (!(k in a)) out.push(`  ${p}: not recorded; now ${show(b[k])}`)
      else if (!(k in b)) out.push(`  ${p}: recorded ${show(a[k])}; now missing`)
      else walk(a[k], b[k], p, out)
    }
    return
  }
  if (JSON.stringify(a) !== JSON.stringify(b))
    out.push(`  ${path || "(root)"}:\n    - recorded ${show(a)}\n    + now      ${show(b)}`)
}

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? "undefined"
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE)}…` : s
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v)
}
