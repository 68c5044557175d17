import { readdir, readFile, rm } from "node:fs/promises"
import { join } from "node:path"
import * as v from "valibot"
import { writeFileAtomic } from "../util/atomic.ts"
import { sha256Hex } from "../util/hash.ts"
import { ensurePrivateDir, existingPrivateDir } from "../util/paths.ts"
import { TASK_STATUSES } from "./tasks.ts"

// Task handles (`agent mcp call --task --detach`): one file per task under <stateDir>/tasks, 0600,
// written atomically, so a later process (`agent mcp task get|wait|result|cancel`, another CI
// step) finds the server and task id again. The handle text is SERVER/TASKID: server names cannot
// hold a slash (config/schema.ts ServerName), so the first slash splits it.

export const TaskHandle = v.object({
  handle: v.string(),
  server: v.string(),
  taskId: v.string(),
  tool: v.string(),
  /** The config file it was started from, or "(command line)" for an ad hoc server. */
  file: v.string(),
  protocolVersion: v.string(),
  createdAt: v.string(),
  status: v.picklist(TASK_STATUSES),
  statusMessage: v.optional(v.string()),
  updatedAt: v.string(),
})
export type TaskHandle = v.InferOutput<typeof TaskHandle>

export function handleText(server: string, taskId: string): string {
  return `${server}/${taskId}`
}

export function parseHandle(text: string): { server: string; taskId: string } | undefined {
  const at = text.indexOf("/")
  if (at <= 0 || at === text.length - 1) return undefined
  return { server: text.slice(0, at), taskId: text.slice(at + 1) }
}

const dirOf = (stateDir: string) => join(stateDir, "tasks")
const fileOf = (stateDir: string, handle: string) =>
  join(dirOf(stateDir), `${sha256Hex(handle).slice(0, 32)}.json`)

export async function saveHandle(stateDir: string, h: TaskHandle): Promise<void> {
  ensurePrivateDir(dirOf(stateDir))
  await writeFileAtomic(fileOf(stateDir, h.handle), `${JSON.stringify(h, null, 2)}\n`, {
    mode: 0o600,
    keepMode: false,
  })
}

/** Every stored handle, newest first; unreadable files are skipped (a half-written one cannot exist: atomic). */
export async function readHandles(stateDir: string): Promise<TaskHandle[]> {
  if (!existingPrivateDir(dirOf(stateDir))) return []
  const names = (await readdir(dirOf(stateDir))).filter((n) => n.endsWith(".json"))
  const out: TaskHandle[] = []
  for (const n of names) {
    const parsed = await readFile(join(dirOf(stateDir), n), "utf8")
      .then((text) => v.safeParse(TaskHandle, JSON.parse(text)))
      .catch(() => undefined) // a foreign or damaged file in our directory: not a handle
    if (parsed?.success) out.push(parsed.output)
  }
  return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt))
}

export async function findHandle(stateDir: string, handle: string): Promise<TaskHandle | undefined> {
  const text = await readFile(fileOf(stateDir, handle), "utf8").catch(() => undefined) // absent: unknown handle
  if (text === undefined) return undefined
  const parsed = v.safeParse(TaskHandle, JSON.parse(text))
  return parsed.success ? parsed.output : undefined
}

export async function removeHandle(stateDir: string, handle: string): Promise<void> {
  await rm(fileOf(stateDir, handle), { force: true })
}
