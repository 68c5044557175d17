import { isDeepStrictEqual } from "node:util"
import { ConfigError } from "../util/errors.ts"

// Puts entries under `key.NAME` in another client's config text and changes nothing else: JSON
// (with comments) through jsonc-parser's edits, YAML through the `yaml` Document (comments and
// layout kept), TOML by appending `[key.NAME]` tables and cutting out the ones replaced (smol-toml
// parses but does not keep comments, so its output is used only for our own tables). Every result
// is parsed again and compared with the original outside our entries: anything else that changed
// means the edit was not safe, and nothing is written. The parsers load only when an export runs.

export type FileFormat = "json" | "toml" | "yaml"

export interface Put {
  name: string
  value: Record<string, unknown>
}

/** The new file text; `text` undefined means the file does not exist yet. */
export async function putEntries(
  format: FileFormat,
  text: string | undefined,
  key: string,
  puts: Put[],
  file: string,
): Promise<string> {
  const before = text === undefined ? {} : await parseText(format, text, file)
  const after =
    format === "json"
      ? await putJson(text, key, puts)
      : format === "yaml"
        ? await putYaml(text, key, puts)
        : await putToml(text, key, puts, file)
  verify(format, before, await parseText(format, after, file), key, puts, file)
  return after
}

/** The servers already under `key` (name → entry) in the text. */
export async function entriesIn(
  format: FileFormat,
  text: string,
  key: string,
  file: string,
): Promise<Record<string, unknown>> {
  const doc = await parseText(format, text, file)
  const servers = isObject(doc) ? doc[key] : undefined
  return isObject(servers) ? servers : {}
}

async function parseText(format: FileFormat, text: string, file: string): Promise<unknown> {
  try {
    if (format === "toml") return (await import("smol-toml")).parse(text)
    if (format === "yaml") return (await import("yaml")).parse(text, { maxAliasCount: 100 }) ?? {}
    const { parse } = await import("jsonc-parser")
    const errors: import("jsonc-parser").ParseError[] = []
    const value = parse(text, errors, { allowTrailingComma: true })
    if (errors.length > 0) throw new Error(`JSON syntax error at offset ${errors[0]!.offset}`)
    return value ?? {}
  } catch (e: unknown) {
    const why = e instanceof Error ? e.message.split("\n")[0] : String(e)
    throw new ConfigError(`${file}: not valid ${format.toUpperCase()} (${why}); nothing was written`, {
      file,
      cause: e,
    })
  }
}

async function putJson(text: string | undefined, key: string, puts: Put[]): Promise<string> {
  const { applyEdits, modify } = await import("jsonc-parser")
  let out = text === undefined || text.trim() === "" ? "{}\n" : text
  const unit = /^([ \t]+)["/]/m.exec(out)?.[1] ?? "  "
  const eol = out.includes("\r\n") ? "\r\n" : "\n"
  for (const p of puts) {
    // No formattingOptions: jsonc-parser would then reformat the sibling before ours too.
    const edits = modify(out, [key, p.name], p.value, {}).map((e) => ({
      ...e,
      content: prettyEdit(out, e, unit, eol),
    }))
    out = applyEdits(out, edits)
  }
  return out
}

/** jsonc-parser's one-line insertion, laid out like the lines around it. */
function prettyEdit(
  text: string,
  e: { offset: number; length: number; content: string },
  unit: string,
  eol: string,
) {
  const lineStart = text.lastIndexOf("\n", e.offset - 1) + 1
  const indent = /^[ \t]*/.exec(text.slice(lineStart))![0]
  const pretty = (v: unknown, base: string) => JSON.stringify(v, null, unit).replace(/\n/g, `${eol}${base}`)
  const member = /^(,?)("(?:[^"\\]|\\.)*"):\s*([\s\S]*)$/.exec(e.content)
  if (!member) return pretty(JSON.parse(e.content), indent) // a value replaced in place
  const [, comma, name, json] = member
  if (comma) return `,${eol}${indent}${name}: ${pretty(JSON.parse(json!), indent)}`
  // The first member of an empty object: on its own line, one level in.
  const inner = indent + unit
  return `${eol}${inner}${name}: ${pretty(JSON.parse(json!), inner)}${eol}${indent}`
}

