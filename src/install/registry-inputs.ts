// server.json's inputs (arguments, environment variables, headers) turned into config text.
// A value the user must supply (secret, or required without a default) becomes a `${VAR}`
// reference, which needs its own approval before the server starts (I07); a default or fixed
// value is written as text and shown on the approval screen. Registry text is escaped for our
// `${…}` syntax (I21): a hostile default such as "${AWS_SECRET_ACCESS_KEY}" stays literal text.
import { parseTemplate } from "../config/index.ts"
import { UsageError } from "../util/errors.ts"
import { escapeTerminal } from "../util/text.ts"
import type { Argument, Input, KeyValueInput } from "./registry-schema.ts"

/** Variable → what the approval screen says it is for. */
export type Variables = Record<string, string>

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** `--api-key`, `api_key`, `X-API-Key` → API_KEY / X_API_KEY. */
export function variableName(raw: string): string {
  const name = raw
    .replace(/^-+/, "")
    .replace(/[^A-Za-z0-9_]/g, "_")
    .toUpperCase()
  if (!VAR_NAME.test(name))
    throw new UsageError(
      `the registry names an input "${escapeTerminal(raw.slice(0, 80))}" that is no variable name`,
    )
  return name
}

/** Registry text as a config literal: `$`, `%` and `{env:` cannot start a reference. */
export function literal(text: string): string {
  const escaped = text
    .replace(/\$/g, "$$$$")
    .replace(/%/g, "%%")
    .replace(/\{env:/g, "\\{env:")
  const back = parseTemplate(escaped)
  const isSame =
    back.length === 0 ? text === "" : back.length === 1 && back[0]!.type === "text" && back[0]!.value === text
  if (!isSame)
    throw new UsageError(`the registry value "${escapeTerminal(text.slice(0, 80))}" cannot be written safely`)
  return escaped
}

function describe(input: Input, fallback: string): string {
  const parts = [input.description?.trim() || fallback]
  if (input.isSecret) parts.push("secret")
  if (input.choices?.length) parts.push(`one of: ${input.choices.join(", ")}`)
  if (input.placeholder) parts.push(`e.g. ${input.placeholder}`)
  return parts.join("; ")
}

/**
 * The text for one input: its fixed value (with `{var}` filled from its variables), else its
 * default, else a `${NAME}` reference when the user must supply it; undefined when optional and unset.
 */
export function inputValue(
  input: Input & { variables?: Record<string, Input> },
  name: string,
  vars: Variables,
): string | undefined {
  if (input.value !== undefined) return fill(input.value, input.variables ?? {}, vars)
  if (input.default !== undefined && !input.isSecret) return literal(input.default)
  if (input.isSecret || input.isRequired || input.default !== undefined) {
    const variable = variableName(name)
    vars[variable] = describe(input, name)
    return `\${${variable}}`
  }
  return undefined
}

/** `value: "Bearer {api_key}"` with variables → `Bearer ${API_KEY}`; unknown `{x}` stays text (spec). */
function fill(value: string, variables: Record<string, Input>, vars: Variables): string {
  let out = ""
  let last = 0
  for (const m of value.matchAll(/\{([A-Za-z0-9_.-]+)\}/g)) {
    const input = variables[m[1]!]
    if (!input) continue
    out += literal(value.slice(last, m.index))
    out += inputValue({ ...input, isRequired: true }, m[1]!, vars) ?? ""
    last = m.index! + m[0].length
  }
  return out + literal(value.slice(last))
}

/** Arguments in order: positional ones as their value, named ones as `--flag value` (or `--flag` alone). */
export function argumentList(args: Argument[] | undefined, vars: Variables): string[] {
  const out: string[] = []
  for (const arg of args ?? []) {
    if (arg.type === "positional") {
      const value = inputValue(arg, arg.valueHint ?? "ARG", vars)
      if (value !== undefined) out.push(value)
      continue
    }
    const flag = literal(arg.name)
    const hasValue = arg.value !== undefined || arg.default !== undefined
    if (!hasValue && !arg.isRequired && !arg.isSecret) continue
    if (!hasValue && arg.format === "boolean") {
      out.push(flag)
      continue
    }
    const value = inputValue(arg, arg.name, vars)
    if (value !== undefined) out.push(flag, value)
  }
  return out
}

/** Environment variables: name → text; the name itself must be a variable name. */
export function envMap(inputs: KeyValueInput[] | undefined, vars: Variables): Record<string, string> {
  const out: Record<string, string> = {}
  for (const input of inputs ?? []) {
    if (!VAR_NAME.test(input.name))
      throw new UsageError(
        `the registry declares an environment variable "${escapeTerminal(input.name.slice(0, 80))}" that is no variable name`,
      )
    const value = inputValue(input, input.name, vars)
    if (value !== undefined) out[input.name] = value
  }
  return out
}

/** Declared headers: name → text (a secret one becomes a reference, never a literal). */
export function headerMap(inputs: KeyValueInput[] | undefined, vars: Variables): Record<string, string> {
  const out: Record<string, string> = {}
  for (const input of inputs ?? []) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(input.name))
      throw new UsageError(
        `the registry declares a header "${escapeTerminal(input.name.slice(0, 80))}" that is no header name`,
      )
    const value = inputValue(input, input.name, vars)
    if (value !== undefined) out[input.name] = value
  }
  return out
}
