import { dirname, join, resolve } from "node:path"
import { checkLock } from "../../mcp/index.ts"
import { repeated, type Ctx } from "./context.ts"
import type { Session } from "./connect.ts"

// `--locked` on `agent mcp list` and `agent run` refuses (exit 3) when a server's tools differ
// from mcp.lock (SECURITY P02, rug pull: a server swaps its tools after approval); `agent mcp lock`
// (mcp/lock.ts) writes the file.

export const lockArgs = {
  locked: {
    type: "boolean",
    description: "Exit 3 when a server or its tools changed since mcp.lock (see `agent mcp lock`)",
  },
  lock: {
    type: "string",
    valueHint: "FILE",
    description: "The lock file (default: mcp.lock next to the --mcp file, else in the current directory)",
  },
} as const

/** mcp.lock next to the one --mcp file, else in the project (current) directory; --lock wins. */
export function lockPath(ctx: Ctx, lock: string | undefined, rawArgs: string[]): string {
  if (lock) return resolve(ctx.cwd, lock)
  const files = repeated(rawArgs, "mcp")
  return files.length === 1
    ? join(dirname(resolve(ctx.cwd, files[0]!)), "mcp.lock")
    : join(ctx.cwd, "mcp.lock")
}

/** The one call `--locked` adds to a command: throws LockMismatchError (exit 3) on a change. */
export async function enforceLock(
  s: Session,
  args: { locked?: boolean; lock?: string },
  rawArgs: string[],
): Promise<void> {
  if (args.locked) await checkLock(s.manager, lockPath(s.ctx, args.lock, rawArgs))
}
