// MCP sampling (docs/design.md §5: "sampling through the agent's model"): a server's
// sampling/createMessage is answered by the run's own model, with no tools, so it is recorded
// and replayed like every other model call. Whether to answer at all is the CLI's decision.
import type { LanguageModelV4, LanguageModelV4Message } from "@ai-sdk/provider"
import type { SamplingHandler } from "../mcp/index.ts"
import { runTurn } from "./turn.ts"

export type SamplingRequest = Parameters<SamplingHandler>[1]
export type SamplingResult = Awaited<ReturnType<SamplingHandler>>

/** Caps a server's maxTokens: a server should not be able to ask for an unbounded answer. */
export const MAX_SAMPLING_TOKENS = 4096

export async function sampleWithModel(
  model: LanguageModelV4,
  request: SamplingRequest,
  signal: AbortSignal,
): Promise<SamplingResult> {
  const prompt: LanguageModelV4Message[] = [
    ...(request.systemPrompt ? [{ role: "system" as const, content: request.systemPrompt }] : []),
    ...request.messages.map(toMessage),
  ]
  const out = await runTurn({
    model,
    prompt,
    tools: [],
    maxOutputTokens: Math.min(request.maxTokens || MAX_SAMPLING_TOKENS, MAX_SAMPLING_TOKENS),
    signal,
    onText: () => {},
  })
  return {
    role: "assistant",
    content: { type: "text", text: out.text },
    model: model.modelId,
    stopReason: out.finishReason === "length" ? "maxTokens" : "endTurn",
  }
}

/**
 * Everything the server sends the model, in order (P11): the system prompt, then every message
 * with its role. The approval prompt shows all of it, not only the last message.
 */
export function samplingParts(request: SamplingRequest): { role: string; text: string }[] {
  return [
    ...(request.systemPrompt ? [{ role: "system", text: request.systemPrompt }] : []),
    ...request.messages.map((m) => ({ role: m.role, text: blocks(m.content).join("\n") })),
  ]
}

/** A readable one-line preview of what the server wants answered (for the approval prompt). */
export function samplingPreview(request: SamplingRequest, max = 300): string {
  const last = request.messages.at(-1)
  const text = last ? blocks(last.content).join(" ") : ""
  const flat = text.replace(/\s+/g, " ").trim()
  return flat.length > max ? `${flat.slice(0, max)}…` : flat
}

function toMessage(m: SamplingRequest["messages"][number]): LanguageModelV4Message {
  const text = blocks(m.content).join("\n")
  return m.role === "assistant"
    ? { role: "assistant", content: [{ type: "text", text }] }
    : { role: "user", content: [{ type: "text", text }] }
}

// Text passes; other blocks become a short note (images and audio would need per-provider
// media support, tool blocks belong to a server-side tool loop we do not run).
function blocks(content: unknown): string[] {
  const list = Array.isArray(content) ? content : [content]
  return list.map((b) => {
    const block = b as { type?: string; text?: string; mimeType?: string }
    if (block.type === "text" && typeof block.text === "string") return block.text
    return `[${block.type ?? "content"}${block.mimeType ? ` ${block.mimeType}` : ""} omitted]`
  })
}
