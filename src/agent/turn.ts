// One model call: stream the response, hand text deltas out as they come, collect tool calls
// and usage. Transient provider errors (429, 5xx: APICallError.isRetryable) are retried with
// backoff, but only before anything was streamed, so no text is ever shown twice.
import {
  APICallError,
  type LanguageModelV4,
  type LanguageModelV4CallOptions,
  type LanguageModelV4FunctionTool,
  type LanguageModelV4Prompt,
  type LanguageModelV4Usage,
} from "@ai-sdk/provider"
import type { Usage } from "./events.ts"

export interface TurnCall {
  id: string
  name: string
  /** Raw JSON text from the model; parsed (and validated) by the loop. */
  input: string
}

export interface TurnOutput {
  text: string
  toolCalls: TurnCall[]
  finishReason: string
  usage: Usage
}

export interface TurnOptions {
  model: LanguageModelV4
  prompt: LanguageModelV4Prompt
  tools: LanguageModelV4FunctionTool[]
  maxOutputTokens?: number
  /** Per-provider request options (reasoning effort, thinking budget), passed through as they are. */
  providerOptions?: LanguageModelV4CallOptions["providerOptions"]
  signal: AbortSignal
  onText(delta: string): void
  onRetry?(message: string): void
  retries?: number
}

export class ModelStreamError extends Error {}

export async function runTurn(o: TurnOptions): Promise<TurnOutput> {
  const options: LanguageModelV4CallOptions = {
    prompt: o.prompt,
    ...(o.tools.length > 0 ? { tools: o.tools, toolChoice: { type: "auto" } } : {}),
    ...(o.maxOutputTokens ? { maxOutputTokens: o.maxOutputTokens } : {}),
    ...(o.providerOptions && { providerOptions: o.providerOptions }),
    abortSignal: o.signal,
  }
  const retries = o.retries ?? 2
  for (let attempt = 0; ; attempt++) {
    try {
      const { stream } = await o.model.doStream(options)
      return await consume(stream, o.onText)
    } catch (e: unknown) {
      if (!APICallError.isInstance(e) || !e.isRetryable || attempt >= retries || o.signal.aborted) throw e
      const wait = retryDelay(e, attempt)
      o.onRetry?.(`model request failed (${e.statusCode ?? "network"}: ${e.message}); retrying in ${wait} ms`)
      await sleep(wait, o.signal)
    }
  }
}

async function consume(
  stream: ReadableStream<import("@ai-sdk/provider").LanguageModelV4StreamPart>,
  onText: (d: string) => void,
): Promise<TurnOutput> {
  let text = ""
  const toolCalls: TurnCall[] = []
  let finishReason = "unknown"
  let usage: Usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 }
  for await (const part of stream) {
    switch (part.type) {
      case "text-delta":
        text += part.delta
        onText(part.delta)
        break
      case "tool-call":
        if (!part.providerExecuted)
          toolCalls.push({ id: part.toolCallId, name: part.toolName, input: part.input })
        break
      case "finish": {
        finishReason = part.finishReason.unified
        usage = toUsage(part.usage)
        break
      }
      case "error":
        throw part.error instanceof Error ? part.error : new ModelStreamError(describe(part.error))
    }
  }
  return { text, toolCalls, finishReason, usage }
}

function toUsage(u: LanguageModelV4Usage): Usage {
  const input = u.inputTokens.total ?? 0
  const output = u.outputTokens.total ?? 0
  return {
    inputTokens: input,
    outputTokens: output,
    totalTokens: input + output,
    ...(u.inputTokens.cacheRead !== undefined && { cacheReadTokens: u.inputTokens.cacheRead }),
    ...(u.inputTokens.cacheWrite !== undefined && { cacheWriteTokens: u.inputTokens.cacheWrite }),
    ...(u.outputTokens.reasoning !== undefined && { reasoningTokens: u.outputTokens.reasoning }),
  }
}

function retryDelay(e: APICallError, attempt: number): number {
  const header = e.responseHeaders?.["retry-after"]
  const seconds = header === undefined ? Number.NaN : Number(header)
  // Honour the server's Retry-After, but never sit more than 20 s on one retry.
  if (Number.isFinite(seconds)) return Math.min(20_000, Math.max(0, seconds * 1000))
  return 500 * 2 ** attempt
}

function describe(error: unknown): string {
  if (typeof error === "string") return error
  try {
    return JSON.stringify(error)
  } catch {
    return String(error)
  }
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms)
    signal.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true })
  })
