import { describe, expect, it } from "bun:test"
import { DEFAULT_LIMITS, listZip, readEntry, safePath, type ZipLimits } from "../../src/install/bundle-zip.ts"
import { refusedLine, writeZip, type ZipItem } from "../helpers/zip.ts"

// The archive checks of .mcpb bundles, on zips written byte by byte (tests/helpers/zip.ts) so
// every hostile shape can be built: each must be refused with one line naming the entry.

function refusal(items: ZipItem[], limits?: ZipLimits, opts?: { entryCount?: number }): string {
  return refusedLine(() => {
    const zip = writeZip(items, opts)
    for (const e of listZip(zip, limits)) if (!e.isDirectory) readEntry(zip, e)
  })
}

describe("listZip / readEntry", () => {
  it("reads a well-formed archive: files, directories, modes and contents", () => {
    const zip = writeZip([
      { name: "manifest.json", data: "{}" },
      { name: "server/", mode: 0o040755 },
      { name: "server/run", data: "#!/bin/sh\n", mode: 0o100755 },
      { name: "server/big.txt", data: "x".repeat(10_000) },
      { name: "empty.txt", data: "", method: 0 },
    ])
    const entries = listZip(zip)
    expect(entries.map((e) => [e.path, e.isDirectory, e.isExecutable])).toEqual([
      ["manifest.json", false, false],
      ["server", true, true],
      ["server/run", false, true],
      ["server/big.txt", false, false],
      ["empty.txt", false, false],
    ])
    const big = entries.find((e) => e.path === "server/big.txt")!
    expect(big.compressedSize).toBeLessThan(big.size)
    expect(new TextDecoder().decode(readEntry(zip, big))).toBe("x".repeat(10_000))
  })

  it("refuses absolute paths, drive letters, '..' and ':' in names (I30)", () => {
    expect(refusal([{ name: "/etc/passwd", data: "x" }])).toContain('"/etc/passwd" is an absolute path')
    expect(refusal([{ name: "C:/Windows/x.dll", data: "x" }])).toContain("drive letter")
    expect(refusal([{ name: "../../.bashrc", data: "x" }])).toContain('climbs out of the bundle with ".."')
    expect(refusal([{ name: "server\\..\\..\\evil", data: "x" }])).toContain('".."')
    expect(refusal([{ name: "a/b/../../../c", data: "x" }])).toContain('".."')
    expect(refusal([{ name: "file.txt:stream", data: "x" }])).toContain('":"')
    expect(refusal([{ name: "bad\u001bname", data: "x" }])).toContain("control characters")
  })

  it("normalises harmless './' segments instead of refusing them (I30)", () => {
    expect(safePath("./server//index.js")).toBe("server/index.js")
    expect(
      listZip(
        writeZip([
          { name: "./", mode: 0o040755 },
          { name: "./a.js", data: "1" },
        ]),
      ).map((e) => e.path),
    ).toEqual(["a.js"])
  })

  it("refuses symlinks, pointing in or out of the bundle, and devices, FIFOs and sockets (I31)", () => {
    expect(refusal([{ name: "out", data: "/etc/passwd", mode: 0o120777 }])).toContain(
      '"out" is a symbolic link',
    )
    expect(refusal([{ name: "in", data: "manifest.json", mode: 0o120777 }])).toContain("symbolic link")
    expect(refusal([{ name: "dev", mode: 0o020644 }])).toContain("device, FIFO or socket")
    expect(refusal([{ name: "fifo", mode: 0o010644 }])).toContain("device, FIFO or socket")
    expect(refusal([{ name: "sock", mode: 0o140644 }])).toContain("device, FIFO or socket")
  })

  it("refuses duplicate entries, also ones differing only in case, and a file used as a directory (I32)", () => {
    expect(
      refusal([
        { name: "a.js", data: "1" },
        { name: "a.js", data: "2" },
      ]),
    ).toContain('"a.js" appears twice')
    expect(
      refusal([
        { name: "A.js", data: "1" },
        { name: "a.js", data: "2" },
      ]),
    ).toContain("appears twice")
    expect(
      refusal([
        { name: "lib", data: "1" },
        { name: "lib/x.js", data: "2" },
      ]),
    ).toContain("which is a file")
    expect(
      refusal([
        { name: "lib/x.js", data: "1" },
        { name: "lib", data: "2" },
      ]),
    ).toContain("a file and a directory")
  })

  it("refuses zip bombs: total size, ratio, entry count, an entry larger than it declares (I33)", () => {
    const small: ZipLimits = { ...DEFAULT_LIMITS, maxTotalBytes: 1000, ratioFloorBytes: 100, maxEntries: 10 }
    expect(
      refusal(
        [
          { name: "a", data: "x".repeat(600) },
          { name: "b", data: "y".repeat(600) },
        ],
        small,
      ),
    ).toContain("unpacks to more than")
    // Declared sizes are checked before anything is inflated: a header claiming 4 GB is enough.
    expect(refusal([{ name: "huge", data: "x", declaredSize: 0xfffffffe }])).toContain(
      "unpacks to more than 1024.0 MB",
    )
    const ratio = { ...small, maxTotalBytes: 1_000_000 }
    expect(refusal([{ name: "zeros", data: new Uint8Array(50_000) }], ratio)).toMatch(
      /over 100:1 \(zip bomb\?\)/,
    )
    // Below the floor a small, very compressible file is fine.
    expect(listZip(writeZip([{ name: "zeros", data: new Uint8Array(50_000) }]))).toHaveLength(1)
    expect(refusal([{ name: "zeros", data: new Uint8Array(20 * 1024 * 1024) }])).toContain("over 100:1")
    const many = Array.from({ length: 11 }, (_, i) => ({ name: `f${i}`, data: "" }))
    expect(refusal(many, small)).toContain("has 11 entries; the limit is 10")
    // An end record claiming 65,535 entries is refused before the directory is read.
    expect(refusal([{ name: "a", data: "" }], undefined, { entryCount: 30_000 })).toContain("30000 entries")
    expect(refusal([{ name: "liar", data: "z".repeat(5000), declaredSize: 10 }])).toContain(
      '"liar" unpacks to more than the 10 bytes it declares',
    )
  })

  it("refuses archives that are not zips, are too large, or fail their CRC", () => {
    expect(refusedLine(() => listZip(new TextEncoder().encode("not a zip at all")))).toContain(
      "not a zip archive",
    )
    const zip = writeZip([{ name: "a.txt", data: "hello hello hello", method: 0 }])
    expect(refusedLine(() => listZip(zip, { ...DEFAULT_LIMITS, maxArchiveBytes: 10 }))).toContain(
      "the limit is",
    )
    const flipped = zip.slice()
    const at = 30 + "a.txt".length // first byte of the stored data
    flipped[at] = (flipped[at] ?? 0) ^ 0xff
    const [entry] = listZip(flipped)
    expect(refusedLine(() => readEntry(flipped, entry!))).toContain('"a.txt" fails its CRC-32 check')
  })
})
