// Terminal safety: text from configs, links and servers may hold escape sequences
// (OSC 52 clipboard writes, OSC 8 links, CSI cursor moves, C1 0x9b) or bidi marks that make
// the screen lie about what will run (SECURITY-CASES I03, P01). Show them as escapes.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g

export function escapeTerminal(s: string): string {
  return s.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0)
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`
  })
}

/** Quotes an argv element for display only (never for execution). */
export function displayArg(s: string): string {
  const e = escapeTerminal(s)
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(e) ? e : `'${e.replace(/'/g, `'\\''`)}'`
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`
}
