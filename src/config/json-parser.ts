// A recursive-descent JSON/JSONC parser that records where every value starts. Recursion is
// bounded by MAX_JSON_DEPTH, checked before descending, so hostile input cannot exhaust the stack.
import { escapeTerminal } from "../util/text.ts"
import {
  describeAt,
  formatJsonPath,
  hintForFound,
  jsonError,
  positionOf,
  type JsonPath,
} from "./json-errors.ts"

export const MAX_JSON_DEPTH = 64

export interface ParseOptions {
  /** Allow `//` and `/* *\/` comments and trailing commas (VS Code, Gemini). */
  jsonc?: boolean
  /** Prefixes messages as `<file>:<line>:<col>:`. */
  file?: string
}

// Prototype pollution guard: configs are merged and spread later; these keys never mean data.
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"])

/** Where each value starts: an offset, or for a container its offset and its children's. */
export type Loc = number | { at: number; kids: Map<string, Loc> | Loc[] }

const LITERALS = [
  ["true", true],
  ["false", false],
  ["null", null],
] as const

const ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
}

export class Parser {
  i: number
  depth = 0
  /** Location tree of the value parsed last. */
  loc: Loc = 0
  /** Keys and indexes leading to the current value, for messages. */
  readonly path: (string | number)[] = []

  constructor(
    readonly text: string,
    start: number,
    readonly opts: ParseOptions,
  ) {
    this.i = start
  }

  fail(at: number, what: string, hint?: string, path?: JsonPath): never {
    throw jsonError(this.text, at, what, { file: this.opts.file, hint, path })
  }

  document(): unknown {
    this.skip()
    if (this.i >= this.text.length)
      this.fail(this.i, "empty input: expected a JSON value", "write {} for an empty config")
    const value = this.value()
    this.skip()
    if (this.i < this.text.length) {
      this.fail(
        this.i,
        `unexpected ${describeAt(this.text, this.i)} after the end of the JSON value`,
        "a config file holds one value: remove the extra text or merge it into the first object",
      )
    }
    return value
  }

  /** Skips whitespace, and comments in JSONC mode. */
  skip(): void {
    const t = this.text
    for (;;) {
      const c = t.charCodeAt(this.i)
      if (c === 32 || c === 10 || c === 13 || c === 9) this.i++
      else if (c === 47 && (t[this.i + 1] === "/" || t[this.i + 1] === "*")) this.comment()
      else return
    }
  }

  comment(): void {
    const t = this.text
    if (!this.opts.jsonc) {
      this.fail(
        this.i,
        "comments are not allowed in JSON",
        "JSON does not allow comments; remove it (only JSONC files such as VS Code's mcp.json accept them)",
      )
    }
    if (t[this.i + 1] === "/") {
      while (this.i < t.length && t[this.i] !== "\n" && t[this.i] !== "\r") this.i++
      return
    }
    const end = t.indexOf("*/", this.i + 2)
    if (end < 0) this.fail(this.i, "unterminated /* comment", 'close it with "*/"')
    this.i = end + 2
  }

  value(): unknown {
    this.skip()
    const t = this.text
    const at = this.i
    const c = t.charCodeAt(at)
    this.loc = at
    if (c === 123) return this.object(at)
    if (c === 91) return this.array(at)
    if (c === 34) return this.string()
    if (c === 45 || (c >= 48 && c <= 57)) return this.number(at)
    for (const [word, v] of LITERALS) {
      if (t.startsWith(word, at)) {
        this.i += word.length
        return v
      }
    }
    const hint = c === 44 ? "remove the extra comma" : hintForFound(t, at, "value")
    this.fail(at, `expected a value, found ${describeAt(t, at)}`, hint)
  }

  enter(at: number): void {
    // Fail early so that hostile input cannot exhaust the stack (the recursion is bounded by this).
    if (++this.depth > MAX_JSON_DEPTH) {
      this.fail(
        at,
        `nesting deeper than ${MAX_JSON_DEPTH} levels`,
        "flatten the document; no config needs this depth",
        this.path,
      )
    }
  }

  object(at: number): Record<string, unknown> {
    this.enter(at)
    // No prototype: a key can never reach Object.prototype, and `obj[name]` never finds "toString".
    const obj: Record<string, unknown> = Object.create(null)
    this.i++
    this.skip()
    if (this.text.charCodeAt(this.i) === 125) {
      this.i++
      return this.leave(at, undefined, obj)
    }
    const kids = new Map<string, Loc>()
    do this.property(obj, kids)
    while (!this.separator(125, "a property"))
    return this.leave(at, kids, obj)
  }

  property(obj: Record<string, unknown>, kids: Map<string, Loc>): void {
    const t = this.text
    const keyAt = this.i
    if (t.charCodeAt(keyAt) !== 34) {
      this.fail(
        keyAt,
        `expected a property name in double quotes, found ${describeAt(t, keyAt)}`,
        hintForFound(t, keyAt, "key"),
      )
    }
    const key = this.string()
    this.checkKey(key, keyAt, kids)
    this.skip()
    if (t.charCodeAt(this.i) !== 58)
      this.fail(this.i, `expected ":" after the property name, found ${describeAt(t, this.i)}`)
    this.i++
    this.path.push(key)
    obj[key] = this.value()
    this.path.pop()
    kids.set(key, this.loc)
  }

