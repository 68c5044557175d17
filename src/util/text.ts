// Terminal safety: text from configs, links and servers may hold escape sequences
// (OSC 52 clipboard writes, OSC 8 links, CSI cursor moves, C1 0x9b) or bidi marks that make
// the screen lie about what will run (I03: install prompts, P01: tool texts). Show them as escapes.
// Escaped: every C0/C1 control and DEL (\p{Cc}) except tab and LF, which multi-line output
// keeps; every format character (\p{Cf}: bidi embeddings, overrides and isolates, ALM, zero-width
// marks, BOM, soft hyphen, tags); the line and paragraph separators (\p{Zl}, \p{Zp}); and the
// rest of Unicode's Default_Ignorable_Code_Point list, which JS regex has no property for
// (DerivedCoreProperties.txt): CGJ, Hangul fillers, Khmer inherent vowels, Mongolian variation
// selectors, variation selectors, reserved U+2065 and U+FFF0-FFF8, interlinear annotation
// U+FFF9-FFFB, and the whole U+E0000-E0FFF tag and supplementary variation selector block.
const UNSAFE =
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: a class of single code points on purpose (variation selectors, fillers), each escaped alone
  /[\0-\x08\x0b-\x1f\x7f-\x9f\p{Cf}\p{Zl}\p{Zp}\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u2065\u3164\ufe00-\ufe0f\uffa0\ufff0-\ufffb\u{e0000}-\u{e0fff}]/gu

/** `\x1b` for a byte, `\u202e` in the BMP, `\u{e0041}` above it: never the raw character. */
export function escapeTerminal(s: string): string {
  return s.replace(UNSAFE, (c) => {
    const code = c.codePointAt(0) as number
    if (code <= 0xff) return `\\x${code.toString(16).padStart(2, "0")}`
    return code <= 0xffff ? `\\u${code.toString(16).padStart(4, "0")}` : `\\u{${code.toString(16)}}`
  })
}

/**
 * One line of a screen (an approval or trust screen, a report line): escapeTerminal, and the tab
 * and newline it keeps for multi-line output escaped too, so a value cannot forge a line (I03).
 */
export function escapeLine(s: string): string {
  return escapeTerminal(s).replace(/[\t\n]/g, (c) => (c === "\n" ? "\\n" : "\\t"))
}

/**
 * P10: the code points escapeTerminal escapes, each once, in order of appearance, named as
 * `U+E0041`; what `agent mcp doctor` lists for a tool, prompt or resource that holds them.
 */
export function hiddenCodePoints(s: string): string[] {
  const found = new Set<string>()
  for (const m of s.matchAll(UNSAFE))
    found.add(`U+${(m[0].codePointAt(0) as number).toString(16).toUpperCase().padStart(4, "0")}`)
  return [...found]
}

/** JSON text with every unsafe code point as a `\uXXXX` escape: the same value, but visible. */
export function escapeJsonText(json: string): string {
  return json.replace(UNSAFE, (c) =>
    [...Array(c.length).keys()].map((i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, "0")}`).join(""),
  )
}

/** Quotes an argv element for display only (never for execution). */
export function displayArg(s: string): string {
  const e = escapeTerminal(s)
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(e) ? e : `'${e.replace(/'/g, `'\\''`)}'`
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`
}
