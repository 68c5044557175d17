import { expect } from "bun:test"
import { deflateRawSync } from "node:zlib"
import { AgentError } from "../../src/util/errors.ts"

// A minimal zip writer for bundle tests. It writes what real tools write (deflate or stored,
// Unix modes in the external attributes) and, on request, what no honest tool would: absolute
// or ".." names, symlinks, duplicate names, sizes that lie. Real zip libraries refuse to write
// most of those, which is why the hostile fixtures are built here.

export interface ZipItem {
  name: string
  data?: string | Uint8Array
  /** Unix mode including the file type bits; default 0o100644 (0o040755 for names ending in "/"). */
  mode?: number
  /** 0 stored, 8 deflate (default). */
  method?: 0 | 8
  /** Write this as the uncompressed size instead of the real one (a lying header). */
  declaredSize?: number
}

export function writeZip(items: ZipItem[], opts: { entryCount?: number } = {}): Uint8Array {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const item of items) {
    const name = Buffer.from(item.name, "utf8")
    const raw =
      typeof item.data === "string" ? Buffer.from(item.data) : Buffer.from(item.data ?? new Uint8Array())
    const method = item.method ?? (raw.length ? 8 : 0)
    const body = method === 8 ? deflateRawSync(raw) : raw
    const crc = Bun.hash.crc32(raw) >>> 0
    const size = item.declaredSize ?? raw.length
    const mode = item.mode ?? (item.name.endsWith("/") ? 0o040755 : 0o100644)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(0x0800, 6) // UTF-8 names
    local.writeUInt16LE(method, 8)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(body.length, 18)
    local.writeUInt32LE(size, 22)
    local.writeUInt16LE(name.length, 26)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE((3 << 8) | 20, 4) // made by Unix
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(0x0800, 8)
    central.writeUInt16LE(method, 10)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(body.length, 20)
    central.writeUInt32LE(size, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt32LE((mode << 16) >>> 0, 38)
    central.writeUInt32LE(offset, 42)
    locals.push(local, name, body)
    centrals.push(central, name)
    offset += 30 + name.length + body.length
  }
  const cd = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  const count = opts.entryCount ?? items.length
  end.writeUInt16LE(Math.min(count, 0xffff), 8)
  end.writeUInt16LE(Math.min(count, 0xffff), 10)
  end.writeUInt32LE(cd.length, 12)
  end.writeUInt32LE(offset, 16)
  return new Uint8Array(Buffer.concat([...locals, cd, end]))
}

/** A manifest.json for a node bundle running server/index.js; `extra` is merged over it. */
export function bundleManifest(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    manifest_version: "0.3",
    name: "hello-bundle",
    version: "1.0.0",
    description: "A test bundle",
    author: { name: "Test Author" },
    server: {
      type: "node",
      entry_point: "server/index.js",
      mcp_config: { command: "node", args: ["${__dirname}/server/index.js"] },
    },
    ...extra,
  }
}

/** Runs `f`, which must refuse with one line (an AgentError, exit 2), and returns that line. */
export function refusedLine(f: () => unknown): string {
  try {
    f()
  } catch (e: unknown) {
    expect(e).toBeInstanceOf(AgentError)
    expect((e as AgentError).exitCode).toBe(2)
    expect((e as Error).message).not.toContain("\n")
    return (e as Error).message
  }
  throw new Error("accepted")
}
