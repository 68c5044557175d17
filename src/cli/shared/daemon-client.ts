import { spawn } from "node:child_process"
import { lstatSync, mkdirSync, readFileSync } from "node:fs"
import { createConnection, type Socket } from "node:net"
import { createInterface } from "node:readline"
import {
  PROTOCOL_VERSION,
  baseEnv,
  daemonPlace,
  encode,
  lineReader,
  type ClientMessage,
  type DaemonMessage,
  type DaemonPlace,
} from "../../daemon/index.ts"
import { onInterrupt } from "../../util/abort.ts"
import { createLog } from "../../util/log.ts"
import { resolvePaths } from "../../util/paths.ts"

// The caller's side of a warm command (docs/daemon.md): a few hundred lines' worth of work at most,
// no MCP SDK and no config validator (tests/cli/daemon-client-load.test.ts checks it). It hands
// the command line to the user's daemon, prints what comes back, answers the daemon's questions
// (a variable's value, a prompt's answer, stdin) and forwards Ctrl-C. Anything wrong with the
// daemon means a cold run: undefined.

type Env = Record<string, string | undefined>

/** The commands a daemon runs (their flags are the cold ones: the daemon parses them). */
export function isWarmCommand(argv: string[]): boolean {
  const end = argv.indexOf("--")
  const args = end < 0 ? argv : argv.slice(0, end)
  if (args.some((a) => a === "--help" || a === "-h" || a === "--no-daemon" || a === "--daemon=false"))
    return false
  const [group, verb] = args.filter((a) => !a.startsWith("-"))
  if (group === "run") return true
  return (
    group === "mcp" &&
    ["list", "tools", "call", "prompts", "prompt", "resources", "read"].includes(verb ?? "")
  )
}

export function placeFor(env: Env): DaemonPlace {
  return daemonPlace(resolvePaths(env).stateDir, {
    platform: process.platform,
    ...(process.getuid && { uid: process.getuid() }),
    ...((env.USERNAME ?? env.USER) !== undefined && { user: env.USERNAME ?? env.USER }),
  })
}

/** Runs argv in the daemon: its exit code, or undefined to run cold (with a warning when the daemon failed). */
export async function runWarm(argv: string[], env: Env): Promise<number | undefined> {
  const log = createLog(argv.includes("-q") || argv.includes("--quiet") ? 0 : 3)
  let place: DaemonPlace
  try {
    place = placeFor(env)
  } catch {
    return undefined // a bad AGENTRT_HOME: the cold run reports it properly
  }
  const problem = socketProblem(place)
  if (problem === "missing") {
    if (!wantsStart(argv, env)) return undefined
    const started = await startDaemon(place, env)
    if (started !== true) {
      log.warn(`could not start the daemon (${started}); running without it`)
      return undefined
    }
  } else if (problem) {
    log.warn(`not using the daemon: ${problem}; running without it`)
    return undefined
  }
  return await talk(place, argv, env, log)
}

/** S30: a socket that is not a socket, or that another user owns, is never connected to. */
export function socketProblem(place: DaemonPlace): string | "missing" | undefined {
  if (process.platform === "win32") return undefined
  try {
    const st = lstatSync(place.socket)
    if (!st.isSocket()) return `${place.socket} is not a socket`
    if (process.getuid && st.uid !== process.getuid())
      return `${place.socket} belongs to uid ${st.uid}, not to you (uid ${process.getuid()})`
    return undefined
  } catch {
    return "missing"
  }
}

function wantsStart(argv: string[], env: Env): boolean {
  const end = argv.indexOf("--")
  const args = end < 0 ? argv : argv.slice(0, end)
  if (args.includes("--daemon")) return true
  return readAutoStart(env)
}

/** The user config's `"daemon": {"autoStart": true}`, read without the validator (a broken file: no). */
function readAutoStart(env: Env): boolean {
  try {
    const doc = JSON.parse(readFileSync(resolvePaths(env).userConfig, "utf8")) as {
      daemon?: { autoStart?: unknown }
    }
    return doc.daemon?.autoStart === true
  } catch {
    return false // no user config, or one with comments: the cold run reads it properly
  }
}

/** The argv that runs this program again (the compiled binary, or bun + src/main.ts). */
export function selfCommand(): string[] {
  const script = process.argv[1]
  return script && /\.[cm]?[jt]s$/.test(script) ? [process.execPath, script] : [process.execPath]
}

