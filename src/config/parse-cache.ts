import type { ParsedConfigFile, Scope } from "./types.ts"

// The daemon reads every config file at every command (S32: an edit is seen by the next command),
// but need not parse and validate one that has not changed. Keyed by the file's exact
// text, not its mtime or size: two edits within one timestamp tick, or of the same length, are
// still two configs. Reading stays per command, and so do the checks made as it is read (F04).

/** Each file's last parse, reused while its text is the same (see loadConfig's `cache`). */
export interface ParseCache {
  parsed(file: string, scope: Scope, text: string, parse: () => ParsedConfigFile): ParsedConfigFile
}

/** A daemon sees a few config files per project it serves; past this many the oldest go. */
const MAX_FILES = 64

/**
 * The entries handed out are shared by every command that reads the same text: read-only, like
 * every ServerEntry (commands copy a definition before changing it, as the pool's inCallerDir does).
 */
export function createParseCache(): ParseCache {
  const byFile = new Map<string, { text: string; doc: ParsedConfigFile }>()
  return {
    parsed(file, scope, text, parse) {
      const key = `${scope}\0${file}`
      const hit = byFile.get(key)
      if (hit?.text === text) return hit.doc
      // A file that does not parse throws here and is not remembered: the next command reports it again.
      const doc = parse()
      byFile.delete(key)
      byFile.set(key, { text, doc })
      if (byFile.size > MAX_FILES) byFile.delete(byFile.keys().next().value!)
      return doc
    },
  }
}
