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
    for (const [child, ppid] of parent) if (ppid === p) out.push(child), walk(child)
  }
  walk(pid)
  return out
}

/** Runs `cmd` to its end with stdin closed: its exit code and its whole stdout and stderr. */
export async function runToEnd(
  cmd: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn(cmd, { ...opts, stdin: "ignore", stdout: "pipe", stderr: "pipe" })
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  return { code, stdout, stderr }
}

/** Collects a stream's text as it arrives; `done` settles when the stream ends. */
export function collect(stream: ReadableStream<Uint8Array>) {
  const out = { text: "", done: Promise.resolve() }
  out.done = (async () => {
    for await (const chunk of stream) out.text += new TextDecoder().decode(chunk)
  })()
  return out
}

/**
 * `agent mcp call SERVER slow --arg ms=30000 --mcp FILE` on the compiled binary, returned once
 * the server has reported progress (the call is under way), so a test can interrupt it mid-call.
 * The caller kills the process in `finally`.
 */
export async function startSlowCall(
  binary: string,
  server: string,
  file: string,
  t: { home: string; path: string },
) {
  const proc = Bun.spawn([binary, "mcp", "call", server, "slow", "--arg", "ms=30000", "--mcp", file], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", AGENTRT_HOME: t.home, HOME: t.path, NO_COLOR: "1" },
    cwd: t.path,
    stdout: "pipe",
    stderr: "pipe",
  })
  const stderr = collect(proc.stderr)
  const deadline = Date.now() + 15_000
  while (!stderr.text.includes("tick") && Date.now() < deadline && proc.exitCode === null) await Bun.sleep(20)
  return { proc, stderr }
}
