import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from "node:fs"
import { ConfigError } from "../util/errors.ts"
import { checkPrivatePath } from "../util/paths.ts"
import { escapeTerminal } from "../util/text.ts"

/** Config files are small; a bigger one is the wrong file or an attack on memory. */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024

export interface ReadOptions {
  /**
   * The user's own config (F04): the file read, a symlink's target included, must be owned by
   * the user and writable by nobody else, checked on the path and again on the open descriptor.
   */
  isPrivate?: boolean
}

/**
 * The text of a config file, BOM kept (the parser skips it). Symlinks are followed: reading
 * through one is fine, only writes refuse them. Checks the size before reading anything.
 */
export function readConfigText(file: string, opts: ReadOptions = {}): string {
  const shown = escapeTerminal(file)
  const checkStats = (f: string, sh: string, st: Stats) => {
    checkFile(f, sh, st)
    if (opts.isPrivate) checkPrivatePath(f, st)
  }
  checkStats(
    file,
    shown,
    statOrThrow(file, shown, () => statSync(file)),
  )
  // O_NONBLOCK: if the path became a FIFO after the stat, open() must not hang waiting for a writer.
  const fd = statOrThrow(file, shown, () => openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0)))
  try {
    const st = fstatSync(fd)
    checkStats(file, shown, st)
    return decode(file, shown, readCapped(fd, st.size, file, shown))
  } finally {
    closeSync(fd)
  }
}

function statOrThrow<T>(file: string, shown: string, f: () => T): T {
  try {
    return f()
  } catch (e: unknown) {
    const code = (e as NodeJS.ErrnoException).code
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EACCES"
          ? "permission denied"
          : String((e as Error).message)
    throw new ConfigError(`${shown}: cannot read: ${why}`, { file, cause: e })
  }
}

function checkFile(file: string, shown: string, st: Stats): void {
  if (!st.isFile()) {
    const kind = st.isDirectory()
      ? "a directory"
      : st.isFIFO()
        ? "a FIFO"
        : st.isSocket()
          ? "a socket"
          : "a device"
    throw new ConfigError(`${shown} is ${kind}, not a regular file`, {
      file,
      hint: "pass the path of a JSON config file",
    })
  }
  if (st.size > MAX_CONFIG_BYTES) throw tooBig(file, shown, st.size)
}

function tooBig(file: string, shown: string, size: number): ConfigError {
  const mb = (size / (1024 * 1024)).toFixed(1)
  return new ConfigError(
    `${shown} is ${mb} MB; config files are limited to ${MAX_CONFIG_BYTES / (1024 * 1024)} MB`,
    {
      file,
      hint: "check the path: a config file is a few KB",
    },
  )
}

/**
 * Reads at most MAX_CONFIG_BYTES + 1 bytes, so a file that grew after the stat is still refused.
 * The buffer starts at the size fstat gave (one byte more, to notice growth) and doubles when
 * filled: a 4 MB buffer for every read was a sixth of the daemon's CPU time per warm command.
 */
function readCapped(fd: number, size: number, file: string, shown: string): Buffer {
  let buf = Buffer.allocUnsafe(Math.min(Math.max(size + 1, 4096), MAX_CONFIG_BYTES + 1))
  let n = 0
  for (;;) {
    if (n === buf.length) {
      const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, MAX_CONFIG_BYTES + 1))
      buf.copy(bigger, 0, 0, n)
      buf = bigger
    }
    const got = readSync(fd, buf, n, buf.length - n, null)
    if (got === 0) break
    n += got
    if (n > MAX_CONFIG_BYTES) throw tooBig(file, shown, n)
  }
  return buf.subarray(0, n)
}

function decode(file: string, shown: string, bytes: Buffer): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new ConfigError(`${shown} is UTF-16 text`, { file, hint: "save it as UTF-8" })
  }
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes)
  } catch (e: unknown) {
    throw new ConfigError(`${shown} is not valid UTF-8`, { file, cause: e, hint: "save it as UTF-8" })
  }
}
