import type { CallToolResult, GetPromptResult, ReadResourceResult } from "../../mcp/index.ts"
import { escapeTerminal } from "../../util/text.ts"

// Server content as text for people. Everything here came from a server, so every line is
// escaped (P01); text keeps its newlines, other content is summarised in brackets.

type Content = CallToolResult["content"][number]
type ResourceContents = ReadResourceResult["contents"][number]

/** Terminal-safe text with its line breaks kept (escapeTerminal would show \n as \x0a). */
export function safeText(s: string): string {
  return s.split("\n").map(escapeTerminal).join("\n")
}

export function firstLine(s: string | undefined): string {
  return (s ?? "").trim().split("\n")[0] ?? ""
}

export function renderContent(c: Content): string {
  switch (c.type) {
    case "text":
      return safeText(c.text)
    case "image":
    case "audio":
      return `[${c.type} ${escapeTerminal(c.mimeType)}, ${size(base64Bytes(c.data))}]`
    case "resource":
      return `[resource ${escapeTerminal(c.resource.uri)}${c.resource.mimeType ? ` (${escapeTerminal(c.resource.mimeType)})` : ""}]`
    case "resource_link":
      return `[resource link ${escapeTerminal(c.uri)}${c.name ? ` "${escapeTerminal(c.name)}"` : ""}]`
    default:
      return `[${escapeTerminal(String((c as { type?: unknown }).type))} content]`
  }
}

export function renderToolResult(r: CallToolResult): string {
  const parts = (r.content ?? []).map(renderContent)
  if (parts.length === 0 && r.structuredContent !== undefined)
    parts.push(safeText(JSON.stringify(r.structuredContent, null, 2)))
  return parts.join("\n")
}

export function renderPrompt(r: GetPromptResult): string {
  const head = r.description ? [`# ${safeText(r.description)}`] : []
  const messages = r.messages.map(
    (m) => `[${escapeTerminal(m.role)}]\n${renderContent(m.content as Content)}`,
  )
  return [...head, ...messages].join("\n\n")
}

export function renderResource(c: ResourceContents): string {
  if ("text" in c && typeof c.text === "string") return safeText(c.text)
  const blob = "blob" in c && typeof c.blob === "string" ? c.blob : ""
  return `[blob ${escapeTerminal(c.uri)}${c.mimeType ? ` ${escapeTerminal(c.mimeType)}` : ""}, ${size(base64Bytes(blob))}; --output json prints it]`
}

function base64Bytes(b64: string): number {
  const pad = b64.endsWith("==") ? 2 : b64.endsWith("=") ? 1 : 0
  return Math.max(0, Math.floor((b64.length * 3) / 4) - pad)
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}
