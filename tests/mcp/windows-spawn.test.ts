// S10: `"command": "npx"` on Windows. The command lines are built by a pure function, so these
// run on any host: cross-spawn 7.0.6 (a pinned devDependency, the quoting everyone uses) is the
// oracle for the line, and tests/helpers/windows-cmd.ts models what cmd.exe, the shim's `%*` and
// the C runtime make of it, so each hostile argument must arrive intact and start nothing.
import { describe, expect, it } from "bun:test"
import { win32 } from "node:path"
import { spawnPlan } from "../../src/mcp/spawn.ts"
import { escapeArgument, resolveCommand, windowsSpawn } from "../../src/mcp/windows-spawn.ts"
import { McpConnectError } from "../../src/util/errors.ts"
import { crtArgv, InjectionError, throughShim } from "../helpers/windows-cmd.ts"

const crossSpawn = require("cross-spawn/lib/util/escape.js") as {
  command(command: string): string
  argument(arg: string, doubleEscapeMetaChars: boolean): string
}

const NODE_DIR = "C:\\Program Files\\nodejs"
const NPX = `${NODE_DIR}\\npx.cmd`
const ENV = {
  Path: `C:\\Windows\\system32;${NODE_DIR};C:\\Users\\u\\AppData\\Roaming\\npm`,
  PATHEXT: ".COM;.EXE;.BAT;.CMD;.VBS;.JS",
  COMSPEC: "C:\\Windows\\system32\\cmd.exe",
  A: "expanded-A",
}
/** Windows paths ignore case; the extension comes back as PATHEXT spells it. */
const same = (a: string | undefined) => a?.toLowerCase()
const files = (...paths: string[]) => {
  const set = new Set(paths.map((p) => p.toLowerCase()))
  return (p: string) => set.has(p.toLowerCase())
}
const npx = (args: string[]) =>
  windowsSpawn({ command: "npx", args, env: ENV, cwd: "C:\\work", isFile: files(NPX) })

/** cross-spawn's line for a batch file, with the carets doubled as for a shim. */
const oracle = (file: string, args: string[]) =>
  `"${[crossSpawn.command(win32.normalize(file)), ...args.map((a) => crossSpawn.argument(a, true))].join(" ")}"`

const HOSTILE = [
  "& calc",
  "a&calc",
  "x | calc.exe",
  "%PATH%",
  "%A%",
  "100%",
  '"',
  'a"&calc&"b',
  '" & calc & "',
  "^",
  "^&calc",
  "<in >out",
  "(calc)",
  "!A!",
  "a;b,c",
  "`whoami`",
  "*.txt?",
  "-y",
  "@modelcontextprotocol/server-filesystem",
  "C:\\Users\\me\\My Documents",
  "trailing\\",
  "a\\b\\c",
  "",
  "caf\u00e9 \u2713",
]

describe("S10: the cmd.exe line for npx.cmd", () => {
  it("S10: runs npx.cmd through COMSPEC with /d /s /c and a verbatim, escaped line", () => {
    const plan = npx(["-y", "@modelcontextprotocol/server-filesystem", "C:\\data"])
    expect(plan.file).toBe(ENV.COMSPEC)
    expect(plan.isVerbatim).toBe(true)
    expect(plan.args.slice(0, 3)).toEqual(["/d", "/s", "/c"])
    // The path with a space is escaped with a caret, not quoted (cross-spawn's escapeCommand).
    expect(plan.args[3]).toStartWith('"C:\\Program^ Files\\nodejs\\npx.cmd ')
  })

  for (const arg of HOSTILE) {
    it(`S10: ${JSON.stringify(arg)} matches cross-spawn's line and reaches node as one argument, starting nothing`, () => {
      const args = ["-y", arg, "last"]
      const plan = npx(args)
      expect(plan.args[3]).toBe(oracle(NPX, args))
      const seen = throughShim(plan.args, ENV)
      expect(same(seen.batch)).toBe(same(NPX))
      expect(seen.args).toEqual(args)
    })
  }

  it("S10: every hostile argument at once stays one argument each", () => {
    const plan = npx(HOSTILE)
    expect(plan.args[3]).toBe(oracle(NPX, HOSTILE))
    expect(throughShim(plan.args, ENV).args).toEqual(HOSTILE)
  })

  it("S10: the model catches an unescaped line (the test can fail)", () => {
    // What a naive join would hand cmd.exe: the & would start calc.
    expect(() => throughShim(["/d", "/s", "/c", `"${NPX} -y & calc"`], ENV)).toThrow(InjectionError)
    // Carets once are not enough for a shim: its %* line parses the argument again.
    const once = `"${[crossSpawn.command(NPX), crossSpawn.argument('a"&calc', false)].join(" ")}"`
    expect(() => throughShim(["/d", "/s", "/c", once], ENV)).toThrow(InjectionError)
  })

  it("S10: backslashes before a quote stay literal (where cross-spawn 7 would cut the argument)", () => {
    const args = ['a\\\\"b c', 'x\\"y', '\\\\\\"']
    const plan = npx(args)
    expect(throughShim(plan.args, ENV).args).toEqual(args)
    expect(escapeArgument('a\\\\"b', false)).toBe('^"a\\\\\\\\\\^"b^"')
    // cross-spawn's own line for the first one splits differently: the reason for the deviation.
    expect(throughShim(["/d", "/s", "/c", oracle(NPX, args)], ENV).args).not.toEqual(args)
  })

  for (const bad of ["line\nbreak", "cr\rhere", "nul\0byte"]) {
    it(`S10: refuses ${JSON.stringify(bad)} in an argument with an error naming the file`, () => {
      let caught: unknown
      try {
        npx(["-y", bad])
      } catch (e: unknown) {
        caught = e
      }
      expect(caught).toBeInstanceOf(McpConnectError)
      expect((caught as Error).message).toContain("argument 2 of a Windows batch file (npx.cmd)")
    })
  }

  it("S10: a .bat found on PATH is treated like a .cmd", () => {
    const bat = "C:\\tools\\serve.bat"
    const plan = windowsSpawn({
      command: "serve",
      args: ["%A%"],
      env: { PATH: "C:\\tools", PATHEXT: ".EXE;.BAT" },
      cwd: "C:\\",
      isFile: files(bat),
    })
    expect(plan.file).toBe("cmd.exe") // no COMSPEC in that environment
    expect(plan.args[3]).toBe(oracle(bat, ["%A%"]))
  })
})

