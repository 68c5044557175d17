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
import { locations } from "../../util/locations.ts"
import { openChannel } from "./daemon-channel.ts"

// The caller's side of a warm command (docs/daemon.md): a few hundred lines' worth of work at most,
// no MCP SDK and no config validator (tests/cli/daemon-client-load.test.ts checks it). It hands
// the command line to the user's daemon, prints what comes back, answers the daemon's questions
// (a variable's value, a prompt's answer, stdin) and forwards Ctrl-C. Anything wrong with the
// daemon means a cold run: undefined.
//
// No node:fs on the warm path: loading it costs a compiled binary ~1.7 ms (measured with marks in
// one warm call: the whole client side is ~4 ms over Bun's start), more than the call's margin. The
// socket check, the terminal check and the output use Bun's own file API; node:fs loads only to
// start the daemon or read the user config's autoStart (docs/performance.md).

type Env = Record<string, string | undefined>

/** The commands a daemon runs (their flags are the cold ones: the daemon parses them). */
export function isWarmCommand(argv: string[]): boolean {
  const end = argv.indexOf("--")
  const args = end < 0 ? argv : argv.slice(0, end)
  if (args.some((a) => a === "--help" || a === "-h" || a === "--no-daemon" || a === "--daemon=false"))
    return false
  const [group, verb] = args.filter((a) => !a.startsWith("-"))
  // A batch runs cold: it starts its servers once itself, reads the CI's shard variables from its
  // own environment, and its results file must not outlive a kill of the process that was started.
  if (group === "run") return !args.some((a) => a === "--batch" || a.startsWith("--batch="))
  if (group !== "mcp") return false
  // serve and proxy on stdio share the daemon's held servers (docs/serve.md); `serve --http` is a
  // listener of its own and runs in this process.
  if (verb === "serve") return !args.some((a) => a === "--http" || a.startsWith("--http="))
  return ["list", "tools", "call", "prompts", "prompt", "resources", "read", "proxy"].includes(verb ?? "")
}

export function placeFor(env: Env): DaemonPlace {
  return daemonPlace(locations(env).stateDir, {
    platform: process.platform,
    ...(process.getuid && { uid: process.getuid() }),
    ...((env.USERNAME ?? env.USER) !== undefined && { user: env.USERNAME ?? env.USER }),
  })
}

/** Runs argv in the daemon: its exit code, or undefined to run cold (with a warning when the daemon failed). */
/** What main.ts asked of /proc/self/fd/0–2 before the client loaded (Linux): stats, or undefined. */
export type FdStats = readonly Promise<FdStat | undefined>[]
type FdStat = { isCharacterDevice(): boolean; rdev: number }

export async function runWarm(argv: string[], env: Env, fdStats?: FdStats): Promise<number | undefined> {
  // --debug shows why a command ran cold (a sign-in handed back, another protocol version).
  const log = lazyLog(argv.includes("-q") || argv.includes("--quiet") ? 0 : argv.includes("--debug") ? 4 : 3)
  // A relative AGENTRT_HOME is an error the cold run reports properly.
  if (env.AGENTRT_HOME && !env.AGENTRT_HOME.startsWith("/") && process.platform !== "win32") return undefined
  const place = placeFor(env)
  // Asked at once, beside the socket check (each is a stat): the request needs them when it connects.
  const terminals = process.platform === "linux" ? whichTerminals(fdStats) : undefined
  const problem = await socketProblem(place)
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
  return await talk(place, argv, env, log, await (terminals ?? whichTerminals()))
}

/**
 * S30: a socket that is not a socket, or that another user owns, is never connected to. Bun's
 * stat, not node:fs (which the warm path does not load): it follows a symlink where lstat would
 * not, and gives the same verdict, since what is judged is then the socket at the end of the
 * link, and a socket another user made is still theirs (uid) wherever the link points.
 */
