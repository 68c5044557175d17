// P01/I03: escapeTerminal shows every character that can move the cursor, reorder the line or
// hide text as an escape, one table row per class, so dropping any class from the set fails here.
import { describe, expect, it } from "bun:test"
import { displayArg, escapeTerminal } from "../../src/util/text.ts"

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)

// [class, code points that must never reach the terminal raw]
const UNSAFE: [string, number[]][] = [
  ["C0 controls but tab and LF (ESC, BEL, CR, NUL)", [...range(0x00, 0x08), ...range(0x0b, 0x1f)]],
  ["DEL and the C1 controls (CSI 0x9b, NEL 0x85)", range(0x7f, 0x9f)],
  ["Arabic letter mark U+061C", [0x061c]],
  ["zero-width space, joiners, LRM and RLM U+200B-200F", range(0x200b, 0x200f)],
  ["line and paragraph separators U+2028-2029", [0x2028, 0x2029]],
  ["bidi embeddings and overrides U+202A-202E", range(0x202a, 0x202e)],
  ["word joiner and invisible operators U+2060-2064", range(0x2060, 0x2064)],
  ["bidi isolates U+2066-2069", range(0x2066, 0x2069)],
  ["deprecated format controls U+206A-206F and reserved U+2065", range(0x2065, 0x206f)],
  ["byte order mark U+FEFF", [0xfeff]],
  ["Mongolian vowel separator and variation selectors U+180B-180F", range(0x180b, 0x180f)],
  ["soft hyphen U+00AD and combining grapheme joiner U+034F", [0x00ad, 0x034f]],
  ["Hangul fillers U+115F, U+1160, U+3164, U+FFA0", [0x115f, 0x1160, 0x3164, 0xffa0]],
  ["Khmer inherent vowels U+17B4-17B5", [0x17b4, 0x17b5]],
  ["variation selectors U+FE00-FE0F", range(0xfe00, 0xfe0f)],
  ["reserved specials U+FFF0-FFF8 and interlinear annotation U+FFF9-FFFB", range(0xfff0, 0xfffb)],
  ["musical format controls U+1D173-1D17A", range(0x1d173, 0x1d17a)],
  ["tags U+E0000-E007F (ASCII smuggling)", range(0xe0000, 0xe007f)],
  [
    "supplementary variation selectors and the rest of U+E0080-E0FFF",
    [0xe0080, 0xe0100, 0xe01ef, 0xe01f0, 0xe0fff],
  ],
]

function expected(cp: number): string {
  if (cp <= 0xff) return `\\x${cp.toString(16).padStart(2, "0")}`
  return cp <= 0xffff ? `\\u${cp.toString(16).padStart(4, "0")}` : `\\u{${cp.toString(16)}}`
}

describe("escapeTerminal (P01, I03)", () => {
  for (const [name, cps] of UNSAFE) {
    it(`P01: escapes ${name}`, () => {
      for (const cp of cps) {
        const out = escapeTerminal(`a${String.fromCodePoint(cp)}b`)
        expect({ cp: cp.toString(16), out }).toEqual({ cp: cp.toString(16), out: `a${expected(cp)}b` })
      }
    })
  }

  it("P01: the output formats are \\x1b, \\u202e and \\u{e0041}", () => {
    expect(escapeTerminal("\x1b[2K\u202etxt.exe\u{e0041}")).toBe("\\x1b[2K\\u202etxt.exe\\u{e0041}")
  })

  it("P01: an OSC 52 clipboard write and an OSC 8 link come out with no raw ESC or BEL", () => {
    const out = escapeTerminal(
      "\x1b]52;c;cm0gLXJmIH4=\x07 \x1b]8;;https://evil.example\x1b\\here\x1b]8;;\x1b\\",
    )
    expect(out).not.toMatch(/[\x1b\x07]/)
    expect(out).toBe("\\x1b]52;c;cm0gLXJmIH4=\\x07 \\x1b]8;;https://evil.example\\x1b\\here\\x1b]8;;\\x1b\\")
  })

  it("P01: keeps tab, LF, printable text, accents, CJK, Hangul syllables and emoji as they are", () => {
    const text = "line 1\tcol\nline 2 — café 日本語 한국어 Ελληνικά עברית العربية 🎉 ~!@#$%^&*()"
    expect(escapeTerminal(text)).toBe(text)
  })

  it("I03: displayArg quotes an escaped argument so a bidi override cannot reorder it", () => {
    expect(displayArg("safe\u2066txt.exe")).toBe("'safe\\u2066txt.exe'")
    expect(displayArg("--flag=1")).toBe("--flag=1")
  })
})
