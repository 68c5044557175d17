// Tool output limits (issue 14, docs/runs.md "Large tool results"): a result past the limit is
// not sent whole to the model. The whole result goes to files in the run's directory (0600, the
// directory 0700) and the model gets the head, the size, the path and a `read_tool_output` tool
// to read on. Images, audio and blobs count too (their base64 size, ≈ 4 characters a token) and
// are saved one file per content item with their MIME type.
//
// limitToolResult is pure (result → limited result + the files to write), so `agent mcp serve`
// can apply the same limit; writeSpill writes a plan; createSpill is the agent loop's side
// (ids, the read_tool_output builtin, the report's list).
import { openSync, readFileSync, writeSync, closeSync } from "node:fs"
import { join } from "node:path"
import type { LanguageModelV4FunctionTool } from "@ai-sdk/provider"
import type { CallToolResult } from "../mcp/index.ts"
import { ensurePrivateDir } from "../util/paths.ts"
import type { SpillRecord } from "./events.ts"
import { CHARS_PER_TOKEN, type ToolText, resultText } from "./tools.ts"

export type { SpillRecord }
export const READ_TOOL_OUTPUT = "read_tool_output"

/** One file of a spilled result: the text (`output.txt`-like) or one binary content item. */
export interface SpillFile {
  path: string
  mimeType: string
  bytes: number
}

/** What limitToolResult decided to save: write it with writeSpill. */
export interface SpillPlan {
  id: string
  /** The whole result as text (binary items replaced by a line naming their file). */
  text: { path: string; data: string }
  items: { path: string; mimeType: string; data: Buffer }[]
  /** Characters of the flattened text, and the estimate over text + binary. */
  chars: number
  estimatedTokens: number
  limitTokens: number
  /** Characters of the head the limited result shows. */
  headChars: number
}

export interface LimitedResult {
  /** What the model (or an MCP client, for serve) gets: the result itself, or head + note. */
  result: CallToolResult
  /** The same as one string (the agent loop sends text). */
  text: string
  /** Bytes of the whole result's text (UTF-8), for the report's `bytes`. */
  bytes: number
  spill?: SpillPlan
}

const EXT: Record<string, string> = {
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/gif": "gif",
  "image/webp": "webp",
  "image/svg+xml": "svg",
  "audio/wav": "wav",
  "audio/x-wav": "wav",
  "audio/mpeg": "mp3",
  "audio/ogg": "ogg",
  "application/pdf": "pdf",
  "application/json": "json",
  "text/plain": "txt",
}

/**
 * The limit, without I/O: under it, the result passes whole; over it, the head (cut at a line
 * end when one is near) with a note naming the size, `dir`'s file and how to read on, plus the
 * plan of files to write. `maxTokens` ≈ 4 characters each, counted over the text and the
 * binary items' base64.
 */
