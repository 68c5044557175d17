// "Did you mean …?" for every name a user types: commands, flags, config fields, servers, tools.
// One implementation, so a typo is caught the same way wherever it is made.

/**
 * Edit distance with adjacent transpositions (optimal string alignment): "lsit" → "list" is 1,
 * as a person would count it, where plain Levenshtein says 2.
 */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)]
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, rows[i - 2]![j - 2]! + 1)
      row.push(d)
    }
    rows.push(row)
  }
  return rows[a.length]![b.length]!
}

/**
 * The candidate closest to `word`, when it is close enough to be a typo of it: at most a third
 * of the word's letters differ (at least 1, at most 3). Case is ignored; ties keep the first.
 */
export function closest(
  word: string,
  candidates: Iterable<string>,
  maxDistance?: number,
): string | undefined {
  const w = word.toLowerCase()
  const limit = maxDistance ?? Math.min(3, Math.max(1, Math.floor(w.length / 3)))
  let best: string | undefined
  let bestDistance = limit + 1
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase())
    if (d < bestDistance) {
      best = c
      bestDistance = d
    }
  }
  return best
}

/** ` (did you mean list?)`, or "" when nothing is close; `show` formats the suggestion. */
export function didYouMean(
  word: string,
  candidates: Iterable<string>,
  show: (s: string) => string = (s) => s,
): string {
  const best = closest(word, candidates)
  return best === undefined ? "" : ` (did you mean ${show(best)}?)`
}
