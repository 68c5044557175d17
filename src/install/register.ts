// `agent install --register` / `--unregister`: what to do to make the OS start
// `agent install --browser <link>` for agentrt:// links (docs/design.md §8), as a plan of actions.
// Planning only reads; register-apply.ts carries a plan out. The record of what register did
// (<stateDir>/url-handler.json) is the first thing written, so even a half-applied register
// can be undone.
import { existsSync, readFileSync } from "node:fs"
import { dirname, isAbsolute, join, posix, win32 } from "node:path"
import * as v from "valibot"
import { ConfigError } from "../util/errors.ts"
import {
  DESKTOP_FILE,
  MAC_APP_NAME,
  MAC_EXECUTABLE,
  MIME_TYPE,
  WIN_DESCRIPTION,
  WIN_KEY,
  getMimeDefault,
  renderAppleScript,
  renderDesktopEntry,
  renderInfoPlist,
  windowsCommand,
} from "./register-formats.ts"

export type HandlerOs = "linux" | "darwin" | "win32"

export interface RegisterOptions {
  os: HandlerOs
  /** Absolute path of the agent binary the OS should start. */
  exec: string
  env: Record<string, string | undefined>
  home: string
  stateDir: string
  version: string
  /** Finds a helper program (xdg-mime, update-desktop-database) on PATH. */
  which: (cmd: string) => string | undefined
  /** `reg query` the key before changing it; only meaningful on Windows itself. */
  hasRegistryKey?: (key: string) => boolean
}

export type UnregisterOptions = Pick<RegisterOptions, "env" | "stateDir" | "which">

export type Action =
  | { kind: "write"; path: string; content: string; mode: number }
  | { kind: "remove"; path: string; recursive?: boolean }
  | { kind: "rename"; from: string; to: string }
  /** isLeftRemovable: register created the file, so unregister may delete it once it is empty. */
  | { kind: "mimeapps"; path: string; value: string | undefined; isLeftRemovable?: boolean }
  | { kind: "run"; argv: readonly string[]; isOptional?: boolean }
  | { kind: "record"; path: string; record: HandlerRecord | undefined }

export const HandlerRecord = v.object({
  version: v.literal(1),
  os: v.picklist(["linux", "darwin", "win32"]),
  exec: v.string(),
  /** Files register created; unregister removes them. */
  files: v.array(v.string()),
  /** Files that were there before and that register replaced; unregister puts them back. */
  replaced: v.array(v.object({ path: v.string(), content: v.string() })),
  /** Linux: the user's mimeapps.list and its own entry for the scheme before register. */
  mimeapps: v.optional(
    v.object({ path: v.string(), previous: v.optional(v.string()), isCreated: v.optional(v.boolean()) }),
  ),
  /** The handler the OS used before (xdg-mime query default), for the report. */
  previousDefault: v.optional(v.string()),
  /** macOS: the app bundle. */
  bundle: v.optional(v.string()),
  /** Windows: the key written, and an export of what was there before. */
  registry: v.optional(v.object({ key: v.string(), backup: v.optional(v.string()) })),
})
export type HandlerRecord = v.InferOutput<typeof HandlerRecord>

export interface Plan {
  mode: "register" | "unregister"
  os: HandlerOs
  actions: Action[]
  /** What register will have done (register) or did (unregister); undefined: nothing registered. */
  record: HandlerRecord | undefined
  /** Things worth telling the user that are not actions. */
  notes: string[]
}

export const LSREGISTER =
  "/System/Library/Frameworks/CoreServices.framework/Frameworks/LaunchServices.framework/Support/lsregister"

export function recordPath(stateDir: string): string {
  return join(stateDir, "url-handler.json")
}

export function readRecord(stateDir: string): HandlerRecord | undefined {
  const file = recordPath(stateDir)
  if (!existsSync(file)) return undefined
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(file, "utf8"))
  } catch (e: unknown) {
    throw new ConfigError(`${file} is not valid JSON`, {
      cause: e,
      file,
      hint: "fix or delete it; it records what --register did",
    })
  }
  const parsed = v.safeParse(HandlerRecord, raw)
  if (!parsed.success) {
    throw new ConfigError(`${file} is not a url-handler record: ${parsed.issues[0].message}`, {
      file,
      hint: "fix or delete it",
    })
  }
  return parsed.output
}

