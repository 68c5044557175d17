import { inflateRawSync } from "node:zlib"
import { UsageError } from "../util/errors.ts"
import { escapeTerminal } from "../util/text.ts"

// A reader for .mcpb archives (plain zip) that checks everything before one byte is written
// (I30, I31, I32, I33): every name is a relative path inside the bundle, no entry is a symlink or a device,
// no name appears twice, and the archive cannot unpack to more than the caps allow. Our own
// central-directory reader, because the checks need what zip libraries hide or decide for us:
// fflate reports neither the Unix mode (symlinks, devices) nor lets us bound an entry's output,
// and yauzl's own checks end in errors we could only tell apart by their text. Without zip64
// (our caps keep a bundle far below 4 GB and 65,535 entries) the format is a few fixed records.
// Inflating is node:zlib's, with maxOutputLength set to the size the directory declares, so an
// entry that lies about its size stops at that size.

export interface ZipLimits {
  /** The archive itself. */
  maxArchiveBytes: number
  /** Every entry, unpacked, together. */
  maxTotalBytes: number
  maxEntries: number
  /** Unpacked size over archive size, checked once the unpacked total passes ratioFloorBytes. */
  maxRatio: number
  ratioFloorBytes: number
}

export const DEFAULT_LIMITS: ZipLimits = {
  maxArchiveBytes: 256 * 1024 * 1024,
  maxTotalBytes: 1024 * 1024 * 1024,
  maxEntries: 20_000,
  maxRatio: 100,
  ratioFloorBytes: 16 * 1024 * 1024,
}

export interface ZipEntry {
  /** Relative path with "/" separators, "." segments removed; no trailing "/". */
  path: string
  isDirectory: boolean
  /** Any execute bit set in the Unix mode the archive records. */
  isExecutable: boolean
  method: 0 | 8
  compressedSize: number
  size: number
  crc32: number
  /** Offset of the local file header. */
  localOffset: number
}

const EOCD_SIG = 0x06054b50
const CDH_SIG = 0x02014b50
const LFH_SIG = 0x04034b50
const S_IFMT = 0o170000
const S_IFDIR = 0o040000
const S_IFREG = 0o100000
const S_IFLNK = 0o120000
const UNIX_HOST = 3

/** I30: a bundle that fails a check: one line naming the entry, exit 2. */
export function bundleError(message: string, hint?: string): UsageError {
  return new UsageError(`bundle refused: ${message}`, {
    hint: hint ?? "nothing was unpacked or written; ask the bundle's author for a fixed .mcpb",
  })
}

const shown = (name: string) => `"${escapeTerminal(name.slice(0, 120))}"`

/** Every entry of the archive, checked (names, kinds, duplicates, caps); reads no entry data. */
export function listZip(zip: Uint8Array, limits: ZipLimits = DEFAULT_LIMITS): ZipEntry[] {
  if (zip.length > limits.maxArchiveBytes)
    throw bundleError(`the archive is ${mb(zip.length)}; the limit is ${mb(limits.maxArchiveBytes)}`)
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength)
  const end = findEnd(view)
  const count = view.getUint16(end + 10, true)
  const cdSize = view.getUint32(end + 12, true)
  const cdOffset = view.getUint32(end + 16, true)
  if (view.getUint16(end + 4, true) !== 0 || view.getUint16(end + 6, true) !== 0)
    throw bundleError("multi-part zip archives are not supported")
  if (count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff)
    throw bundleError("zip64 archives are not supported (a bundle is far smaller than 4 GB)")
  // I33: checked before any entry is looked at, so a huge directory costs nothing.
  if (count > limits.maxEntries)
    throw bundleError(`the archive has ${count} entries; the limit is ${limits.maxEntries}`)
  if (cdOffset + cdSize > end) throw bundleError("the zip central directory is out of bounds")
  const entries: ZipEntry[] = []
  const seen = new Map<string, ZipEntry>()
  let total = 0
  let p = cdOffset
  for (let i = 0; i < count; i++) {
    const { entry, next } = readCentral(view, zip, p, cdOffset + cdSize)
    p = next
    if (entry === undefined) continue
    checkUnique(entry, seen)
    total += entry.size
    // I33: declared sizes first; inflating later never goes past them (maxOutputLength).
    if (total > limits.maxTotalBytes)
      throw bundleError(`the archive unpacks to more than ${mb(limits.maxTotalBytes)} (zip bomb?)`)
    entries.push(entry)
  }
  if (total > limits.ratioFloorBytes && total / Math.max(zip.length, 1) > limits.maxRatio) {
    throw bundleError(
      `the archive unpacks to ${mb(total)} from ${mb(zip.length)}, over ${limits.maxRatio}:1 (zip bomb?)`,
    )
  }
  return entries
}

function findEnd(view: DataView): number {
  const min = Math.max(0, view.byteLength - 22 - 0xffff)
  for (let i = view.byteLength - 22; i >= min; i--) if (view.getUint32(i, true) === EOCD_SIG) return i
  throw bundleError("the file is not a zip archive (no end of central directory)")
}

