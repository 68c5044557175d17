import { delimiter, isAbsolute, join, relative, sep } from "node:path"
import { UsageError } from "../util/errors.ts"
import { escapeTerminal } from "../util/text.ts"
import type { BundleManifest, McpConfig, UserConfigOption } from "./bundle-manifest.ts"
import { bundleError } from "./bundle-zip.ts"

// The server entry a bundle becomes (MCPB MANIFEST.md "Variable substitution"): mcp_config
// (with the override for this platform) with ${__dirname} set to the unpacked directory,
// ${HOME}, ${DESKTOP}, ${DOCUMENTS}, ${DOWNLOADS}, ${/} and ${pathSeparator} to this machine's,
// and each ${user_config.KEY} to the value the user gave, or to one of our own ${VAR}
// references (sensitive values and required ones nobody typed, I36): a reference is approved
// like any variable and its value never reaches the config file or the screen. Everything
// else in the manifest is literal text, escaped so our own ${…} engine leaves it as it is.

/** What the user chose for one user_config key (the CLI asks, reads flags, or takes the default). */
export type UserValue =
  | { kind: "value"; value: string | string[] }
  | { kind: "reference"; variable: string }
  | { kind: "unset" }

export interface EntryContext {
  /** The directory the bundle will be unpacked to (absolute). */
  dir: string
  platform: string
  home: string
  values: Record<string, UserValue>
}

export interface BundleEntry {
  entry: { command: string; args: string[]; env?: Record<string, string>; cwd: string }
  /** Our variable → the user_config title and description, for the screen. */
  variables: Record<string, string>
  /** Dangerous env variables (I10) whose value only names paths inside the bundle (I38). */
  selfContainedEnv: string[]
}

/** HELLO_WORLD_API_KEY for bundle "hello-world", key "api_key": what the user sets and approves. */
export function userConfigVariable(bundle: string, key: string): string {
  const name = `${bundle}_${key}`
    .replace(/[^A-Za-z0-9_]/g, "_")
    .replace(/_+/g, "_")
    .toUpperCase()
  return /^[A-Z_]/.test(name) ? name : `_${name}`
}

/** The mcp_config for this platform: an override replaces command, args or env as a whole. */
export function platformConfig(config: McpConfig, platform: string): McpConfig {
  const o = config.platform_overrides?.[platform]
  return {
    command: o?.command ?? config.command,
    args: o?.args ?? config.args,
    env: o?.env ?? config.env,
  }
}

export function buildBundleEntry(manifest: BundleManifest, ctx: EntryContext): BundleEntry {
  const config = platformConfig(manifest.server.mcp_config, ctx.platform)
  const sub = (s: string, field: string) => substitute(s, field, manifest, ctx)
  const args: string[] = []
  ;(config.args ?? []).forEach((arg, i) => {
    const whole = /^\$\{user_config\.([^}]+)\}$/.exec(arg)
    const value = whole ? ctx.values[whole[1] as string] : undefined
    // MCPB: a multi-value user_config standing alone as an argument becomes one argument each.
    if (value?.kind === "value" && Array.isArray(value.value)) args.push(...value.value.map(literal))
    else if (value?.kind === "unset") return
    else args.push(sub(arg, `args[${i}]`))
  })
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(config.env ?? {})) env[key] = sub(value, `env.${key}`)
  const variables: Record<string, string> = {}
  for (const [key, option] of Object.entries(manifest.user_config ?? {})) {
    const v = ctx.values[key]
    if (v?.kind === "reference") variables[v.variable] = describe(option)
  }
  return {
    entry: {
      command: sub(config.command, "command"),
      args,
      ...(Object.keys(env).length && { env }),
      cwd: literal(ctx.dir),
    },
    variables,
    selfContainedEnv: Object.keys(env).filter((k) => isInside(plain(env[k] as string), ctx.dir)),
  }
}

