// Which of a server's packages and remotes to install. `--package TYPE` and `--remote` choose
// outright; otherwise the first one, in the document's order, whose runtime is on this machine
// (a remote needs none; an mcpb bundle needs `agent install URL --sha256`, so it is never guessed).
// The reason is returned so the CLI can say which was taken and why.
import { UsageError } from "../util/errors.ts"
import { escapeTerminal } from "../util/text.ts"
import { optionLabel, registryOptions, runtimeFor, type RegistryOption } from "./registry-map.ts"
import type { ServerJson } from "./registry-schema.ts"

export interface ChooseOptions {
  /** `--package TYPE`: npm, pypi, oci, nuget, mcpb. */
  package?: string
  /** `--remote`. */
  remote?: boolean
  /** Is this program on PATH? (the CLI looks it up; domain code does not read PATH). */
  hasCommand: (name: string) => boolean
}

export interface Choice {
  option: RegistryOption
  reason: string
}

export function chooseOption(server: ServerJson, opts: ChooseOptions): Choice {
  const options = registryOptions(server)
  const name = escapeTerminal(server.name)
  if (!options.length)
    throw new UsageError(
      `${name}@${escapeTerminal(server.version)} lists no package or remote agent can install`,
    )
  const offered = options.map(optionLabel).map(escapeTerminal).join(", ")
  if (opts.package !== undefined && opts.remote)
    throw new UsageError("use either --package TYPE or --remote, not both")
  if (opts.package !== undefined) {
    const found = options.find((o) => o.kind === "package" && o.type === opts.package)
    if (!found)
      throw new UsageError(`${name} has no ${escapeTerminal(opts.package)} package`, {
        hint: `it offers: ${offered}`,
      })
    return { option: found, reason: `chosen with --package ${opts.package}` }
  }
  if (opts.remote) {
    const found = options.find((o) => o.kind === "remote")
    if (!found) throw new UsageError(`${name} has no remote`, { hint: `it offers: ${offered}` })
    return { option: found, reason: "chosen with --remote" }
  }
  const missing: string[] = []
  for (const o of options) {
    if (o.kind === "remote")
      return { option: o, reason: because(missing, "it needs nothing installed locally") }
    const runtime = runtimeFor(o)
    if (o.type === "mcpb" || runtime === undefined) {
      missing.push(`${o.type}: not run by agent directly`)
      continue
    }
    if (opts.hasCommand(runtime)) return { option: o, reason: because(missing, `${runtime} is on PATH`) }
    missing.push(`${o.type}: ${runtime} not found on PATH`)
  }
  // Nothing runs here as is: take the first package the user could make work, and say what is missing.
  const first = options.find((o) => o.kind === "package" && o.type !== "mcpb" && runtimeFor(o)) ?? options[0]!
  return {
    option: first,
    reason: `nothing it offers runs here as is (${missing.join("; ")}); install ${runtimeFor(first) ?? "its runtime"} before starting it`,
  }
}

function because(skipped: string[], why: string): string {
  return skipped.length ? `${why} (skipped ${skipped.join("; ")})` : why
}
