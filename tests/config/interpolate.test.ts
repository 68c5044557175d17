import { describe, expect, it } from "bun:test"
import {
  expandTemplate,
  findRefs,
  hasRefs,
  inputVariableName,
  InterpolationSyntaxError,
  maskTemplate,
  parseTemplate,
  walkStrings,
} from "../../src/config/interpolate.ts"

const env = (vars: Record<string, string>) => (name: string) =>
  Object.hasOwn(vars, name) ? vars[name] : undefined
const expandOk = (s: string, vars: Record<string, string> = {}) => {
  const r = expandTemplate(s, env(vars))
  if (!r.ok) throw new Error(`unexpected missing: ${JSON.stringify(r.missing)}`)
  return r.value
}
const syntaxError = (s: string): InterpolationSyntaxError => {
  try {
    parseTemplate(s)
  } catch (e: unknown) {
    if (e instanceof InterpolationSyntaxError) return e
    throw e
  }
  throw new Error(`expected a syntax error for ${JSON.stringify(s)}`)
}

describe("parseTemplate", () => {
  it("parses every supported form", () => {
    expect(findRefs("${A} ${B:-x y} ${C:?set C} ${env:D} {env:E} ${input:github-token}")).toEqual([
      { kind: "env", name: "A", raw: "${A}" },
      { kind: "env", name: "B", default: "x y", raw: "${B:-x y}" },
      { kind: "env", name: "C", required: "set C", raw: "${C:?set C}" },
      { kind: "env", name: "D", raw: "${env:D}" },
      { kind: "env", name: "E", raw: "{env:E}" },
      { kind: "input", id: "github-token", name: "GITHUB_TOKEN", raw: "${input:github-token}" },
    ])
  })

  it("splits text and references into segments", () => {
    expect(parseTemplate("Bearer ${TOKEN}!")).toEqual([
      { type: "text", value: "Bearer " },
      { type: "ref", ref: { kind: "env", name: "TOKEN", raw: "${TOKEN}" } },
      { type: "text", value: "!" },
    ])
    expect(parseTemplate("")).toEqual([])
  })

  it("allows empty defaults and messages, and modifiers on the env: spellings", () => {
    expect(findRefs("${A:-}${B:?}${env:C:-c}{env:D:?m}")).toEqual([
      { kind: "env", name: "A", default: "", raw: "${A:-}" },
      { kind: "env", name: "B", required: "", raw: "${B:?}" },
      { kind: "env", name: "C", default: "c", raw: "${env:C:-c}" },
      { kind: "env", name: "D", required: "m", raw: "{env:D:?m}" },
    ])
  })

  it("reads ${env:-x} as the variable env with a default", () => {
    expect(findRefs("${env:-x}")).toEqual([{ kind: "env", name: "env", default: "x", raw: "${env:-x}" }])
  })

  it("keeps defaults literal except for escapes", () => {
    expect(findRefs("${A:-$$HOME/100%% {x]}")[0]).toMatchObject({ default: "$HOME/100% {x]" })
    expect(findRefs("${A:-C:\\tmp\\x}")[0]).toMatchObject({ default: "C:\\tmp\\x" })
  })
})

describe("escapes", () => {
  it.each([
    ["$$", "$"],
    ["$$FOO", "$FOO"],
    ["$${FOO}", "${FOO}"],
    ["\\${FOO}", "${FOO}"],
    ["\\{env:FOO}", "{env:FOO}"],
    ["%%PATH%", "%PATH%"],
    ["100%%", "100%"],
    ["\\\\\\${FOO}", "\\${FOO}"],
  ])("%p is the literal %p", (input, out) => {
    expect(parseTemplate(input)).toEqual([{ type: "text", value: out }])
    expect(expandOk(input, { FOO: "no", PATH: "no" })).toBe(out)
  })

  it("lets \\\\ before a reference stand for one backslash", () => {
    expect(expandOk("C:\\\\${DIR}", { DIR: "tools" })).toBe("C:\\tools")
  })
})

