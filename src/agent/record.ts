// --record / --replay (docs/design.md §9): the model side of a run as JSONL, so agent runs can be tested
// in CI without a key. Line 1 is a header; then one line per model call with the normalised
// request (prompt, tools, limits) and the response's stream parts (or the error it threw).
// Replay serves those parts in place of the provider while MCP tools run for real; a request
// that differs from the recording (other tools, other tool arguments or results) stops the run
// with a diff, because the recorded answers no longer fit.
import { appendFile, readFile, writeFile } from "node:fs/promises"
import {
  APICallError,
  type LanguageModelV4,
  type LanguageModelV4CallOptions,
  type LanguageModelV4StreamPart,
} from "@ai-sdk/provider"
import * as v from "valibot"
import { AgentError, ConfigError, FailureError } from "../util/errors.ts"
import { jsonDiff } from "./diff.ts"

export const RECORD_VERSION = 1

const Header = v.object({
  type: v.literal("header"),
  version: v.literal(RECORD_VERSION),
  provider: v.string(),
  modelId: v.string(),
})
const ErrorInfo = v.object({
  message: v.string(),
  statusCode: v.optional(v.number()),
  isRetryable: v.optional(v.boolean()),
})
const Call = v.object({
  type: v.literal("call"),
  seq: v.number(),
  request: v.record(v.string(), v.unknown()),
  parts: v.optional(v.array(v.looseObject({ type: v.string() }))),
  error: v.optional(ErrorInfo),
})
export type RecordedCall = v.InferOutput<typeof Call>

export class ReplayMismatchError extends AgentError {
  constructor(message: string) {
    super("failure", message, {
      hint: "the run no longer matches the recording; record it again with --record FILE",
    })
  }
}

/** What of a request must match on replay: everything the model would see. */
export function normalizeRequest(o: LanguageModelV4CallOptions): Record<string, unknown> {
  return toJson({
    // Without providerOptions (prompt-cache breakpoints): they change the bill, not what the model reads.
    prompt: o.prompt.map(({ providerOptions: _, ...m }) => m),
    tools: (o.tools ?? []).map((t) =>
      t.type === "function"
        ? { name: t.name, description: t.description, inputSchema: t.inputSchema }
        : { name: t.name },
    ),
    toolChoice: o.toolChoice,
    maxOutputTokens: o.maxOutputTokens,
  }) as Record<string, unknown>
}

/** Wraps a model so every doStream call is appended to `file` once its stream has ended. */
export async function recordingModel(model: LanguageModelV4, file: string): Promise<LanguageModelV4> {
  await writeFile(
    file,
    `${JSON.stringify({ type: "header", version: RECORD_VERSION, provider: model.provider, modelId: model.modelId, recordedAt: new Date().toISOString() })}\n`,
  )
  let seq = 0
  // Appends are chained so lines land in call order even when streams end out of order.
  let writes = Promise.resolve()
  const write = (line: RecordedCall) =>
    (writes = writes.then(() => appendFile(file, `${JSON.stringify(line)}\n`)))
  return {
    specificationVersion: "v4",
    provider: model.provider,
    modelId: model.modelId,
    supportedUrls: model.supportedUrls,
    doGenerate: (o) => model.doGenerate(o),
    async doStream(o) {
      const base = { type: "call" as const, seq: seq++, request: normalizeRequest(o) }
      let result: Awaited<ReturnType<LanguageModelV4["doStream"]>>
      try {
        result = await model.doStream(o)
      } catch (e: unknown) {
        if (APICallError.isInstance(e))
          await write({
            ...base,
            error: { message: e.message, statusCode: e.statusCode, isRetryable: e.isRetryable },
          })
        throw e
      }
      const parts: Record<string, unknown>[] = []
      const tap = new TransformStream<LanguageModelV4StreamPart, LanguageModelV4StreamPart>({
        transform(part, controller) {
          if (part.type !== "raw") parts.push(serializePart(part))
          controller.enqueue(part)
        },
        async flush() {
          await write({ ...base, parts: parts as RecordedCall["parts"] })
        },
      })
      return { ...result, stream: result.stream.pipeThrough(tap) }
    },
  }
}

export async function loadRecording(
  file: string,
): Promise<{ provider: string; modelId: string; calls: RecordedCall[] }> {
  let text: string
  try {
    text = await readFile(file, "utf8")
  } catch (e: unknown) {
    throw new ConfigError(`cannot read the recording ${file}`, { cause: e, file })
  }
  const lines = text.split("\n").filter((l) => l.trim() !== "")
  const parsed = lines.map((l, i) => {
    try {
      return JSON.parse(l) as unknown
    } catch {
      throw new ConfigError(`${file}:${i + 1}: not a JSON line`, { file })
    }
  })
  const header = v.safeParse(Header, parsed[0])
  if (!header.success)
    throw new ConfigError(`${file}: not an agent recording (version ${RECORD_VERSION} header missing)`, {
      file,
    })
  const calls = parsed.slice(1).map((c, i) => {
    const r = v.safeParse(Call, c)
    if (!r.success)
      throw new ConfigError(`${file}:${i + 2}: ${r.issues[0].message}`, {
        file,
        path: v.getDotPath(r.issues[0]) ?? undefined,
      })
    return r.output
  })
  return { provider: header.output.provider, modelId: header.output.modelId, calls }
}

/** A LanguageModel that answers from a recording and checks each request against it. */
export function replayModel(rec: {
  provider: string
  modelId: string
  calls: RecordedCall[]
}): LanguageModelV4 {
  let next = 0
  return {
    specificationVersion: "v4",
    provider: rec.provider,
    modelId: rec.modelId,
    supportedUrls: {},
    doGenerate() {
      throw new FailureError("replay serves streamed calls only")
    },
    async doStream(o) {
      const call = rec.calls[next]
      if (!call)
        throw new ReplayMismatchError(
          `the recording has ${rec.calls.length} model calls, but the run asked for call ${next + 1}`,
        )
      const diff = jsonDiff(call.request, normalizeRequest(o))
      if (diff.length > 0) {
        throw new ReplayMismatchError(
          `model call ${next + 1} differs from the recording:\n${diff.join("\n")}`,
        )
      }
      next++
      if (call.error) {
        const { message, statusCode, isRetryable } = call.error
        throw new APICallError({ message, url: "replay:", requestBodyValues: {}, statusCode, isRetryable })
      }
      const parts = (call.parts ?? []).map(deserializePart)
      return {
        stream: new ReadableStream<LanguageModelV4StreamPart>({
          start(controller) {
            for (const p of parts) controller.enqueue(p)
            controller.close()
          },
        }),
      }
    },
  }
}

function serializePart(part: LanguageModelV4StreamPart): Record<string, unknown> {
  if (part.type === "error")
    return { type: "error", error: part.error instanceof Error ? part.error.message : toJson(part.error) }
  return toJson(part) as Record<string, unknown>
}

function deserializePart(p: Record<string, unknown>): LanguageModelV4StreamPart {
  if (p.type === "response-metadata" && typeof p.timestamp === "string")
    return { ...p, timestamp: new Date(p.timestamp) } as LanguageModelV4StreamPart
  return p as unknown as LanguageModelV4StreamPart
}

/** Plain JSON: drops undefined, turns Dates into strings and bytes into base64. */
function toJson(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_k, val: unknown) =>
      val instanceof Uint8Array ? Buffer.from(val).toString("base64") : val,
    ) ?? "null",
  )
}
