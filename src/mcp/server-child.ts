import type { ChildProcess } from "node:child_process"

// What StdioTransport and the manager use of a started stdio server, whichever way it was
// started: our own posix_spawn (posix-child.ts, Linux) or node:child_process (elsewhere, and
// the fallback). Narrower than ChildProcess on purpose: this is all either side must provide.

export interface ChildEvents {
  spawn(): void
  error(e: Error): void
  exit(code: number | null, signal: NodeJS.Signals | null): void
  stdout(chunk: Buffer): void
  stderr(chunk: Buffer): void
  stdinError(e: Error): void
}

export interface ServerChild {
  /** Undefined when it never started. */
  readonly pid: number | undefined
  readonly exitCode: number | null
  readonly signalCode: NodeJS.Signals | null
  /** False once stdin was ended or broke: nothing more can be sent. */
  readonly isWritable: boolean
  /** Resolves when the pipe has taken `data` (back-pressure), or at once when it broke ("stdinError"). */
  write(data: string): Promise<void>
  /** Ends stdin: the server's cue to exit (S03). */
  endInput(): void
  /** Stops reading stdout and stderr (after the exit: a helper may still hold them open). */
  stopOutput(): void
  /**
   * S04: sends `signal` to the server's whole process group (Windows: to the server alone; 0
   * only asks whether it is still there). False when nobody was left to receive it.
   */
  signalGroup(signal: NodeJS.Signals | 0): boolean
}

/** A ChildProcess seen as a ServerChild; `isOwnGroup`: it was started `detached` (POSIX). */
export function nodeChild(child: ChildProcess, isOwnGroup: boolean): ServerChild {
  return {
    get pid() {
      return child.pid
    },
    get exitCode() {
      return child.exitCode
    },
    get signalCode() {
      return child.signalCode
    },
    get isWritable() {
      return child.stdin !== null && !child.stdin.destroyed && child.stdin.writable
    },
    write(data) {
      const stdin = child.stdin
      return new Promise((resolve) => {
        if (!stdin || stdin.write(data)) resolve()
        else stdin.once("drain", resolve)
      })
    },
    endInput() {
      child.stdin?.end()
    },
    stopOutput() {
      child.stdout?.destroy()
      child.stderr?.destroy()
    },
    signalGroup(signal) {
      const pid = child.pid
      if (pid === undefined) return false
      if (!isOwnGroup)
        return signal === 0 ? child.exitCode === null && child.signalCode === null : child.kill(signal)
      try {
        process.kill(-pid, signal)
        return true
      } catch (e: unknown) {
        // ESRCH: the group is empty. EPERM: what is left there is no longer ours to signal.
        if (e instanceof Error && "code" in e && (e.code === "ESRCH" || e.code === "EPERM")) return false
        throw e
      }
    },
  }
}
