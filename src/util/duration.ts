// Duration flags (--timeout, --tool-timeout, --connect-timeout): `30s`, `2m`, `500ms`, `1h`,
// or a bare number of milliseconds (what the flags took first, so old scripts keep working).

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
export const MAX_DURATION_MS = 86_400_000

/** Milliseconds, or undefined when `raw` is not a duration in 1 ms … 24 h. */
export function parseDuration(raw: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(raw)
  if (!m) return undefined
  const ms = Math.round(Number(m[1]) * UNITS[(m[2] ?? "ms").toLowerCase()]!)
  return Number.isFinite(ms) && ms >= 1 && ms <= MAX_DURATION_MS ? ms : undefined
}

export const DURATION_HINT =
  "a duration such as 500ms, 30s, 2m or 1h (a bare number is milliseconds; at most 24h)"
