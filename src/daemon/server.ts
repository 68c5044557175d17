import {
  appendFileSync,
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  unlinkSync,
  writeFileSync,
} from "node:fs"
import { AgentError } from "../util/errors.ts"
import { listen, type Connection, type ConnectionEvents, type Listener } from "./listen.ts"
import type { DaemonPlace } from "./paths.ts"
import type { Pool } from "./pool.ts"
import {
  PROTOCOL_VERSION,
  encode,
  lineReader,
  type ClientMessage,
  type DaemonMessage,
  type DaemonStatus,
} from "./protocol.ts"

// The daemon's listening side (docs/daemon.md): one socket, requests run one at a time (a command
// runs with the caller's working directory and environment, and those are per process here), status
// and stop answered at once. It exits after `exitAfterMs` without a request, and closes held
// servers idle for `idleServerMs`.

export interface Caller {
  request: Extract<ClientMessage, { t: "run" }>
  /** performance.now() when the request's line arrived. */
  receivedAt: number
  send(msg: DaemonMessage): void
  /** The next message of kind `t` from the caller; rejects when the caller hangs up. */
  receive<K extends ClientMessage["t"]>(t: K): Promise<Extract<ClientMessage, { t: K }>>
  /** Fires on the caller's Ctrl-C (a cancel message) or when it hangs up. */
  onCancel(fn: () => void): void
  /** A tunnelled session's stdin: each `in` chunk, then null at `eof` or when the caller hangs up. */
  onInput(fn: (data: string | null) => void): void
  /**
   * The request goes on in the background (a serve session): the next request may start. It still
   * counts as running for the daemon's idle exit until it ends.
   */
  release(): void
}

export interface DaemonOptions {
  place: DaemonPlace
  version: string
  pool: Pool
  idleServerMs: number
  exitAfterMs: number
  execute(caller: Caller): Promise<void>
}

export class DaemonStartError extends AgentError {
  constructor(message: string, hint?: string) {
    super("unavailable", message, hint === undefined ? {} : { hint })
  }
}

export interface Daemon {
  log(line: string): void
  /** Resolves once the daemon has stopped (stop message, idle hour, signal). */
  stopped: Promise<void>
  stop(why: string): Promise<void>
}

