// Ports that a test owns for its whole duration. Binding port 0, closing it and using the number
// later is a race: the kernel may hand the freed port to a parallel test in between. Here the test
// keeps a socket that is bound but never listens, so the port is taken (no other bind and no
// port-0 allocation can land on it) while a connection to it is still refused.
// Node and Bun cannot bind without listening, so this calls libc's socket(2) and bind(2) through
// bun:ffi: Linux with glibc, like the /proc helpers in processes.ts.
import { dlopen, FFIType, ptr } from "bun:ffi"
import { createServer, type Socket } from "node:net"

const { symbols: libc } = dlopen("libc.so.6", {
  socket: { args: [FFIType.i32, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
  setsockopt: {
    args: [FFIType.i32, FFIType.i32, FFIType.i32, FFIType.ptr, FFIType.u32],
    returns: FFIType.i32,
  },
  bind: { args: [FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
  getsockname: { args: [FFIType.i32, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
  close: { args: [FFIType.i32], returns: FFIType.i32 },
})
const AF_INET = 2
const SOCK_STREAM = 1
const SOL_SOCKET = 1
const SO_REUSEADDR = 2

export interface HeldPort extends Disposable {
  port: number
  /** `http://127.0.0.1:<port>` */
  url: string
}

/**
 * A 127.0.0.1 port nothing listens on: connecting is refused at once, and nothing else can
 * listen there until the test disposes it (`using dead = refusedPort()`).
 */
export function refusedPort(): HeldPort {
  return hold(false)
}

/**
 * A 127.0.0.1 port reserved for a server the test starts on a fixed port (`Bun.serve` sets
 * SO_REUSEADDR, and Linux lets it listen on a port whose only other socket also set it and is
 * not listening). No port-0 bind elsewhere can take it in the meantime.
 */
export function reservedPort(): HeldPort {
  return hold(true)
}

function hold(shareWithListener: boolean): HeldPort {
  const fd = libc.socket(AF_INET, SOCK_STREAM, 0)
  if (fd < 0) throw new Error("socket(2) failed")
  try {
    if (shareWithListener && libc.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, ptr(new Int32Array([1])), 4) !== 0)
      throw new Error("setsockopt(2) failed")
    // struct sockaddr_in: family (host order), port (network order, 0 = any), 127.0.0.1.
    const addr = new Uint8Array(16)
    const view = new DataView(addr.buffer)
    view.setUint16(0, AF_INET, true)
    addr.set([127, 0, 0, 1], 4)
    if (libc.bind(fd, ptr(addr), addr.length) !== 0) throw new Error("bind(2) failed")
    if (libc.getsockname(fd, ptr(addr), ptr(new Uint32Array([addr.length]))) !== 0)
      throw new Error("getsockname(2) failed")
    const port = view.getUint16(2, false)
    return { port, url: `http://127.0.0.1:${port}`, [Symbol.dispose]: () => void libc.close(fd) }
  } catch (e: unknown) {
    libc.close(fd)
    throw e
  }
}

/**
 * A TCP server on 127.0.0.1 that accepts every connection and never says a word: "a host that
 * never answers", kept on this machine. `await using srv = await silentServer()`.
 */
export async function silentServer() {
  const sockets: Socket[] = []
  const server = createServer((s) => {
    sockets.push(s)
    s.resume() // read and drop the request, so the client's write completes
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    sockets,
    async [Symbol.asyncDispose]() {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
