// Carries out a register/unregister plan (register.ts), one action at a time, and describes
// actions in words for the CLI's one-line-per-action report.
import { readFileSync } from "node:fs"
import { rename, rm, unlink } from "node:fs/promises"
import { basename } from "node:path"
import { writeFileAtomic, describeFsError, fsErrorCode } from "../util/atomic.ts"
import { AgentError, FailureError } from "../util/errors.ts"
import { ensurePrivateDir } from "../util/paths.ts"
import { setMimeDefault, MIME_TYPE } from "./register-formats.ts"
import type { Action, HandlerRecord, Plan } from "./register.ts"

export interface ActionReport {
  kind: Action["kind"]
  /** "wrote …", "ran …"; with a dry run "would write …". */
  text: string
  /** false: an optional helper failed; the registration works without it. */
  isOk: boolean
  detail?: string
}

export async function applyPlan(
  plan: Plan,
  opts: { env: Record<string, string | undefined>; stateDir: string },
): Promise<ActionReport[]> {
  const done: ActionReport[] = []
  for (const action of plan.actions) {
    try {
      const detail = await applyAction(action, opts)
      done.push({ kind: action.kind, text: describeAction(action).past, isOk: detail === undefined, detail })
    } catch (e: unknown) {
      const undo =
        plan.mode === "register"
          ? "run `agent install --unregister` to undo them"
          : "run `agent install --unregister` again"
      const steps = done.length > 0 ? `; done before that: ${done.map((d) => d.text).join("; ")}` : ""
      throw new FailureError(`could not ${describeAction(action).present}: ${errorText(e)}${steps}`, {
        cause: e,
        hint: done.length > 0 ? undo : undefined,
      })
    }
  }
  return done
}

/** Returns a warning for an optional step that failed, undefined when all went well. */
async function applyAction(
  action: Action,
  opts: { env: Record<string, string | undefined>; stateDir: string },
): Promise<string | undefined> {
  switch (action.kind) {
    case "write":
      await writeFileAtomic(action.path, action.content, { mode: action.mode })
      return undefined
    case "remove":
      await rm(action.path, { recursive: action.recursive ?? false, force: true })
      return undefined
    case "rename":
      await rename(action.from, action.to)
      return undefined
    case "mimeapps": {
      const text = setMimeDefault(readOrEmpty(action.path), MIME_TYPE, action.value)
      // Only our entry was ever in a file we created (xdg-mime adds just the section header).
      if (action.isLeftRemovable && /^\s*(\[Default Applications\]\s*)?$/.test(text))
        await rm(action.path, { force: true })
      else await writeFileAtomic(action.path, text, { mode: 0o644 })
      return undefined
    }
    case "run":
      return runHelper(action.argv, action.isOptional ?? false, opts.env)
    case "record":
      await writeRecord(action.path, action.record, opts.stateDir)
      return undefined
  }
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, "utf8")
  } catch (e: unknown) {
    if (fsErrorCode(e) === "ENOENT") return ""
    throw e
  }
}

async function writeRecord(path: string, record: HandlerRecord | undefined, stateDir: string) {
  if (record === undefined) {
    await unlink(path).catch((e: unknown) => {
      // Already gone is the state we want.
      if (fsErrorCode(e) !== "ENOENT") throw e
    })
    return
  }
  ensurePrivateDir(stateDir)
  await writeFileAtomic(path, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 })
}

function runHelper(
  argv: readonly string[],
  isOptional: boolean,
  env: Record<string, string | undefined>,
): string | undefined {
  // argv, never a shell: the binary path and the scheme values reach the helper verbatim.
  const r = Bun.spawnSync([...argv], { env: env as Record<string, string>, stdout: "pipe", stderr: "pipe" })
  if (r.exitCode === 0) return undefined
  const why =
    `${basename(argv[0] ?? "")} exited with ${r.exitCode}: ${r.stderr.toString().trim().split("\n")[0] ?? ""}`.trim()
  if (isOptional) return why
  throw new FailureError(why)
}

function errorText(e: unknown): string {
  if (e instanceof AgentError) return e.message
  return describeFsError(e)
}

/** Quote an argv element for display only (never executed). */
function shown(arg: string): string {
  return /^[\w@%+=:,./\\-]+$/.test(arg) ? arg : JSON.stringify(arg)
}

export function describeAction(action: Action): { present: string; past: string; planned: string } {
  const say = (verb: [string, string], rest: string) => ({
    present: `${verb[0]} ${rest}`,
    past: `${verb[1]} ${rest}`,
    planned: `would ${verb[0]} ${rest}`,
  })
  switch (action.kind) {
    case "write":
      return say(["write", "wrote"], action.path)
    case "remove":
      return say(["remove", "removed"], action.path)
    case "rename":
      return say(["rename", "renamed"], `${action.from} to ${basename(action.to)}`)
    case "mimeapps":
      return action.value === undefined
        ? say(["remove", "removed"], `${MIME_TYPE} from ${action.path}`)
        : say(["set", "set"], `${MIME_TYPE}=${action.value} in ${action.path}`)
    case "run":
      return say(
        ["run", "ran"],
        [basename(action.argv[0] ?? ""), ...action.argv.slice(1)].map(shown).join(" "),
      )
    case "record":
      return action.record === undefined
        ? say(["remove", "removed"], `the record ${action.path}`)
        : say(["record", "recorded"], `the registration in ${action.path}`)
  }
}
