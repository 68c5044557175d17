// AGENTRT_TRACE=1: the timeline of a cold connect on stderr, one line per milestone, with the
// milliseconds since the process started and the CPU time it has used so far (CPU time moves
// far less than wall time on a loaded machine). Off by default; for measuring (docs/performance.md,
// "Where a cold run's time goes"), not a log: the lines have no tag and no level.

export type Trace = (event: string) => void

export function createTrace(env: Record<string, string | undefined>): Trace | undefined {
  const value = env.AGENTRT_TRACE
  if (!value || value === "0") return undefined
  return (event) => {
    const cpu = process.cpuUsage()
    const ms = (n: number) => n.toFixed(1).padStart(7)
    process.stderr.write(
      `trace: ${ms(performance.now())} ms  cpu ${ms((cpu.user + cpu.system) / 1000)} ms  ${event}\n`,
    )
  }
}