describe("real-world strings pass through unchanged", () => {
  it.each([
    "https://example.com/a%20b/c%2Fd?q=caf%C3%A9s%20%E2%80%99x",
    "https://x.test/%ef%bb%bf%41%42",
    "truncated %E2%",
    "100%",
    "50% off, 3% tax",
    "log-%Y%m%d-%H%M%S.txt",
    "%s%s",
    '{"env":{"A":"b"},"n":[1,2]}',
    "{env: 1}",
    "C:\\Program Files\\node\\node.exe",
    "\\\\server\\share\\dir",
    "npx -y @scope/pkg@1.2.3",
    "^a$",
    "s/(\\w+)/$1/g",
    "costs $5 or $ 10",
    "$",
    "trailing $",
    "echo $(date)",
    "a/$/b",
    "{VAR}",
    "$ {VAR}",
    "user@host:~/dir",
  ])("%p", (s) => {
    expect(parseTemplate(s)).toEqual(s ? [{ type: "text", value: s }] : [])
    expect(hasRefs(s)).toBe(false)
    expect(maskTemplate(s)).toBe(s)
  })
})

describe("syntax errors (C02)", () => {
  it.each([
    ["run $FOO now", 5, 'bare "$FOO" is not expanded'],
    ["$foo", 1, 'bare "$foo" is not expanded'],
    ["$_X", 1, 'bare "$_X" is not expanded'],
    ["%APPDATA%\\x", 1, 'Windows-style "%APPDATA%" is not expanded'],
    ["a %Ab_c%", 3, 'Windows-style "%Ab_c%" is not expanded'],
    ["%DEADBEEF%", 1, 'Windows-style "%DEADBEEF%" is not expanded'],
    ["${${X}}", 3, "nested references are not supported"],
    ["${A${B}}", 4, "nested references are not supported"],
    ["${A:-${B}}", 6, "nested references are not supported"],
    ["${A:-{env:B}}", 6, "nested references are not supported"],
    ["{env:${X}}", 6, "nested references are not supported"],
    ["x ${FOO", 3, 'unclosed reference "${FOO"'],
    ["${FOO:-bar", 1, 'unclosed reference "${FOO:-bar"'],
    ["${A:", 1, 'unclosed reference "${A:"'],
    ["{env:FOO", 1, 'unclosed reference "{env:FOO"'],
    ["${input:x", 1, 'unclosed reference "${input:x"'],
    ["${}", 1, 'empty reference "${}"'],
    ["${env:}", 1, 'empty reference "${env:}"'],
    ["{env:}", 1, 'empty reference "{env:}"'],
    ["${input:}", 1, 'empty reference "${input:}"'],
    ["${1A}", 3, 'invalid variable name "1A" in "${1A}"'],
    ["${A-B}", 3, 'invalid variable name "A-B" in "${A-B}"'],
    ["${A B}", 3, 'invalid variable name "A B" in "${A B}"'],
    ["${env:1A}", 7, 'invalid variable name "1A" in "${env:1A}"'],
    ["${input:a b}", 9, 'invalid input id in "${input:a b}"'],
    ["${foo:bar}", 1, 'unknown reference form "${foo:bar}"'],
    ["${A:=x}", 1, 'unknown reference form "${A:=x}"'],
    ["${env:A:x}", 1, 'unknown reference form "${env:A:x}"'],
    ["${A:-$HOME}", 6, 'bare "$HOME" is not expanded'],
  ])("%p → column %p: %p", (s, column, message) => {
    const e = syntaxError(s)
    expect(e).toBeInstanceOf(Error)
    expect(e.message).toBe(message)
    expect(e.column).toBe(column)
    expect(e.hint.length).toBeGreaterThan(0)
    expect(e.message).not.toContain("\n")
  })

  it("hints at the fix for bare and Windows-style names", () => {
    expect(syntaxError("$FOO").hint).toBe('write ${FOO} to use the variable, or $$FOO for a literal "$FOO"')
    expect(syntaxError("%FOO%").hint).toBe(
      'write ${FOO} to use the variable, or %%FOO% for a literal "%FOO%"',
    )
    expect(syntaxError("${foo:bar}").hint).toContain("${VAR:-default}")
  })

  it("throws from expandTemplate and hasRefs too, never returning the text", () => {
    expect(() => expandTemplate("$TOKEN", () => "secret")).toThrow(InterpolationSyntaxError)
    expect(() => hasRefs("${A")).toThrow(InterpolationSyntaxError)
  })

  it("truncates long excerpts", () => {
    expect(syntaxError(`\${${"A".repeat(100)}`).message.length).toBeLessThan(70)
  })
})

