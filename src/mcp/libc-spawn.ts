import { dlopen, FFIType, ptr, read } from "bun:ffi"

// posix_spawn through bun:ffi (Linux: glibc or musl), so that a stdio server leads a process
// group of its own INSIDE agent's session (S04). Bun's `detached` is setsid(): a new session
// per server, and with the kernel's autogroup scheduling a scheduling group per server, which
// cost ~24 ms of CPU per server (docs/performance.md, issue 19). Bun 1.4.5 has no setpgid
// option. Only Linux: autogroup is a Linux scheduler feature, so elsewhere there is nothing to
// win, and on darwin-arm64 fcntl's variadic argument goes on the stack, which a bun:ffi
// signature cannot express. Anything missing here means spawn.ts uses node:child_process.

const { i32, i16, ptr: P } = FFIType
const REQUIRED = {
  posix_spawn: { args: [P, P, P, P, P, P], returns: i32 },
  posix_spawnattr_init: { args: [P], returns: i32 },
  posix_spawnattr_destroy: { args: [P], returns: i32 },
  posix_spawnattr_setflags: { args: [P, i16], returns: i32 },
  posix_spawnattr_setpgroup: { args: [P, i32], returns: i32 },
  posix_spawnattr_setsigdefault: { args: [P, P], returns: i32 },
  posix_spawnattr_setsigmask: { args: [P, P], returns: i32 },
  posix_spawn_file_actions_init: { args: [P], returns: i32 },
  posix_spawn_file_actions_destroy: { args: [P], returns: i32 },
  posix_spawn_file_actions_adddup2: { args: [P, i32, i32], returns: i32 },
  sigemptyset: { args: [P], returns: i32 },
  sigdelset: { args: [P, i32], returns: i32 },
  pipe2: { args: [P, i32], returns: i32 },
  fcntl: { args: [i32, i32, i32], returns: i32 },
  waitpid: { args: [i32, P, i32], returns: i32 },
  close: { args: [i32], returns: i32 },
  __errno_location: { args: [], returns: P },
} as const
// glibc 2.29 / musl 1.1.24 and glibc 2.34: looked up one by one, so an older libc still loads.
const OPTIONAL = {
  posix_spawn_file_actions_addchdir_np: { args: [P, P], returns: i32 },
  posix_spawn_file_actions_addclosefrom_np: { args: [P, i32], returns: i32 },
} as const

// Linux values, the same on x86-64 and arm64 (asm-generic), glibc and musl.
const POSIX_SPAWN_SETPGROUP = 0x02
const POSIX_SPAWN_SETSIGDEF = 0x04
const POSIX_SPAWN_SETSIGMASK = 0x08
const O_CLOEXEC = 0o2000000
const O_NONBLOCK = 0o4000
const F_GETFL = 3
const F_SETFL = 4
const F_DUPFD_CLOEXEC = 1030
const WNOHANG = 1
const SIGKILL = 9
const SIGSTOP = 19
export const EINTR = 4
export const ECHILD = 10
/** Opaque libc structs: glibc's posix_spawnattr_t is 336 bytes, sigset_t 128; room to spare. */
const STRUCT_BYTES = 1024

export interface SpawnRequest {
  /** A path: what PATH lookup found, or the command when it has a slash. */
  file: string
  argv: string[]
  env: Record<string, string>
  cwd?: string
}

/** The parent's ends of the three pipes (close-on-exec, non-blocking), or the spawn's errno. */
export type SpawnOutcome =
  | { ok: true; pid: number; stdin: number; stdout: number; stderr: number }
  | { ok: false; errno: number }

export interface Libc {
  /** False when this libc cannot change directory in the child (spawn.ts then uses child_process). */
  hasChdir: boolean
  spawn(req: SpawnRequest): SpawnOutcome
  /** waitpid(pid, WNOHANG): 0 while running, the raw status once it ended, or -errno. */
  reap(pid: number): { pid: number; status: number } | { pid: 0 } | { errno: number }
  close(fd: number): void
}

/** pipe2 or fcntl failed before the spawn (EMFILE, say): reported as the spawn's errno. */
export class SpawnFailure extends Error {
  constructor(readonly errno: number) {
    super(`could not make the pipes for a stdio server: errno ${errno}`)
  }
}

type Symbols = ReturnType<typeof dlopen<typeof REQUIRED>>["symbols"]
type Optional = Partial<ReturnType<typeof dlopen<typeof OPTIONAL>>["symbols"]>

/** The C library's names: glibc, then musl (Alpine). */
function candidates(arch: string): string[] {
  const musl = arch === "x64" ? "x86_64" : arch === "arm64" ? "aarch64" : arch
  return ["libc.so.6", `libc.musl-${musl}.so.1`]
}

