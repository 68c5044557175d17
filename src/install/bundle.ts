import { isAbsolute, join, relative } from "node:path"
import * as v from "valibot"
import { ServerName, type RegistryOrigin } from "../config/index.ts"
import { UsageError } from "../util/errors.ts"
import { escapeTerminal } from "../util/text.ts"
import { buildBundleEntry, type BundleEntry, type UserValue } from "./bundle-entry.ts"
import type { FetchedBundle } from "./bundle-fetch.ts"
import { parseManifest, type BundleManifest } from "./bundle-manifest.ts"
import { bundleDirName } from "./bundle-unpack.ts"
import {
  bundleError,
  DEFAULT_LIMITS,
  listZip,
  readEntry,
  safePath,
  type ZipEntry,
  type ZipLimits,
} from "./bundle-zip.ts"
import { checkEntry, checkName, type InstallRequest } from "./link-entry.ts"

// An MCPB bundle (github.com/modelcontextprotocol/mcpb, MANIFEST.md) from bytes to the request
// the install screen shows: the archive is listed and checked (bundle-zip.ts), manifest.json
// validated with the MCPB schemas (bundle-manifest.ts), and mcp_config turned into one of our
// server entries pointing at the directory it will be unpacked to (bundle-entry.ts). Nothing
// here writes; unpacking happens after the user approved (bundle-unpack.ts).

export interface OpenedBundle extends FetchedBundle {
  entries: ZipEntry[]
  manifest: BundleManifest
  /** The entry point as a path inside the bundle. */
  entryPoint: string
  dirName: string
  unpackedBytes: number
}

export async function openBundle(
  fetched: FetchedBundle,
  limits: ZipLimits = DEFAULT_LIMITS,
): Promise<OpenedBundle> {
  const entries = listZip(fetched.bytes, limits)
  const manifestEntry = entries.find((e) => e.path === "manifest.json" && !e.isDirectory)
  if (!manifestEntry) throw bundleError("the archive has no manifest.json at its top level")
  const manifest = await parseManifest(readEntry(fetched.bytes, manifestEntry))
  const entryPoint = safePath(manifest.server.entry_point)
  if (!entries.some((e) => e.path === entryPoint && !e.isDirectory)) {
    throw bundleError(
      `the manifest's entry point "${escapeTerminal(manifest.server.entry_point)}" is not in the archive`,
    )
  }
  return {
    ...fetched,
    entries,
    manifest,
    entryPoint,
    dirName: bundleDirName(manifest.name, manifest.version, fetched.sha256),
    unpackedBytes: entries.reduce((n, e) => n + e.size, 0),
  }
}

export interface BundleRequest extends BundleEntry {
  req: InstallRequest
  /** Paths inside the bundle to make executable: a binary server's entry point and command. */
  executables: string[]
}

export interface BundleRequestOptions {
  /** The bundles directory; the bundle goes to <root>/<dirName>. */
  root: string
  platform: string
  home: string
  values: Record<string, UserValue>
  /** --name: install under this name instead of the manifest's. */
  name?: string
  /** The registry's origin record, for a registry `mcpb` package: written with the entry (as registry.ts does). */
  registry?: RegistryOrigin
}

/** The server entry, checked like an install link's (link-entry.ts), for the approval screen. */
export function bundleRequest(bundle: OpenedBundle, opts: BundleRequestOptions): BundleRequest {
  const dir = join(opts.root, bundle.dirName)
  const name = opts.name ?? bundle.manifest.name
  if (opts.name === undefined) checkManifestName(name)
  checkName(name)
  const built = buildBundleEntry(bundle.manifest, {
    dir,
    platform: opts.platform,
    home: opts.home,
    values: opts.values,
  })
  const checked: Record<string, unknown> = { ...built.entry, description: describe(bundle.manifest) }
  // I22: a link may not claim a registry origin, so it is added after the link checks, as registry.ts does.
  const server = { ...checkEntry(checked), ...(opts.registry && { registry: opts.registry }) }
  const entry = { ...checked, ...(opts.registry && { registry: opts.registry }) }
  const executables = [bundle.entryPoint]
  const inside = relative(dir, built.entry.command.replace(/\$\$/g, "$"))
  if (isAbsolute(built.entry.command) && !inside.startsWith("..") && !isAbsolute(inside))
    executables.push(inside.split("\\").join("/"))
  return {
    ...built,
    executables: bundle.manifest.server.type === "binary" ? executables : [],
    req: { name, entry, server, source: "agentrt", envDescriptions: built.variables },
  }
}

/** A manifest name that cannot be a server name (spaces, slashes, ".."): say so, and how to choose one. */
function checkManifestName(name: string): void {
  const r = v.safeParse(ServerName, name)
  if (r.success && !name.includes("..")) return
  const why = r.success ? 'it contains ".."' : r.issues[0].message
  throw new UsageError(`the bundle's name "${escapeTerminal(name)}" cannot be a server name: ${why}`, {
    hint: "install it under a name of your choosing: --name NEW",
  })
}

function describe(m: BundleManifest): string {
  return `${m.display_name ?? m.name} ${m.version} (MCPB bundle): ${m.description}`
}

/** The lines the bundle adds to the install screen (escaped by the caller's safeLine). */
export function bundleLines(bundle: OpenedBundle, dir: string, isVerified: boolean): string[] {
  const m = bundle.manifest
  const s = m.server
  return [
    `bundle:  ${m.display_name ?? m.name} ${m.version} by ${m.author.name}  (manifest ${m.manifest_version ?? m.dxt_version})`,
    `from:    ${bundle.source}`,
    `sha256:  ${bundle.sha256}${isVerified ? "  (matches --sha256)" : "  (not checked: pass --sha256 to pin it)"}`,
    `runtime: ${s.type}, entry point ${bundle.entryPoint}`,
    `unpacks: ${bundle.entries.length} entries, ${bundle.unpackedBytes} bytes, to ${dir}`,
  ]
}
