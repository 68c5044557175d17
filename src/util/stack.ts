import { existsSync, readFileSync } from "node:fs"

// --debug stacks that point at src/ files. A compiled binary's frames name its embedded chunks
// (/$bunfs/root/chunk-x.js:14:39); the release ships their source maps beside the binary as
// `<binary>.map.json` (scripts/sourcemaps.ts), and this rewrites each frame it can map to
// `src/cli/index.ts:52:9`. Without that file (bun src/main.ts, a copied binary) the stack is
// printed as it is.

type RawMap = { sources: string[]; mappings: string }
/** Per generated line: [generated column, source index, original line, original column], sorted. */
type Decoded = { sources: string[]; lines: number[][][] }

const FRAME = /(?:\/\$bunfs\/root\/|[A-Z]:[\\/]~BUN[\\/]root[\\/])([^:()\s]+):(\d+):(\d+)/g

export function sourceMapped(stack: string, mapFile = `${process.execPath}.map.json`): string {
  if (!existsSync(mapFile)) return stack
  let maps: Record<string, RawMap>
  try {
    maps = JSON.parse(readFileSync(mapFile, "utf8")) as Record<string, RawMap>
  } catch (e: unknown) {
    void e // an unreadable map file: the unmapped stack is still worth printing
    return stack
  }
  const decoded = new Map<string, Decoded | undefined>()
  return stack.replace(FRAME, (frame, chunk: string, line: string, column: string) => {
    if (!decoded.has(chunk)) decoded.set(chunk, maps[chunk] && decode(maps[chunk]))
    const d = decoded.get(chunk)
    const at = d && lookup(d, Number(line) - 1, Number(column) - 1)
    return at ? `${at}, ${chunk}:${line}:${column}` : frame
  })
}

function lookup(d: Decoded, line: number, column: number): string | undefined {
  let best: number[] | undefined
  for (const seg of d.lines[line] ?? []) {
    if (seg[0]! > column) break
    best = seg
  }
  if (!best) return undefined
  const source = d.sources[best[1]!]!.replace(/^(\.\.\/)+/, "")
  return `${source}:${best[2]! + 1}:${best[3]! + 1}`
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

/** Source map v3 "mappings": base64 VLQ, fields relative to the previous segment (column per line). */
function decode(map: RawMap): Decoded {
  const lines: number[][][] = []
  let source = 0
  let origLine = 0
  let origColumn = 0
  for (const text of map.mappings.split(";")) {
    const segs: number[][] = []
    let column = 0
    for (const seg of text.split(",")) {
      if (!seg) continue
      const f = vlq(seg)
      column += f[0]!
      if (f.length < 4) continue // a segment that maps to no source
      source += f[1]!
      origLine += f[2]!
      origColumn += f[3]!
      segs.push([column, source, origLine, origColumn])
    }
    lines.push(segs)
  }
  return { sources: map.sources, lines }
}

function vlq(seg: string): number[] {
  const out: number[] = []
  let value = 0
  let shift = 0
  for (const ch of seg) {
    const digit = B64.indexOf(ch)
    value += (digit & 31) << shift
    if (digit & 32) {
      shift += 5
      continue
    }
    out.push(value & 1 ? -(value >>> 1) : value >>> 1)
    value = 0
    shift = 0
  }
  return out
}
