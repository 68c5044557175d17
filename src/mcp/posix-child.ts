import type { FileSink } from "bun"
import { ECHILD, EINTR, type Libc } from "./libc-spawn.ts"
import type { ChildEvents, ServerChild } from "./server-child.ts"

// The parent's side of a server started by libc-spawn.ts: the few things StdioTransport and the
// manager use of a ChildProcess (server-child.ts), on Bun's own pipe reader and writer.
// No exit event comes from Bun for a child it did not start, so waitpid(WNOHANG) is polled:
// often once stdout has ended or the group was signalled (the server is on its way out; a
// prompt exit keeps close() fast), rarely otherwise (a server that died while a helper it
// started still holds its stdout open is noticed within a second, sooner early on, when a
// crash matters most to a connect; an idle daemon's held servers wake it once a second each).

/** The slow pace: from SLOW_FIRST_MS, half as slow again each time, up to SLOW_MAX_MS. */
const SLOW_FIRST_MS = 100
const SLOW_MAX_MS = 1000
/** After stdout's end or a signal: 0, 1, 2, 4, 8, 16, 16… ms for about a second, then slow again. */
const FAST_POLLS = [0, 1, 2, 4, 8, ...Array<number>(60).fill(16)]

/** At most this long between the exit and its event, for output still in the pipes. */
const DRAIN_MS = 20

type Emit = <K extends keyof ChildEvents>(k: K, ...a: Parameters<ChildEvents[K]>) => void

/** Node's names for Linux's signal numbers (x86-64 and arm64 share them). */
const SIGNALS = [
  "",
  "SIGHUP",
  "SIGINT",
  "SIGQUIT",
  "SIGILL",
  "SIGTRAP",
  "SIGABRT",
  "SIGBUS",
  "SIGFPE",
  "SIGKILL",
  "SIGUSR1",
  "SIGSEGV",
  "SIGUSR2",
  "SIGPIPE",
  "SIGALRM",
  "SIGTERM",
  "SIGSTKFLT",
  "SIGCHLD",
  "SIGCONT",
  "SIGSTOP",
  "SIGTSTP",
  "SIGTTIN",
  "SIGTTOU",
  "SIGURG",
  "SIGXCPU",
  "SIGXFSZ",
  "SIGVTALRM",
  "SIGPROF",
  "SIGWINCH",
  "SIGIO",
  "SIGPWR",
  "SIGSYS",
] as const

/** A wait status as Node reports it: the exit code, or the signal's name (a real-time one: SIG<number>). */
export function decodeStatus(status: number): { code: number | null; signal: NodeJS.Signals | null } {
  const sig = status & 0x7f
  if (sig === 0) return { code: (status >> 8) & 0xff, signal: null }
  return { code: null, signal: (SIGNALS[sig] ?? `SIG${sig}`) as NodeJS.Signals }
}

/** Node's errno names for what posix_spawn can report. */
const ERRNO: Record<number, string> = {
  1: "EPERM",
  2: "ENOENT",
  7: "E2BIG",
  8: "ENOEXEC",
  11: "EAGAIN",
  12: "ENOMEM",
  13: "EACCES",
  20: "ENOTDIR",
  21: "EISDIR",
  26: "ETXTBSY",
  36: "ENAMETOOLONG",
  40: "ELOOP",
}

/** The error Node's spawn emits ("spawn foo ENOENT", with code/errno/syscall/path). */
export function spawnError(command: string, args: string[], errno: number): Error {
  const code = ERRNO[errno] ?? `E${errno}`
  return Object.assign(new Error(`spawn ${command} ${code}`), {
    errno: -errno,
    code,
    syscall: `spawn ${command}`,
    path: command,
    spawnargs: args,
  })
}

/** A server that never started: only its "error" event, as a ChildProcess gives. */
export function failedChild(error: Error, emit: Emit): ServerChild {
  queueMicrotask(() => emit("error", error))
  return {
    pid: undefined,
    exitCode: null,
    signalCode: null,
    isWritable: false,
    write: () => Promise.resolve(),
    endInput() {},
    stopOutput() {},
    signalGroup: () => false,
  }
}

function continueGroup(pid: number) {
  try {
    process.kill(-pid, "SIGCONT")
  } catch {
    // the group emptied between the two signals: nothing left to continue
  }
}

interface Fds {
  pid: number
  stdin: number
  stdout: number
  stderr: number
}

