// The one parser every config file goes through: ours, and peers' (Claude/Cursor/Kiro JSON,
// VS Code mcp.json and Gemini settings.json, which are JSONC). JSON.parse is not enough: it
// keeps the last of two duplicate keys silently, reports offsets instead of lines, and
// cannot tell later schema errors where a value was.
import { jsonError, lineStarts, positionAt, type JsonPath, type JsonPosition } from "./json-errors.ts"
import { readConfigText, type ReadOptions } from "./json-file.ts"
import { Parser, type Loc, type ParseOptions } from "./json-parser.ts"

export { formatJsonPath, type JsonPath, type JsonPosition } from "./json-errors.ts"
export { MAX_CONFIG_BYTES } from "./json-file.ts"
export { MAX_JSON_DEPTH, type ParseOptions } from "./json-parser.ts"

export interface Located {
  value: unknown
  /** Where the value at `path` starts; undefined when there is no such value. */
  locate(path: JsonPath): JsonPosition | undefined
}

export function parseJsonText(text: string, opts: ParseOptions = {}): Located {
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0
  const bom = text.indexOf("\ufeff", start)
  if (bom >= 0) {
    throw jsonError(text, bom, "byte-order mark (U+FEFF) in the middle of the file", {
      file: opts.file,
      hint: 'remove it; a string that needs the character can write "\\uFEFF"',
    })
  }
  const nul = text.indexOf("\0")
  if (nul >= 0) {
    throw jsonError(text, nul, "NUL byte in the file", {
      file: opts.file,
      hint: 'this looks like a binary or UTF-16 file; save it as UTF-8 (a string that needs NUL can write "\\u0000")',
    })
  }
  const p = new Parser(text, start, opts)
  const value = p.document()
  const root = p.loc
  let starts: number[] | undefined
  return {
    value,
    locate(path) {
      const at = find(root, path)
      if (at === undefined) return undefined
      starts ??= lineStarts(text)
      return positionAt(text, starts, at)
    },
  }
}

/** Reads and parses a config file; refuses non-regular files and files over MAX_CONFIG_BYTES. */
export function readJsonFile(file: string, opts: Omit<ParseOptions, "file"> & ReadOptions = {}): Located {
  const { isPrivate, ...parse } = opts
  return parseJsonText(readConfigText(file, { isPrivate }), { ...parse, file })
}

function find(root: Loc, path: JsonPath): number | undefined {
  let loc: Loc | undefined = root
  for (const k of path) {
    if (loc === undefined || typeof loc === "number") return undefined
    const kids: Map<string, Loc> | Loc[] = loc.kids
    loc = Array.isArray(kids)
      ? kids[typeof k === "number" ? k : /^\d+$/.test(k) ? Number(k) : -1]
      : kids.get(String(k))
  }
  return loc === undefined ? undefined : typeof loc === "number" ? loc : loc.at
}

/** The indentation a file uses, so a rewrite keeps it: "\t" or a number of spaces (default 2). */
export function detectIndent(text: string): string | number {
  const m = /^([ \t]+)\S/m.exec(text.length > 65536 ? text.slice(0, 65536) : text)
  if (!m) return 2
  if (m[1]!.startsWith("\t")) return "\t"
  const n = m[1]!.length
  return n >= 1 && n <= 8 ? n : 2
}

export function hasFinalNewline(text: string): boolean {
  return text.endsWith("\n")
}

/** "\r\n" when the file's first line ends that way, else "\n". */
export function detectEol(text: string): "\n" | "\r\n" {
  const nl = text.indexOf("\n")
  return nl > 0 && text[nl - 1] === "\r" ? "\r\n" : "\n"
}
