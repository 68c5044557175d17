import { escapeTerminal } from "../../util/text.ts"
import { warmRequest } from "./warm.ts"

// Prompts read the terminal and write to stderr, never stdout. Only asked when interactive;
// without a TTY the callers refuse instead (deny by default: docs/security.md, threat model).
export async function ask(question: string): Promise<string> {
  // Inside the daemon the question goes to the caller's terminal and the answer comes back from it.
  const warm = warmRequest()
  if (warm) {
    process.stderr.write(`${escapeTerminal(question)} `)
    return ((await warm.ask()) ?? "").trim()
  }
  // node:readline on first use: most runs never prompt, and its import is ~1 ms of start-up.
  const { createInterface } = require("node:readline") as typeof import("node:readline")
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: false })
  try {
    process.stderr.write(`${escapeTerminal(question)} `)
    const line = await new Promise<string | undefined>((resolve) => {
      rl.once("line", resolve)
      rl.once("close", () => resolve(undefined))
    })
    return (line ?? "").trim()
  } finally {
    rl.close()
  }
}

export async function confirm(question: string, defaultYes = false): Promise<boolean> {
  const answer = (await ask(`${question} ${defaultYes ? "[Y/n]" : "[y/N]"}`)).toLowerCase()
  if (answer === "") return defaultYes
  return answer === "y" || answer === "yes"
}
