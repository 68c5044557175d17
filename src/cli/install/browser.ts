// `agent install --browser LINK`: what the agentrt:// scheme handler runs after a click, with
// no terminal. The same plan and write as the terminal path (index.ts); only the question is
// asked on a page served from 127.0.0.1 (docs/design.md §7-8). Nothing is written unless the page's
// Approve button is pressed; Deny, closing the tab or waiting out the timeout installs nothing.
import { appendFileSync, mkdirSync } from "node:fs"
import { join } from "node:path"
import {
  createApp,
  createPendingInstall,
  startLocalServer,
  type InstallDecision,
  type LocalServer,
  type PendingInstall,
} from "../../server/index.ts"
import { openBrowser } from "../../util/browser.ts"
import { AgentError, ApprovalRequiredError, FailureError, UsageError } from "../../util/errors.ts"
import { ensurePrivateDir } from "../../util/paths.ts"
import type { Ctx } from "../shared/context.ts"
import {
  applyInstall,
  decide,
  installScreen,
  planInstall,
  showScreen,
  type InstallArgs,
  type Plan,
} from "./plan.ts"

const DEFAULT_TIMEOUT_MS = 5 * 60_000
/** An opener that exits non-zero within this is reported at once as failed. */
const OPENER_WATCH_MS = 1500

type Outcome =
  | { status: "installed"; message: string }
  | { status: "failed"; error: unknown }
  | { status: "denied" }
  | { status: "timeout" }

export async function installViaBrowser(ctx: Ctx, args: InstallArgs, input: string): Promise<number> {
  const logLine = (line: string) => appendInstallLog(ctx, line)
  try {
    if (args.yes || args["dry-run"])
      throw new UsageError("--browser asks in the browser; it does not combine with --yes or --dry-run")
    const plan = planInstall(ctx, args, input)
    const outcome = await askInBrowser(ctx, args, plan)
    return finish(plan, outcome, logLine)
  } catch (e: unknown) {
    // Started by a click there is no terminal to read stderr: the log is where this shows up.
    logLine(`error: ${e instanceof Error ? e.message : String(e)}`)
    throw e
  }
}

async function askInBrowser(ctx: Ctx, args: InstallArgs, plan: Plan): Promise<Outcome> {
  const timeoutMs = installTimeout(ctx)
  let applied: Outcome | undefined
  const pending = createPendingInstall({
    name: plan.req.name,
    lines: installScreen(plan),
    onDecision: async (decision) => {
      if (decision === "denied") return `"${plan.req.name}" was not installed; nothing was written.`
      try {
        await applyInstall(ctx, args, plan, []) // variables stay unapproved, as with --yes
        const message = installedMessage(plan)
        applied = { status: "installed", message }
        return message
      } catch (e: unknown) {
        applied = { status: "failed", error: e }
        throw e
      }
    },
  })
  const server = await startLocalServer((port) => createApp({ port, install: pending }), {
    idleMs: timeoutMs,
  })
  try {
    const url = `${server.url}${pending.path}`
    ctx.log.info(`waiting for your answer in the browser: ${url}`)
    const failed = await openBrowser(url, { env: ctx.env, watchMs: OPENER_WATCH_MS }).then(
      () => undefined,
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    )
    if (failed !== undefined) {
      // Said at once, not after the install timeout. At a terminal the question moves there;
      // without one the page still waits at the URL, for whoever reads stderr or install.log.
      appendInstallLog(ctx, `${failed}; approval page: ${url}`)
      if (ctx.isInteractive) {
        ctx.log.warn(`${failed}; asking here instead`)
        await server.close()
        return await askInTerminal(ctx, args, plan)
      }
      ctx.log.warn(`${failed}; open this page yourself to answer: ${url}`)
    }
    const decision = await waitForDecision(pending, server, timeoutMs)
    if (decision === undefined) return { status: "timeout" }
    await pending.done
    return decision === "denied"
      ? { status: "denied" }
      : (applied ?? { status: "failed", error: new Error("the install did not run") })
  } finally {
    await server.close() // L08: the page is gone with the flow
  }
}

/** The terminal question, as `agent install` without --browser asks it. */
async function askInTerminal(ctx: Ctx, args: InstallArgs, plan: Plan): Promise<Outcome> {
  showScreen(plan)
  const approved = await decide(ctx, args, plan) // a "no" throws: exit 3, nothing written
  await applyInstall(ctx, args, plan, approved)
  return { status: "installed", message: installedMessage(plan) }
}

/** The decision, or undefined once timeoutMs passed (or the server closed) without one. */
async function waitForDecision(
  pending: PendingInstall,
  server: LocalServer,
  timeoutMs: number,
): Promise<InstallDecision | undefined> {
  let timer: Timer | undefined
  const timedOut = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, timeoutMs)))
  try {
    const first = await Promise.race([pending.decision, timedOut, server.closed.then(() => undefined)])
    if (first !== undefined) return first
    // A click may be in flight as the clock runs out: stop accepting, let it finish, then look.
    await server.close()
    return await Promise.race([pending.decision, Promise.resolve(undefined)])
  } finally {
    clearTimeout(timer)
  }
}

function finish(plan: Plan, outcome: Outcome, logLine: (line: string) => void): number {
  const name = plan.req.name
  switch (outcome.status) {
    case "installed":
      logLine(outcome.message)
      return 0
    case "failed":
      throw outcome.error instanceof AgentError
        ? outcome.error
        : new FailureError(`could not install "${name}"`, { cause: outcome.error })
    case "denied":
      logLine(`"${name}" was denied in the browser; nothing was written`)
      throw new ApprovalRequiredError(
        `"${name}" was not installed: it was denied in the browser; nothing was written`,
      )
    case "timeout":
      logLine(`no answer for "${name}" in time; nothing was written`)
      throw new ApprovalRequiredError(
        `"${name}" was not installed: no answer in the browser in time; nothing was written`,
        {
          hint: "click the install link again when you are ready to answer",
        },
      )
  }
}

function installedMessage(plan: Plan): string {
  const { req, target } = plan
  const message = `Installed "${req.name}" into ${target.file}.`
  if (plan.needs.length === 0) return message
  const vars = plan.needs.map((n) => n.variable)
  const mcp = target.scope === "file" ? ` --mcp ${target.file}` : ""
  return `${message} Before it runs, approve what it reads (unless already approved): agent env approve ${vars.join(" ")} --server ${req.name}${mcp}`
}

function installTimeout(ctx: Ctx): number {
  const raw = ctx.env.AGENTRT_INSTALL_TIMEOUT_MS
  if (raw === undefined || raw === "") return DEFAULT_TIMEOUT_MS
  const ms = Number(raw)
  if (!Number.isInteger(ms) || ms <= 0)
    throw new UsageError(
      `AGENTRT_INSTALL_TIMEOUT_MS must be a positive number of milliseconds, got "${raw.slice(0, 40)}"`,
    )
  return ms
}

/** `<stateDir>/logs/install.log`, one timestamped line per event; best effort. */
function appendInstallLog(ctx: Ctx, line: string): void {
  try {
    const dir = join(ensurePrivateDir(ctx.paths.stateDir), "logs")
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    appendFileSync(
      join(dir, "install.log"),
      `${new Date().toISOString()} ${line.replace(/[\r\n]+/g, " ")}\n`,
      { mode: 0o600 },
    )
  } catch (e: unknown) {
    // The log only mirrors what stderr already says; failing to write it must not hide that.
    ctx.log.debug(`cannot write install.log: ${e instanceof Error ? e.message : String(e)}`)
  }
}
