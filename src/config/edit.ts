import { readFile, stat } from "node:fs/promises"
import { ConfigError, isAgentError } from "../util/errors.ts"
import { detectEol, detectIndent, hasFinalNewline, parseJsonText } from "./json.ts"
import { basename, dirname } from "node:path"
import { cleanupStaleTemps, describeFsError, fsErrorCode, writeFileAtomic } from "../util/atomic.ts"
import { withFileLock, type LockOptions } from "../util/lock.ts"
import { checkPrivatePath } from "../util/paths.ts"

export type JsonObject = Record<string, unknown>

export interface EditOptions {
  /** A missing file starts as `{}` instead of failing. */
  create?: boolean
  /** Mode for a new file (default 0600); an existing file keeps its mode. */
  mode?: number
  lock?: LockOptions
  /** Test-only: passed on to writeFileAtomic (util/atomic.ts). */
  pauseForTest?: string
  /** The user's own config (F04): an existing file must be owned by the user and writable by nobody else. */
  isPrivate?: boolean
}

/** How the file is laid out, so an edit changes only what the caller changed. */
export interface JsonFormat {
  /** "\t", "  ", …; "" for a one-line file. */
  indent: string
  finalNewline: boolean
  eol: "\n" | "\r\n"
  bom: boolean
}

const NEW_FILE_FORMAT: JsonFormat = { indent: "  ", finalNewline: true, eol: "\n", bom: false }

/**
 * Read, edit and rewrite a JSON object file as one step under `<path>.lock`, so two processes
 * (`agent mcp add` twice) never lose each other's change. Key order and unknown fields survive
 * because the document is edited in place, not rebuilt from the schema.
 */
export async function editJsonFile(
  path: string,
  edit: (doc: JsonObject) => JsonObject | void | Promise<JsonObject | void>,
  opts: EditOptions = {},
): Promise<JsonObject> {
  return withFileLock(
    path,
    async () => {
      const text = await readCurrent(path, opts.create ?? false, opts.isPrivate ?? false)
      const format = text === undefined ? NEW_FILE_FORMAT : detectFormat(text)
      const doc = text === undefined ? {} : parseObject(text, path)
      const next = (await edit(doc)) ?? doc
      const out = serialise(next, format)
      // Unchanged: skip the write so mode, owner and mtime stay as they are.
      if (out !== text) await writeFileAtomic(path, out, { mode: opts.mode, pauseForTest: opts.pauseForTest })
      // Under the lock no live editor of this file is mid-write, so dead writers' temps can go.
      await cleanupStaleTemps(dirname(path), basename(path))
      return next
    },
    opts.lock,
  )
}

async function readCurrent(path: string, create: boolean, isPrivate: boolean): Promise<string | undefined> {
  try {
    // The same check as the loader's read: a write never starts from a file we would not read.
    if (isPrivate) checkPrivatePath(path, await stat(path))
    return await readFile(path, "utf8")
  } catch (e: unknown) {
    if (isAgentError(e)) throw e
    if (fsErrorCode(e) === "ENOENT" && create) return undefined
    throw new ConfigError(`could not read ${path}: ${describeFsError(e)}`, { cause: e, file: path })
  }
}

// The parse/format seam: strict JSON through the config parser (located errors, duplicate and
// prototype keys refused). JSONC is deliberately not accepted: a rewrite would drop comments.

function parseObject(text: string, file: string): JsonObject {
  const { value } = parseJsonText(text, { file })
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigError(`${file} must hold a JSON object ({ … }), so it was left unchanged`, { file })
  }
  return value as JsonObject
}

export function detectFormat(text: string): JsonFormat {
  const body = stripBom(text)
  const indent = detectIndent(body)
  // A one-line file with content stays one line: it was minified on purpose.
  const isMinified = !body.trimEnd().includes("\n") && /[^\s{}]/.test(body)
  return {
    indent: isMinified ? "" : typeof indent === "number" ? " ".repeat(indent) : indent,
    finalNewline: hasFinalNewline(body),
    eol: detectEol(body),
    bom: body !== text,
  }
}

export function serialise(doc: JsonObject, format: JsonFormat): string {
  let out = JSON.stringify(doc, null, format.indent)
  if (format.finalNewline) out += "\n"
  if (format.eol === "\r\n") out = out.replace(/\n/g, "\r\n")
  return format.bom ? `\uFEFF${out}` : out
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}
