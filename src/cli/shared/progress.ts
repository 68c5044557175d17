import type { ServerState } from "../../mcp/index.ts"
import { escapeTerminal } from "../../util/text.ts"

// Live connect progress on stderr for `agent mcp list` (stdout stays empty until the table):
// a spinner line on a terminal, else one line per server as it settles.

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]

export interface ConnectProgress {
  update(state: ServerState): void
  done(): void
}

export function connectProgress(total: number): ConnectProgress {
  return process.stderr.isTTY ? spinner(total) : lines()
}

function lines(): ConnectProgress {
  const seen = new Set<string>()
  return {
    update(s) {
      if (s.status === "connecting" || seen.has(s.name)) return
      seen.add(s.name)
      process.stderr.write(`${escapeTerminal(`[${s.name}] ${settledText(s)}`)}\n`)
    },
    done() {},
  }
}

function spinner(total: number): ConnectProgress {
  const settled = new Set<string>()
  const pending = new Set<string>()
  let frame = 0
  const draw = () => {
    const waiting = [...pending].slice(0, 3).join(", ")
    const text = `${FRAMES[frame++ % FRAMES.length]} connecting: ${settled.size}/${total} settled${waiting ? ` (waiting for ${waiting}${pending.size > 3 ? ", …" : ""})` : ""}`
    process.stderr.write(`\r\x1b[2K${escapeTerminal(text).slice(0, (process.stderr.columns || 80) - 1)}`)
  }
  const timer = setInterval(draw, 80)
  timer.unref()
  let isDone = false
  return {
    update(s) {
      if (s.status === "connecting") pending.add(s.name)
      else {
        pending.delete(s.name)
        settled.add(s.name)
      }
    },
    done() {
      if (isDone) return
      isDone = true
      clearInterval(timer)
      process.stderr.write("\r\x1b[2K")
    },
  }
}

export function settledText(s: ServerState): string {
  switch (s.status) {
    case "connected":
      return `connected (${s.transport}, ${s.protocolVersion}, ${s.connectMs} ms)`
    case "needs_auth":
      return "needs-auth"
    case "needs_approval":
      return "needs-approval"
    case "blocked":
      return "blocked by policy"
    case "failed":
      return `failed: ${s.error}`
    case "disabled":
      return "disabled"
    case "connecting":
      return "connecting"
  }
}
