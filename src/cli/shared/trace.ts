// AGENTRT_TRACE=1: the timeline of a cold connect on stderr, one line per milestone, with the
// milliseconds since the process started and the CPU time it has used so far (CPU time moves
// far less than wall time on a loaded machine). Off by default; for measuring (docs/performance.md,
// "Where a cold run's time goes"), not a log: the lines have no tag and no level.

export type Trace = (event: string) => void

export function createTrace(env: Record<string, string | undefined>): Trace | undefined {
  const value = env.AGENTRT_TRACE
  if (!value || value === "0") return undefined
  return timeline(0, 1, (line) => process.stderr.write(`${line}\n`))
}

/**
 * One `trace:` line per milestone to `write`: the ms since `since` (performance.now()) and the CPU
 * used since the timeline began, with `digits` decimals. A process from its start (createTrace),
 * or one request in the daemon from its arrival (cli/daemon/execute.ts).
 */
export function timeline(since: number, digits: number, write: (line: string) => void): Trace {
  // From the process's start, its whole CPU time; from later, what was used since.
  const cpu0 = since === 0 ? undefined : process.cpuUsage()
  const ms = (n: number) => n.toFixed(digits).padStart(7)
  return (event) => {
    const cpu = process.cpuUsage(cpu0)
    write(
      `trace: ${ms(performance.now() - since)} ms  cpu ${ms((cpu.user + cpu.system) / 1000)} ms  ${event}`,
    )
  }
}
