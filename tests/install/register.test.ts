import { describe, expect, it } from "bun:test"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { applyPlan, planRegister, planUnregister } from "../../src/install/index.ts"
import {
  getMimeDefault,
  quoteDesktopExecArg,
  quoteWindowsArg,
  renderAppleScript,
  renderDesktopEntry,
  renderInfoPlist,
  renderRegFile,
  setMimeDefault,
  windowsCommand,
} from "../../src/install/register-formats.ts"
import { readRecord, type HandlerOs, type RegisterOptions } from "../../src/install/register.ts"
import { runCli } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"

// The text each OS gets, checked as generated text on any host, plus the Linux plan applied
// to a temp XDG tree without xdg-utils (the with-xdg-utils path is in tests/e2e/register.test.ts).
const NASTY = '/opt/my "agent" dir/bin/agent'
const WIN_NASTY = 'C:\\Program Files\\my "agent"\\agent.exe'

function opts(t: TmpDir, os: HandlerOs, exec = "/usr/local/bin/agent"): RegisterOptions {
  const env = { HOME: t.path, XDG_DATA_HOME: join(t.path, "data"), XDG_CONFIG_HOME: join(t.path, "config") }
  return {
    os,
    exec,
    env,
    home: t.path,
    stateDir: join(t.home, "state"),
    version: "1.2.3",
    which: () => undefined,
  }
}

describe("Linux .desktop entry", () => {
  it("declares the scheme and starts the binary with install --browser %u", () => {
    const text = renderDesktopEntry("/usr/local/bin/agent")
    for (const line of [
      "[Desktop Entry]",
      "Type=Application",
      "Name=agent (MCP install links)",
      "NoDisplay=true",
      "MimeType=x-scheme-handler/agentrt;",
      "Exec=/usr/local/bin/agent install --browser %u",
      "Terminal=false",
    ]) {
      expect(text.split("\n")).toContain(line)
    }
  })

  it("quotes a path with spaces and a double quote by the Exec rules, then escapes backslashes for the string value", () => {
    expect(quoteDesktopExecArg("/a b/agent")).toBe('"/a b/agent"')
    // `"` → `\"` (quoting rule) → `\\"` (string escape, undone first by readers)
    expect(quoteDesktopExecArg('/a "b"/agent')).toBe('"/a \\\\"b\\\\"/agent"')
    expect(quoteDesktopExecArg("/a$b\\c`d")).toBe('"/a\\\\$b\\\\\\\\c\\\\`d"')
    expect(renderDesktopEntry(NASTY)).toContain(
      'Exec="/opt/my \\\\"agent\\\\" dir/bin/agent" install --browser %u',
    )
  })

  it("refuses paths no opener can start: control characters and %", () => {
    expect(() => renderDesktopEntry("/opt/a\nExec=/bin/evil")).toThrow(/control character/)
    expect(() => renderDesktopEntry("/opt/100%/agent")).toThrow(/%/)
  })
})

describe("mimeapps.list edits", () => {
  const base =
    "# mine\n[Added Associations]\ntext/plain=gedit.desktop;\n\n[Default Applications]\ntext/html=firefox.desktop\n\n[Removed Associations]\nx=y\n"

  it("adds our default inside [Default Applications] and keeps every other line", () => {
    const out = setMimeDefault(base, "x-scheme-handler/agentrt", "agentrt-url-handler.desktop")
    expect(out).toBe(
      base.replace(
        "text/html=firefox.desktop\n",
        "text/html=firefox.desktop\nx-scheme-handler/agentrt=agentrt-url-handler.desktop\n",
      ),
    )
    expect(getMimeDefault(out, "x-scheme-handler/agentrt")).toBe("agentrt-url-handler.desktop")
    expect(setMimeDefault(out, "x-scheme-handler/agentrt", undefined)).toBe(base)
  })

  it("replaces an existing entry in place and creates the section when missing", () => {
    const withOld = base.replace("text/html=", "x-scheme-handler/agentrt=old.desktop\ntext/html=")
    expect(setMimeDefault(withOld, "x-scheme-handler/agentrt", "new.desktop")).toBe(
      withOld.replace("old.desktop", "new.desktop"),
    )
    expect(setMimeDefault("", "x-scheme-handler/agentrt", "a.desktop")).toBe(
      "[Default Applications]\nx-scheme-handler/agentrt=a.desktop\n",
    )
    expect(setMimeDefault("[Added Associations]\na=b\n", "x-scheme-handler/agentrt", "a.desktop")).toBe(
      "[Added Associations]\na=b\n\n[Default Applications]\nx-scheme-handler/agentrt=a.desktop\n",
    )
  })
})

