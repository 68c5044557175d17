// Batch runs (`agent run --batch`, docs/runs.md "Batch runs"): a JSONL file of tasks, every N-th of
// them for a shard, and a small worker pool that runs them over one set of servers. Each task
// is its own agent loop with its own signal, so its tool calls (progress tokens, cancellation)
// never mix with another task's; what the pool shares is only the connected servers.
import * as v from "valibot"
import { ConfigError, UsageError } from "../util/errors.ts"
import { escapeTerminal } from "../util/text.ts"

export const DEFAULT_CONCURRENCY = 4

export const BatchTask = v.strictObject({
  id: v.pipe(v.string(), v.minLength(1, "id must be a non-empty string"), v.maxLength(200)),
  prompt: v.string(),
  /** `{{name}}` in the prompt, and the MCP prompt's arguments under --prompt. */
  vars: v.optional(v.record(v.string(), v.string())),
  /** PROVIDER:MODEL for this task instead of --model. */
  model: v.optional(v.string()),
  /** SERVER:URI resources for this task, after the batch's own --attach. */
  attach: v.optional(v.array(v.string())),
})
export type BatchTask = v.InferOutput<typeof BatchTask>

/** Parses tasks.jsonl; a bad line (JSON, schema, a repeated id) is a ConfigError naming it (exit 2). */
export function parseTasks(text: string, file: string): BatchTask[] {
  const tasks: BatchTask[] = []
  const seen = new Map<string, number>()
  const lines = text.split("\n")
  for (const [i, line] of lines.entries()) {
    if (line.trim() === "") continue
    const at = `${file}:${i + 1}`
    let raw: unknown
    try {
      raw = JSON.parse(line)
    } catch {
      throw new ConfigError(`${at}: not a JSON line`, {
        file,
        hint: 'each line is one task: {"id": "…", "prompt": "…"}',
      })
    }
    const r = v.safeParse(BatchTask, raw)
    if (!r.success) {
      const issue = r.issues[0]
      const path = v.getDotPath(issue)
      throw new ConfigError(`${at}: ${path ? `${path}: ` : ""}${issue.message}`, {
        file,
        ...(path && { path }),
        hint: 'each line is one task: {"id": "…", "prompt": "…"} plus optional "vars", "model", "attach"',
      })
    }
    const first = seen.get(r.output.id)
    if (first !== undefined)
      throw new ConfigError(`${at}: id "${escapeTerminal(r.output.id)}" is already used on line ${first}`, {
        file,
        hint: "ids name tasks in the results file and for --resume: make them unique",
      })
    seen.set(r.output.id, i + 1)
    tasks.push(r.output)
  }
  return tasks
}

/** 1-based shard `index` of `count`: the tasks at positions index-1, index-1+count, … */
export interface Shard {
  index: number
  count: number
}

export function shardTasks<T>(tasks: T[], shard: Shard | undefined): T[] {
  if (!shard) return tasks
  return tasks.filter((_, i) => i % shard.count === shard.index - 1)
}

/** "I/N" with 1 ≤ I ≤ N. */
export function parseShard(raw: string, flag = "--shard"): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(raw.trim())
  const index = m ? Number(m[1]) : Number.NaN
  const count = m ? Number(m[2]) : Number.NaN
  if (!m || count < 1 || index < 1 || index > count)
    throw new UsageError(`${flag} takes I/N with 1 ≤ I ≤ N, got "${escapeTerminal(raw)}"`, {
      hint: "--shard 2/4 runs the 2nd of 4 shards; --shard auto reads CI_NODE_INDEX/CI_NODE_TOTAL or JOB_COMPLETION_INDEX",
    })
  return { index, count }
}

/** `{{name}}` → vars.name; placeholders without a var stay as written. */
export function fillVars(prompt: string, vars: Record<string, string> | undefined): string {
  if (!vars) return prompt
  return prompt.replace(/\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g, (whole, name: string) =>
    Object.hasOwn(vars, name) ? vars[name]! : whole,
  )
}

/** A task id as a file name (per-task --record/--replay): anything but [A-Za-z0-9_-] as %XX. */
export function taskFileName(id: string): string {
  const safe = [...Buffer.from(id, "utf8")]
    .map((b) => {
      const c = String.fromCharCode(b)
      return /[A-Za-z0-9_-]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`
    })
    .join("")
  return `${safe}.jsonl`
}

/**
 * Runs `work` over `items`, at most `concurrency` at a time, in order of start. Once `signal`
 * aborts no new item starts; the running ones finish (they see the signal themselves).
 */
export async function runPool<T>(
  items: T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length && !signal.aborted) {
      const item = items[next++]!
      await work(item)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
}
