import { ConfigError } from "../util/errors.ts"
import { escapeTerminal } from "../util/text.ts"

export interface JsonPosition {
  /** 1-based. */
  line: number
  /** 1-based, in characters (code points), not bytes or UTF-16 units. */
  column: number
}

export type JsonPath = readonly (string | number)[]

const BOM = 0xfeff

/** Offsets of the first character of each line; \n, \r\n and a lone \r all end a line. */
export function lineStarts(text: string): number[] {
  const starts = [text.charCodeAt(0) === BOM ? 1 : 0]
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1)
  }
  return starts
}

export function positionAt(text: string, starts: readonly number[], offset: number): JsonPosition {
  let lo = 0
  let hi = starts.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (starts[mid]! <= offset) lo = mid
    else hi = mid - 1
  }
  let column = 1
  for (let i = starts[lo]!; i < offset; i++) {
    const c = text.charCodeAt(i)
    // A surrogate pair is one character: skip its second half.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < offset) {
      const d = text.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) i++
    }
    column++
  }
  return { line: lo + 1, column }
}

/** Like positionAt, without building the whole line table (one-off error reports). */
export function positionOf(text: string, offset: number): JsonPosition {
  let line = 1
  let start = text.charCodeAt(0) === BOM ? 1 : 0
  for (let i = start; i < offset; i++) {
    const c = text.charCodeAt(i)
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++
      start = i + 1
    }
  }
  const column = positionAt(text, [start], offset).column
  return { line, column }
}

/** `mcpServers.github.env`, `args[0]`, `servers["a.b"]`: for messages only. */
export function formatJsonPath(path: JsonPath): string {
  if (path.length === 0) return "(top level)"
  let out = ""
  for (const k of path) {
    if (typeof k === "number") out += `[${k}]`
    else if (/^[A-Za-z_$][\w$-]*$/.test(k)) out += out ? `.${k}` : k
    else out += `[${JSON.stringify(k)}]`
  }
  return escapeTerminal(out)
}

/** What the parser saw at `offset`, quoted for a message: `"\""`, `"x"`, `end of input`. */
export function describeAt(text: string, offset: number): string {
  if (offset >= text.length) return "end of input"
  const word = /[A-Za-z_$][\w$]*/y
  word.lastIndex = offset
  const m = word.exec(text)
  if (m) return escapeTerminal(JSON.stringify(m[0].length > 20 ? `${m[0].slice(0, 20)}…` : m[0]))
  const cp = text.codePointAt(offset)!
  return escapeTerminal(JSON.stringify(String.fromCodePoint(cp)))
}

export interface JsonErrorInfo {
  file?: string
  hint?: string
  path?: JsonPath
}

/** `<file>:<line>:<col>: <what>`, or `line L, column C: <what>` when there is no file. */
export function jsonError(text: string, offset: number, what: string, info: JsonErrorInfo = {}): ConfigError {
  const { line, column } = positionOf(text, offset)
  const where =
    info.file === undefined
      ? `line ${line}, column ${column}`
      : `${escapeTerminal(info.file)}:${line}:${column}`
  return new ConfigError(`${where}: ${what}`, {
    file: info.file,
    path: info.path ? formatJsonPath(info.path) : undefined,
    hint: info.hint,
  })
}

/** Hints for the mistakes people make when hand-editing JSON; undefined when none fits. */
export function hintForFound(
  text: string,
  offset: number,
  expected: "key" | "comma" | "value",
): string | undefined {
  const c = text[offset]
  if (c === "'") return "JSON strings use double quotes, not single quotes"
  if (expected === "key" && c !== undefined && /[A-Za-z_$]/.test(c))
    return "put the property name in double quotes"
  if (expected === "comma" && c !== undefined && /["{[\-0-9tfn]/.test(c))
    return 'add a "," between the two entries'
  if (expected === "value" && c !== undefined && /[A-Za-z]/.test(c)) {
    return 'text values need double quotes, e.g. "value"; the only bare words are true, false and null'
  }
  if (c === undefined) return "the file ends too early: close every { and ["
  return undefined
}