async function putYaml(text: string | undefined, key: string, puts: Put[]): Promise<string> {
  const { parseDocument } = await import("yaml")
  const doc = parseDocument(text ?? "")
  if (doc.errors.length > 0) throw doc.errors[0]
  if (doc.contents === null) doc.contents = doc.createNode({}) as unknown as typeof doc.contents
  for (const p of puts) doc.setIn([key, p.name], doc.createNode(p.value))
  return doc.toString()
}

/** Cuts `[key.NAME]` and `[key.NAME.*]` tables of the replaced names, then appends ours. */
async function putToml(text: string | undefined, key: string, puts: Put[], file: string): Promise<string> {
  const { parse, stringify } = await import("smol-toml")
  const names = new Set(puts.map((p) => p.name))
  const lines = (text ?? "").split(/(?<=\n)/)
  const kept: string[] = []
  let isCutting = false
  for (const line of lines) {
    const header = /^\s*\[(?!\[)(.*)\]\s*(#.*)?$/.exec(line.trimEnd())
    const arrayHeader = /^\s*\[\[/.test(line)
    if (header || arrayHeader) {
      const path = header ? headerPath(header[1]!, parse) : undefined
      isCutting = path !== undefined && path[0] === key && path.length >= 2 && names.has(path[1]!)
    }
    if (!isCutting) kept.push(line)
  }
  let out = kept.join("")
  const left = parseCut(out, parse, file)
  const still = isObject(left[key]) ? puts.filter((p) => Object.hasOwn(left[key] as object, p.name)) : []
  if (still.length > 0) {
    throw new ConfigError(
      `${file}: "${still[0]!.name}" is written inline (not as a [${key}.${still[0]!.name}] table); nothing was written`,
      { file, hint: "edit that entry by hand, or remove it and export again" },
    )
  }
  if (out.length > 0 && !out.endsWith("\n")) out += "\n"
  for (const p of puts) {
    out += `${out.trim() === "" ? "" : "\n"}${stringify({ [key]: { [p.name]: p.value } })}`
    if (!out.endsWith("\n")) out += "\n"
  }
  return out
}

/** The text with our tables cut out, parsed; a cut that broke it (a header inside a string) is refused. */
function parseCut(text: string, parse: (s: string) => Record<string, unknown>, file: string) {
  if (text.trim() === "") return {}
  try {
    return parse(text)
  } catch (e: unknown) {
    throw new ConfigError(`${file}: the TOML edit would break the file; nothing was written`, {
      file,
      cause: e,
      hint: "add the servers by hand, or export to a new file with --file",
    })
  }
}

/** `mcp_servers."a.b"` → ["mcp_servers", "a.b"], by letting the TOML parser read the header. */
function headerPath(inner: string, parse: (s: string) => Record<string, unknown>): string[] | undefined {
  try {
    let cur: unknown = parse(`[${inner}]\n`)
    const path: string[] = []
    while (isObject(cur) && Object.keys(cur).length === 1) {
      const k = Object.keys(cur)[0]!
      path.push(k)
      cur = cur[k]
    }
    return path
  } catch {
    return undefined // not a header after all (inside a multi-line string): the verify step decides
  }
}

/** I19: outside the exported entries the file must read exactly as before, or nothing is written. */
export function verify(
  format: FileFormat,
  before: unknown,
  after: unknown,
  key: string,
  puts: Put[],
  file: string,
): void {
  const strip = (doc: unknown) => {
    const copy = structuredClone(isObject(doc) ? doc : {}) as Record<string, unknown>
    if (isObject(copy[key])) {
      for (const p of puts) delete (copy[key] as Record<string, unknown>)[p.name]
      if (Object.keys(copy[key] as object).length === 0 && !(isObject(before) && isObject(before[key])))
        delete copy[key]
    }
    return copy
  }
  const servers = isObject(after) && isObject(after[key]) ? after[key] : {}
  const ours = puts.every((p) => isDeepStrictEqual(normal(servers[p.name]), normal(p.value)))
  if (!ours || !isDeepStrictEqual(normal(strip(before)), normal(strip(after)))) {
    throw new ConfigError(
      `${file}: the ${format.toUpperCase()} edit would have changed more than the exported servers; nothing was written`,
      { file, hint: "add the servers by hand, or export to a new file with --file" },
    )
  }
}

/** TOML dates and YAML's plain objects compare as JSON. */
function normal(v: unknown): unknown {
  return v === undefined ? undefined : JSON.parse(JSON.stringify(v))
}

function isObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === "object" && !Array.isArray(x)
}