  array(at: number): unknown[] {
    this.enter(at)
    const arr: unknown[] = []
    this.i++
    this.skip()
    if (this.text.charCodeAt(this.i) === 93) {
      this.i++
      return this.leave(at, undefined, arr)
    }
    const kids: Loc[] = []
    this.path.push(0)
    do {
      this.path[this.path.length - 1] = arr.length
      arr.push(this.value())
      kids.push(this.loc)
    } while (!this.separator(93, "an element"))
    this.path.pop()
    return this.leave(at, kids, arr)
  }

  /** An empty container's location is a bare offset: nothing inside it can be located. */
  leave<T>(at: number, kids: Map<string, Loc> | Loc[] | undefined, value: T): T {
    this.depth--
    this.loc = kids === undefined ? at : { at, kids }
    return value
  }

  /** After an entry: true at the closing bracket (consumed), false after a comma. */
  separator(close: number, what: string): boolean {
    const t = this.text
    this.skip()
    const c = t.charCodeAt(this.i)
    if (c === close) {
      this.i++
      return true
    }
    const closeChar = String.fromCharCode(close)
    if (c !== 44) {
      const found = describeAt(t, this.i)
      this.fail(
        this.i,
        `expected "," or "${closeChar}" after ${what}, found ${found}`,
        hintForFound(t, this.i, "comma"),
      )
    }
    const comma = this.i++
    this.skip()
    if (t.charCodeAt(this.i) !== close) return false
    if (!this.opts.jsonc) {
      this.fail(
        comma,
        `trailing comma before "${closeChar}"`,
        "remove the trailing comma; JSON does not allow one",
      )
    }
    this.i++
    return true
  }

  checkKey(key: string, keyAt: number, kids: Map<string, Loc>): void {
    if (!FORBIDDEN_KEYS.has(key) && !kids.has(key)) return
    const path = [...this.path, key]
    if (FORBIDDEN_KEYS.has(key)) {
      this.fail(
        keyAt,
        `key "${key}" is not allowed (at ${formatJsonPath(path)})`,
        "remove it: __proto__, constructor and prototype are refused to prevent prototype pollution",
        path,
      )
    }
    const first = kids.get(key)
    if (first === undefined) return
    const firstAt = typeof first === "number" ? first : first.at
    const firstLine = positionOf(this.text, firstAt).line
    this.fail(
      keyAt,
      `duplicate key ${JSON.stringify(key)} at ${formatJsonPath(path)} (first defined on line ${firstLine})`,
      "remove one of them; other tools would silently use the last one",
      path,
    )
  }

  string(): string {
    const t = this.text
    const quote = this.i
    let j = quote + 1
    let out = ""
    let run = j
    for (;;) {
      if (j >= t.length) this.fail(quote, "unterminated string", 'close the string with "')
      const c = t.charCodeAt(j)
      if (c === 34) break
      if (c === 92) {
        out += t.slice(run, j)
        out += this.escape(j)
        j += t[j + 1] === "u" ? 6 : 2
        run = j
      } else if (c < 32) {
        const code = c.toString(16).padStart(4, "0")
        const hint =
          c === 10 || c === 13
            ? 'a string cannot span lines; close it with " or write \\n'
            : `write it as \\u${code}`
        this.fail(j, `raw control character U+${code.toUpperCase()} in a string`, hint)
      } else j++
    }
    this.i = j + 1
    return run === quote + 1 ? t.slice(run, j) : out + t.slice(run, j)
  }

  escape(at: number): string {
    const t = this.text
    const e = t[at + 1]
    if (e === "u") {
      const hex = t.slice(at + 2, at + 6)
      // Lone surrogates pass, as with JSON.parse; a pair becomes one character by concatenation.
      if (/^[0-9a-fA-F]{4}$/.test(hex)) return String.fromCharCode(parseInt(hex, 16))
      this.fail(
        at,
        `invalid escape "\\u${/^\w*/.exec(hex)![0]}": expected four hex digits`,
        "write \\u followed by four hex digits, e.g. \\u00e9",
      )
    }
    const v = e === undefined ? undefined : ESCAPES[e]
    if (v !== undefined) return v
    const shown =
      e === undefined
        ? "at the end of input"
        : `"\\${escapeTerminal(String.fromCodePoint(t.codePointAt(at + 1)!))}"`
    this.fail(
      at,
      `invalid escape ${shown} in a string`,
      'write \\\\ for a backslash (e.g. "C:\\\\Users"), or use forward slashes in paths',
    )
  }

  number(at: number): number {
    const t = this.text
    let j = at
    if (t.charCodeAt(j) === 45) j++
    if (t.charCodeAt(j) === 48 && isDigit(t.charCodeAt(j + 1))) {
      this.fail(j, "invalid number: leading zeros are not allowed", "write the number without leading zeros")
    }
    j = this.digits(j)
    if (t.charCodeAt(j) === 46) j = this.digits(j + 1)
    const e = t.charCodeAt(j)
    if (e === 101 || e === 69) {
      j++
      if (t.charCodeAt(j) === 43 || t.charCodeAt(j) === 45) j++
      j = this.digits(j)
    }
    this.i = j
    return Number(t.slice(at, j))
  }

  digits(j: number): number {
    const t = this.text
    if (!isDigit(t.charCodeAt(j))) this.fail(j, `invalid number: expected a digit, found ${describeAt(t, j)}`)
    while (isDigit(t.charCodeAt(j))) j++
    return j
  }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57
}