describe("macOS applet", () => {
  it("Info.plist is XML declaring the agentrt scheme, our bundle id and executable, no Dock icon", async () => {
    const plist = renderInfoPlist("1.2.3")
    expect(plist).toMatch(/<key>CFBundleURLSchemes<\/key>\s*<array><string>agentrt<\/string><\/array>/)
    expect(plist).toContain("<key>CFBundleIdentifier</key><string>dev.agentrt.urlhandler</string>")
    expect(plist).toContain("<key>CFBundleExecutable</key><string>agentrt-url-handler</string>")
    expect(plist).toContain("<key>LSUIElement</key><true/>")
    const python = Bun.which("python3")
    if (!python) return console.log("skip plistlib parse: python3 not found")
    const code = "import plistlib,sys,json; print(json.dumps(plistlib.loads(sys.stdin.buffer.read())))"
    const r = Bun.spawnSync([python, "-c", code], {
      stdin: new TextEncoder().encode(plist),
      stdout: "pipe",
      stderr: "pipe",
    })
    expect(r.stderr.toString()).toBe("")
    const parsed = JSON.parse(r.stdout.toString())
    expect(parsed.CFBundleURLTypes[0].CFBundleURLSchemes).toEqual(["agentrt"])
    expect(parsed.CFBundleIdentifier).toBe("dev.agentrt.urlhandler")
  })

  it("the AppleScript passes binary and link through `quoted form of`, the path as an escaped string literal", () => {
    const script = renderAppleScript(NASTY)
    expect(script).toContain("on open location this_URL")
    expect(script).toContain('set agentBinary to "/opt/my \\"agent\\" dir/bin/agent"')
    expect(script).toContain(
      'do shell script quoted form of agentBinary & " install --browser " & quoted form of this_URL',
    )
  })

  it("plans osacompile, our Info.plist, re-signing and lsregister -f on ~/Applications/agentrt URL Handler.app", async () => {
    await using t = await tmpdir()
    const plan = planRegister(opts(t, "darwin", NASTY))
    const app = join(t.path, "Applications", "agentrt URL Handler.app")
    const runs = plan.actions.flatMap((a) => (a.kind === "run" ? [a.argv.join(" ")] : []))
    expect(runs[0]).toStartWith(`/usr/bin/osacompile -o ${app} `)
    expect(runs.at(-1)).toEndWith(`lsregister -f ${app}`)
    expect(plan.actions).toContainEqual({
      kind: "rename",
      from: join(app, "Contents/MacOS/applet"),
      to: join(app, "Contents/MacOS/agentrt-url-handler"),
    })
    expect(plan.actions).toContainEqual(
      expect.objectContaining({ kind: "write", path: join(app, "Contents/Info.plist") }),
    )
    expect(plan.record?.bundle).toBe(app)
  })
})

describe("Windows registry", () => {
  it("quotes the binary like CommandLineToArgvW and keeps %1 one argument", () => {
    expect(quoteWindowsArg("C:\\a b\\agent.exe")).toBe('"C:\\a b\\agent.exe"')
    expect(quoteWindowsArg('C:\\x "y"\\')).toBe('"C:\\x \\"y\\"\\\\"')
    expect(windowsCommand("C:\\Program Files\\agent\\agent.exe")).toBe(
      '"C:\\Program Files\\agent\\agent.exe" install --browser "%1"',
    )
  })

  it("the .reg text has the protocol key, URL Protocol and the escaped open command", () => {
    const reg = renderRegFile(WIN_NASTY)
    expect(reg.split("\r\n")).toEqual([
      "Windows Registry Editor Version 5.00",
      "",
      "[HKEY_CURRENT_USER\\Software\\Classes\\agentrt]",
      '@="URL:agentrt MCP install link"',
      '"URL Protocol"=""',
      "",
      "[HKEY_CURRENT_USER\\Software\\Classes\\agentrt\\shell\\open\\command]",
      // value: "C:\Program Files\my \"agent\"\agent.exe" install --browser "%1", then .reg escaping
      '@="\\"C:\\\\Program Files\\\\my \\\\\\"agent\\\\\\"\\\\agent.exe\\" install --browser \\"%1\\""',
      "",
    ])
  })

  it("plans reg add argv calls (no shell) and reg delete to undo", async () => {
    await using t = await tmpdir()
    const plan = planRegister(opts(t, "win32", WIN_NASTY))
    const runs = plan.actions.flatMap((a) => (a.kind === "run" ? [a.argv] : []))
    expect(runs).toEqual([
      ["reg", "add", "HKCU\\Software\\Classes\\agentrt", "/ve", "/d", "URL:agentrt MCP install link", "/f"],
      ["reg", "add", "HKCU\\Software\\Classes\\agentrt", "/v", "URL Protocol", "/d", "", "/f"],
      [
        "reg",
        "add",
        "HKCU\\Software\\Classes\\agentrt\\shell\\open\\command",
        "/ve",
        "/d",
        windowsCommand(WIN_NASTY),
        "/f",
      ],
    ])
    await applyPlan(
      { ...plan, actions: plan.actions.filter((a) => a.kind === "record") },
      { env: {}, stateDir: join(t.home, "state") },
    )
    const undo = planUnregister({ env: {}, stateDir: join(t.home, "state"), which: () => undefined })
    expect(undo.actions[0]).toEqual({
      kind: "run",
      argv: ["reg", "delete", "HKCU\\Software\\Classes\\agentrt", "/f"],
    })
  })
})

