import { afterAll, describe, expect, it } from "bun:test"
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import {
  MAX_CONFIG_BYTES,
  MAX_JSON_DEPTH,
  detectEol,
  detectIndent,
  hasFinalNewline,
  parseJsonText,
  readJsonFile,
  type ParseOptions,
} from "../../src/config/json.ts"
import { readConfigText } from "../../src/config/json-file.ts"
import { ConfigError } from "../../src/util/errors.ts"

const dir = mkdtempSync(join(tmpdir(), "agentrt-json-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function parseError(text: string, opts?: ParseOptions): ConfigError {
  try {
    parseJsonText(text, opts)
  } catch (e: unknown) {
    if (e instanceof ConfigError) return e
    throw e
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(text)}`)
}

function readError(file: string): ConfigError {
  try {
    readJsonFile(file)
  } catch (e: unknown) {
    if (e instanceof ConfigError) return e
    throw e
  }
  throw new Error(`expected a ConfigError for ${file}`)
}

describe("parseJsonText: valid documents", () => {
  const docs = [
    "{}",
    "[]",
    "0",
    '"x"',
    "null",
    ' \t\r\n{ "mcpServers" : { "github" : { "command" : "npx", "args" : ["-y", "srv"], "env": {} } } } \n',
    "[1, -0, 0.5, -12.5e-3, 1E+2, 123456789012345678901234567890, 1e400]",
    '{"s": "\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\ud83d\\ude00 \\u0000 \\udc00"}',
    '{"unicode": "héllo 😀 \u2028", "nested": [[[{"a": [true, false, null]}]]]}',
  ]
  for (const text of docs) {
    it(`equals JSON.parse for ${JSON.stringify(text).slice(0, 50)}`, () => {
      const { value } = parseJsonText(text)
      expect(value).toEqual(JSON.parse(text))
      expect(JSON.stringify(value)).toBe(JSON.stringify(JSON.parse(text)))
    })
  }

  it("keeps -0 and decodes surrogate pairs into one character", () => {
    const { value } = parseJsonText('[-0, "\\ud83d\\ude00"]') as { value: [number, string] }
    expect(Object.is(value[0], -0)).toBe(true)
    expect(value[1]).toBe("😀")
  })

  it("parses a 4 MB config to the same value as JSON.parse", () => {
    const servers: Record<string, unknown> = {}
    for (let i = 0; i < 20000; i++) {
      servers[`server-${i}`] = {
        command: "npx",
        args: ["-y", `@scope/pkg-${i}`, "--flag=\u00e9\\n"],
        env: { TOKEN: "${TOKEN}", N: i },
      }
    }
    const text = JSON.stringify({ mcpServers: servers }, null, 2)
    expect(text.length).toBeGreaterThan(MAX_CONFIG_BYTES * 0.9)
    // No timing assertion (machines are noisy); speed is a benchmark concern.
    const { value } = parseJsonText(text)
    expect(value).toEqual(JSON.parse(text))
  })
})

describe("parseJsonText: syntax errors (C07)", () => {
  it("reports line and column (1-based) and what was expected", () => {
    const e = parseError('{\n  "a": 1,\n  "b": {"c": 2 "d": 3}\n}')
    expect(e.message).toBe('line 3, column 16: expected "," or "}" after a property, found "\\""')
    expect(e.hint).toContain('add a ","')
  })

  it("prefixes the message with the file path", () => {
    const e = parseError('{"a" 1}', { file: "/tmp/mcp.json" })
    expect(e.message).toBe('/tmp/mcp.json:1:6: expected ":" after the property name, found "1"')
    expect(e.file).toBe("/tmp/mcp.json")
  })

  const cases: [string, string, string?][] = [
    ["", "line 1, column 1: empty input: expected a JSON value"],
    ['{"a": 1', 'line 1, column 8: expected "," or "}" after a property, found end of input'],
    ["[1, 2 3]", 'line 1, column 7: expected "," or "]" after an element, found "3"'],
    ["{'a': 1}", `line 1, column 2: expected a property name in double quotes, found "'"`, "double quotes"],
    ["{a: 1}", 'line 1, column 2: expected a property name in double quotes, found "a"', "double quotes"],
    ['{"a": tru}', 'line 1, column 7: expected a value, found "tru"', "true, false and null"],
    ['{"a": 1} {}', 'line 1, column 10: unexpected "{" after the end of the JSON value'],
    ['{"a": 01}', "line 1, column 7: invalid number: leading zeros are not allowed"],
    ["[1.]", 'line 1, column 4: invalid number: expected a digit, found "]"'],
    ["[-]", 'line 1, column 3: invalid number: expected a digit, found "]"'],
    ["[1e]", 'line 1, column 4: invalid number: expected a digit, found "]"'],
    ['["abc', "line 1, column 2: unterminated string"],
    ['{"a": "x\ny"}', "line 1, column 9: raw control character U+000A in a string", "\\n"],
    ['["\t"]', "line 1, column 3: raw control character U+0009 in a string", "\\u0009"],
    ['["C:\\Users"]', 'line 1, column 5: invalid escape "\\U" in a string', "forward slashes"],
    ['["\\u12G4"]', 'line 1, column 3: invalid escape "\\u12G4": expected four hex digits'],
    ['{"a": 1,}', 'line 1, column 8: trailing comma before "}"', "remove the trailing comma"],
    ["[1,\n 2,\n]", 'line 2, column 3: trailing comma before "]"', "remove the trailing comma"],
    [
      '{\n  // note\n  "a": 1}',
      "line 2, column 3: comments are not allowed in JSON",
      "JSON does not allow comments",
    ],
    ["[1, /* x */ 2]", "line 1, column 5: comments are not allowed in JSON"],
    ["[,]", 'line 1, column 2: expected a value, found ","'],
  ]
  for (const [text, message, hint] of cases) {
    it(`rejects ${JSON.stringify(text)}`, () => {
      const e = parseError(text)
      expect(e.message).toBe(message)
      if (hint) expect(e.hint).toContain(hint)
    })
  }

  it("counts columns in characters and treats \\r\\n as one line break", () => {
    expect(parseError('{\r\n"😀": 1 x}').message).toStartWith("line 2, column 8:")
    expect(parseError('{"a":1,\r"b" 2}').message).toStartWith("line 2, column 5:")
  })

  it("keeps messages on one line even when the input holds control characters", () => {
    expect(parseError("[1 \u001b]").message).not.toContain("\u001b")
    expect(parseError("[1 \u001b]").message.split("\n")).toHaveLength(1)
  })
})

describe("parseJsonText: byte-order mark and NUL (C07)", () => {
  it("skips a UTF-8 BOM at the start and reports positions without it", () => {
    expect(parseJsonText('\ufeff{"a": 1}').value).toEqual({ a: 1 })
    expect(parseError('\ufeff{"a" 1}').message).toStartWith("line 1, column 6:")
  })

  it("rejects a BOM anywhere else", () => {
    expect(parseError('{"a": \ufeff1}').message).toBe(
      "line 1, column 7: byte-order mark (U+FEFF) in the middle of the file",
    )
    expect(parseError("\ufeff\ufeff{}").message).toStartWith("line 1, column 1: byte-order mark")
  })

  it("rejects raw NUL bytes but accepts the \\u0000 escape", () => {
    expect(parseError('{"a":\n 1\0}').message).toBe("line 2, column 3: NUL byte in the file")
    expect(parseError('["a\0"]').message).toStartWith("line 1, column 4: NUL byte")
    expect(parseJsonText('["a\\u0000b"]').value).toEqual(["a\u0000b"])
  })
})

describe("parseJsonText: nesting depth", () => {
  it(`accepts ${MAX_JSON_DEPTH} levels and rejects ${MAX_JSON_DEPTH + 1}`, () => {
    expect(() => parseJsonText("[".repeat(MAX_JSON_DEPTH) + "]".repeat(MAX_JSON_DEPTH))).not.toThrow()
    const e = parseError("[".repeat(MAX_JSON_DEPTH + 1) + "]".repeat(MAX_JSON_DEPTH + 1))
    expect(e.message).toBe(`line 1, column ${MAX_JSON_DEPTH + 1}: nesting deeper than 64 levels`)
  })

  it("fails cleanly on 10,000 levels without a RangeError", () => {
    const arrays = parseError("[".repeat(10000) + "]".repeat(10000))
    expect(arrays.message).toContain("nesting deeper than 64 levels")
    const objects = parseError(`${'{"a":'.repeat(10000)}1${"}".repeat(10000)}`)
    expect(objects.message).toContain("nesting deeper than 64 levels")
    expect(objects.path).toBe(Array(64).fill("a").join("."))
  })
})

describe("parseJsonText: prototype pollution guard", () => {
  for (const key of ["__proto__", "constructor", "prototype"]) {
    it(`rejects "${key}" at the top level and nested, naming the path`, () => {
      const top = parseError(`{"${key}": {"polluted": true}}`)
      expect(top.message).toBe(`line 1, column 2: key "${key}" is not allowed (at ${key})`)
      expect(top.path).toBe(key)
      const nested = parseError(`{"mcpServers": {"x": [{"${key}": {"polluted": 1}}]}}`)
      expect(nested.message).toContain(`(at mcpServers.x[0].${key})`)
      expect(nested.path).toBe(`mcpServers.x[0].${key}`)
    })
  }

  it("never touches Object.prototype", () => {
    for (const text of [
      '{"__proto__": {"polluted": 1}}',
      '{"a": {"constructor": {"prototype": {"polluted": 1}}}}',
    ]) {
      expect(() => parseJsonText(text)).toThrow(ConfigError)
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it("builds objects without a prototype so inherited names are not found", () => {
    const { value } = parseJsonText('{"servers": {"a": 1}}') as {
      value: { servers: Record<string, unknown> }
    }
    expect(Object.getPrototypeOf(value.servers)).toBeNull()
    expect(value.servers.toString).toBeUndefined()
    expect(value.servers.hasOwnProperty).toBeUndefined()
  })
})

describe("parseJsonText: duplicate keys (C07)", () => {
  it("names the key, its path and where the second one is", () => {
    const text =
      '{\n  "mcpServers": {\n    "github": {\n      "env": {},\n      "command": "x",\n      "env": {"A": "1"}\n    }\n  }\n}'
    const e = parseError(text, { file: "mcp.json" })
    expect(e.message).toBe(
      'mcp.json:6:7: duplicate key "env" at mcpServers.github.env (first defined on line 4)',
    )
    expect(e.path).toBe("mcpServers.github.env")
    expect(e.hint).toContain("remove one")
  })

  it("allows the same key in different objects", () => {
    expect(parseJsonText('{"a": {"x": 1}, "b": {"x": 2}}').value).toEqual({ a: { x: 1 }, b: { x: 2 } })
  })
})

describe("parseJsonText: JSONC", () => {
  const text =
    '// VS Code mcp.json\n{\n  /* servers */\n  "servers": {\n    "a": {"args": ["x", "y",],}, // last\n  },\n}\n'

  it("accepts comments and trailing commas with { jsonc: true }", () => {
    expect(parseJsonText(text, { jsonc: true }).value).toEqual({ servers: { a: { args: ["x", "y"] } } })
  })

  it("rejects them by default", () => {
    expect(parseError(text).message).toBe("line 1, column 1: comments are not allowed in JSON")
    expect(parseError('{"a": [1,],}').message).toBe('line 1, column 9: trailing comma before "]"')
  })

  it("still rejects an unterminated comment, a lone comma and a double comma", () => {
    expect(parseError("{} /* open", { jsonc: true }).message).toBe(
      "line 1, column 4: unterminated /* comment",
    )
    expect(parseError("[,]", { jsonc: true }).message).toBe('line 1, column 2: expected a value, found ","')
    expect(parseError("[1,,]", { jsonc: true }).message).toBe('line 1, column 4: expected a value, found ","')
  })

  it("keeps // inside strings as data", () => {
    expect(parseJsonText('{"url": "https://x/*y*/"} // c', { jsonc: true }).value).toEqual({
      url: "https://x/*y*/",
    })
  })
})

describe("locate", () => {
  const text =
    '{\n  "mcpServers": {\n    "github": {\n      "args": ["-y", 42],\n      "env": {"K": "v"}\n    }\n  },\n  "x": [[], {}]\n}'
  const { locate } = parseJsonText(text)

  it("returns where each value starts", () => {
    expect(locate([])).toEqual({ line: 1, column: 1 })
    expect(locate(["mcpServers"])).toEqual({ line: 2, column: 17 })
    expect(locate(["mcpServers", "github", "args"])).toEqual({ line: 4, column: 15 })
    expect(locate(["mcpServers", "github", "args", 1])).toEqual({ line: 4, column: 22 })
    expect(locate(["mcpServers", "github", "env", "K"])).toEqual({ line: 5, column: 20 })
    expect(locate(["x", 1])).toEqual({ line: 8, column: 13 })
  })

  it("accepts string indexes for arrays and returns undefined for missing paths", () => {
    expect(locate(["mcpServers", "github", "args", "0"])).toEqual({ line: 4, column: 16 })
    expect(locate(["mcpServers", "gitlab"])).toBeUndefined()
    expect(locate(["mcpServers", "github", "args", 5])).toBeUndefined()
    expect(locate(["x", 0, "deeper"])).toBeUndefined()
    expect(locate(["toString"])).toBeUndefined()
  })

  it("ignores a leading BOM in columns", () => {
    expect(parseJsonText('\ufeff{"a": 1}').locate(["a"])).toEqual({ line: 1, column: 7 })
  })
})

describe("readJsonFile", () => {
  it("reads and parses a file, with the file in later messages", () => {
    const file = join(dir, "ok.json")
    writeFileSync(file, '\ufeff{"a": [1]}')
    const doc = readJsonFile(file)
    expect(doc.value).toEqual({ a: [1] })
    expect(doc.locate(["a", 0])).toEqual({ line: 1, column: 8 })
  })

  it("passes jsonc through and prefixes syntax errors with the path", () => {
    const file = join(dir, "settings.json")
    writeFileSync(file, '{\n  "a": 1, // c\n}')
    expect(readJsonFile(file, { jsonc: true }).value).toEqual({ a: 1 })
    expect(readError(file).message).toBe(`${file}:2:11: comments are not allowed in JSON`)
  })

  it("refuses a file over 4 MB before parsing it, with the size in MB (C07)", () => {
    const file = join(dir, "big.json")
    writeFileSync(file, `"${"x".repeat(10 * 1024 * 1024)}"`)
    const e = readError(file)
    expect(e.message).toBe(`${file} is 10.0 MB; config files are limited to 4 MB`)
    expect(e.file).toBe(file)
  })

  it("accepts a file of exactly MAX_CONFIG_BYTES", () => {
    const file = join(dir, "max.json")
    writeFileSync(file, `"${"x".repeat(MAX_CONFIG_BYTES - 2)}"`)
    expect((readJsonFile(file).value as string).length).toBe(MAX_CONFIG_BYTES - 2)
  })

  // /proc files report size 0 and hold more: as a file that grew between the stat and the read.
  it.skipIf(process.platform !== "linux")("reads past the size the stat gave, in full", () => {
    const text = readConfigText("/proc/self/smaps")
    expect(text.length).toBeGreaterThan(2 * 4096) // more than the first buffer and its first doubling
    expect(text.endsWith("\n")).toBe(true)
    expect(text.split("\n").at(-2)).toMatch(/^VmFlags:/) // the last entry is whole
  })

  it("refuses a directory and a FIFO", () => {
    const sub = join(dir, "sub.json")
    mkdirSync(sub)
    expect(readError(sub).message).toBe(`${sub} is a directory, not a regular file`)
    if (process.platform === "win32") return
    const fifo = join(dir, "fifo.json")
    expect(Bun.spawnSync(["mkfifo", fifo]).exitCode).toBe(0)
    expect(readError(fifo).message).toBe(`${fifo} is a FIFO, not a regular file`)
  })

  it("follows a symlink for reading", () => {
    const target = join(dir, "target.json")
    const link = join(dir, "link.json")
    writeFileSync(target, '{"linked": true}')
    symlinkSync(target, link)
    expect(readJsonFile(link).value).toEqual({ linked: true })
  })

  it("explains a missing file, UTF-16 and invalid UTF-8", () => {
    expect(readError(join(dir, "missing.json")).message).toBe(
      `${join(dir, "missing.json")}: cannot read: no such file`,
    )
    const utf16 = join(dir, "utf16.json")
    writeFileSync(utf16, Buffer.from("\ufeff{}", "utf16le"))
    expect(readError(utf16).hint).toBe("save it as UTF-8")
    const latin1 = join(dir, "latin1.json")
    writeFileSync(latin1, Buffer.from([0x22, 0xe9, 0x22]))
    expect(readError(latin1).message).toBe(`${latin1} is not valid UTF-8`)
  })
})

describe("formatting helpers", () => {
  it("detects the indentation", () => {
    expect(detectIndent('{\n\t"a": 1\n}')).toBe("\t")
    expect(detectIndent('{\n    "a": {\n        "b": 1\n    }\n}')).toBe(4)
    expect(detectIndent('{\n  "a": 1\n}')).toBe(2)
    expect(detectIndent('{"a": 1}')).toBe(2)
  })

  it("detects a final newline and the line ending", () => {
    expect(hasFinalNewline("{}\n")).toBe(true)
    expect(hasFinalNewline("{}\r\n")).toBe(true)
    expect(hasFinalNewline("{}")).toBe(false)
    expect(detectEol('{\r\n  "a": 1\r\n}')).toBe("\r\n")
    expect(detectEol('{\n  "a": 1\n}')).toBe("\n")
  })
})
