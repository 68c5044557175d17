import { homedir } from "node:os"
import { basename, resolve } from "node:path"
import pkg from "../../../package.json" with { type: "json" }
import {
  applyPlan,
  describeAction,
  hostOs,
  planRegister,
  planUnregister,
  type ActionReport,
  type Plan,
} from "../../install/index.ts"
import { UsageError } from "../../util/errors.ts"
import type { Ctx } from "../shared/context.ts"
import { printJson, printText } from "../shared/output.ts"

// `agent install --register | --unregister [--exec PATH] [--dry-run]`: makes the OS start
// `agent install --browser <link>` for agentrt:// links. The domain (install/register.ts)
// plans; this file picks the binary, applies or previews the plan and reports each action.

export interface RegisterArgs {
  register?: boolean
  unregister?: boolean
  exec?: string
  "dry-run"?: boolean
}

declare const AGENT_VERSION: string | undefined

export async function run(ctx: Ctx, args: RegisterArgs): Promise<number> {
  if (args.register && args.unregister) throw new UsageError("give --register or --unregister, not both")
  const isDryRun = Boolean(args["dry-run"])
  const plan = args.register
    ? planRegister({
        os: hostOs(),
        exec: agentBinary(ctx, args.exec),
        env: ctx.env,
        home: ctx.env.HOME || homedir(),
        stateDir: ctx.paths.stateDir,
        version: typeof AGENT_VERSION === "string" ? AGENT_VERSION : pkg.version,
        which: (cmd) => Bun.which(cmd, { PATH: ctx.env.PATH ?? "" }) ?? undefined,
        hasRegistryKey,
      })
    : planUnregister({
        env: ctx.env,
        stateDir: ctx.paths.stateDir,
        which: (cmd) => Bun.which(cmd, { PATH: ctx.env.PATH ?? "" }) ?? undefined,
      })
  const reports: ActionReport[] = isDryRun
    ? plan.actions.map((a) => ({ kind: a.kind, text: describeAction(a).planned, isOk: true }))
    : await applyPlan(plan, { env: ctx.env, stateDir: ctx.paths.stateDir })
  for (const r of reports) if (r.detail) ctx.log.warn(`${r.text}, but: ${r.detail}`)
  if (ctx.output === "json") printJson(report(plan, reports, isDryRun))
  else for (const line of [...reports.map((r) => r.text), ...plan.notes]) printText(line)
  return 0
}

/**
 * The OS must start a real executable: the compiled binary, whose path is process.execPath.
 * Under `bun src/main.ts` that path is the Bun runtime, which would not run agent at all.
 */
function agentBinary(ctx: Ctx, override: string | undefined): string {
  if (override !== undefined) {
    if (override === "") throw new UsageError("--exec needs a path")
    return resolve(ctx.cwd, override)
  }
  const exe = basename(process.execPath).toLowerCase()
  if (exe === "bun" || exe === "bun.exe") {
    throw new UsageError(
      "agent is running from source under Bun; an agentrt:// handler needs the compiled binary",
      {
        hint: "build it with `npm run build`, then run `dist/agent install --register` (or pass --exec PATH)",
      },
    )
  }
  return process.execPath
}

function hasRegistryKey(key: string): boolean {
  if (process.platform !== "win32") return false
  return Bun.spawnSync(["reg", "query", key], { stdout: "ignore", stderr: "ignore" }).exitCode === 0
}

function report(plan: Plan, reports: ActionReport[], isDryRun: boolean) {
  return {
    mode: plan.mode,
    os: plan.os,
    dryRun: isDryRun,
    exec: plan.record?.exec,
    isRegistered: plan.mode === "register" ? !isDryRun : false,
    actions: reports.map((r) => ({
      kind: r.kind,
      text: r.text,
      ok: r.isOk,
      ...(r.detail ? { detail: r.detail } : {}),
    })),
    record: plan.record,
    notes: plan.notes,
  }
}
