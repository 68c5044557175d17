#!/usr/bin/env bun
// Entry point: the only process.exit. `--version` answers before anything heavy loads,
// so startup stays close to a bare Bun binary (scripts/bench-startup.ts measures it).
import { runInterruptHandlers } from "./util/abort.ts"

declare const AGENT_VERSION: string | undefined

const argv = process.argv.slice(2)
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
  // console.log, not process.stdout.write: the latter costs ~8 ms on first use in a compiled binary.
  console.log(typeof AGENT_VERSION === "string" ? AGENT_VERSION : (await import("../package.json")).version)
  process.exit(0)
}

// Ctrl-C: every write is atomic (temp + rename) and locks held by a dead pid are broken by the
// next writer, so exiting at once leaves no half-written file. A command holding servers
// registers with onInterrupt (util/abort.ts): it cancels, stops its children and returns 130.
// S05/S06: stdio servers run in their own process groups (mcp/spawn.ts), so neither the
// terminal's Ctrl-C nor a SIGTERM or SIGHUP sent to agent reaches them: all three take this
// path, which stops every server's group before exiting.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    if (runInterruptHandlers()) return
    process.stderr.write("\nerror: interrupted\n")
    process.exit(130)
  })
}

// docs/daemon.md: while the user's daemon runs, these commands run in it (warm servers); this
// side loads only the small socket client. undefined: no daemon (or a broken one), run cold.
let code: number | undefined
if (argv.includes("mcp") || argv.includes("run")) {
  // The terminal checks start before the client loads: Bun's file thread pool starts with the
  // first stat (~0.5 ms), which then overlaps loading the client's chunks (docs/performance.md).
  const fdStats =
    process.platform === "linux"
      ? ([0, 1, 2] as const).map((fd) =>
          Bun.file(`/proc/self/fd/${fd}`)
            .stat()
            .catch(() => undefined),
        )
      : undefined
  const client = await import("./cli/shared/daemon-client.ts")
  if (client.isWarmCommand(argv)) code = await client.runWarm(argv, process.env, fdStats)
  // Its output was written synchronously; process.stdout was never touched (~8 ms on first use).
  if (code !== undefined) process.exit(code)
}
if (code === undefined) {
  const { runCli, stdoutWritten } = await import("./cli/index.ts")
  code = await runCli(argv)
  // Let a large result drain into a pipe before exiting (exit does not wait for it): every
  // write's own callback first, then an empty write, which also flushes what the secret guard held back.
  await stdoutWritten()
}
await new Promise<void>((resolve) => process.stdout.write("", () => resolve()))
process.exit(code)