describe("expandTemplate", () => {
  it("substitutes every form", () => {
    const vars = { A: "1", B: "2", C: "3", D: "4", GITHUB_TOKEN: "t" }
    expect(expandOk("${A}-${env:B}-{env:C}-${D:-x}-${input:github-token}", vars)).toBe("1-2-3-4-t")
  })

  it("reports unset variables, each once, with no partial value", () => {
    const r = expandTemplate("${A} ${B} ${A} ${C:?set C first} ${input:my.key}", env({ B: "b" }))
    expect(r).toEqual({
      ok: false,
      missing: [{ name: "A" }, { name: "C", message: "set C first" }, { name: "MY_KEY" }],
    })
  })

  it("expands a plain reference to an empty value to the empty string", () => {
    expect(expandOk("[${A}]", { A: "" })).toBe("[]")
  })

  it("uses :- defaults when unset or empty", () => {
    expect(expandOk("${A:-d}", {})).toBe("d")
    expect(expandOk("${A:-d}", { A: "" })).toBe("d")
    expect(expandOk("${A:-d}", { A: "v" })).toBe("v")
    expect(expandOk("${A:-}", {})).toBe("")
  })

  it("fails :? when unset or empty, with its message if any", () => {
    expect(expandTemplate("${A:?need A}", env({ A: "" }))).toEqual({
      ok: false,
      missing: [{ name: "A", message: "need A" }],
    })
    expect(expandTemplate("${A:?}", env({}))).toEqual({ ok: false, missing: [{ name: "A" }] })
    expect(expandOk("${A:?need A}", { A: "v" })).toBe("v")
  })

  it("inserts values as data without re-expanding them", () => {
    expect(expandOk("${A}", { A: "${B}$C%DD%", B: "no" })).toBe("${B}$C%DD%")
  })

  it("asks the lookup by variable name, including for input ids", () => {
    const asked: string[] = []
    expandTemplate("${X:-d}${input:api-key}{env:Y}", (n) => (asked.push(n), "v"))
    expect(asked).toEqual(["X", "API_KEY", "Y"])
  })

  it("never leaves a reference in the output", () => {
    const inputs = ["${A}", "${A:-x}", "${A:?m}", "{env:A}", "${env:A}", "${input:a}", "pre ${A} post"]
    for (const s of inputs) {
      const r = expandTemplate(s, () => "v")
      expect(r.ok && r.value).not.toContain("${")
      expect(r.ok && r.value).not.toContain("{env:")
    }
  })
})

describe("inputVariableName", () => {
  it("upper-cases and replaces characters outside [A-Za-z0-9_]", () => {
    expect(inputVariableName("github-token")).toBe("GITHUB_TOKEN")
    expect(inputVariableName("my.api_key2")).toBe("MY_API_KEY2")
    expect(inputVariableName("é x")).toBe("__X")
  })
})

describe("maskTemplate", () => {
  it("shows references as written and literal text as sent", () => {
    expect(maskTemplate("Bearer ${GITHUB_TOKEN}")).toBe("Bearer ${GITHUB_TOKEN}")
    expect(maskTemplate("${A:-x} {env:B} $$5")).toBe("${A:-x} {env:B} $5")
  })
})

describe("walkStrings", () => {
  it("maps strings deeply with their paths and returns a new structure", () => {
    const input = { command: "npx", args: ["-y", "${PKG}"], env: { A: "${A}" }, n: 1, b: true, z: null }
    const snapshot = structuredClone(input)
    const seen: string[] = []
    const out = walkStrings(input, (s, path) => (seen.push(path.join(".")), s.toUpperCase()))
    expect(out).toEqual({
      command: "NPX",
      args: ["-Y", "${PKG}"],
      env: { A: "${A}" },
      n: 1,
      b: true,
      z: null,
    })
    expect(seen).toEqual(["command", "args.0", "args.1", "env.A"])
    expect(input).toEqual(snapshot)
    expect(out).not.toBe(input)
  })

  it("does not follow __proto__, and copies own enumerable keys only", () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": "${X}"}, "a": "x"}') as object
    const out = walkStrings(parsed, (s) => `${s}!`) as Record<string, unknown>
    expect(out).toEqual({ a: "x!" })
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    const obj: Record<string, unknown> = { own: "z" }
    Object.defineProperty(obj, "hidden", { value: "h", enumerable: false })
    expect(Object.getOwnPropertyNames(walkStrings(obj, (s) => `${s}!`))).toEqual(["own"])
  })

  it("starts paths from the given prefix", () => {
    const paths: (string | number)[][] = []
    walkStrings(["a"], (s, p) => (paths.push(p), s), ["servers", "gh"])
    expect(paths).toEqual([["servers", "gh", 0]])
  })
})
