/** Runs at most `n` tasks at once (stdio spawns: docs/design.md §5, T09); FIFO, no module state. */
export function createLimiter(n: number) {
  let active = 0
  const queue: (() => void)[] = []
  return async function limit<T>(task: () => Promise<T>): Promise<T> {
    if (active >= Math.max(1, n)) await new Promise<void>((resolve) => queue.push(resolve))
    active++
    try {
      return await task()
    } finally {
      active--
      queue.shift()?.()
    }
  }
}