function describe(option: UserConfigOption): string {
  return option.description && option.description !== option.title
    ? `${option.title}: ${option.description}`
    : option.title
}

function substitute(s: string, field: string, manifest: BundleManifest, ctx: EntryContext): string {
  let out = ""
  let last = 0
  for (const m of s.matchAll(/\$\{([^}]*)\}/g)) {
    out += literal(s.slice(last, m.index))
    out += replacement(m[1] as string, field, manifest, ctx)
    last = (m.index ?? 0) + m[0].length
  }
  return out + literal(s.slice(last))
}

function systemVariables(dir: string, home: string): Record<string, string> {
  return {
    __dirname: dir,
    "/": sep,
    pathSeparator: sep,
    HOME: home,
    DESKTOP: join(home, "Desktop"),
    DOCUMENTS: join(home, "Documents"),
    DOWNLOADS: join(home, "Downloads"),
  }
}

/** A user_config default such as "${HOME}/Documents" as the value it stands for (plain text). */
export function expandDefault(value: string, dir: string, home: string): string {
  const system = systemVariables(dir, home)
  return value.replace(/\$\{([^}]*)\}/g, (m, name: string) => system[name] ?? m)
}

function replacement(name: string, field: string, manifest: BundleManifest, ctx: EntryContext): string {
  const system = systemVariables(ctx.dir, ctx.home)
  if (name in system) return literal(system[name] as string)
  const key = name.startsWith("user_config.") ? name.slice("user_config.".length) : undefined
  if (key === undefined || !manifest.user_config?.[key]) {
    throw bundleError(
      `mcp_config ${field} uses \${${escapeTerminal(name)}}, which neither MCPB nor the manifest's user_config defines`,
    )
  }
  const value = ctx.values[key]
  if (value === undefined || value.kind === "unset") return ""
  if (value.kind === "reference") return `\${${value.variable}}`
  return literal(Array.isArray(value.value) ? value.value.join(",") : value.value)
}

/**
 * Text our ${…} engine reads back as exactly itself (config/interpolate.ts: `$$` is "$", `%%`
 * is "%", a backslash before `{env:` escapes it): a manifest cannot smuggle in a reference to
 * one of the user's variables, nor break on a literal "$" in a path.
 */
export function literal(s: string): string {
  return s
    .replace(/\$/g, "$$$$")
    .replace(/%/g, "%%")
    .replace(/(\\*)\{env:/g, (_m, bs: string) => `${bs}${bs}\\{env:`)
}

/** The text `literal` escaped, for path checks ("$$" back to "$"); references are left as written. */
function plain(s: string): string {
  return s.replace(/\$\$/g, "$").replace(/%%/g, "%")
}

/** Every path in a PATH-like value lies inside the bundle's directory. */
function isInside(value: string, dir: string): boolean {
  if (value === "" || value.includes("${")) return false
  return value.split(delimiter).every((p) => {
    if (!isAbsolute(p)) return false
    const rel = relative(dir, p)
    return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel))
  })
}

/** One typed-in or flag value, checked against the option's type (number, boolean, min/max). */
export function checkUserValue(key: string, option: UserConfigOption, value: string): string {
  if (option.type === "number") {
    const n = Number(value)
    if (value.trim() === "" || !Number.isFinite(n))
      throw new UsageError(
        `user_config ${escapeTerminal(key)} must be a number, got "${escapeTerminal(value)}"`,
      )
    if ((option.min !== undefined && n < option.min) || (option.max !== undefined && n > option.max))
      throw new UsageError(
        `user_config ${escapeTerminal(key)} must be between ${option.min ?? "-∞"} and ${option.max ?? "∞"}`,
      )
  }
  if (option.type === "boolean" && value !== "true" && value !== "false")
    throw new UsageError(
      `user_config ${escapeTerminal(key)} must be true or false, got "${escapeTerminal(value)}"`,
    )
  return value
}
