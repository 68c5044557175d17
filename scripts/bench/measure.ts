// Timing and memory of one client process, for scripts/bench-mcp.ts.
import { readFileSync } from "node:fs"

export interface Sample {
  /** Spawn to exit. */
  wallMs: number
  /** Last stdout chunk (the reply) to exit: closing clients and stopping servers. */
  teardownMs: number
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

/** Runs `cmd` once; throws with its stderr unless it exits 0 and prints what `check` wants. */
export async function runOnce(
  cmd: string[],
  env: Record<string, string>,
  check: (stdout: string) => boolean,
): Promise<Sample> {
  const t0 = performance.now()
  const proc = Bun.spawn(cmd, { env, stdin: "ignore", stdout: "pipe", stderr: "pipe" })
  let out = ""
  let lastChunk = t0
  const decoder = new TextDecoder()
  const stderr = new Response(proc.stderr).text()
  for await (const chunk of proc.stdout) {
    lastChunk = performance.now()
    out += decoder.decode(chunk, { stream: true })
  }
  const code = await proc.exited
  const end = performance.now()
  if (code !== 0 || !check(out))
    throw new Error(
      `${cmd.join(" ")} exited ${code}\nstdout: ${out.slice(0, 600)}\nstderr: ${(await stderr).slice(-1500)}`,
    )
  return { wallMs: end - t0, teardownMs: end - lastChunk }
}

/**
 * Peak RSS of the client process alone, in bytes: VmHWM from /proc/<pid>/status, polled until
 * it exits. (wait4's maxrss — and so /usr/bin/time %M — would report the largest *reaped
 * descendant* when that is bigger, i.e. a stdio server, not the client.)
 */
export async function peakRss(cmd: string[], env: Record<string, string>): Promise<number> {
  const proc = Bun.spawn(cmd, { env, stdin: "ignore", stdout: "ignore", stderr: "ignore" })
  let peak = 0
  let done = false
  void proc.exited.then(() => (done = true))
  while (!done) {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, "utf8"))
      if (m) peak = Math.max(peak, Number(m[1]) * 1024)
    } catch {
      break // the process is gone (or a zombie without Vm lines): the last reading stands
    }
    await Bun.sleep(2)
  }
  if ((await proc.exited) !== 0)
    throw new Error(`${cmd.join(" ")} exited ${proc.exitCode} while measuring RSS`)
  return peak
}

/** min / median / max of a figure over its runs: these machines vary by ±15 % from run to run. */
export interface Spread {
  min: number
  median: number
  max: number
}

export function spread(xs: number[]): Spread {
  return { min: Math.min(...xs), median: median(xs), max: Math.max(...xs) }
}

export interface Compared {
  wallMs: Spread
  teardownMs: Spread
  rss: Spread
  /** This command's wall time over the reference command's in the same round, per round. */
  pairedRatio?: Spread
}

/**
 * `runs` interleaved rounds of every command (after `warmup` rounds), so drift hits all alike;
 * then `runs` more of each for the peak RSS, apart, since polling would skew the timing.
 * `reference` names the command each one's per-round ratio is taken against (the bare SDK).
 */
export async function compare(
  cmds: Record<string, string[]>,
  env: Record<string, string>,
  check: (stdout: string) => boolean,
  runs: number,
  warmup: number,
  reference?: string,
): Promise<Record<string, Compared>> {
  const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(cmds).map((k) => [k, []]))
  for (let i = 0; i < warmup; i++) for (const cmd of Object.values(cmds)) await runOnce(cmd, env, check)
  for (let i = 0; i < runs; i++)
    for (const [k, cmd] of Object.entries(cmds)) samples[k]!.push(await runOnce(cmd, env, check))
  const rss: Record<string, number[]> = Object.fromEntries(Object.keys(cmds).map((k) => [k, []]))
  for (let i = 0; i < runs; i++)
    for (const [k, cmd] of Object.entries(cmds)) rss[k]!.push(await peakRss(cmd, env))
  const ref = reference ? samples[reference] : undefined
  const out: Record<string, Compared> = {}
  for (const k of Object.keys(cmds)) {
    const mine = samples[k]!
    out[k] = {
      wallMs: spread(mine.map((s) => s.wallMs)),
      teardownMs: spread(mine.map((s) => s.teardownMs)),
      rss: spread(rss[k]!),
      ...(ref && { pairedRatio: spread(mine.map((s, i) => s.wallMs / ref[i]!.wallMs)) }),
    }
  }
  return out
}

/** Starts an HTTP fixture as a child (`LISTENING <url>` on stdout); stops it on dispose. */
export async function startHttpFixture(
  cmd: string[],
  env: Record<string, string>,
): Promise<{ url: string } & AsyncDisposable> {
  const proc = Bun.spawn(cmd, { env, stdin: "ignore", stdout: "pipe", stderr: "inherit" })
  const reader = proc.stdout.getReader()
  let text = ""
  while (!/LISTENING (\S+)/.test(text)) {
    const { value, done } = await reader.read()
    if (done) throw new Error(`${cmd.join(" ")} exited before listening`)
    text += new TextDecoder().decode(value)
  }
  reader.releaseLock()
  void proc.stdout.pipeTo(new WritableStream()) // keep draining; the fixture may print more
  return {
    url: /LISTENING (\S+)/.exec(text)![1]!,
    async [Symbol.asyncDispose]() {
      proc.kill("SIGTERM")
      await proc.exited
    },
  }
}

/**
 * The fake model (Anthropic wire format) behind a proxy that notes when the first request of a
 * round arrives: what "time to the first model request" is measured against (bench:warm,
 * bench:cache). `reset()` before each round; `arrived` is 0 until a request came.
 */
export async function firstRequestModel(): Promise<
  AsyncDisposable & { baseUrl: string; push(reply: { text: string }): void; reset(): void; arrived: number }
> {
  const { fakeModel } = await import("../../tests/fixtures/model/server.ts")
  const model = await fakeModel()
  const state = {
    baseUrl: "",
    arrived: 0,
    push: (reply: { text: string }) => model.push(reply),
    reset: () => void (state.arrived = 0),
    async [Symbol.asyncDispose]() {
      proxy.stop(true)
      await model[Symbol.asyncDispose]()
    },
  }
  const proxy = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      state.arrived ||= performance.now()
      const url = new URL(req.url)
      return fetch(`${model.url}${url.pathname}${url.search}`, {
        method: req.method,
        headers: req.headers,
        body: await req.arrayBuffer(),
      })
    },
  })
  state.baseUrl = `http://127.0.0.1:${proxy.port}/v1`
  return state
}
