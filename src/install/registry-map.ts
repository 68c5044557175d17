// A registry's server.json → one mcp.json entry (docs/registry.md). Each package and remote is an
// "option"; the CLI picks one (registry-choose.ts). The entry is an argument vector, never a
// shell line (I01); every piece of registry text in it is escaped (registry-inputs.ts, I21).
import type { RegistryOrigin } from "../config/index.ts"
import { UsageError } from "../util/errors.ts"
import { escapeTerminal } from "../util/text.ts"
import { argumentList, envMap, headerMap, literal, type Variables } from "./registry-inputs.ts"
import type { Package, ServerJson, Transport } from "./registry-schema.ts"

export type RegistryOption =
  | { kind: "package"; type: string; pkg: Package }
  | { kind: "remote"; type: "streamable-http" | "sse"; remote: Transport }

export interface MappedServer {
  entry: Record<string, unknown>
  /** The program that must be on PATH (npx, uvx, docker, dnx), none for a remote. */
  runtime?: string
  variables: Variables
  origin: RegistryOrigin
}

/** Every way the document offers to run the server, in the document's order: packages, then remotes. */
export function registryOptions(server: ServerJson): RegistryOption[] {
  const out: RegistryOption[] = []
  for (const pkg of server.packages ?? []) out.push({ kind: "package", type: pkg.registryType, pkg })
  for (const remote of server.remotes ?? []) {
    if (remote.type === "streamable-http" || remote.type === "sse")
      out.push({ kind: "remote", type: remote.type, remote })
  }
  return out
}

/** How a server can run, for `agent mcp search`: "npm, oci, remote (streamable-http)". */
export function waysLabel(server: ServerJson): string {
  const ways = registryOptions(server).map((o) => (o.kind === "remote" ? `remote (${o.type})` : o.type))
  return ways.length ? [...new Set(ways)].join(", ") : "none"
}

export function optionLabel(o: RegistryOption): string {
  return o.kind === "remote" ? `remote (${o.type})` : `${o.type} package ${o.pkg.identifier}`
}

/** The runtime a package needs, from runtimeHint or its type; undefined when we cannot run it. */
export function runtimeFor(o: RegistryOption): string | undefined {
  if (o.kind === "remote") return undefined
  const byType: Record<string, string> = { npm: "npx", pypi: "uvx", oci: "docker", nuget: "dnx" }
  return o.pkg.runtimeHint ?? byType[o.type]
}

export function mapOption(server: ServerJson, registryUrl: string, o: RegistryOption): MappedServer {
  const vars: Variables = {}
  const base = { url: registryUrl, name: server.name, version: server.version }
  if (o.kind === "remote") {
    const headers = headerMap(o.remote.headers, vars)
    const url = remoteUrl(o.remote.url ?? "")
    const entry = {
      type: o.type === "sse" ? "sse" : "http",
      url,
      ...(Object.keys(headers).length && { headers }),
    }
    return { entry, variables: vars, origin: { ...base, type: o.type, identifier: o.remote.url ?? "" } }
  }
  const pkg = o.pkg
  if (pkg.transport && pkg.transport.type !== "stdio")
    throw new UsageError(
      `${escapeTerminal(server.name)}'s ${escapeTerminal(pkg.registryType)} package runs as a local ${escapeTerminal(pkg.transport.type)} server, which agent does not start`,
      { hint: "choose another way with --package TYPE or --remote" },
    )
  if (pkg.registryType === "mcpb") {
    const identifier = pkg.identifier
    const digest = pkg.fileSha256 ? `sha256:${pkg.fileSha256}` : undefined
    throw new McpbPackage(mcpbSource(pkg), { ...base, type: "mcpb", identifier, ...(digest && { digest }) })
  }
  const runtime = runtimeFor(o)
  if (!runtime)
    throw new UsageError(
      `${escapeTerminal(server.name)}: agent cannot run "${escapeTerminal(pkg.registryType)}" packages`,
      {
        hint: "choose another way with --package TYPE or --remote",
      },
    )
  const env = envMap(pkg.environmentVariables, vars)
  const runtimeArgs = argumentList(pkg.runtimeArguments, vars)
  const packageArgs = argumentList(pkg.packageArguments, vars)
  const { args, identifier, digest } = packageArgv(pkg, runtimeArgs, packageArgs, Object.keys(env))
  const entry = { command: literal(runtime), args, ...(Object.keys(env).length && { env }) }
  const origin = { ...base, type: pkg.registryType, identifier, ...(digest && { digest }) }
  return { entry, runtime, variables: vars, origin }
}