export function limitToolResult(
  result: CallToolResult,
  o: { maxTokens: number; id: string; dir: string },
): LimitedResult {
  const textPath = join(o.dir, `${o.id}.txt`)
  const items: SpillPlan["items"] = []
  const parts: string[] = []
  let binaryChars = 0
  const binary = (kind: string, data: string, mimeType: string) => {
    const path = join(o.dir, `${o.id}-${items.length + 1}.${EXT[mimeType] ?? "bin"}`)
    const buf = Buffer.from(data, "base64")
    items.push({ path, mimeType, data: buf })
    binaryChars += data.length
    parts.push(`[${kind}: ${mimeType}, ${buf.length} bytes, saved to ${path}]`)
  }
  for (const c of result.content ?? []) {
    if (c.type === "text") parts.push(c.text)
    else if (c.type === "image" || c.type === "audio") binary(c.type, c.data, c.mimeType)
    else if (c.type === "resource") {
      if ("text" in c.resource) parts.push(c.resource.text)
      else
        binary(
          `resource ${c.resource.uri}`,
          c.resource.blob,
          c.resource.mimeType ?? "application/octet-stream",
        )
    } else if (c.type === "resource_link")
      parts.push(`[resource link ${c.uri}${c.name ? ` (${c.name})` : ""}]`)
  }
  if (parts.length === 0 && result.structuredContent !== undefined)
    parts.push(JSON.stringify(result.structuredContent))
  const full = parts.join("\n")
  const bytes = Buffer.byteLength(full)
  const limitChars = o.maxTokens * CHARS_PER_TOKEN
  const estimatedTokens = Math.ceil((full.length + binaryChars) / CHARS_PER_TOKEN)
  if (full.length + binaryChars <= limitChars) {
    const text = resultText(result, o.maxTokens).text
    return { result, text, bytes }
  }
  const headChars = headLength(full, limitChars)
  const lines = countLines(full)
  const headLines = headChars === 0 ? 0 : countLines(full.slice(0, headChars))
  const more =
    headChars < full.length
      ? ` Read on with ${READ_TOOL_OUTPUT} {"id":"${o.id}","offset":${headChars}} (characters) or {"id":"${o.id}","startLine":${headLines + 1},"endLine":${Math.min(lines, headLines + 200)}} (lines).`
      : ""
  const shown =
    headChars < full.length
      ? `showing characters 0–${headChars} (lines 1–${headLines} of ${lines})`
      : "the text is shown whole"
  const note = `[agent: this tool result is ${full.length} characters${items.length ? ` and ${items.length} binary item${items.length === 1 ? "" : "s"}` : ""} (≈${estimatedTokens} tokens), over the ${o.maxTokens}-token limit; ${shown}. The whole result is saved in ${textPath}.${more}]`
  const head = full.slice(0, headChars)
  const text = `${head}${head === "" ? "" : head.endsWith("\n") ? "\n" : "\n\n"}${note}`
  return {
    result: { content: [{ type: "text", text }], ...(result.isError && { isError: true }) },
    text,
    bytes,
    spill: {
      id: o.id,
      text: { path: textPath, data: full },
      items,
      chars: full.length,
      estimatedTokens,
      limitTokens: o.maxTokens,
      headChars,
    },
  }
}

/** Writes a plan's files, each created 0600 (never over an existing file), in a 0700 directory. */
export function writeSpill(plan: SpillPlan, dir: string): SpillFile[] {
  ensurePrivateDir(dir)
  const write = (path: string, data: string | Buffer) => {
    const fd = openSync(path, "wx", 0o600)
    try {
      writeSync(fd, typeof data === "string" ? Buffer.from(data) : data)
    } finally {
      closeSync(fd)
    }
  }
  write(plan.text.path, plan.text.data)
  for (const item of plan.items) write(item.path, item.data)
  return plan.items.map((i) => ({ path: i.path, mimeType: i.mimeType, bytes: i.data.length }))
}

export interface SpillOptions {
  /** Where spilled results go (created on the first spill); without it, long results are cut. */
  dir?: string
  maxTokens: number
  /** Per-server limits (config `maxOutputTokens`), by server name. */
  perServer?: Record<string, number>
}

export interface Spill {
  limit(
    result: CallToolResult,
    call: { id: string; name: string; server?: string; tool?: string; turn: number },
  ): ToolText
  /** True once something spilled: read_tool_output is offered from then on. */
  isUsed(): boolean
  spec: LanguageModelV4FunctionTool
  read(args: Record<string, unknown>): { text: string; isError: boolean }
  records(): SpillRecord[]
}

