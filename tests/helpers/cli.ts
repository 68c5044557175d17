// Runs the CLI as a black box (CONTRIBUTING.md "Tests"): `bun src/main.ts …`, or the compiled dist/agent.
// Every run gets its own AGENTRT_HOME and a minimal environment, so a test can never read or
// write the developer's real config, tokens or approvals, and their env vars never leak in.
import { mkdtemp, realpath, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { ensureBinary } from "./binary.ts"

export const ROOT = resolve(import.meta.dir, "../..")
export const BUN = join(ROOT, "node_modules/.bin/bun")
const MAIN = join(ROOT, "src/main.ts")

export interface CliOptions {
  /** AGENTRT_HOME. When omitted, a throwaway one is created and removed after the run. */
  home?: string
  cwd?: string
  /** Added to (and overriding) the minimal env, e.g. `{ GITHUB_TOKEN: "x" }`; may even replace AGENTRT_HOME. */
  env?: Record<string, string>
  /** Pass the whole parent environment instead of the minimal one (rarely what a test wants). */
  inheritEnv?: boolean
  /** Written to stdin, which is then closed. Stdin is always a pipe (never a TTY), empty by default. */
  stdin?: string
  /** Run the compiled dist/agent (built on first use) instead of `bun src/main.ts`. */
  binary?: boolean
  timeoutMs?: number
}

export interface CliResult {
  code: number
  stdout: string
  stderr: string
  /** stdout parsed as one JSON document; throws with stdout and stderr shown when it is not. */
  json<T = unknown>(): T
}

export async function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return withHome(opts, async (env) => {
    const proc = Bun.spawn([...(await command(opts)), ...args], {
      cwd: opts.cwd ?? dirname(env.AGENTRT_HOME!),
      env,
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
      timeout: opts.timeoutMs ?? 20_000,
      killSignal: "SIGKILL",
    })
    if (opts.stdin !== undefined) proc.stdin.write(opts.stdin)
    proc.stdin.end()
    const [stdout, stderr, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ])
    if (proc.signalCode === "SIGKILL")
      throw new Error(`agent ${args.join(" ")} timed out\nstderr:\n${stderr}`)
    return result(code, stdout, stderr)
  })
}

/**
 * Runs the CLI under a pseudo-terminal (util-linux `script`) so TTY prompts can be tested.
 * `input` lines are typed one at a time, each after the program has printed something new and
 * then gone quiet for `settleMs` (default 150 ms), i.e. once it is presumably waiting for input.
 * Limits: stdout and stderr arrive merged in `stdout` (`stderr` is empty), with CRLF turned into
 * LF and the typed input echoed; control keys must be written as raw bytes ("\x1b[B" for down,
 * "\x03" for Ctrl-C); Linux only; terminal size is script's default.
 */
export async function runCliTty(
  args: string[],
  opts: CliOptions & { input: string[]; settleMs?: number },
): Promise<CliResult> {
  return withHome(opts, async (env) => {
    const cmd = [...(await command(opts)), ...args].map(shellQuote).join(" ")
    const proc = Bun.spawn(["script", "-qfec", cmd, "/dev/null"], {
      cwd: opts.cwd ?? dirname(env.AGENTRT_HOME!),
      env: { ...env, TERM: env.TERM ?? "xterm-256color" },
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
      timeout: opts.timeoutMs ?? 20_000,
      killSignal: "SIGKILL",
    })
    let out = ""
    let lastOutput = Date.now()
    const reading = (async () => {
      for await (const chunk of proc.stdout) {
        out += new TextDecoder().decode(chunk)
        lastOutput = Date.now()
      }
    })()
    const settle = opts.settleMs ?? 150
    let seen = 0
    for (const line of opts.input) {
      // Wait for new output, then for quiet: typing before a prompt switches to raw mode can lose input.
      while (proc.exitCode === null && (out.length === seen || Date.now() - lastOutput < settle))
        await Bun.sleep(20)
      if (proc.exitCode !== null) break
      seen = out.length
      proc.stdin.write(line.endsWith("\n") || line.startsWith("\x1b") || line === "\x03" ? line : `${line}\r`)
      proc.stdin.flush()
    }
    // script stops the child when its own stdin ends, so keep it open until the child exits.
    const code = await proc.exited
    await reading
    proc.stdin.end()
    const stderr = await new Response(proc.stderr).text()
    if (proc.signalCode === "SIGKILL")
      throw new Error(`agent ${args.join(" ")} timed out under a tty\noutput:\n${out}`)
    return result(code, out.replaceAll("\r\n", "\n"), stderr)
  })
}

/** POSIX single quoting: 'it'\''s' */
export function shellQuote(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`
}

async function command(opts: CliOptions): Promise<string[]> {
  return opts.binary ? [await ensureBinary()] : [BUN, MAIN]
}

async function withHome<T>(opts: CliOptions, run: (env: Record<string, string>) => Promise<T>): Promise<T> {
  const scratch = opts.home ? undefined : await realpath(await mkdtemp(join(tmpdir(), "agentrt-run-")))
  const home = opts.home ?? join(scratch!, "agentrt-home")
  try {
    return await run(environment(home, opts))
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true })
  }
}

function environment(home: string, opts: CliOptions): Record<string, string> {
  const base = opts.inheritEnv
    ? (Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== undefined)) as Record<
        string,
        string
      >)
    : { PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin" }
  // HOME is the directory holding AGENTRT_HOME: with tmpdir() that is `t.path`, so a test can put
  // a peer tool's config (~/.claude.json) there with `t.write(...)`.
  // opts.env may replace AGENTRT_HOME on purpose (tests of a bad AGENTRT_HOME); nothing else can.
  return { ...base, HOME: dirname(home), NO_COLOR: "1", AGENTRT_HOME: home, ...opts.env }
}

function result(code: number, stdout: string, stderr: string): CliResult {
  return {
    code,
    stdout,
    stderr,
    json<T>() {
      try {
        return JSON.parse(stdout) as T
      } catch (e: unknown) {
        throw new Error(
          `stdout is not one JSON document (${String(e)})\nstdout:\n${stdout}\nstderr:\n${stderr}`,
        )
      }
    },
  }
}

/** The argv that runs agent (source or compiled) and its minimal environment, for tests that keep it running as a child (agent mcp serve, proxy). */
export function agentArgv(binary = false): Promise<string[]> {
  return command({ binary })
}

export function agentEnv(home: string, env?: Record<string, string>): Record<string, string> {
  return environment(home, env ? { env } : {})
}
