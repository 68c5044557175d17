// The daemon's listening socket, as text connections. Bun.listen on unix sockets: node:net's stream
// layers (readable on the way in, writable on the way out) took a fifth of the daemon's CPU time
// per warm command in a profile of 200 calls. node:net for Windows named pipes.

export interface Connection {
  /**
   * Queued in order and sent together at the end of the current tick (a command's last output,
   * its exit and the end: one write, one wake-up of the caller); what the socket does not take
   * at once goes when it drains.
   */
  write(text: string): void
  /** Closes once everything written has gone out. */
  end(): void
}

export interface ConnectionEvents {
  data(text: string): void
  /** Once, when the peer hung up or the connection ended. */
  close(): void
  error(message: string): void
}

export interface Listener {
  /** Stops accepting; connections already open go on. */
  close(): void
}

/** Listens on `path`; throws (or rejects) with the OS's reason when it cannot. */
export function listen(path: string, accept: (c: Connection) => ConnectionEvents): Promise<Listener> {
  return process.platform === "win32" ? nodeListen(path, accept) : Promise.resolve(bunListen(path, accept))
}

interface State {
  events: ConnectionEvents
  decoder: TextDecoder
  /** Bytes the socket has not taken yet. */
  pending: string[]
  /** Bytes the socket took part of; the rest goes first. */
  rest: Uint8Array | undefined
  isScheduled: boolean
  isEnding: boolean
  isClosed: boolean
}

const encoder = new TextEncoder()

function bunListen(path: string, accept: (c: Connection) => ConnectionEvents): Listener {
  const flush = (s: Bun.Socket<State>) => {
    const st = s.data
    st.isScheduled = false
    if (st.isClosed) return
    for (;;) {
      if (!st.rest && st.pending.length > 0) {
        st.rest = encoder.encode(st.pending.join(""))
        st.pending = []
      }
      if (!st.rest) break
      const n = s.write(st.rest)
      if (n >= st.rest.length) {
        st.rest = undefined
        continue
      }
      // Partly taken (or not at all): the rest waits for drain, cut on a byte, not a character.
      st.rest = st.rest.subarray(Math.max(n, 0))
      return
    }
    if (st.isEnding) s.end()
  }
  const schedule = (s: Bun.Socket<State>) => {
    if (s.data.isScheduled) return
    s.data.isScheduled = true
    queueMicrotask(() => flush(s))
  }
  const server = Bun.listen<State>({
    unix: path,
    socket: {
      open(s) {
        s.data = {
          events: undefined as unknown as ConnectionEvents,
          decoder: new TextDecoder(),
          pending: [],
          rest: undefined,
          isScheduled: false,
          isEnding: false,
          isClosed: false,
        }
        s.data.events = accept({
          write(text) {
            if (s.data.isClosed || s.data.isEnding) return
            s.data.pending.push(text)
            schedule(s)
          },
          end() {
            if (s.data.isClosed || s.data.isEnding) return
            s.data.isEnding = true
            schedule(s)
          },
        })
      },
      data: (s, chunk) => s.data.events.data(s.data.decoder.decode(chunk, { stream: true })),
      drain: (s) => flush(s),
      close(s) {
        if (s.data.isClosed) return
        s.data.isClosed = true
        s.data.events.close()
      },
      error: (s, e) => s.data.events.error(e.message),
    },
  })
  return { close: () => server.stop(false) }
}

async function nodeListen(path: string, accept: (c: Connection) => ConnectionEvents): Promise<Listener> {
  const { createServer } = await import("node:net")
  const server = createServer((socket) => {
    socket.setEncoding("utf8")
    const events = accept({
      write: (text) => void socket.write(text),
      end: () => void socket.end(),
    })
    socket.on("data", (chunk) => events.data(String(chunk)))
    socket.on("close", () => events.close())
    socket.on("error", (e) => events.error(e.message))
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(path, () => resolve())
  })
  return { close: () => void server.close() }
}
