import { ask } from "./prompt.ts"

// The terminal question queue, shared by `agent run` (run/prompts.ts) and the `agent mcp`
// elicitation form (shared/elicit-prompt.ts). Its own small file so that `agent mcp` commands do not
// load the agent loop (run/prompts.ts imports the agent domain) at start.

type Asker = (question: string) => Promise<string>

/** One question at a time: parallel tool calls and server requests share one terminal. */
export function createQueue(asker: Asker = ask) {
  let last: Promise<unknown> = Promise.resolve()
  // `settled`: checked when this question's turn comes (an "always" given meanwhile answers it).
  return (
    question: string,
    signal?: AbortSignal,
    settled?: () => string | undefined,
  ): Promise<string | undefined> => {
    const next = last.then(async () => {
      if (signal?.aborted) return undefined
      return settled?.() ?? (await untilAborted(asker(question), signal))
    })
    last = next.catch(() => {})
    return next
  }
}
export type Queue = ReturnType<typeof createQueue>

export function oneLine(s: string, max: number): string {
  const flat = s.replace(/\s+/g, " ").trim()
  return flat.length > max ? `${flat.slice(0, max)}…` : flat
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T | undefined> {
  if (!signal) return work
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(undefined)
    signal.addEventListener("abort", onAbort, { once: true })
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort))
  })
}
