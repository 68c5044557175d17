// The `${VAR}` engine for config strings (docs/design.md §4). Pure: no env, file or approval access;
// the resolver passes a lookup that has already checked approvals.
//
// Grammar:  ${NAME}  ${NAME:-default}  ${NAME:?message}  ${env:NAME…}  {env:NAME…}  ${input:ID}
// Escapes:  $$ → $    %% → %    \${ → ${    \{env: → {env:    \\${X} → \ + value of X
// Anything else that looks like expansion ($FOO, %FOO%, nesting, unclosed, bad names) throws:
// a silent literal would send "${TOKEN}" to a server, and expanding would bypass approval
// (C02: never a silent literal, never expanded).

export type Ref =
  | { kind: "env"; name: string; default?: string; required?: string; raw: string }
  | { kind: "input"; id: string; name: string; raw: string }
export type Segment = { type: "text"; value: string } | { type: "ref"; ref: Ref }
export type Missing = { name: string; message?: string }
export type ExpandResult = { ok: true; value: string } | { ok: false; missing: Missing[] }

const FORMS = "${VAR}, ${VAR:-default}, ${VAR:?message}, ${env:VAR}, {env:VAR} or ${input:ID}"

export class InterpolationSyntaxError extends Error {
  constructor(
    message: string,
    /** 1-based index of the offending character in the string. */
    readonly column: number,
    readonly hint: string,
  ) {
    super(message)
    this.name = "InterpolationSyntaxError"
  }
}

/** VS Code `${input:github-token}` reads the variable GITHUB_TOKEN. */
export function inputVariableName(id: string): string {
  return id.replace(/[^A-Za-z0-9_]/g, "_").toUpperCase()
}

export function parseTemplate(s: string): Segment[] {
  // Most strings (names, plain URLs, paths) hold nothing the loop below acts on: without a "$",
  // a "%" or a "{env:", every character is literal text (a backslash only escapes an opener).
  // Every string of every server goes through here several times before the first connect.
  if (!s.includes("$") && !s.includes("%") && !s.includes("{env:"))
    return s ? [{ type: "text", value: s }] : []
  const out: Segment[] = []
  let text = ""
  let i = 0
  while (i < s.length) {
    if (s[i] === "\\") {
      // Backslashes only mean something right before an opener, so Windows and UNC paths pass.
      let n = 0
      while (s[i + n] === "\\") n++
      const opener = openerAt(s, i + n)
      text += opener ? "\\".repeat(n >> 1) : s.slice(i, i + n)
      i += n
      if (opener && n % 2 === 1) {
        text += opener
        i += opener.length
      }
      continue
    }
    if (openerAt(s, i)) {
      if (text) out.push({ type: "text", value: text })
      text = ""
      const { ref, end } = parseRef(s, i)
      out.push({ type: "ref", ref })
      i = end
      continue
    }
    const [lit, end] = literalAt(s, i)
    text += lit
    i = end
  }
  if (text) out.push({ type: "text", value: text })
  return out
}

export function findRefs(s: string): Ref[] {
  return parseTemplate(s).flatMap((seg) => (seg.type === "ref" ? [seg.ref] : []))
}

export function hasRefs(s: string): boolean {
  return findRefs(s).length > 0
}

/**
 * Substitutes every reference or reports all that are missing; never a partial string.
 * Values are inserted as data and not re-scanned, so a value holding "${X}" stays as is.
 * Syntax errors throw InterpolationSyntaxError.
 */
export function expandTemplate(s: string, lookup: (name: string) => string | undefined): ExpandResult {
  let value = ""
  const missing: Missing[] = []
  for (const seg of parseTemplate(s)) {
    if (seg.type === "text") {
      value += seg.value
      continue
    }
    const v = resolveRef(seg.ref, lookup)
    if (typeof v === "string") value += v
    else if (!missing.some((m) => m.name === v.name)) missing.push(v)
  }
  return missing.length > 0 ? { ok: false, missing } : { ok: true, value }
}

function resolveRef(ref: Ref, lookup: (name: string) => string | undefined): string | Missing {
  const v = lookup(ref.name)
  if (ref.kind === "input") return v ?? { name: ref.name }
  // POSIX `:-` and `:?` treat empty like unset; a plain ${VAR} set to "" expands to "".
  if (v !== undefined && v !== "") return v
  if (ref.default !== undefined) return ref.default
  if (ref.required !== undefined)
    return ref.required ? { name: ref.name, message: ref.required } : { name: ref.name }
  return v ?? { name: ref.name }
}

/** Literal text as it will be sent, each reference shown as written; no values. */
export function maskTemplate(s: string): string {
  return parseTemplate(s)
    .map((seg) => (seg.type === "text" ? seg.value : seg.ref.raw))
    .join("")
}

/**
 * Deep map over the strings in arrays and plain objects; returns a new structure.
 * Own enumerable keys only. A `__proto__` key (JSON.parse makes it an own property) is
 * dropped: assigning it would replace the copy's prototype.
 */
export function walkStrings(
  value: unknown,
  fn: (s: string, path: (string | number)[]) => string,
  path: (string | number)[] = [],
): unknown {
  if (typeof value === "string") return fn(value, path)
  if (Array.isArray(value)) return value.map((v, i) => walkStrings(v, fn, [...path, i]))
  if (!isPlainObject(value)) return value
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) {
    if (key === "__proto__") continue
    out[key] = walkStrings(value[key], fn, [...path, key])
  }
  return out
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null) return false
  const proto: unknown = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}

function openerAt(s: string, i: number): "${" | "{env:" | undefined {
  if (s.startsWith("${", i)) return "${"
  // `{env: x}` with a space is a JS/YAML-ish object literal in an argument, not a reference.
  if (s.startsWith("{env:", i) && !/\s/.test(s[i + 5] ?? "")) return "{env:"
  return undefined
}