/** Starts `agent daemon run` in the background and waits until it answers; true, or why not. */
export async function startDaemon(
  place: DaemonPlace,
  env: Env,
  extra: string[] = [],
): Promise<true | string> {
  const [cmd, ...args] = selfCommand()
  mkdirSync(place.dir, { recursive: true, mode: 0o700 })
  // S31: the daemon gets only the non-secret part of this environment; callers send the rest per request.
  const child = spawn(cmd!, [...args, "daemon", "run", ...extra], {
    detached: true,
    stdio: "ignore",
    // Not the caller's directory: the daemon outlives it, and commands carry their own.
    cwd: place.dir,
    env: baseEnv(env),
  })
  child.unref()
  let exited: string | undefined
  child.once("exit", (code) => (exited = `it exited with ${code}`))
  child.once("error", (e) => (exited = e.message))
  for (let i = 0; i < 200 && !exited; i++) {
    if (socketProblem(place) === undefined && (await ping(place))) return true
    await Bun.sleep(25)
  }
  return exited ?? "it did not answer within 5 s"
}

function ping(place: DaemonPlace): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection(place.socket)
    s.once("connect", () => {
      s.destroy()
      resolve(true)
    })
    s.once("error", () => resolve(false))
  })
}

/** One status/stop exchange; undefined when no daemon answers. */
export async function ask(place: DaemonPlace, msg: ClientMessage): Promise<DaemonMessage | undefined> {
  if (socketProblem(place) !== undefined) return undefined
  return new Promise((resolve) => {
    const s = createConnection(place.socket)
    s.setEncoding("utf8")
    s.once("connect", () => s.write(encode(msg)))
    s.once("error", () => resolve(undefined))
    s.on("close", () => resolve(undefined))
    s.on(
      "data",
      lineReader((m) => resolve(m as DaemonMessage)),
    )
  })
}

function talk(place: DaemonPlace, argv: string[], env: Env, log: ReturnType<typeof createLog>) {
  return new Promise<number | undefined>((resolve) => {
    const socket: Socket = createConnection(place.socket)
    socket.setEncoding("utf8")
    let hasOutput = false
    let isDone = false
    let lines: ReturnType<typeof createInterface> | undefined
    const finish = (code: number | undefined) => {
      if (isDone) return
      isDone = true
      off()
      lines?.close()
      socket.destroy()
      resolve(code)
    }
    // Ctrl-C: the daemon cancels the command (the server gets notifications/cancelled) and
    // answers with exit 130; a second Ctrl-C finds no handler and main.ts exits at once.
    const off = onInterrupt(() => socket.write(encode({ t: "cancel" })))
    const send = (m: ClientMessage) => socket.write(encode(m))
    socket.once("connect", () =>
      send({
        t: "run",
        v: PROTOCOL_VERSION,
        argv,
        cwd: process.cwd(),
        env: baseEnv(env),
        tty: {
          stdin: Boolean(process.stdin.isTTY),
          stdout: Boolean(process.stdout.isTTY),
          stderr: Boolean(process.stderr.isTTY),
          ...(process.stderr.columns !== undefined && { columns: process.stderr.columns }),
        },
      }),
    )
    socket.on("error", (e: NodeJS.ErrnoException) => {
      if (hasOutput) return // "close" reports it
      log.warn(`the daemon is not answering (${e.code ?? e.message}); running without it`)
      finish(undefined)
    })
    socket.on("close", () => {
      if (isDone) return
      if (!hasOutput) {
        log.warn("the daemon stopped before answering; running without it")
        return finish(undefined)
      }
      // Output has been shown (a tool may have run): running again could do it twice.
      log.error("the daemon stopped during the command")
      finish(5)
    })
    socket.on(
      "data",
      lineReader((raw) => {
        const m = raw as DaemonMessage
        switch (m.t) {
          case "out":
            hasOutput = true
            ;(m.fd === 1 ? process.stdout : process.stderr).write(m.data)
            return
          case "env?":
            // Only the names asked for, and only their values (S31).
            return send({ t: "env", values: Object.fromEntries(m.names.map((n) => [n, env[n] ?? null])) })
          case "ask":
            lines ??= createInterface({ input: process.stdin, terminal: false })
            lines.once("line", (text) => send({ t: "answer", text }))
            lines.once("close", () => send({ t: "answer", text: null }))
            return
          case "stdin?":
            void new Response(Bun.stdin.stream()).text().then((text) => send({ t: "stdin", text }))
            return
          case "exit":
            return void new Promise<void>((r) => process.stdout.write("", () => r())).then(() =>
              finish(m.code),
            )
          case "fallback":
            log.debug(`the daemon handed the command back: ${m.reason}`)
            return finish(undefined)
        }
      }),
    )
  })
}