export function planRegister(opts: RegisterOptions): Plan {
  if (!(opts.os === "win32" ? win32 : posix).isAbsolute(opts.exec))
    throw new ConfigError(`the agent binary path must be absolute, got "${opts.exec}"`)
  const old = readRecord(opts.stateDir)
  if (opts.os === "linux") return planLinux(opts, old)
  if (opts.os === "darwin") return planMac(opts, old)
  return planWindows(opts, old)
}

/** `$XDG_*_HOME`, or the spec's default when unset or relative (the spec says to ignore those). */
function xdgDir(env: RegisterOptions["env"], name: string, fallback: string): string {
  const value = env[name]
  return value && isAbsolute(value) ? value : fallback
}

function readText(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, "utf8") : undefined
}

function planLinux(opts: RegisterOptions, old: HandlerRecord | undefined): Plan {
  const appsDir = join(xdgDir(opts.env, "XDG_DATA_HOME", join(opts.home, ".local", "share")), "applications")
  const desktop = join(appsDir, DESKTOP_FILE)
  const mimeapps = join(xdgDir(opts.env, "XDG_CONFIG_HOME", join(opts.home, ".config")), "mimeapps.list")
  const mimeText = readText(mimeapps)
  const current = getMimeDefault(mimeText ?? "", MIME_TYPE)
  const xdgMime = opts.which("xdg-mime")
  const queried = xdgMime ? queryDefault(xdgMime, opts.env) : current
  const existing = readText(desktop)
  const isLeftover = existing?.includes("agent install --register") ?? false
  const record: HandlerRecord = {
    version: 1,
    os: "linux",
    exec: opts.exec,
    files: [desktop],
    // Registering again keeps what the first register found, which is what unregister restores.
    replaced:
      old?.replaced ?? (existing !== undefined && !isLeftover ? [{ path: desktop, content: existing }] : []),
    mimeapps: old?.mimeapps ?? {
      path: mimeapps,
      previous: current === DESKTOP_FILE ? undefined : current,
      isCreated: mimeText === undefined,
    },
    previousDefault: old ? old.previousDefault : queried === DESKTOP_FILE ? undefined : queried,
  }
  const actions: Action[] = [
    { kind: "record", path: recordPath(opts.stateDir), record },
    { kind: "write", path: desktop, content: renderDesktopEntry(opts.exec), mode: 0o644 },
    xdgMime
      ? { kind: "run", argv: [xdgMime, "default", DESKTOP_FILE, MIME_TYPE] }
      : { kind: "mimeapps", path: mimeapps, value: DESKTOP_FILE },
    ...updateDesktopDatabase(opts.which, appsDir),
  ]
  const notes = record.previousDefault
    ? [`the previous handler was ${record.previousDefault}; --unregister restores it`]
    : []
  return { mode: "register", os: "linux", actions, record, notes }
}

function queryDefault(xdgMime: string, env: RegisterOptions["env"]): string | undefined {
  const r = Bun.spawnSync([xdgMime, "query", "default", MIME_TYPE], {
    env: env as Record<string, string>,
    stdout: "pipe",
    stderr: "pipe",
  })
  const out = r.stdout.toString().trim()
  // Nothing usable (no default, or xdg-mime failing): there is simply no previous handler to name.
  return r.exitCode === 0 && out !== "" ? out : undefined
}

function updateDesktopDatabase(which: RegisterOptions["which"], appsDir: string): Action[] {
  const udd = which("update-desktop-database")
  // Only refreshes mimeinfo.cache for menus; the default handler works without it.
  return udd ? [{ kind: "run", argv: [udd, appsDir], isOptional: true }] : []
}

function planMac(opts: RegisterOptions, old: HandlerRecord | undefined): Plan {
  const app = old?.bundle ?? join(opts.home, "Applications", MAC_APP_NAME)
  const source = join(opts.stateDir, "url-handler.applescript")
  const macos = join(app, "Contents", "MacOS")
  const record: HandlerRecord = {
    version: 1,
    os: "darwin",
    exec: opts.exec,
    files: [source],
    replaced: [],
    bundle: app,
  }
  const actions: Action[] = [
    { kind: "record", path: recordPath(opts.stateDir), record },
    ...(existsSync(app) ? [{ kind: "remove", path: app, recursive: true } as const] : []),
    { kind: "write", path: source, content: renderAppleScript(opts.exec), mode: 0o644 },
    // osacompile builds the applet (stub binary + compiled main.scpt); we then rename the stub
    // and replace Info.plist with ours, which declares the scheme.
    { kind: "run", argv: ["/usr/bin/osacompile", "-o", app, source] },
    { kind: "rename", from: join(macos, "applet"), to: join(macos, MAC_EXECUTABLE) },
    {
      kind: "write",
      path: join(app, "Contents", "Info.plist"),
      content: renderInfoPlist(opts.version),
      mode: 0o644,
    },
    // Editing Info.plist breaks osacompile's ad-hoc signature; arm64 Macs refuse to launch that.
    { kind: "run", argv: ["/usr/bin/codesign", "--force", "--sign", "-", app] },
    { kind: "run", argv: [LSREGISTER, "-f", app] },
  ]
  return { mode: "register", os: "darwin", actions, record, notes: [] }
}