export async function socketProblem(place: DaemonPlace): Promise<string | "missing" | undefined> {
  if (process.platform === "win32") return undefined
  try {
    return judgeSocket(place.socket, await Bun.file(place.socket).stat())
  } catch {
    return "missing"
  }
}

function judgeSocket(path: string, st: { isSocket(): boolean; uid: number }): string | undefined {
  if (!st.isSocket()) return `${path} is not a socket`
  if (process.getuid && st.uid !== process.getuid())
    return `${path} belongs to uid ${st.uid}, not to you (uid ${process.getuid()})`
  return undefined
}

/** node:fs, for the paths off the warm call (starting the daemon, reading autoStart). */
function fs(): typeof import("node:fs") {
  return require("node:fs") as typeof import("node:fs")
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
    const doc = JSON.parse(fs().readFileSync(locations(env).userConfig, "utf8")) as {
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
  const { spawn } = await import("node:child_process")
  const [cmd, ...args] = selfCommand()
  fs().mkdirSync(place.dir, { recursive: true, mode: 0o700 })
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
    if ((await socketProblem(place)) === undefined && (await ping(place))) return true
    await Bun.sleep(25)
  }
  return exited ?? "it did not answer within 5 s"
}

function ping(place: DaemonPlace): Promise<boolean> {
  return new Promise((resolve) => {
    const c = openChannel(place.socket, {
      open: () => {
        c.close()
        resolve(true)
      },
      data: () => {},
      error: () => resolve(false),
      close: () => resolve(false),
    })
  })
}

/** One status/stop exchange; undefined when no daemon answers. */
export async function ask(place: DaemonPlace, msg: ClientMessage): Promise<DaemonMessage | undefined> {
  if ((await socketProblem(place)) !== undefined) return undefined
  return new Promise((resolve) => {
    const read = lineReader((m) => resolve(m as DaemonMessage))
    const c = openChannel(place.socket, {
      open: () => c.write(encode(msg)),
      data: read,
      error: () => resolve(undefined),
      close: () => resolve(undefined),
    })
  })
}

function whichTerminals(pre?: FdStats): Promise<[boolean, boolean, boolean]> {
  return Promise.all([isTerminal(0, pre?.[0]), isTerminal(1, pre?.[1]), isTerminal(2, pre?.[2])])
}