function readCentral(
  view: DataView,
  zip: Uint8Array,
  p: number,
  limit: number,
): { entry?: ZipEntry; next: number } {
  if (p + 46 > limit || view.getUint32(p, true) !== CDH_SIG)
    throw bundleError("the zip central directory is damaged")
  const madeBy = view.getUint16(p + 4, true) >> 8
  const flags = view.getUint16(p + 8, true)
  const method = view.getUint16(p + 10, true)
  const crc32 = view.getUint32(p + 16, true)
  const compressedSize = view.getUint32(p + 20, true)
  const size = view.getUint32(p + 24, true)
  const nameLen = view.getUint16(p + 28, true)
  const next = p + 46 + nameLen + view.getUint16(p + 30, true) + view.getUint16(p + 32, true)
  if (next > limit) throw bundleError("the zip central directory is damaged")
  const raw = decodeName(zip.subarray(p + 46, p + 46 + nameLen))
  const mode = madeBy === UNIX_HOST ? view.getUint32(p + 38, true) >>> 16 : 0
  const isDirectory = raw.endsWith("/") || (mode & S_IFMT) === S_IFDIR
  checkKind(raw, mode)
  const path = safePath(raw)
  if (flags & 1) throw bundleError(`${shown(raw)} is encrypted`)
  if (method !== 0 && method !== 8)
    throw bundleError(`${shown(raw)} uses compression method ${method}; only stored and deflate are read`)
  if (path === "") return { next } // "./" or "/"-only directory entries: the bundle root itself
  return {
    entry: {
      path,
      isDirectory,
      isExecutable: (mode & 0o111) !== 0,
      method,
      compressedSize,
      size: isDirectory ? 0 : size,
      crc32,
      localOffset: view.getUint32(p + 42, true),
    },
    next,
  }
}

function decodeName(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes)
  } catch (e: unknown) {
    throw bundleError(`an entry name is not valid UTF-8 (${String(e)})`)
  }
}

/** I31: symlinks (in or out of the bundle) and device, FIFO or socket entries are refused. */
function checkKind(name: string, mode: number): void {
  const kind = mode & S_IFMT
  if (kind === 0 || kind === S_IFREG || kind === S_IFDIR) return
  if (kind === S_IFLNK) throw bundleError(`${shown(name)} is a symbolic link; bundles may not contain links`)
  throw bundleError(`${shown(name)} is a device, FIFO or socket, not a file`)
}

/**
 * I30: the entry's path inside the bundle, or a refusal: absolute paths, drive letters and
 * ":" (Windows streams), ".." segments, NUL and control characters. A backslash is read as a
 * separator, as Windows would when unpacking.
 */
export function safePath(raw: string): string {
  const name = raw.replace(/\\/g, "/")
  if (/[\u0000-\u001f\u007f]/.test(name))
    throw bundleError(`${shown(raw)} has control characters in its name`)
  if (name.startsWith("/")) throw bundleError(`${shown(raw)} is an absolute path`)
  if (/^[A-Za-z]:/.test(name)) throw bundleError(`${shown(raw)} starts with a drive letter`)
  if (name.includes(":")) throw bundleError(`${shown(raw)} has ":" in its name`)
  const parts = name.split("/").filter((s) => s !== "" && s !== ".")
  if (parts.includes("..")) throw bundleError(`${shown(raw)} climbs out of the bundle with ".."`)
  return parts.join("/")
}

/**
 * I32: each path once, compared the way a case-insensitive file system would (macOS, Windows),
 * and no file where another entry needs a directory.
 */
function checkUnique(entry: ZipEntry, seen: Map<string, ZipEntry>): void {
  const key = entry.path.normalize("NFC").toLowerCase()
  const before = seen.get(key)
  if (before && !(before.isDirectory && entry.isDirectory))
    throw bundleError(`${shown(entry.path)} appears twice in the archive`)
  seen.set(key, entry)
  const parts = key.split("/")
  for (let i = 1; i < parts.length; i++) {
    const parent = seen.get(parts.slice(0, i).join("/"))
    if (parent && !parent.isDirectory)
      throw bundleError(`${shown(entry.path)} is inside ${shown(parent.path)}, which is a file`)
  }
  if (!entry.isDirectory) {
    const prefix = `${key}/`
    for (const k of seen.keys())
      if (k.startsWith(prefix)) throw bundleError(`${shown(entry.path)} is a file and a directory`)
  }
}

/** An entry's bytes, checked against the size and CRC-32 the directory declares (I33). */
export function readEntry(zip: Uint8Array, entry: ZipEntry): Uint8Array {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength)
  const p = entry.localOffset
  if (p + 30 > zip.length || view.getUint32(p, true) !== LFH_SIG)
    throw bundleError(`${shown(entry.path)}: the local header is damaged`)
  const start = p + 30 + view.getUint16(p + 26, true) + view.getUint16(p + 28, true)
  const stored = zip.subarray(start, start + entry.compressedSize)
  if (start + entry.compressedSize > zip.length) throw bundleError(`${shown(entry.path)} is truncated`)
  let data: Uint8Array
  if (entry.method === 0) data = stored
  else {
    try {
      data = inflateRawSync(stored, { maxOutputLength: Math.max(entry.size, 1) })
    } catch (e: unknown) {
      const isTooBig = (e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE"
      throw bundleError(
        isTooBig
          ? `${shown(entry.path)} unpacks to more than the ${entry.size} bytes it declares (zip bomb?)`
          : `${shown(entry.path)} cannot be inflated: ${escapeTerminal(String(e))}`,
      )
    }
  }
  if (data.length !== entry.size)
    throw bundleError(`${shown(entry.path)} is ${data.length} bytes, not the ${entry.size} it declares`)
  if (Bun.hash.crc32(data) >>> 0 !== entry.crc32)
    throw bundleError(`${shown(entry.path)} fails its CRC-32 check`)
  return data
}

function mb(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`
}
