import { constants, closeSync, fstatSync, openSync, readFileSync } from "node:fs"
import { join } from "node:path"
import * as v from "valibot"
import { writeFileAtomic, fsErrorCode, describeFsError } from "../util/atomic.ts"
import { ConfigError } from "../util/errors.ts"
import { withFileLock } from "../util/lock.ts"
import { checkPrivatePath, ensurePrivateDir, type Paths } from "../util/paths.ts"
import type { ServerEntry } from "./types.ts"
import type { ServerConfig } from "./schema.ts"

// The approval store (docs/design.md §4, §3): which variables a server may read, and which project
// servers the user trusts. Both are bound to the server's fingerprint (name + uninterpolated
// definition), so editing command/args/url voids them (C03).
// One file, <stateDir>/approvals.json, 0600 in a 0700 dir; every change re-reads the file
// under a lock and writes it atomically, so parallel runs never lose each other's approval.

const EnvApproval = v.object({
  variable: v.string(),
  server: v.string(),
  fingerprint: v.string(),
  approvedAt: v.string(),
})
export type EnvApproval = v.InferOutput<typeof EnvApproval>

const ProjectApproval = v.object({
  server: v.string(),
  file: v.string(),
  fingerprint: v.string(),
  // The canonical uninterpolated definition, kept to show what changed; checked by type only.
  definition: v.custom<ServerConfig>((d) => typeof d === "object" && d !== null && !Array.isArray(d)),
  approvedAt: v.string(),
})
export type ProjectApproval = v.InferOutput<typeof ProjectApproval>

const ApprovalsFile = v.object({
  version: v.literal(1),
  env: v.array(EnvApproval),
  projects: v.array(ProjectApproval),
})
type ApprovalsFile = v.InferOutput<typeof ApprovalsFile>

export type ProjectStatus =
  | { status: "approved" }
  | { status: "new" }
  | { status: "changed"; previous: ServerConfig }

export interface ApprovalStore {
  readonly file: string
  envApprovals(): EnvApproval[]
  projectApprovals(): ProjectApproval[]
  isEnvApproved(variable: string, entry: ServerEntry): boolean
  approveEnv(variable: string, entry: ServerEntry): Promise<void>
  /** Several approvals in one locked write. */
  approveEnvMany(items: { variable: string; entry: ServerEntry }[]): Promise<void>
  /** Removes every approval of `variable` (for `server` only when given); returns how many. */
  revokeEnv(variable: string, server?: string): Promise<number>
  projectApproval(entry: ServerEntry): ProjectStatus
  approveProject(entry: ServerEntry): Promise<void>
  /** Removes the trust of every project server called `name` (in `file` only when given). */
  revokeProject(name: string, file?: string): Promise<number>
}

const EMPTY: ApprovalsFile = { version: 1, env: [], projects: [] }

export function approvalsPath(paths: Paths): string {
  return join(paths.stateDir, "approvals.json")
}

