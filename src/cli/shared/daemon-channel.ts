// One connection to the daemon's socket, as text lines. Bun.connect on unix sockets: node:net's
// first connection costs ~5 ms of CPU in a compiled binary, as much as the rest of a warm call's
// client side together (scripts/bench-warm.ts). node:net for Windows named pipes.

export interface Channel {
  write(text: string): void
  close(): void
}

export interface ChannelEvents {
  open(): void
  data(text: string): void
  /** The connection could not be made, or broke: `code` is the errno name where there is one. */
  error(code: string): void
  close(): void
}

export function openChannel(path: string, on: ChannelEvents): Channel {
  return process.platform === "win32" ? nodeChannel(path, on) : bunChannel(path, on)
}

function bunChannel(path: string, on: ChannelEvents): Channel {
  let socket: Bun.Socket | undefined
  // Bytes, not text: write() may take part of a chunk (the rest goes on "drain"), cut anywhere,
  // in the middle of a character of a tunnelled client's line too.
  const pending: Uint8Array[] = []
  const encoder = new TextEncoder()
  let isClosed = false
  let isOpen = false
  const flush = () => {
    while (socket && pending.length > 0) {
      const head = pending[0]!
      const n = socket.write(head)
      if (n < head.length) {
        pending[0] = head.subarray(Math.max(n, 0))
        return
      }
      pending.shift()
    }
  }
  const decoder = new TextDecoder()
  Bun.connect({
    unix: path,
    socket: {
      open(s) {
        socket = s
        isOpen = true
        on.open()
        flush()
      },
      data: (_s, chunk) => on.data(decoder.decode(chunk, { stream: true })),
      drain: flush,
      close() {
        if (isClosed) return
        isClosed = true
        // A connection that never opened failed to connect (a dead daemon's socket): not a break.
        if (!isOpen) on.error("ECONNREFUSED")
        else on.close()
      },
      error: (_s, e) => on.error((e as NodeJS.ErrnoException).code ?? e.message),
    },
  }).catch((e: unknown) => {
    isClosed = true
    on.error((e as NodeJS.ErrnoException).code ?? String(e))
  })
  return {
    write(text) {
      pending.push(encoder.encode(text))
      flush()
    },
    close() {
      isClosed = true
      socket?.end()
    },
  }
}

function nodeChannel(path: string, on: ChannelEvents): Channel {
  const { createConnection } = require("node:net") as typeof import("node:net")
  const s = createConnection(path)
  s.setEncoding("utf8")
  s.once("connect", () => on.open())
  s.on("data", (chunk) => on.data(String(chunk)))
  s.on("error", (e: NodeJS.ErrnoException) => on.error(e.code ?? e.message))
  s.on("close", () => on.close())
  return { write: (text) => void s.write(text), close: () => void s.destroy() }
}