describe("Linux register/unregister without xdg-utils", () => {
  it("writes the .desktop file, sets the default in mimeapps.list and restores the previous one", async () => {
    await using t = await tmpdir()
    const before =
      "[Default Applications]\nx-scheme-handler/agentrt=other.desktop\ntext/html=firefox.desktop\n"
    await t.write("config/mimeapps.list", before)
    const o = opts(t, "linux")
    const plan = planRegister(o)
    expect(plan.notes.join("\n")).toContain("other.desktop")
    await applyPlan(plan, { env: o.env, stateDir: o.stateDir })
    const desktop = join(t.path, "data/applications/agentrt-url-handler.desktop")
    expect(readFileSync(desktop, "utf8")).toBe(renderDesktopEntry("/usr/local/bin/agent"))
    expect(await t.read("config/mimeapps.list")).toBe(
      before.replace("other.desktop", "agentrt-url-handler.desktop"),
    )
    expect(readRecord(o.stateDir)?.mimeapps?.previous).toBe("other.desktop")

    // Registering twice keeps the first "previous", not our own entry.
    await applyPlan(planRegister(o), { env: o.env, stateDir: o.stateDir })
    await applyPlan(planUnregister(o), { env: o.env, stateDir: o.stateDir })
    expect(existsSync(desktop)).toBe(false)
    expect(await t.read("config/mimeapps.list")).toBe(before)
    expect(readRecord(o.stateDir)).toBeUndefined()
  })

  it("leaves a handler the user chose after register alone", async () => {
    await using t = await tmpdir()
    const o = opts(t, "linux")
    await applyPlan(planRegister(o), { env: o.env, stateDir: o.stateDir })
    await t.write("config/mimeapps.list", "[Default Applications]\nx-scheme-handler/agentrt=theirs.desktop\n")
    const undo = planUnregister(o)
    expect(undo.notes.join("\n")).toContain("theirs.desktop")
    await applyPlan(undo, { env: o.env, stateDir: o.stateDir })
    expect(await t.read("config/mimeapps.list")).toBe(
      "[Default Applications]\nx-scheme-handler/agentrt=theirs.desktop\n",
    )
  })
})

describe("agent install --register (from source)", () => {
  it("refuses to register the Bun runtime and says how to build the binary", async () => {
    const r = await runCli(["install", "--register"])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("npm run build")
    expect(r.stderr).toContain("dist/agent install --register")
  })

  it("--dry-run lists the actions and writes nothing; --output json is one document", async () => {
    await using t = await tmpdir()
    const env = {
      XDG_DATA_HOME: join(t.path, "data"),
      XDG_CONFIG_HOME: join(t.path, "config"),
      PATH: "/nonexistent",
    }
    const r = await runCli(["install", "--register", "--exec", "/opt/agent", "--dry-run", "-o", "json"], {
      home: t.home,
      env,
    })
    expect(r.code).toBe(0)
    const doc = r.json<{ dryRun: boolean; actions: { text: string }[] }>()
    expect(doc.dryRun).toBe(true)
    expect(doc.actions.map((a) => a.text)).toContain(
      `would write ${join(t.path, "data/applications/agentrt-url-handler.desktop")}`,
    )
    expect(existsSync(join(t.path, "data"))).toBe(false)
    expect(existsSync(join(t.home, "state/url-handler.json"))).toBe(false)
  })
})
