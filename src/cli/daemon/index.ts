import { ask, placeFor, socketProblem, startDaemon } from "../shared/daemon-client.ts"
import type { DaemonStatus } from "../../daemon/index.ts"
import { DURATION_HINT, parseDuration } from "../../util/duration.ts"
import { UnavailableError, UsageError } from "../../util/errors.ts"
import { command, commonArgs, outputArg } from "../command.ts"
import { createContext } from "../shared/context.ts"
import { printJson, printRaw, printTable } from "../shared/output.ts"
import { runDaemon } from "./run.ts"

// `agent daemon start|stop|status` (docs/daemon.md). `run` is the daemon itself, in the foreground
// (what `start` launches in the background); it gets runCli from cli/index.ts, since the daemon
// runs the commands its callers send in this process.

const timingArgs = {
  "idle-timeout": {
    type: "string",
    valueHint: "DURATION",
    description: 'Close a server nobody used for this long (default 10m; config "daemon": {"idleTimeout"})',
  },
  "exit-after": {
    type: "string",
    valueHint: "DURATION",
    description:
      'Stop the daemon after this long without a request (default 1h; config "daemon": {"exitAfter"})',
  },
} as const

export function daemonCommand(runCli: (argv: string[]) => Promise<number>) {
  return command({
    name: "daemon",
    description: "Keep servers running between commands: a per-user background process on a private socket",
    examples: [
      "agent daemon start                  # from now on agent mcp … and agent run use it",
      "agent daemon status --output json   # held servers: uptime, calls, memory",
      "agent mcp call pw browser_snapshot --no-daemon   # one command without it",
      "agent daemon stop",
    ],
    subCommands: {
      start: async () => start,
      stop: async () => stop,
      status: async () => status,
      run: async () =>
        command({
          name: "run",
          description:
            "Run the daemon in the foreground (what `agent daemon start` starts in the background)",
          args: { ...commonArgs, ...timingArgs },
          examples: ["agent daemon run --idle-timeout 2m   # logs go to the daemon's log file"],
          run: ({ args }) => runDaemon({ ...timings(args), runCli }),
        }),
    },
  })
}

function timings(args: { "idle-timeout"?: string; "exit-after"?: string }) {
  const ms = (raw: string | undefined, flag: string) => {
    if (raw === undefined) return undefined
    const n = parseDuration(raw)
    if (n === undefined) throw new UsageError(`${flag} must be ${DURATION_HINT}, got "${raw}"`)
    return n
  }
  return {
    idleServerMs: ms(args["idle-timeout"], "--idle-timeout"),
    exitAfterMs: ms(args["exit-after"], "--exit-after"),
  }
}

const start = command({
  name: "start",
  description: "Start the daemon in the background (nothing happens when one is running)",
  args: { ...commonArgs, ...outputArg, ...timingArgs },
  examples: ["agent daemon start", "agent daemon start --idle-timeout 30m --exit-after 8h"],
  async run({ args }) {
    const ctx = createContext(args)
    timings(args)
    const place = placeFor(ctx.env)
    const running = await ask(place, { t: "status", v: 1 })
    if (running?.t !== "status") {
      const extra = [
        ...(args["idle-timeout"] ? ["--idle-timeout", args["idle-timeout"]] : []),
        ...(args["exit-after"] ? ["--exit-after", args["exit-after"]] : []),
      ]
      const problem = await socketProblem(place)
      if (problem !== undefined && problem !== "missing")
        throw new UnavailableError(`cannot start the daemon: ${problem}`, {
          hint: "remove that file if it is stale",
        })
      const started = await startDaemon(place, ctx.env, extra)
      if (started !== true)
        throw new UnavailableError(`the daemon did not start: ${started}`, { hint: `its log: ${place.log}` })
    }
    const now = await ask(place, { t: "status", v: 1 })
    if (now?.t !== "status")
      throw new UnavailableError("the daemon does not answer", { hint: `its log: ${place.log}` })
    if (ctx.output === "json")
      return printJson({ running: true, alreadyRunning: running?.t === "status", ...now.status })
    ctx.log.info(
      running?.t === "status" ? `already running (pid ${now.status.pid})` : `started (pid ${now.status.pid})`,
    )
    printRaw(`socket: ${now.status.socket}\nlog: ${now.status.log}`)
  },
})

const stop = command({
  name: "stop",
  description: "Stop the daemon: every server it holds is closed (nothing happens when none runs)",
  args: { ...commonArgs, ...outputArg },
  examples: ["agent daemon stop", "agent daemon stop --output json"],
  async run({ args }) {
    const ctx = createContext(args)
    const place = placeFor(ctx.env)
    const answer = await ask(place, { t: "stop", v: 1 })
    const wasRunning = answer?.t === "stopping"
    // Wait until the socket is gone, so a `start` right after starts a fresh one.
    for (let i = 0; wasRunning && i < 200 && (await socketProblem(place)) !== "missing"; i++)
      await Bun.sleep(25)
    if (ctx.output === "json") return printJson({ stopped: wasRunning })
    printRaw(wasRunning ? "stopped" : "no daemon was running")
  },
})

const status = command({
  name: "status",
  description:
    "Show whether the daemon runs and each server it holds (uptime, calls, memory); exit 5 when none runs",
  args: { ...commonArgs, ...outputArg },
  examples: ["agent daemon status", "agent daemon status --output json"],
  async run({ args }) {
    const ctx = createContext(args)
    const place = placeFor(ctx.env)
    const problem = await socketProblem(place)
    const answer = problem === undefined ? await ask(place, { t: "status", v: 1 }) : undefined
    if (answer?.t !== "status") {
      const why = problem === "missing" || problem === undefined ? "no daemon is running" : problem
      if (ctx.output === "json") {
        ctx.log.error(why)
        printJson({ running: false, socket: place.socket, reason: why })
        return 5
      }
      throw new UnavailableError(why, { hint: "start one: agent daemon start" })
    }
    if (ctx.output === "json") return printJson({ running: true, ...answer.status })
    showStatus(answer.status)
  },
})

function showStatus(s: DaemonStatus): void {
  printRaw(
    `running: pid ${s.pid}, version ${s.version}, up ${duration(s.uptimeMs)}, ${s.requests} requests\n` +
      `socket: ${s.socket}\nlog: ${s.log}\n` +
      `idle servers close after ${duration(s.idleServerMs)}; the daemon stops after ${duration(s.exitAfterMs)} without a request`,
  )
  if (s.servers.length === 0) {
    printRaw("no servers held")
    return
  }
  printTable(
    s.servers.map((x) => [
      x.name,
      x.status,
      x.transport,
      x.pid === undefined ? "-" : String(x.pid),
      duration(x.uptimeMs),
      String(x.calls),
      x.rssBytes === undefined ? "-" : `${(x.rssBytes / 1048576).toFixed(1)} MB`,
      x.cwd,
    ]),
    ["SERVER", "STATUS", "TRANSPORT", "PID", "UPTIME", "CALLS", "MEMORY", "DIRECTORY"],
  )
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ""}`
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`
}
