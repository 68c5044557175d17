// The text `agent install --register` writes, per OS. Pure functions, so every format is
// tested here on Linux as generated text, whatever OS the test runs on.
import { UsageError } from "../util/errors.ts"

export const SCHEME = "agentrt"
export const MIME_TYPE = `x-scheme-handler/${SCHEME}`
export const DESKTOP_FILE = "agentrt-url-handler.desktop"
export const MAC_BUNDLE_ID = "dev.agentrt.urlhandler"
export const MAC_APP_NAME = "agentrt URL Handler.app"
export const MAC_EXECUTABLE = "agentrt-url-handler"
export const WIN_KEY = `HKCU\\Software\\Classes\\${SCHEME}`
export const WIN_DESCRIPTION = `URL:${SCHEME} MCP install link`

/** No format below can carry a control character safely (a newline ends a .desktop line). */
export function checkExecPath(exec: string): void {
  if (/[\u0000-\u001f\u007f]/.test(exec)) {
    throw new UsageError(
      `the agent binary path contains a control character, which no OS handler entry can carry: ${JSON.stringify(exec)}`,
      {
        hint: "move the binary to a plain path (or pass one with --exec)",
      },
    )
  }
}

// Desktop Entry spec, "The Exec key": an argument with any of these must be double-quoted.
const DESKTOP_RESERVED = /[\s"'\\><~|&;$*?#()`]/

/**
 * One Exec argument. Quoting first: inside "…", `"`, `` ` ``, `$` and `\` take a backslash.
 * Then the string-value escape, which readers undo *before* the quoting rule, doubles every
 * backslash (so a literal `"` ends up as `\\"`). A literal `%` is always written `%%`.
 */
export function quoteDesktopExecArg(arg: string): string {
  const quoted = DESKTOP_RESERVED.test(arg) ? `"${arg.replace(/["`$\\]/g, "\\$&")}"` : arg
  return quoted.replaceAll("%", "%%").replaceAll("\\", "\\\\")
}

export function renderDesktopEntry(exec: string): string {
  checkExecPath(exec)
  if (exec.includes("%")) {
    // The spec's `%%` is right, but GLib (gio, GNOME, most browsers) checks that Exec's first
    // word exists *before* unescaping it, so it drops the entry as "not installed".
    throw new UsageError(
      `the agent binary path contains "%", which Linux URL openers (GLib) cannot start: ${exec}`,
      {
        hint: "move the binary to a path without % (or pass one, e.g. a symlink, with --exec)",
      },
    )
  }
  return [
    "[Desktop Entry]",
    "# Written by `agent install --register`; `agent install --unregister` removes it.",
    "Type=Application",
    "Name=agent (MCP install links)",
    "Comment=Opens agentrt:// install links in agent's browser approval page",
    "NoDisplay=true",
    `MimeType=${MIME_TYPE};`,
    `Exec=${quoteDesktopExecArg(exec)} install --browser %u`,
    "Terminal=false",
    "",
  ].join("\n")
}

const DEFAULTS_SECTION = "[Default Applications]"

/** The value of `mime=` in mimeapps.list's [Default Applications] section, if any. */
export function getMimeDefault(text: string, mime: string): string | undefined {
  let inDefaults = false
  for (const line of text.split("\n")) {
    const t = line.trim()
    if (t.startsWith("[")) inDefaults = t === DEFAULTS_SECTION
    else if (inDefaults && t.startsWith(`${mime}=`)) return t.slice(mime.length + 1)
  }
  return undefined
}

/**
 * Sets (or, with `value` undefined, removes) `mime=value` in [Default Applications], keeping
 * every other line byte for byte: the file also holds the user's choices for other types.
 */
export function setMimeDefault(text: string, mime: string, value: string | undefined): string {
  const lines = text === "" ? [] : text.replace(/\n$/, "").split("\n")
  const entry = `${mime}=${value}`
  let section = -1
  let lastInSection = -1
  for (let i = 0; i < lines.length; i++) {
    const t = (lines[i] as string).trim()
    if (t.startsWith("[")) {
      if (section >= 0) break // past the end of [Default Applications]
      if (t === DEFAULTS_SECTION) section = lastInSection = i
      continue
    }
    if (section < 0) continue
    if (t.startsWith(`${mime}=`)) {
      if (value === undefined) lines.splice(i, 1)
      else lines[i] = entry
      return `${lines.join("\n")}\n`
    }
    if (t !== "") lastInSection = i
  }
  if (value === undefined) return text
  if (section >= 0) lines.splice(lastInSection + 1, 0, entry)
  else lines.push(...(lines.length > 0 && lines.at(-1)?.trim() !== "" ? [""] : []), DEFAULTS_SECTION, entry)
  return `${lines.join("\n")}\n`
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")
}