describe("S10: finding the file (PATH × PATHEXT)", () => {
  const find = (command: string, existing: string[], env: Record<string, string> = ENV, cwd = "C:\\work") =>
    resolveCommand({ command, args: [], env, cwd, isFile: files(...existing) })

  it("S10: an .exe runs directly, with its arguments untouched", () => {
    const exe = "C:\\Windows\\system32\\where.exe"
    const plan = windowsSpawn({
      command: "where",
      args: ["& calc"],
      env: ENV,
      cwd: "C:\\",
      isFile: files(exe),
    })
    expect(plan).toEqual({ file: exe, args: ["& calc"], isVerbatim: false })
  })

  it("S10: PATH order wins over PATHEXT order; within a directory PATHEXT order decides", () => {
    expect(same(find("npx", [NPX, "C:\\Users\\u\\AppData\\Roaming\\npm\\npx.exe"]))).toBe(same(NPX))
    expect(same(find("npx", [NPX, `${NODE_DIR}\\npx.exe`]))).toBe(same(`${NODE_DIR}\\npx.exe`))
  })

  it("S10: the variable names are case-insensitive and quoted PATH entries work", () => {
    expect(same(find("npx", [NPX], { path: `"${NODE_DIR}"`, pathext: ".CMD" }))).toBe(same(NPX))
  })

  it("S10: a name that already has its extension is tried as given first", () => {
    expect(same(find("npx.cmd", [NPX]))).toBe(same(NPX))
  })

  it("S10: the current directory is not searched (a project's npx.cmd does not decide what npx runs)", () => {
    expect(find("npx", ["C:\\work\\npx.cmd"])).toBeUndefined()
    expect(same(find("npx", ["C:\\work\\npx.cmd", NPX]))).toBe(same(NPX))
  })

  it("S10: a path with a separator is resolved from the server's cwd", () => {
    expect(same(find(".\\bin\\start", ["C:\\work\\bin\\start.cmd"]))).toBe(same("C:\\work\\bin\\start.cmd"))
    expect(same(find("D:/srv/run.bat", ["D:\\srv\\run.bat"]))).toBe(same("D:\\srv\\run.bat"))
  })

  it("S10: a command not found is passed on unchanged (spawn reports it missing)", () => {
    expect(windowsSpawn({ command: "nope", args: ["x"], env: ENV, cwd: "C:\\", isFile: files() })).toEqual({
      file: "nope",
      args: ["x"],
      isVerbatim: false,
    })
  })
})

describe("S10: spawnPlan, the stdio spawn path", () => {
  const p = { command: "npx", args: ["-y", "& calc\n"], env: ENV }

  it("S10: on win32 it builds the cmd.exe line (and refuses what cmd.exe cannot take)", () => {
    expect(() => spawnPlan(p, "win32", files(NPX))).toThrow(McpConnectError)
    const plan = spawnPlan({ ...p, args: ["-y", "& calc"] }, "win32", files(NPX))
    expect(plan.file).toBe(ENV.COMSPEC)
    expect(throughShim(plan.args, ENV).args).toEqual(["-y", "& calc"])
  })

  it("S10: elsewhere the command and its arguments go to spawn as they are, with no shell", () => {
    for (const platform of ["linux", "darwin"] as const)
      expect(spawnPlan(p, platform, files(NPX))).toEqual({ file: "npx", args: p.args, isVerbatim: false })
  })
})

describe("the C runtime model", () => {
  it("splits like CommandLineToArgvW's documented examples", () => {
    expect(crtArgv('"abc" d e')).toEqual(["abc", "d", "e"])
    expect(crtArgv('a\\\\\\b d"e f"g h')).toEqual(["a\\\\\\b", "de fg", "h"])
    expect(crtArgv('a\\\\\\"b c d')).toEqual(['a\\"b', "c", "d"])
    expect(crtArgv('a\\\\\\\\"b c" d e')).toEqual(["a\\\\b c", "d", "e"])
    expect(crtArgv('""')).toEqual([""])
  })
})