export function openApprovals(paths: Paths, now: () => Date = () => new Date()): ApprovalStore {
  const file = approvalsPath(paths)
  // Checked on read too: approvals in a dir other users can write could be planted (C08).
  ensurePrivateDir(paths.stateDir)
  let data = readApprovals(file)

  async function update(change: (d: ApprovalsFile) => number): Promise<number> {
    ensurePrivateDir(paths.stateDir)
    return withFileLock(file, async () => {
      // Re-read under the lock: another process may have added approvals since we opened.
      const fresh = readApprovals(file)
      const n = change(fresh)
      if (n > 0)
        await writeFileAtomic(file, `${JSON.stringify(fresh, null, 2)}\n`, { mode: 0o600, keepMode: false })
      data = fresh
      return n
    })
  }

  const addEnv = (d: ApprovalsFile, variable: string, entry: ServerEntry) => {
    // Approvals for an older fingerprint stay (listed as stale) until revoked; the same
    // server name may have other definitions in other projects.
    d.env = d.env.filter(
      (a) => !(a.variable === variable && a.server === entry.name && a.fingerprint === entry.fingerprint),
    )
    d.env.push({
      variable,
      server: entry.name,
      fingerprint: entry.fingerprint,
      approvedAt: now().toISOString(),
    })
  }

  return {
    file,
    envApprovals: () => data.env.map((a) => ({ ...a })),
    projectApprovals: () => data.projects.map((a) => ({ ...a })),
    isEnvApproved: (variable, entry) =>
      data.env.some(
        (a) => a.variable === variable && a.server === entry.name && a.fingerprint === entry.fingerprint,
      ),
    async approveEnv(variable, entry) {
      await update((d) => (addEnv(d, variable, entry), 1))
    },
    async approveEnvMany(items) {
      if (items.length === 0) return
      await update((d) => {
        for (const i of items) addEnv(d, i.variable, i.entry)
        return items.length
      })
    },
    revokeEnv(variable, server) {
      return update((d) => {
        const before = d.env.length
        d.env = d.env.filter(
          (a) => !(a.variable === variable && (server === undefined || a.server === server)),
        )
        return before - d.env.length
      })
    },
    projectApproval(entry) {
      const rec = data.projects.find((p) => p.server === entry.name && p.file === entry.file)
      if (!rec) return { status: "new" }
      if (rec.fingerprint === entry.fingerprint) return { status: "approved" }
      return { status: "changed", previous: rec.definition }
    },
    async approveProject(entry) {
      await update((d) => {
        d.projects = d.projects.filter((p) => !(p.server === entry.name && p.file === entry.file))
        d.projects.push({
          server: entry.name,
          file: entry.file,
          fingerprint: entry.fingerprint,
          definition: entry.server,
          approvedAt: now().toISOString(),
        })
        return 1
      })
    },
    revokeProject(name, projectFile) {
      return update((d) => {
        const before = d.projects.length
        d.projects = d.projects.filter(
          (p) => !(p.server === name && (projectFile === undefined || p.file === projectFile)),
        )
        return before - d.projects.length
      })
    },
  }
}

/** Reads the store; a missing file is empty, anything unreadable is an error (never a silent reset). */
function readApprovals(file: string): ApprovalsFile {
  const text = readNoFollow(file)
  if (text === undefined) return structuredClone(EMPTY)
  const fix = `fix the file by hand, or remove it (rm ${file}) and approve again; removing it revokes every approval`
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (e: unknown) {
    throw new ConfigError(
      `the approvals file ${file} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`,
      {
        file,
        cause: e,
        hint: fix,
      },
    )
  }
  const parsed = v.safeParse(ApprovalsFile, raw)
  if (!parsed.success) {
    const issue = parsed.issues[0]
    const path = (issue.path ?? []).map((p) => String(p.key)).join(".")
    throw new ConfigError(
      `the approvals file ${file} is damaged${path ? ` at ${path}` : ""}: ${issue.message}`,
      {
        file,
        hint: fix,
      },
    )
  }
  return parsed.output
}

// O_NOFOLLOW: a planted symlink must not feed us someone else's approvals (F01).
function readNoFollow(file: string): string | undefined {
  let fd: number
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW)
  } catch (e: unknown) {
    const code = fsErrorCode(e)
    if (code === "ENOENT") return undefined
    if (code === "ELOOP") {
      throw new ConfigError(`refusing to read ${file}: it is a symbolic link`, {
        file,
        hint: `remove the link (rm ${file}); agent keeps approvals in a regular file it creates itself`,
      })
    }
    throw new ConfigError(`could not read ${file}: ${describeFsError(e)}`, { file, cause: e })
  }
  try {
    const st = fstatSync(fd)
    if (!st.isFile()) throw new ConfigError(`refusing to read ${file}: it is not a regular file`, { file })
    // F04: approvals another user owns or may write could approve what the user never saw.
    // Every write re-reads the file first, so this one check covers writes too.
    checkPrivatePath(file, st)
    return readFileSync(fd, "utf8")
  } finally {
    closeSync(fd)
  }
}
