import { homedir } from "node:os"
import { join, resolve } from "node:path"
import { existsSync } from "node:fs"
import {
  bundleLines,
  bundleRequest,
  bundlesDir,
  checkSha256,
  checkUserValue,
  expandDefault,
  fetchBundleUrl,
  openBundle,
  readBundleFile,
  removeBundleDir,
  unpackBundle,
  userConfigVariable,
  type BundleManifest,
  type FetchedBundle,
  type OpenedBundle,
  type UserConfigOption,
  type UserValue,
} from "../../install/index.ts"
import type { RegistryOrigin } from "../../config/index.ts"
import { UsageError } from "../../util/errors.ts"
import { didYouMean } from "../../util/suggest.ts"
import { escapeTerminal } from "../../util/text.ts"
import { removeUnusedBundle } from "../shared/bundle-files.ts"
import type { Ctx } from "../shared/context.ts"
import { ask } from "../shared/prompt.ts"
import {
  applyInstall,
  decide,
  planFor,
  report,
  showScreen,
  type InstallArgs,
} from "../shared/install-plan.ts"

// `agent install ./server.mcpb | https://…/server.mcpb [--sha256 HEX]` (docs/install-links.md "Bundles
// (.mcpb)"): the same screen, question and write as an install link (cli/shared/install-plan.ts), with the bundle's
// own lines on top. The archive is read and checked in memory; nothing is unpacked before the
// user approved, and a failed write removes what was unpacked (I30-I37: the archive checks in
// bundle-zip.ts, I34 the manifest, I35 the download and --sha256, I36 user_config).

export interface BundleArgs extends InstallArgs {
  sha256?: string
  /** `--user-config KEY=VALUE` (repeatable), read from the raw arguments. */
  userConfig?: string[]
}

export async function installBundle(ctx: Ctx, args: BundleArgs, input: string): Promise<void> {
  const isUrl = /^https?:\/\//i.test(input)
  const fetched = isUrl ? await fetchBundleUrl(input) : await readBundleFile(resolve(ctx.cwd, input))
  return installFetchedBundle(ctx, args, fetched)
}

/**
 * For the registry's `mcpb` packages: download URL and fileSha256 (which must match), then the
 * same screen and install as `agent install URL --sha256 HEX`.
 */
export async function installBundleFromUrl(
  ctx: Ctx,
  args: BundleArgs,
  opts: {
    url: string
    sha256?: string
    timeoutMs?: number
    /** The registry's origin record, written with the entry (mcp.lock and `mcp outdated` read it). */
    registry?: RegistryOrigin
  },
): Promise<void> {
  const fetched = await fetchBundleUrl(opts.url, { timeoutMs: opts.timeoutMs })
  return installFetchedBundle(ctx, { ...args, sha256: opts.sha256 ?? args.sha256 }, fetched, opts.registry)
}

async function installFetchedBundle(
  ctx: Ctx,
  args: BundleArgs,
  fetched: FetchedBundle,
  registry?: RegistryOrigin,
): Promise<void> {
  checkSha256(fetched.sha256, args.sha256)
  const bundle = await openBundle(fetched)
  warnPlatform(ctx, bundle.manifest)
  const root = bundlesDir(ctx.paths.stateDir)
  const dir = join(root, bundle.dirName)
  const home = ctx.env.HOME || homedir()
  const values = await userValues(ctx, args, bundle.manifest, dir, home)
  const br = bundleRequest(bundle, {
    root,
    platform: process.platform,
    home,
    values,
    name: args.name,
    registry,
  })
  // I38 (I10 for bundles, checked in planFor): PYTHONPATH=${__dirname}/lib names the bundle's
  // own code; anything else needs the flag.
  const allowDangerousEnv = [...(args.allowDangerousEnv ?? []), ...br.selfContainedEnv]
  const plan = {
    ...planFor(ctx, { ...args, allowDangerousEnv }, br.req, "mcpb"),
    bundle: [
      ...bundleLines(bundle, dir, args.sha256 !== undefined),
      ...userConfigLines(bundle.manifest, values),
    ],
  }
  showScreen(plan)
  if (args["dry-run"]) {
    report(ctx, plan, [], true)
    return
  }
  const approved = await decide(ctx, args, plan)
  const existed = existsSync(dir)
  await unpackBundle(bundle.bytes, bundle.entries, root, bundle.dirName, { executables: br.executables })
  try {
    await applyInstall(ctx, args, plan, approved)
  } catch (e: unknown) {
    // I30: a refused or failed write leaves no unpacked files behind.
    if (!existed) await removeBundleDir(root, dir)
    throw e
  }
  // A replaced bundle-installed server: its old files go unless something still runs them (I37).
  if (plan.existing) await removeUnusedBundle(ctx, plan.existing, plan.target.file)
}

