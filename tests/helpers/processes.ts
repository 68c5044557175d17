// Process helpers for tests that check no child outlives a command (S01, S03): Linux /proc,
// like the rest of the e2e suite.
import { readdirSync, readFileSync } from "node:fs"

/** Alive and not a zombie (a container's pid 1 may never reap). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z"
  } catch {
    return false
  }
}

/** Every process below `pid`. */
export function descendants(pid: number): number[] {
  const parent = new Map<number, number>()
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8")
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]))
    } catch {
      // the process exited while we looked: it is nobody's child any more
    }
  }
  const out: number[] = []
  const walk = (p: number) => {
    for (const [child, ppid] of parent) if (ppid === p) (out.push(child), walk(child))
  }
  walk(pid)
  return out
}

/** Collects a stream's text as it arrives; `done` settles when the stream ends. */
export function collect(stream: ReadableStream<Uint8Array>) {
  const out = { text: "", done: Promise.resolve() }
  out.done = (async () => {
    for await (const chunk of stream) out.text += new TextDecoder().decode(chunk)
  })()
  return out
}
