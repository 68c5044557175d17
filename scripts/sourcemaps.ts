// Source maps for a compiled binary, shipped beside it as `<binary>.map.json` (--debug stacks
// read it: src/util/stack.ts). Bun 1.4.5 embeds the map in the executable whenever `sourcemap`
// is set with `compile` (+2.6 MB inside every binary), so the binary is
// built without one and a second, identical compile with `sourcemap: "external"` yields the maps:
// its chunk names and code are the same (they hash the code, which the sourcemap does not change).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { basename, join } from "node:path"

/** One JSON file: { "<chunk file name in the binary>": source map v3 without sourcesContent }. */
export async function writeSourceMaps(options: Bun.BuildConfig, outfile: string): Promise<string> {
  const tmp = mkdtempSync(join("dist", ".maps-"))
  try {
    const compile = { ...(options.compile as object), outfile: join(tmp, basename(outfile)) }
    const out = await Bun.build({ ...options, compile, sourcemap: "external" } as Bun.BuildConfig)
    if (!out.success) throw new Error(`source maps for ${outfile}: ${out.logs.join("\n")}`)
    const maps: Record<string, unknown> = {}
    for (const name of readdirSync(tmp)) {
      if (!name.endsWith(".map")) continue
      const { sourcesContent: _, ...map } = JSON.parse(readFileSync(join(tmp, name), "utf8")) as Record<
        string,
        unknown
      >
      // "chunk-x.js.map" maps /$bunfs/root/chunk-x.js; "<binary>.map" maps the entry, /$bunfs/root/<binary>.
      maps[name.slice(0, -".map".length)] = map
    }
    const file = `${outfile}.map.json`
    await Bun.write(file, JSON.stringify(maps))
    return file
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}
