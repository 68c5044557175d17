import { readFileSync } from "node:fs"
import { loadDaemonServer } from "../../daemon/index.ts"
import { parseDuration } from "../../util/duration.ts"
import { UnavailableError } from "../../util/errors.ts"
import { runSecrets } from "../../util/secrets.ts"
import { createContext } from "../shared/context.ts"
import { guardStream } from "../shared/redact-streams.ts"
import { placeFor, socketProblem, ask } from "../shared/daemon-client.ts"
import { warmRequest } from "../shared/warm.ts"
import { createExecutor } from "./execute.ts"

// `agent daemon run`: the daemon process. Its own stdout/stderr lead nowhere (start detaches it);
// while a caller's command runs they carry that command's output to the caller, else the log file.

declare const AGENT_VERSION: string | undefined

export const DEFAULT_IDLE_SERVER_MS = 10 * 60_000
export const DEFAULT_EXIT_AFTER_MS = 60 * 60_000

export async function runDaemon(opts: {
  idleServerMs?: number | undefined
  exitAfterMs?: number | undefined
  runCli: (argv: string[]) => Promise<number>
}): Promise<number> {
  const ctx = createContext({})
  const place = placeFor(ctx.env)
  if ((await ask(place, { t: "status", v: 1 }))?.t === "status")
    throw new UnavailableError("a daemon is already running", { hint: "agent daemon status" })
  const problem = await socketProblem(place)
  if (problem !== undefined && problem !== "missing")
    throw new UnavailableError(`cannot start the daemon: ${problem}`)
  const settings = configured(ctx.paths.userConfig)
  const { startDaemon, createPool } = await loadDaemonServer()
  let logLine: (l: string) => void = () => {}
  const pool = createPool((l) => logLine(l))
  const daemon = await startDaemon({
    place,
    version: typeof AGENT_VERSION === "string" ? AGENT_VERSION : "dev",
    pool,
    idleServerMs: opts.idleServerMs ?? settings.idleServerMs ?? DEFAULT_IDLE_SERVER_MS,
    exitAfterMs: opts.exitAfterMs ?? settings.exitAfterMs ?? DEFAULT_EXIT_AFTER_MS,
    execute: (caller) => executor(caller),
  })
  logLine = daemon.log
  const isTraced = Boolean(ctx.env.AGENTRT_TRACE) && ctx.env.AGENTRT_TRACE !== "0"
  const executor = createExecutor({ pool, runCli: opts.runCli, log: daemon.log, isTraced })
  routeOutput(daemon.log)
  // main.ts's handlers would exit at once (130) and leave the socket and the held servers behind.
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.removeAllListeners(sig)
    process.on(sig, () => void daemon.stop(`got ${sig}`))
  }
  await daemon.stopped
  return 0
}

/** process.stdout/stderr (and their isTTY) stand for the current caller's; between requests, the log. */
function routeOutput(log: (l: string) => void): void {
  for (const [fd, stream] of [
    [1, process.stdout],
    [2, process.stderr],
  ] as const) {
    stream.write = ((chunk: unknown, encoding?: unknown, cb?: unknown) => {
      const text = typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8")
      const warm = warmRequest()
      if (warm) {
        // An empty write (the final flush after a command) would be an empty message to the caller.
        if (text !== "") warm.write(fd, text)
      } else if (text.trim() !== "") log(`(outside a request) ${text.trimEnd()}`)
      const done = typeof encoding === "function" ? encoding : cb
      if (typeof done === "function") queueMicrotask(() => (done as () => void)())
      return true
    }) as typeof stream.write
    Object.defineProperty(stream, "isTTY", {
      configurable: true,
      get: () => (fd === 1 ? warmRequest()?.tty.stdout : warmRequest()?.tty.stderr) ?? false,
    })
    Object.defineProperty(stream, "columns", { configurable: true, get: () => warmRequest()?.tty.columns })
  }
  // P03: the redaction guard runCli put on the streams was replaced above; it goes back on top.
  guardStream(process.stdout, runSecrets, true)
  guardStream(process.stderr, runSecrets, false)
  Object.defineProperty(process.stdin, "isTTY", {
    configurable: true,
    get: () => warmRequest()?.tty.stdin ?? false,
  })
}

/** `"daemon": {"idleTimeout": "10m", "exitAfter": "1h"}` in the user config (validated by the config schema). */
function configured(file: string): { idleServerMs?: number; exitAfterMs?: number } {
  try {
    const doc = JSON.parse(readFileSync(file, "utf8")) as {
      daemon?: { idleTimeout?: string; exitAfter?: string }
    }
    const idle = doc.daemon?.idleTimeout && parseDuration(doc.daemon.idleTimeout)
    const exit = doc.daemon?.exitAfter && parseDuration(doc.daemon.exitAfter)
    return { ...(idle && { idleServerMs: idle }), ...(exit && { exitAfterMs: exit }) }
  } catch {
    return {} // no user config, or unreadable: the defaults
  }
}
