import { basename } from "node:path"

// Which package a stdio command runs, and whether the command pins its version:
// `npx -y pkg@1.2.3`, `npx -p pkg@1.2.3 bin`, `bunx pkg@1.2.3`, `uvx pkg==1.2.3`,
// `uvx pkg@1.2.3`, `uvx --from pkg==1.2.3 bin`. Anything else (a range, a tag, no version)
// is "unpinned": the next run may fetch different code, which is what mcp.lock warns about.

export interface LockedPackage {
  manager: "npx" | "bunx" | "uvx"
  name: string
  /** An exact version, or "unpinned". */
  version: string
  /** As written, when it is not an exact version (e.g. "pkg@latest", "pkg>=1"). */
  spec?: string
}

const EXACT = /^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/
const NPX_VALUE_FLAGS = new Set(["-c", "--call", "--cache", "--registry", "--userconfig"])
const UVX_VALUE_FLAGS = new Set([
  "--with",
  "-w",
  "--python",
  "-p",
  "--index-url",
  "-i",
  "--extra-index-url",
  "--with-requirements",
  "--with-editable",
  "--index",
  "--default-index",
])

export function parsePackage(command: string, args: string[]): LockedPackage | undefined {
  const tool = basename(command).replace(/\.(cmd|exe)$/i, "")
  if (tool === "npx" || tool === "bunx") return parseNpx(tool, args)
  if (tool === "uvx") return parseUvx(args)
  return undefined
}

function parseNpx(manager: "npx" | "bunx", args: string[]): LockedPackage | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (a === "-p" || a === "--package") return npmSpec(manager, args[i + 1])
    if (a.startsWith("--package=")) return npmSpec(manager, a.slice("--package=".length))
    if (NPX_VALUE_FLAGS.has(a)) {
      i++
      continue
    }
    if (a === "--") continue
    if (!a.startsWith("-")) return npmSpec(manager, a)
  }
  return undefined
}

function npmSpec(manager: "npx" | "bunx", spec: string | undefined): LockedPackage | undefined {
  if (!spec) return undefined
  const at = spec.lastIndexOf("@")
  const name = at > 0 ? spec.slice(0, at) : spec
  const version = at > 0 ? spec.slice(at + 1) : ""
  return EXACT.test(version)
    ? { manager, name, version: version.replace(/^v/, "") }
    : { manager, name, version: "unpinned", spec }
}

function parseUvx(args: string[]): LockedPackage | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (a === "--from") return pySpec(args[i + 1])
    if (a.startsWith("--from=")) return pySpec(a.slice("--from=".length))
    if (UVX_VALUE_FLAGS.has(a)) {
      i++
      continue
    }
    if (!a.startsWith("-")) return pySpec(a)
  }
  return undefined
}

function pySpec(spec: string | undefined): LockedPackage | undefined {
  if (!spec) return undefined
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(?:(==|@)\s*([^\s,;]+))?$/.exec(spec)
  if (!m) return { manager: "uvx", name: spec, version: "unpinned", spec }
  const version = m[4] ?? ""
  return EXACT.test(version) || (m[3] === "==" && /^[\w.+!-]+$/.test(version) && !version.includes("*"))
    ? { manager: "uvx", name: m[1]!, version }
    : { manager: "uvx", name: m[1]!, version: "unpinned", spec }
}