function warnPlatform(ctx: Ctx, m: BundleManifest): void {
  const platforms = m.compatibility?.platforms
  if (platforms && !platforms.includes(process.platform))
    ctx.log.warn(
      escapeTerminal(
        `bundle "${m.name}" declares platforms ${platforms.join(", ")}; this is ${process.platform}`,
      ),
    )
}

/**
 * I36: each user_config value. Sensitive ones always become a ${VAR} reference (never typed
 * in, never on the command line or the screen); others come from --user-config KEY=VALUE, the
 * terminal (the default offered), or the default; a required one with none becomes a reference.
 */
async function userValues(
  ctx: Ctx,
  args: BundleArgs,
  m: BundleManifest,
  dir: string,
  home: string,
): Promise<Record<string, UserValue>> {
  const options = m.user_config ?? {}
  const given = givenValues(args.userConfig ?? [], Object.keys(options))
  const values: Record<string, UserValue> = {}
  for (const [key, o] of Object.entries(options)) {
    const variable = userConfigVariable(m.name, key)
    const flag = given.get(key)
    if (o.sensitive) {
      if (flag)
        throw new UsageError(
          `user_config ${escapeTerminal(key)} is sensitive; it is not taken on the command line`,
          {
            hint: `the server reads it from \${${variable}}: set ${variable} in the environment and approve it`,
          },
        )
      values[key] = { kind: "reference", variable }
    } else if (flag)
      values[key] = {
        kind: "value",
        value: o.multiple
          ? flag.map((f) => typed(ctx, key, o, f))
          : typed(ctx, key, o, flag.at(-1) as string),
      }
    else values[key] = await askOrDefault(ctx, args, key, o, variable, (s) => expandDefault(s, dir, home))
  }
  return values
}

async function askOrDefault(
  ctx: Ctx,
  args: BundleArgs,
  key: string,
  o: UserConfigOption,
  variable: string,
  expand: (s: string) => string,
): Promise<UserValue> {
  const fallback: UserValue =
    o.default !== undefined
      ? { kind: "value", value: Array.isArray(o.default) ? o.default.map(expand) : expand(String(o.default)) }
      : o.required
        ? { kind: "reference", variable }
        : { kind: "unset" }
  if (!ctx.isInteractive || args.yes || args["dry-run"]) return fallback
  const shown = fallback.kind === "value" ? ` [${[fallback.value].flat().join(",")}]` : ""
  for (;;) {
    const answer = await ask(`${o.title} (${key})${shown}:`)
    if (answer === "") return fallback
    try {
      const parts = o.multiple ? answer.split(",").map((s) => s.trim()) : [answer]
      const checked = parts.map((p) => typed(ctx, key, o, p))
      return { kind: "value", value: o.multiple ? checked : (checked[0] as string) }
    } catch (e: unknown) {
      if (!(e instanceof UsageError)) throw e
      process.stderr.write(`${e.message}\n`)
    }
  }
}

/** A typed-in or flag value, checked; a relative file or directory is taken from where agent runs. */
function typed(ctx: Ctx, key: string, o: UserConfigOption, value: string): string {
  const checked = checkUserValue(key, o, value)
  return o.type === "file" || o.type === "directory" ? resolve(ctx.cwd, checked) : checked
}

function givenValues(flags: string[], keys: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const f of flags) {
    const i = f.indexOf("=")
    if (i <= 0) throw new UsageError(`--user-config takes KEY=VALUE, got "${escapeTerminal(f)}"`)
    const key = f.slice(0, i)
    if (!keys.includes(key))
      throw new UsageError(
        `the bundle has no user_config "${escapeTerminal(key)}"${escapeTerminal(didYouMean(key, keys))}`,
        {
          hint: keys.length ? `its keys: ${keys.join(", ")}` : "this bundle takes no user_config",
        },
      )
    out.set(key, [...(out.get(key) ?? []), f.slice(i + 1)])
  }
  return out
}

/** What each user_config key became; a sensitive one shows only the variable it is read from. */
function userConfigLines(m: BundleManifest, values: Record<string, UserValue>): string[] {
  return Object.entries(m.user_config ?? {}).map(([key, o]) => {
    const v = values[key]
    const what =
      v?.kind === "reference"
        ? `from \${${v.variable}}${o.sensitive ? " (sensitive)" : ""}`
        : v?.kind === "value"
          ? `= ${[v.value].flat().join(", ")}`
          : "(not set)"
    return `config:  ${key} ${what}  — ${o.title}`
  })
}

export type { OpenedBundle }
