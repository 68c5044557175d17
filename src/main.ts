#!/usr/bin/env bun
// Entry point: the only process.exit. `--version` answers before anything heavy loads,
// so startup stays close to a bare Bun binary (scripts/bench-startup.ts measures it).
declare const AGENT_VERSION: string | undefined

const argv = process.argv.slice(2)
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
  process.stdout.write(`${typeof AGENT_VERSION === "string" ? AGENT_VERSION : (await import("../package.json")).version}\n`)
  process.exit(0)
}

const { runCli } = await import("./cli/index.ts")
process.exit(await runCli(argv))
export {}
