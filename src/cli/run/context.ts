// What `agent run` puts in front of the task: `--prompt SERVER/NAME --arg k=v` (an MCP prompt's
// messages start the conversation) and `--attach SERVER:URI` (a resource's text, as context).
import type { LanguageModelV4Message } from "@ai-sdk/provider"
import type { GetPromptResult, ReadResourceResult } from "../../mcp/index.ts"
import { UsageError } from "../../util/errors.ts"
import { escapeTerminal } from "../../util/text.ts"
import { connectedServer, type Session } from "../shared/connect.ts"

export interface ContextFlags {
  /** --prompt SERVER/NAME */
  prompt?: string
  /** --arg k=v, for the prompt */
  args: Record<string, string>
  /** --attach SERVER:URI (repeatable) */
  attach: string[]
}

export function parsePromptRef(raw: string): { server: string; name: string } {
  const at = raw.indexOf("/")
  if (at <= 0 || at === raw.length - 1)
    throw new UsageError(`--prompt takes SERVER/NAME, got "${escapeTerminal(raw)}"`, {
      hint: "`agent mcp prompts` lists them",
    })
  return { server: raw.slice(0, at), name: raw.slice(at + 1) }
}

export function parseAttachRef(raw: string): { server: string; uri: string } {
  const at = raw.indexOf(":")
  if (at <= 0 || at === raw.length - 1)
    throw new UsageError(`--attach takes SERVER:URI, got "${escapeTerminal(raw)}"`, {
      hint: "`agent mcp resources` lists them",
    })
  return { server: raw.slice(0, at), uri: raw.slice(at + 1) }
}

/** Fetches the prompt and attachments; a missing server, prompt or resource is a usage error (2). */
export async function buildContext(s: Session, flags: ContextFlags): Promise<LanguageModelV4Message[]> {
  const opts = { signal: s.signal, ...(s.timeoutMs !== undefined && { timeoutMs: s.timeoutMs }) }
  const out: LanguageModelV4Message[] = []
  for (const raw of flags.attach) {
    const { server, uri } = parseAttachRef(raw)
    const c = connectedServer(s, server)
    const result = await s.manager.readResource(c.name, uri, opts)
    out.push({ role: "user", content: [{ type: "text", text: resourceText(c.name, uri, result) }] })
  }
  if (flags.prompt !== undefined) {
    const { server, name } = parsePromptRef(flags.prompt)
    const c = connectedServer(s, server)
    const known = (await s.manager.prompts(c.name)).find((p) => p.prompt.name === name)
    if (!known)
      throw new UsageError(`server "${escapeTerminal(c.name)}" has no prompt "${escapeTerminal(name)}"`, {
        hint: `\`agent mcp prompts ${c.name}\` lists them`,
      })
    const missing = (known.prompt.arguments ?? [])
      .filter((a) => a.required && !Object.hasOwn(flags.args, a.name))
      .map((a) => a.name)
    if (missing.length)
      throw new UsageError(escapeTerminal(`prompt ${name} needs ${missing.join(", ")}`), {
        hint: escapeTerminal(missing.map((m) => `--arg ${m}=…`).join(" ")),
      })
    out.push(...promptMessages(await s.manager.getPrompt(c.name, name, flags.args, opts)))
  }
  return out
}

function resourceText(server: string, uri: string, result: ReadResourceResult): string {
  const parts = result.contents.map((c) =>
    "text" in c ? c.text : `[binary ${c.mimeType ?? "data"}, ${Math.floor((c.blob.length * 3) / 4)} bytes]`,
  )
  return `Attached resource ${uri} from server ${server}:\n\n${parts.join("\n\n")}`
}

/** An MCP prompt's messages as model messages; non-text blocks are summarised. */
export function promptMessages(result: GetPromptResult): LanguageModelV4Message[] {
  return result.messages.map((m) => {
    const c = m.content
    const text =
      c.type === "text"
        ? c.text
        : c.type === "resource"
          ? "text" in c.resource
            ? c.resource.text
            : `[resource ${c.resource.uri}]`
          : c.type === "resource_link"
            ? `[resource link ${c.uri}]`
            : `[${c.type} ${"mimeType" in c ? c.mimeType : ""}]`
    return m.role === "assistant"
      ? { role: "assistant" as const, content: [{ type: "text" as const, text }] }
      : { role: "user" as const, content: [{ type: "text" as const, text }] }
  })
}