// LSUIElement (an agent app: no Dock icon, no menu bar) rather than LSBackgroundOnly: both
// receive the GetURL Apple Event, but an applet with LSUIElement can still show an error dialog.
export function renderInfoPlist(version: string): string {
  const v = xmlEscape(version)
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>CFBundleDevelopmentRegion</key><string>en</string>
  <key>CFBundleExecutable</key><string>${MAC_EXECUTABLE}</string>
  <key>CFBundleIconFile</key><string>applet</string>
  <key>CFBundleIdentifier</key><string>${MAC_BUNDLE_ID}</string>
  <key>CFBundleInfoDictionaryVersion</key><string>6.0</string>
  <key>CFBundleName</key><string>agentrt URL Handler</string>
  <key>CFBundlePackageType</key><string>APPL</string>
  <key>CFBundleSignature</key><string>aplt</string>
  <key>CFBundleShortVersionString</key><string>${v}</string>
  <key>CFBundleVersion</key><string>${v}</string>
  <key>CFBundleURLTypes</key>
  <array>
    <dict>
      <key>CFBundleURLName</key><string>agentrt MCP install link</string>
      <key>CFBundleTypeRole</key><string>Viewer</string>
      <key>CFBundleURLSchemes</key>
      <array><string>${SCHEME}</string></array>
    </dict>
  </array>
  <key>LSUIElement</key><true/>
</dict>
</plist>
`
}

/** An AppleScript string literal: only `\` and `"` need a backslash. */
function appleScriptString(s: string): string {
  return `"${s.replace(/["\\]/g, "\\$&")}"`
}

/**
 * macOS hands a clicked URL to the app as a GetURL Apple Event, never as argv; an applet's
 * `on open location` receives it. Every piece goes through `quoted form of`, so neither the
 * binary path nor the (attacker-chosen) link reaches the shell unquoted. Backgrounded with its
 * output closed so `do shell script` returns at once and the applet quits while the approval
 * page stays up.
 */
export function renderAppleScript(exec: string): string {
  checkExecPath(exec)
  return `-- Written by \`agent install --register\`; \`agent install --unregister\` removes it.
on open location this_URL
\tset agentBinary to ${appleScriptString(exec)}
\tdo shell script quoted form of agentBinary & " install --browser " & quoted form of this_URL & " >/dev/null 2>&1 &"
end open location
`
}

/**
 * One argument as CommandLineToArgvW / the MS C runtime parse it: backslashes are literal
 * unless they precede a `"`, so those (and trailing ones before the closing quote) double.
 */
export function quoteWindowsArg(arg: string): string {
  let out = '"'
  let slashes = 0
  for (const ch of arg) {
    if (ch === "\\") {
      slashes++
      continue
    }
    out += "\\".repeat(ch === '"' ? slashes * 2 + 1 : slashes) + ch
    slashes = 0
  }
  return `${out}${"\\".repeat(slashes * 2)}"`
}

/** The `shell\open\command` default value. `"%1"` keeps the whole link one argument. */
export function windowsCommand(exec: string): string {
  checkExecPath(exec)
  return `${quoteWindowsArg(exec)} install --browser "%1"`
}

function regString(s: string): string {
  return `"${s.replace(/["\\]/g, "\\$&")}"`
}

/** The same keys `reg add` creates, as a .reg file (what tests and packagers look at). */
export function renderRegFile(exec: string): string {
  const root = WIN_KEY.replace(/^HKCU/, "HKEY_CURRENT_USER")
  return [
    "Windows Registry Editor Version 5.00",
    "",
    `[${root}]`,
    `@=${regString(WIN_DESCRIPTION)}`,
    `"URL Protocol"=""`,
    "",
    `[${root}\\shell\\open\\command]`,
    `@=${regString(windowsCommand(exec))}`,
    "",
  ].join("\r\n")
}