function remoteUrl(url: string): string {
  // `{tenant}` in a remote URL has no declared variable to fill it: keep it, escaped, and let the loader refuse it.
  return literal(url)
}

interface Argv {
  args: string[]
  identifier: string
  digest?: string
}

function packageArgv(pkg: Package, runtimeArgs: string[], packageArgs: string[], envNames: string[]): Argv {
  const id = pkg.identifier
  const version = pkg.version
  const fileDigest = pkg.fileSha256 ? `sha256:${pkg.fileSha256}` : undefined
  switch (pkg.registryType) {
    case "npm": {
      const spec = version ? `${id}@${version}` : id
      const yes = runtimeArgs.some((a) => a === "-y" || a === "--yes") ? [] : ["-y"]
      return { args: [...yes, ...runtimeArgs, literal(spec), ...packageArgs], identifier: id }
    }
    case "pypi": {
      const spec = version ? `${id}==${version}` : id
      return { args: [...runtimeArgs, literal(spec), ...packageArgs], identifier: id }
    }
    case "oci": {
      const { image, digest } = ociImage(pkg)
      // Docker passes a variable into the container only when named with -e (its value comes from our env).
      const envFlags = envNames.flatMap((n) => ["-e", n])
      return {
        args: ["run", "-i", "--rm", ...runtimeArgs, ...envFlags, literal(image), ...packageArgs],
        identifier: image,
        ...((digest ?? fileDigest) && { digest: digest ?? fileDigest }),
      }
    }
    case "nuget": {
      // The registry's docs: `dnx PACKAGE@VERSION --yes -- ARGS` (dnx ships with the .NET 10 SDK).
      const spec = version ? `${id}@${version}` : id
      const rest = packageArgs.length ? ["--", ...packageArgs] : []
      return { args: [...runtimeArgs, literal(spec), "--yes", ...rest], identifier: id }
    }
    default:
      throw new UsageError(`agent cannot run "${escapeTerminal(pkg.registryType)}" packages`)
  }
}

/** `ghcr.io/o/i:1.0`, `o/i@sha256:…`, or the older split form (identifier + version + registryBaseUrl). */
export function ociImage(pkg: Package): { image: string; digest?: string } {
  const id = pkg.identifier
  const at = id.indexOf("@sha256:")
  if (at > 0) return { image: id, digest: id.slice(at + 1) }
  const lastPart = id.slice(id.lastIndexOf("/") + 1)
  const tagged = lastPart.includes(":") ? id : pkg.version ? `${id}:${pkg.version}` : id
  const host = pkg.registryBaseUrl ? hostOf(pkg.registryBaseUrl) : undefined
  const hasHost = /^[^/]+[.:][^/]*\//.test(id) || id.startsWith("localhost/")
  const image =
    host && !hasHost && host !== "docker.io" && host !== "registry-1.docker.io" && host !== "index.docker.io"
      ? `${host}/${tagged}`
      : tagged
  return { image }
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host
  } catch {
    return undefined // not a URL: the identifier alone names the image
  }
}

/**
 * The extension point for MCPB bundles: where the bundle is and the sha256 it must have. The
 * bundles module installs it (`agent install URL --sha256 X`); until it is wired in here, the
 * user is told that exact command.
 */
export function mcpbSource(pkg: Package): { url: string; sha256?: string } {
  return { url: pkg.identifier, ...(pkg.fileSha256 && { sha256: pkg.fileSha256 }) }
}

/**
 * The chosen way is an MCPB bundle: not an entry this module can map, so the CLI catches this
 * and installs the bundle (cli/install/bundle.ts installBundleFromUrl) with the registry's
 * fileSha256, which must match (I35), and this origin. Uncaught, it still says what to run.
 */
export class McpbPackage extends UsageError {
  constructor(
    readonly source: { url: string; sha256?: string },
    readonly origin: RegistryOrigin,
  ) {
    const sha = source.sha256 ? ` --sha256 ${source.sha256}` : ""
    super(`mcpb packages install with: agent install ${escapeTerminal(source.url)}${sha}`, {
      hint: "or choose another way this server offers with --package TYPE or --remote",
    })
  }
}