/** Loads libc's spawn functions, or says why not (the caller logs it once and falls back). */
export function loadLibc(platform = process.platform, arch = process.arch): Libc | string {
  if (platform !== "linux") return `posix_spawn through bun:ffi is used on Linux only (this is ${platform})`
  const reasons: string[] = []
  for (const name of candidates(arch)) {
    try {
      const lib = dlopen(name, REQUIRED)
      return bind(lib.symbols, optional(name))
    } catch (e: unknown) {
      reasons.push(`${name}: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
  return `could not load libc through bun:ffi (${reasons.join("; ")})`
}

function optional(name: string): Optional {
  const found: Optional = {}
  for (const [sym, def] of Object.entries(OPTIONAL)) {
    try {
      Object.assign(found, dlopen(name, { [sym]: def }).symbols)
    } catch {
      // absent from this libc version: hasChdir / the fd sweep say what that means
    }
  }
  return found
}

const cstring = (s: string) => Buffer.from(`${s}\0`)

/** A NULL-terminated char*[]; `keep` holds the strings alive until the call returns. */
function cArray(strings: string[], keep: Buffer[]): BigUint64Array {
  const out = new BigUint64Array(strings.length + 1)
  strings.forEach((s, i) => {
    const b = cstring(s)
    keep.push(b)
    out[i] = BigInt(ptr(b))
  })
  return out
}

function bind(c: Symbols, opt: Optional): Libc {
  const errno = () => read.i32(c.__errno_location()!)

  /** A pipe end moved to fd ≥ 3, so the dup2 onto 0, 1 and 2 in the child cannot clobber another end. */
  const high = (fd: number) => {
    if (fd >= 3) return fd
    const moved = c.fcntl(fd, F_DUPFD_CLOEXEC, 3)
    c.close(fd)
    if (moved < 0) throw new SpawnFailure(errno())
    return moved
  }
  const pipe = (): [number, number] => {
    const fds = new Int32Array(2)
    if (c.pipe2(ptr(fds), O_CLOEXEC) !== 0) throw new SpawnFailure(errno())
    return [high(fds[0]!), high(fds[1]!)]
  }
  const nonBlocking = (fd: number) => c.fcntl(fd, F_SETFL, c.fcntl(fd, F_GETFL, 0) | O_NONBLOCK)

  function spawn(req: SpawnRequest): SpawnOutcome {
    const keep: Buffer[] = []
    const argv = cArray(req.argv, keep)
    const envp = cArray(
      Object.entries(req.env).map(([k, v]) => `${k}=${v}`),
      keep,
    )
    const fds: number[] = []
    try {
      for (let i = 0; i < 3; i++) fds.push(...pipe())
    } catch (e: unknown) {
      for (const fd of fds) c.close(fd)
      throw e
    }
    const [inR, inW, outR, outW, errR, errW] = fds as [number, number, number, number, number, number]
    const actions = new BigUint64Array(STRUCT_BYTES / 8)
    const attr = new BigUint64Array(STRUCT_BYTES / 8)
    const sigdef = new Uint8Array(STRUCT_BYTES).fill(0xff)
    const sigmask = new Uint8Array(STRUCT_BYTES)
    const pid = new Int32Array(1)
    c.posix_spawn_file_actions_init(ptr(actions))
    c.posix_spawnattr_init(ptr(attr))
    try {
      c.posix_spawn_file_actions_adddup2(ptr(actions), inR, 0)
      c.posix_spawn_file_actions_adddup2(ptr(actions), outW, 1)
      c.posix_spawn_file_actions_adddup2(ptr(actions), errW, 2)
      // Like Bun's own spawn: nothing but 0, 1 and 2 is inherited, even an fd without close-on-exec.
      opt.posix_spawn_file_actions_addclosefrom_np?.(ptr(actions), 3)
      if (req.cwd !== undefined) {
        const dir = cstring(req.cwd)
        keep.push(dir)
        opt.posix_spawn_file_actions_addchdir_np!(ptr(actions), ptr(dir))
      }
      // Every signal back to its default (Bun ignores SIGPIPE; a server must not inherit that),
      // glibc's internal ones included (its sigfillset leaves them out, hence the 0xff fill).
      c.sigdelset(ptr(sigdef), SIGKILL)
      c.sigdelset(ptr(sigdef), SIGSTOP)
      c.sigemptyset(ptr(sigmask))
      c.posix_spawnattr_setsigdefault(ptr(attr), ptr(sigdef))
      c.posix_spawnattr_setsigmask(ptr(attr), ptr(sigmask))
      c.posix_spawnattr_setpgroup(ptr(attr), 0) // 0: the child's own pid becomes its group id
      c.posix_spawnattr_setflags(
        ptr(attr),
        POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK,
      )
      const file = cstring(req.file)
      keep.push(file)
      const rc = c.posix_spawn(ptr(pid), ptr(file), ptr(actions), ptr(attr), ptr(argv), ptr(envp))
      if (rc !== 0) {
        for (const fd of fds) c.close(fd)
        return { ok: false, errno: rc }
      }
    } finally {
      c.posix_spawn_file_actions_destroy(ptr(actions))
      c.posix_spawnattr_destroy(ptr(attr))
    }
    for (const fd of [inR, outW, errW]) c.close(fd)
    for (const fd of [inW, outR, errR]) nonBlocking(fd)
    return { ok: true, pid: pid[0]!, stdin: inW, stdout: outR, stderr: errR }
  }

  const status = new Int32Array(1)
  return {
    hasChdir: opt.posix_spawn_file_actions_addchdir_np !== undefined,
    spawn,
    reap(pid) {
      const r = c.waitpid(pid, ptr(status), WNOHANG)
      if (r > 0) return { pid: r, status: status[0]! }
      if (r === 0) return { pid: 0 }
      return { errno: errno() }
    },
    close(fd) {
      c.close(fd)
    },
  }
}