export function posixChild(libc: Libc, started: Fds, emit: Emit): ServerChild {
  const { pid } = started
  let exitCode: number | null = null
  let signalCode: NodeJS.Signals | null = null
  let isDone = false
  let isWritable = true
  let timer: ReturnType<typeof setTimeout> | undefined
  let fast = 0 // index into FAST_POLLS, or -1 when polling slowly
  let slow = SLOW_FIRST_MS

  const closers = new Set<number>([started.stdin, started.stdout, started.stderr])
  const closeFd = (fd: number) => {
    // Each fd is closed once: a second close could hit a number the process has reused since.
    if (closers.delete(fd)) libc.close(fd)
  }

  const poll = () => {
    timer = undefined
    if (isDone) return
    const r = libc.reap(pid)
    if ("errno" in r && r.errno !== EINTR) {
      // ECHILD: someone else reaped it (nothing in Bun does; checked), so the status is unknown.
      return void finish(null, null, r.errno === ECHILD ? undefined : r.errno)
    }
    if ("status" in r) {
      const { code, signal } = decodeStatus(r.status)
      return void finish(code, signal)
    }
    schedule()
  }
  const schedule = () => {
    if (isDone || timer) return
    let delay: number
    if (fast >= 0 && fast < FAST_POLLS.length) delay = FAST_POLLS[fast++]!
    else {
      delay = slow
      slow = Math.min(SLOW_MAX_MS, Math.round(slow * 1.5))
      fast = -1
    }
    timer = setTimeout(poll, delay)
  }
  /** The server is probably on its way out: look for its exit often for a while. */
  const hurry = () => {
    if (isDone) return
    fast = 0
    if (timer) clearTimeout(timer)
    timer = undefined
    schedule()
  }
  const finish = async (code: number | null, signal: NodeJS.Signals | null, errno?: number) => {
    isDone = true
    endInput() // as Node does at exit: our end of stdin is closed, its fd freed
    // What the server wrote last (a crash's stderr) is usually read already; give what is still
    // in the pipes a moment, not more: a helper may hold them open for good.
    let timer: ReturnType<typeof setTimeout> | undefined
    await Promise.race([drained, new Promise((r) => (timer = setTimeout(r, DRAIN_MS)))])
    clearTimeout(timer)
    exitCode = code
    signalCode = signal
    if (errno !== undefined) emit("error", spawnError(`waitpid ${pid}`, [], errno))
    emit("exit", code, signal)
  }

  const reading = new Set<{ cancel(): Promise<void> }>()
  const pump = async (fd: number, k: "stdout" | "stderr") => {
    const reader = Bun.file(fd).stream().getReader()
    reading.add(reader)
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        emit(k, Buffer.from(value.buffer, value.byteOffset, value.byteLength))
      }
    } catch {
      // a read error ends the stream like EOF: the exit poll reports what happened to the server
    } finally {
      reading.delete(reader)
      closeFd(fd)
      if (k === "stdout") hurry()
    }
  }

  const sink: FileSink = Bun.file(started.stdin).writer()
  let ending: Promise<unknown> | undefined
  const onWriteError = (e: unknown) => {
    if (!isWritable) return
    isWritable = false
    emit("stdinError", e instanceof Error ? e : new Error(String(e)))
  }

  function endInput() {
    if (ending) return
    isWritable = false
    const fd = started.stdin
    try {
      ending = Promise.resolve(sink.end()).then(
        () => closeFd(fd),
        () => closeFd(fd),
      )
    } catch {
      // the pipe broke already: closing our end is all that is left to do
      closeFd(fd)
      ending = Promise.resolve()
    }
  }

  queueMicrotask(() => emit("spawn"))
  const drained = Promise.all([pump(started.stdout, "stdout"), pump(started.stderr, "stderr")])
  fast = -1
  schedule()

  return {
    pid,
    get exitCode() {
      return exitCode
    },
    get signalCode() {
      return signalCode
    },
    get isWritable() {
      return isWritable
    },
    write(data) {
      if (!isWritable) return Promise.resolve()
      try {
        sink.write(data)
        const flushed = sink.flush()
        if (flushed instanceof Promise) return flushed.then(() => undefined, onWriteError)
      } catch (e: unknown) {
        onWriteError(e)
      }
      return Promise.resolve()
    },
    endInput,
    stopOutput() {
      for (const reader of reading) void reader.cancel().catch(() => undefined)
    },
    signalGroup(signal) {
      try {
        process.kill(-pid, signal)
      } catch (e: unknown) {
        // ESRCH: the group is empty. EPERM: what is left there is no longer ours to signal.
        if (e instanceof Error && "code" in e && (e.code === "ESRCH" || e.code === "EPERM")) return false
        throw e
      }
      // In agent's session a server that read the terminal was stopped (SIGTTIN, a background
      // group): it acts on the signal only once continued, as a shell's `kill` does for a job.
      if (signal !== 0 && signal !== "SIGKILL") continueGroup(pid)
      if (signal !== 0) hurry()
      return true
    },
  }
}