async function talk(
  place: DaemonPlace,
  argv: string[],
  env: Env,
  log: LazyLog,
  [stdin, stdout, stderr]: [boolean, boolean, boolean],
) {
  // The command's output, in order; the exit waits for it (main.ts exits right after).
  let written: Promise<unknown> = Promise.resolve()
  const code = await new Promise<number | undefined>((resolve) => {
    let hasOutput = false
    let isDone = false
    let lines: import("node:readline").Interface | undefined
    const finish = (code: number | undefined) => {
      if (isDone) return
      isDone = true
      off()
      lines?.close()
      channel.close()
      resolve(code)
    }
    const send = (m: ClientMessage) => channel.write(encode(m))
    const onMessage = (raw: unknown) => {
      const m = raw as DaemonMessage
      switch (m.t) {
        case "out":
          hasOutput = true
          // Bun.write, not process.stdout: the stream costs ~8 ms on first use in a compiled binary.
          // A reader that went away (`| head -1`) takes the rest with it, as a closed pipe would.
          written = written
            .then(() => Bun.write(m.fd === 1 ? Bun.stdout : Bun.stderr, m.data))
            .catch(() => {})
          return
        case "env?":
          // Only the names asked for, and only their values (S31).
          return send({ t: "env", values: Object.fromEntries(m.names.map((n) => [n, env[n] ?? null])) })
        case "ask":
          void import("node:readline").then(({ createInterface }) => {
            lines ??= createInterface({ input: process.stdin, terminal: false })
            lines.once("line", (text) => send({ t: "answer", text }))
            lines.once("close", () => send({ t: "answer", text: null }))
          })
          return
        case "stdin?":
          void new Response(Bun.stdin.stream()).text().then((text) => send({ t: "stdin", text }))
          return
        case "tunnel":
          // serve/proxy: stdin carries the MCP client's JSON-RPC lines to the daemon from here on;
          // fd 1 `out` messages are the replies. Moved as text, never parsed here (no SDK).
          hasOutput = true // the client has been answered: a cold rerun would confuse it
          lines?.close()
          void pump((data) => send({ t: "in", data })).then(() => send({ t: "eof" }))
          return
        case "exit":
          return finish(m.code)
        case "fallback":
          log.debug(`the daemon handed the command back: ${m.reason}`)
          return finish(undefined)
      }
    }
    const channel = openChannel(place.socket, {
      open: () =>
        send({
          t: "run",
          v: PROTOCOL_VERSION,
          argv,
          cwd: process.cwd(),
          env: baseEnv(env),
          tty: {
            stdin,
            stdout,
            stderr,
            ...(stderr && process.stderr.columns !== undefined && { columns: process.stderr.columns }),
          },
        }),
      data: lineReader(onMessage),
      error: (code) => {
        if (isDone || hasOutput) return // "close" reports a break after output
        log.warn(`the daemon is not answering (${code}); running without it`)
        finish(undefined)
      },
      close: () => {
        if (isDone) return
        if (!hasOutput) {
          log.warn("the daemon stopped before answering; running without it")
          return finish(undefined)
        }
        // Output has been shown (a tool may have run): running again could do it twice.
        log.error("the daemon stopped during the command")
        finish(5)
      },
    })
    // Ctrl-C: the daemon cancels the command (the server gets notifications/cancelled) and
    // answers with exit 130; a second Ctrl-C finds no handler and main.ts exits at once.
    const off = onInterrupt(() => send({ t: "cancel" }))
  })
  await written
  return code
}

/** Each chunk of stdin as text, until it ends. */
async function pump(fn: (data: string) => void): Promise<void> {
  const decoder = new TextDecoder()
  try {
    for await (const chunk of Bun.stdin.stream()) fn(decoder.decode(chunk, { stream: true }))
  } catch {
    // stdin unreadable (closed under us): the same as its end
  }
  const rest = decoder.decode()
  if (rest !== "") fn(rest)
}

/**
 * isatty without node:tty or node:fs (~2 ms each to load in a compiled binary): on Linux the
 * descriptor's /proc link leads to a terminal's character device (its major number: 4 and 5 the
 * console and tty devices, 136–143 pseudo-terminals, 3 old BSD ones, 166/188/204 USB and serial
 * ttys); elsewhere, node:tty.
 */
async function isTerminal(fd: 0 | 1 | 2, pre?: Promise<FdStat | undefined>): Promise<boolean> {
  if (process.platform === "linux") {
    try {
      const st = (await pre) ?? (await Bun.file(`/proc/self/fd/${fd}`).stat())
      return st.isCharacterDevice() && TTY_MAJORS.has(majorOf(st.rdev))
    } catch {
      // No /proc mounted (some containers), or a closed descriptor: ask node:tty below.
    }
  }
  return (require("node:tty") as typeof import("node:tty")).isatty(fd)
}

const TTY_MAJORS = new Set([3, 4, 5, 136, 137, 138, 139, 140, 141, 142, 143, 166, 188, 204])

/** Linux's dev_t layout (glibc's gnu_dev_major). */
function majorOf(rdev: number): number {
  return Number(((BigInt(rdev) >> 8n) & 0xfffn) | ((BigInt(rdev) >> 32n) & ~0xfffn))
}

interface LazyLog {
  warn(m: string): void
  error(m: string): void
  debug(m: string): void
}

/** The CLI's log (consola, node:util), loaded only when a warm call has something to say. */
function lazyLog(level: number): LazyLog {
  const get = () => (require("../../util/log.ts") as typeof import("../../util/log.ts")).createLog(level)
  return { warn: (m) => get().warn(m), error: (m) => get().error(m), debug: (m) => get().debug(m) }
}