function planWindows(opts: RegisterOptions, old: HandlerRecord | undefined): Plan {
  const hadKey = old === undefined && (opts.hasRegistryKey?.(WIN_KEY) ?? false)
  const backup = old
    ? old.registry?.backup
    : hadKey
      ? join(opts.stateDir, "url-handler-backup.reg")
      : undefined
  const record: HandlerRecord = {
    version: 1,
    os: "win32",
    exec: opts.exec,
    files: [],
    replaced: [],
    registry: { key: WIN_KEY, backup },
  }
  const actions: Action[] = [
    { kind: "record", path: recordPath(opts.stateDir), record },
    ...(hadKey && backup ? [{ kind: "run", argv: ["reg", "export", WIN_KEY, backup, "/y"] } as const] : []),
    { kind: "run", argv: ["reg", "add", WIN_KEY, "/ve", "/d", WIN_DESCRIPTION, "/f"] },
    { kind: "run", argv: ["reg", "add", WIN_KEY, "/v", "URL Protocol", "/d", "", "/f"] },
    {
      kind: "run",
      argv: ["reg", "add", `${WIN_KEY}\\shell\\open\\command`, "/ve", "/d", windowsCommand(opts.exec), "/f"],
    },
  ]
  const notes = hadKey
    ? [`${WIN_KEY} already existed; it is saved to ${backup} and --unregister restores it`]
    : []
  return { mode: "register", os: "win32", actions, record, notes }
}

/** Undo what the record says register did; an absent record means there is nothing to undo. */
export function planUnregister(opts: UnregisterOptions): Plan {
  const record = readRecord(opts.stateDir)
  if (!record)
    return {
      mode: "unregister",
      os: hostOs(),
      actions: [],
      record,
      notes: ["no agentrt:// handler is registered (nothing recorded)"],
    }
  const actions: Action[] = []
  const notes: string[] = []
  if (record.os === "darwin" && record.bundle) {
    actions.push({ kind: "run", argv: [LSREGISTER, "-u", record.bundle], isOptional: true })
    actions.push({ kind: "remove", path: record.bundle, recursive: true })
  }
  if (record.registry) {
    actions.push({ kind: "run", argv: ["reg", "delete", record.registry.key, "/f"] })
    if (record.registry.backup) {
      actions.push({ kind: "run", argv: ["reg", "import", record.registry.backup] })
      actions.push({ kind: "remove", path: record.registry.backup })
    }
  }
  for (const file of record.files) {
    const before = record.replaced.find((r) => r.path === file)
    actions.push(
      before
        ? { kind: "write", path: file, content: before.content, mode: 0o644 }
        : { kind: "remove", path: file },
    )
  }
  if (record.mimeapps) actions.push(...undoMimeapps(record.mimeapps, notes))
  if (record.os === "linux")
    actions.push(...updateDesktopDatabase(opts.which, dirname(record.files[0] ?? "/")))
  actions.push({ kind: "record", path: recordPath(opts.stateDir), record: undefined })
  return { mode: "unregister", os: record.os, actions, record, notes }
}

function undoMimeapps(m: NonNullable<HandlerRecord["mimeapps"]>, notes: string[]): Action[] {
  const current = getMimeDefault(readText(m.path) ?? "", MIME_TYPE)
  if (current !== DESKTOP_FILE) {
    // The user (or another app) chose a handler since; that choice is theirs to keep.
    if (current !== undefined)
      notes.push(`kept ${MIME_TYPE}=${current} in ${m.path}: it no longer points at agent`)
    return []
  }
  return [{ kind: "mimeapps", path: m.path, value: m.previous, isLeftRemovable: m.isCreated }]
}

export function hostOs(): HandlerOs {
  return process.platform === "darwin" ? "darwin" : process.platform === "win32" ? "win32" : "linux"
}