export async function startDaemon(opts: DaemonOptions): Promise<Daemon> {
  const { place, pool } = opts
  preparePlace(place)
  const log = (line: string) => {
    try {
      appendFileSync(place.log, `${new Date().toISOString()} ${line}\n`, { mode: 0o600 })
    } catch {
      // A full disk must not stop the daemon; the log is for people, not for correctness.
    }
  }
  const started = Date.now()
  let lastActivity = started
  let requests = 0
  let queue: Promise<void> = Promise.resolve()
  let running = 0
  let stopping: Promise<void> | undefined
  let resolveStopped!: () => void
  const stopped = new Promise<void>((r) => (resolveStopped = r))

  const status = (): DaemonStatus => ({
    pid: process.pid,
    version: opts.version,
    socket: place.socket,
    log: place.log,
    uptimeMs: Date.now() - started,
    idleServerMs: opts.idleServerMs,
    exitAfterMs: opts.exitAfterMs,
    requests,
    servers: pool.status(),
  })

  let server: Listener | undefined
  const timer = setInterval(
    () => {
      void pool.sweep(opts.idleServerMs)
      if (running === 0 && Date.now() - lastActivity >= opts.exitAfterMs)
        void stop(`no request for ${Math.round(opts.exitAfterMs / 1000)} s`)
    },
    Math.max(50, Math.min(30_000, opts.idleServerMs / 4, opts.exitAfterMs / 4)),
  )

  async function stop(why: string): Promise<void> {
    stopping ??= (async () => {
      log(`stopping: ${why}`)
      clearInterval(timer)
      server?.close()
      await pool.close()
      for (const f of [place.socket, place.pidFile]) {
        try {
          if (process.platform !== "win32" || f !== place.socket) unlinkSync(f)
        } catch {
          // Already gone (a second stop, or a user removed it): nothing left to clean.
        }
      }
      resolveStopped()
    })()
    return stopping
  }

  function handle(socket: Connection): ConnectionEvents {
    const waiting = new Map<string, (m: ClientMessage) => void>()
    const cancels: (() => void)[] = []
    let input: ((data: string | null) => void) | undefined
    let release = () => {}
    let isClosed = false
    let isRun = false
    const cancel = () => {
      for (const fn of cancels.splice(0)) fn()
    }
    const send = (msg: DaemonMessage) => {
      if (!isClosed) socket.write(encode(msg))
    }
    const read = lineReader(
      (raw) => {
        const msg = raw as ClientMessage
        if (msg.t === "cancel") return cancel()
        if (msg.t === "in" || msg.t === "eof") return input?.(msg.t === "in" ? String(msg.data) : null)
        const w = waiting.get(msg.t)
        if (w) {
          waiting.delete(msg.t)
          return w(msg)
        }
        if (isRun) return
        if (msg.t === "status") {
          send({ t: "status", status: status() })
          return void socket.end()
        }
        if (msg.t === "stop") {
          send({ t: "stopping" })
          socket.end()
          return void stop("asked to stop")
        }
        if (msg.t === "run") {
          isRun = true
          if (msg.v !== PROTOCOL_VERSION) {
            send({
              t: "fallback",
              reason: `protocol version ${msg.v} (the daemon speaks ${PROTOCOL_VERSION})`,
            })
            return void socket.end()
          }
          lastActivity = Date.now()
          const caller: Caller = {
            request: msg,
            receivedAt: performance.now(),
            send,
            receive: (t) =>
              new Promise((resolve, reject) => {
                if (isClosed) return reject(new Error("the caller hung up"))
                waiting.set(t, (m) =>
                  m.t === t ? resolve(m as never) : reject(new Error("the caller hung up")),
                )
              }),
            onCancel: (fn) => (isClosed ? fn() : void cancels.push(fn)),
            onInput: (fn) => {
              input = fn
              if (isClosed) fn(null)
            },
            release: () => release(),
          }
          queue = queue.then(
            () =>
              new Promise<void>((released) => {
                release = released
                void run().finally(released)
              }),
          )
          const run = async () => {
            if (isClosed) return
            running++
            requests++
            const t0 = performance.now()
            const cpu0 = process.cpuUsage()
            try {
              await opts.execute(caller)
              const cpu = process.cpuUsage(cpu0)
              log(
                `ran "${msg.argv.slice(0, 2).join(" ")}" in ${(performance.now() - t0).toFixed(1)} ms (${((cpu.user + cpu.system) / 1000).toFixed(1)} ms CPU)`,
              )
            } catch (e: unknown) {
              log(`request failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`)
              send({ t: "fallback", reason: "the daemon failed to run it" })
            } finally {
              running--
              lastActivity = Date.now()
              socket.end()
            }
          }
        }
      },
      (line) => log(`a caller sent a line that is not JSON (${line.length} bytes)`),
    )
    return {
      data: read,
      close() {
        isClosed = true
        cancel()
        input?.(null)
        for (const fn of waiting.values()) fn({ t: "cancel" })
      },
      error: (message) => log(`caller connection: ${message}`),
    }
  }

  // S30: created 0600 from the start (umask), inside a 0700 directory.
  const old = process.platform === "win32" ? undefined : process.umask(0o177)
  try {
    server = await listen(place.socket, handle)
  } catch (e: unknown) {
    throw new DaemonStartError(
      `cannot listen on ${place.socket}: ${e instanceof Error ? e.message : String(e)}`,
    )
  } finally {
    if (old !== undefined) process.umask(old)
  }
  if (process.platform !== "win32") chmodSync(place.socket, 0o600)
  writeFileSync(place.pidFile, `${process.pid}\n`, { mode: 0o600 })
  log(`listening on ${place.socket} (pid ${process.pid}, version ${opts.version})`)
  return { log, stopped, stop }
}

/** The 0700 directory, refusing one that is not ours; a stale socket from a crashed daemon is removed. */
function preparePlace(place: DaemonPlace): void {
  mkdirSync(place.dir, { recursive: true, mode: 0o700 })
  if (process.platform === "win32") return
  const st = lstatSync(place.dir)
  if (!st.isDirectory() || (process.getuid && st.uid !== process.getuid()))
    throw new DaemonStartError(`${place.dir} is not a directory of this user`, "remove it, then start again")
  chmodSync(place.dir, 0o700)
  if (existsSync(place.socket)) unlinkSync(place.socket)
}