export function createSpill(o: SpillOptions): Spill {
  const records: SpillRecord[] = []
  const byId = new Map<string, { path: string; limitChars: number }>()
  return {
    limit(result, call) {
      const maxTokens = (call.server !== undefined && o.perServer?.[call.server]) || o.maxTokens
      if (o.dir === undefined) return resultText(result, maxTokens)
      const id = `out${records.length + 1}`
      const limited = limitToolResult(result, { maxTokens, id, dir: o.dir })
      const plan = limited.spill
      if (!plan) return resultText(result, maxTokens)
      // Claimed before the write, so concurrent calls of one turn never share an id.
      const record: SpillRecord = {
        id,
        callId: call.id,
        name: call.name,
        ...(call.server !== undefined && { server: call.server }),
        ...(call.tool !== undefined && { tool: call.tool }),
        turn: call.turn,
        path: plan.text.path,
        chars: plan.chars,
        bytes: limited.bytes,
        estimatedTokens: plan.estimatedTokens,
        limitTokens: maxTokens,
        files: [],
      }
      records.push(record)
      try {
        record.files = writeSpill(plan, o.dir)
      } catch (e: unknown) {
        records.splice(records.indexOf(record), 1)
        const cut = resultText(result, maxTokens)
        const why = e instanceof Error ? e.message : String(e)
        return { ...cut, text: `${cut.text}\n[agent: the whole result could not be saved: ${why}]` }
      }
      byId.set(id, { path: plan.text.path, limitChars: maxTokens * CHARS_PER_TOKEN })
      return { text: limited.text, bytes: limited.bytes, isTruncated: true }
    },
    isUsed: () => byId.size > 0,
    spec: {
      type: "function",
      name: READ_TOOL_OUTPUT,
      description:
        "Read more of a tool result that was too large to show whole (its note gives the id). Give offset and limit in characters, or startLine and endLine (1-based, inclusive).",
      inputSchema: {
        type: "object",
        properties: {
          id: { type: "string", description: 'The id from the note, e.g. "out1"' },
          offset: { type: "integer", minimum: 0, description: "First character (0-based)" },
          limit: { type: "integer", minimum: 1, description: "How many characters" },
          startLine: { type: "integer", minimum: 1, description: "First line (1-based)" },
          endLine: { type: "integer", minimum: 1, description: "Last line (inclusive)" },
        },
        required: ["id"],
        additionalProperties: false,
      },
    },
    read(args) {
      const id = typeof args.id === "string" ? args.id : ""
      const found = byId.get(id)
      if (!found)
        return {
          text: `no saved tool output "${id}"${byId.size ? `; saved: ${[...byId.keys()].join(", ")}` : ""}`,
          isError: true,
        }
      return readRange(readFileSync(found.path, "utf8"), id, args, found.limitChars)
    },
    records: () => records,
  }
}

/** A range of a saved text, capped at the limit it was saved under, with where to go on. */
export function readRange(
  full: string,
  id: string,
  args: Record<string, unknown>,
  maxChars: number,
): { text: string; isError: boolean } {
  const int = (k: string) => {
    const x = args[k]
    return typeof x === "number" && Number.isInteger(x) && x >= 0 ? x : undefined
  }
  const startLine = int("startLine")
  const endLine = int("endLine")
  let start: number
  let end: number
  if (startLine !== undefined || endLine !== undefined) {
    if (int("offset") !== undefined || int("limit") !== undefined)
      return { text: "give either offset/limit or startLine/endLine, not both", isError: true }
    const first = Math.max(1, startLine ?? 1)
    const last = endLine ?? Number.MAX_SAFE_INTEGER
    if (last < first) return { text: "endLine is before startLine", isError: true }
    start = lineStart(full, first)
    const after = lineStart(full, last + 1)
    end = after > start && full[after - 1] === "\n" ? after - 1 : after
  } else {
    start = int("offset") ?? 0
    end = start + (int("limit") ?? maxChars)
  }
  if (start >= full.length && full.length > 0)
    return {
      text: `out of range: "${id}" has ${full.length} characters, ${countLines(full)} lines`,
      isError: true,
    }
  end = Math.min(end, full.length, start + maxChars)
  const slice = full.slice(start, end)
  const tail =
    end < full.length
      ? `\n\n[agent: characters ${start}–${end} of ${full.length}; more from {"id":"${id}","offset":${end}}]`
      : `\n\n[agent: characters ${start}–${end} of ${full.length}; the end]`
  return { text: slice + tail, isError: false }
}

function headLength(full: string, limitChars: number): number {
  if (full.length <= limitChars) return full.length
  const nl = full.lastIndexOf("\n", limitChars - 1)
  // A line end in the last fifth of the head: cut after it, so the head ends with whole lines.
  return nl >= limitChars * 0.8 ? nl + 1 : limitChars
}

function countLines(s: string): number {
  if (s.length === 0) return 0
  let n = 1
  for (let i = s.indexOf("\n"); i !== -1 && i < s.length - 1; i = s.indexOf("\n", i + 1)) n++
  return n
}

/** Index of the first character of 1-based line `n` (the text's length past the last line). */
function lineStart(s: string, n: number): number {
  let at = 0
  for (let line = 1; line < n; line++) {
    const nl = s.indexOf("\n", at)
    if (nl === -1) return s.length
    at = nl + 1
  }
  return at
}
