import { isDeepStrictEqual } from "node:util"
import { readFile, stat } from "node:fs/promises"
import { findLiteralSecrets, MAX_CONFIG_BYTES } from "../config/index.ts"
import { cleanupStaleTemps, writeFileAtomic } from "../util/atomic.ts"
import { ConfigError } from "../util/errors.ts"
import { withFileLock } from "../util/lock.ts"
import { basename, dirname } from "node:path"
import { CLIENTS, isRefusal, proxyEntry, toClient, type ExportClient } from "./export-clients.ts"
import { entriesIn, putEntries, type Put } from "./export-write.ts"

// `agent mcp export` (issue 15): which of agent's servers go into another client's file and how,
// computed without writing (the CLI shows the diff and asks), then one locked atomic write.

export interface ExportServer {
  name: string
  /** The file form (toFileEntry): `${VAR}` references as written, never resolved values. */
  entry: Record<string, unknown>
  scope: "user" | "project" | "file"
  /** The agent config file it came from. */
  file: string
}

export interface ExportPlan {
  client: ExportClient
  file: string
  exists: boolean
  before: string
  after: string
  written: { name: string; action: "added" | "replaced"; notes: string[] }[]
  unchanged: string[]
  skipped: { name: string; reason: string; hint?: string }[]
}

export interface ExportOptions {
  client: ExportClient
  file: string
  servers: ExportServer[]
  /** With --proxy: the argv that runs this agent (absolute binary, or bun + main.ts). */
  proxy?: string[]
  force: boolean
}

export async function planExport(opts: ExportOptions): Promise<ExportPlan> {
  const info = CLIENTS[opts.client]
  const text = await readTarget(opts.file)
  const existing = text === undefined ? {} : await entriesIn(info.format, text, info.key, opts.file)
  const plan: ExportPlan = {
    client: opts.client,
    file: opts.file,
    exists: text !== undefined,
    before: text ?? "",
    after: text ?? "",
    written: [],
    unchanged: [],
    skipped: [],
  }
  const puts: Put[] = []
  for (const s of opts.servers) {
    const one = exportOne(opts, s)
    if ("reason" in one) {
      plan.skipped.push({ name: s.name, ...one })
      continue
    }
    const old = existing[s.name]
    if (old !== undefined && isDeepStrictEqual(JSON.parse(JSON.stringify(old)), one.value)) {
      plan.unchanged.push(s.name)
      continue
    }
    if (old !== undefined && !opts.force) {
      plan.skipped.push({
        name: s.name,
        reason: `${info.label} already has a different "${s.name}"`,
        hint: "--force replaces it",
      })
      continue
    }
    puts.push({ name: s.name, value: one.value })
    plan.written.push({ name: s.name, action: old === undefined ? "added" : "replaced", notes: one.notes })
  }
  if (puts.length > 0) plan.after = await putEntries(info.format, text, info.key, puts, opts.file)
  return plan
}

type One = { value: Record<string, unknown>; notes: string[] } | { reason: string; hint?: string }

function exportOne(opts: ExportOptions, s: ExportServer): One {
  if (s.entry.disabled === true) return { reason: "disabled in agent's config" }
  if (opts.proxy) {
    const extra = s.scope === "file" ? ["--mcp", s.file] : []
    const argv = [...opts.proxy, "mcp", "proxy", s.name, ...extra]
    const notes =
      s.scope === "project"
        ? ["a project server: the proxy finds it only when the client starts in this project"]
        : []
    return { value: proxyEntry(opts.client, s.name, argv), notes }
  }
  // I18: a project's servers run only once approved in agent; copying their command elsewhere would skip that.
  if (s.scope === "project")
    return {
      reason: `a project server (${s.file}): agent asks before it runs, another client would not`,
      hint: "export it with --proxy, which keeps agent's approval",
    }
  // I18: a literal secret in agent's config is not copied into another client's file.
  const secrets = findLiteralSecrets(s.name, s.entry)
  if (secrets.length > 0) {
    const where = secrets.map((x) => `${x.field} ${x.key}`).join(", ")
    return {
      reason: `${where} holds a literal secret, which is not copied into another client's file`,
      hint: `export it with --proxy, or make it a reference: "\${${secrets[0]!.variable}}"`,
    }
  }
  const native = toClient(opts.client, s.name, s.entry)
  if (isRefusal(native)) return { reason: native.refused, hint: native.hint }
  return { value: native.entry, notes: native.notes }
}

async function readTarget(file: string): Promise<string | undefined> {
  try {
    const st = await stat(file)
    if (!st.isFile()) throw new ConfigError(`${file} is not a regular file; nothing was written`, { file })
    if (st.size > MAX_CONFIG_BYTES) throw new ConfigError(`${file} is too large to edit`, { file })
    return await readFile(file, "utf8")
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw e
  }
}

/**
 * Writes the plan under `<file>.lock`, atomically (temp + rename, the file's mode kept; a new
 * file is 0600). If the file changed since the plan was shown, nothing is written.
 */
export async function writeExport(plan: ExportPlan): Promise<void> {
  await withFileLock(plan.file, async () => {
    const now = await readTarget(plan.file)
    if ((now ?? "") !== plan.before || (now !== undefined) !== plan.exists) {
      throw new ConfigError(`${plan.file} changed while the export was shown; nothing was written`, {
        file: plan.file,
        hint: "run the export again",
      })
    }
    await writeFileAtomic(plan.file, plan.after, { mode: 0o600 })
    await cleanupStaleTemps(dirname(plan.file), basename(plan.file))
  })
}