function readName(s: string, i: number): string {
  const re = /[A-Za-z_][A-Za-z0-9_]*/y
  re.lastIndex = i
  return re.exec(s)?.[0] ?? ""
}

// One literal token at i: escapes, a plain character, or an error for an attempted expansion.
function literalAt(s: string, i: number): [string, number] {
  const c = s[i] as string
  if (c === "$") {
    if (s[i + 1] === "$") return ["$", i + 2]
    const name = readName(s, i + 1)
    if (name) {
      const hint = `write \${${name}} to use the variable, or $$${name} for a literal "$${name}"`
      fail(`bare "$${name}" is not expanded`, i, hint)
    }
    return ["$", i + 1]
  }
  if (c === "%") {
    if (s[i + 1] === "%") return ["%", i + 2]
    const name = readName(s, i + 1)
    if (isWindowsRef(s, i, name)) {
      const hint = `write \${${name}} to use the variable, or %%${name}% for a literal "%${name}%"`
      fail(`Windows-style "%${name}%" is not expanded`, i, hint)
    }
    return ["%", i + 1]
  }
  return [c, i + 1]
}

// Single letters are strftime/printf (`%Y%m%d`, `%s%s`). A name that starts with a hex pair is
// percent-encoding when it is just that pair or its closing % starts another (`caf%C3%A9s%20`).
function isWindowsRef(s: string, i: number, name: string): boolean {
  if (name.length < 2 || s[i + 1 + name.length] !== "%") return false
  const isHexPair = (k: number) => /^[0-9A-Fa-f]{2}$/.test(s.slice(k, k + 2))
  return !(isHexPair(i + 1) && (name.length === 2 || isHexPair(i + 2 + name.length)))
}

function parseRef(s: string, start: number): { ref: Ref; end: number } {
  const isDollar = s[start] === "$"
  let i = start + (isDollar ? 2 : 5)
  const prefix = isDollar ? readName(s, i) : "env"
  // `${env:-x}` is the variable "env" with a default, not the env: prefix.
  const isPrefix = s[i + prefix.length] === ":" && !"-?".includes(s[i + prefix.length + 1] ?? "-")
  if (isDollar && (prefix === "env" || prefix === "input") && isPrefix) {
    i += prefix.length + 1
    if (prefix === "input") return parseInput(s, start, i)
  }
  const name = readName(s, i)
  if (!name) badName(s, start, i)
  let j = i + name.length
  let extra: { default?: string; required?: string } = {}
  if (s[j] === ":" && (s[j + 1] === "-" || s[j + 1] === "?")) {
    const [text, end] = modifierText(s, start, j + 2)
    extra = s[j + 1] === "-" ? { default: text } : { required: text }
    j = end
  } else if (s[j] === ":") {
    if (j + 1 >= s.length) unclosed(s, start)
    fail(`unknown reference form "${excerpt(s, start)}"`, start, `supported: ${FORMS}`)
  } else if (s[j] !== "}") {
    badName(s, start, i)
  }
  return { ref: { kind: "env", name, ...extra, raw: s.slice(start, j + 1) }, end: j + 1 }
}

function parseInput(s: string, start: number, i: number): { ref: Ref; end: number } {
  const id = /^[A-Za-z0-9_.-]*/.exec(s.slice(i))?.[0] ?? ""
  const j = i + id.length
  if (id && s[j] === "}") {
    return { ref: { kind: "input", id, name: inputVariableName(id), raw: s.slice(start, j + 1) }, end: j + 1 }
  }
  if (!id) badName(s, start, i)
  if (s[j] === undefined) unclosed(s, start)
  if (openerAt(s, j)) nested(j)
  return fail(`invalid input id in "${excerpt(s, start)}"`, i, "input ids use letters, digits, _, . and -")
}

// Text after `:-` or `:?` up to `}`: literal, with the same escapes, and no references inside.
function modifierText(s: string, start: number, i: number): [string, number] {
  let text = ""
  while (s[i] !== "}") {
    if (i >= s.length) unclosed(s, start)
    if (openerAt(s, i)) nested(i)
    const [lit, end] = literalAt(s, i)
    text += lit
    i = end
  }
  return [text, i]
}

// The name at i is empty or followed by something other than `}` / `:`; say which problem it is.
function badName(s: string, start: number, i: number): never {
  if (openerAt(s, i)) nested(i)
  const j = i + readName(s, i).length
  if (openerAt(s, j)) nested(j)
  const close = s.indexOf("}", i)
  if (close < 0) unclosed(s, start)
  if (close === i) {
    fail(
      `empty reference "${s.slice(start, i + 1)}"`,
      start,
      `name a variable, e.g. \${HOME}; write $$ for a literal "$"`,
    )
  }
  const hint = `names are letters, digits and _, not starting with a digit; supported: ${FORMS}`
  return fail(`invalid variable name "${s.slice(i, close)}" in "${excerpt(s, start)}"`, i, hint)
}

function nested(i: number): never {
  return fail(
    "nested references are not supported",
    i,
    "a reference and its default may not contain another reference",
  )
}

function unclosed(s: string, start: number): never {
  return fail(
    `unclosed reference "${excerpt(s, start)}"`,
    start,
    `add "}", or write \\\${ for a literal "\${"`,
  )
}

function excerpt(s: string, start: number): string {
  const close = s.indexOf("}", start)
  const raw = close < 0 ? s.slice(start) : s.slice(start, close + 1)
  return raw.length > 40 ? `${raw.slice(0, 39)}…` : raw
}

function fail(message: string, index: number, hint: string): never {
  throw new InterpolationSyntaxError(message, index + 1, hint)
}
