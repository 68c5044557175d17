import {
  diffLock,
  formatChanges,
  LockMismatchError,
  readLock,
  snapshot,
  writeLock,
  type LockChange,
} from "../../mcp/index.ts"
import { McpConnectError } from "../../util/errors.ts"
import { escapeTerminal, plural } from "../../util/text.ts"
import { command } from "../command.ts"
import { connectArgs, withServers, type Session } from "../shared/connect.ts"
import { lockArgs, lockPath } from "../shared/lock-check.ts"
import { errorDocument, printJson, printRaw } from "../shared/output.ts"

// `agent mcp lock [--update]` writes mcp.lock; `--locked` (shared/lock-check.ts) on `agent mcp
// list` and `agent run` refuses (exit 3) when a server or its tools differ from it (SECURITY P02,
// P07, P08: the rug pull; mcp/lock-diff.ts lists the fields compared).

export default command({
  name: "lock",
  description:
    "Record each server's command, args, cwd or URL, env and header names, package version and a hash of every tool (name, title, description, schemas, annotations) in mcp.lock",
  args: {
    ...connectArgs,
    lock: lockArgs.lock,
    update: {
      type: "boolean",
      description: "Accept changed servers and changed, added or removed tools and rewrite the lock",
    },
  },
  examples: [
    "agent mcp lock --mcp mcp.json            # writes mcp.lock next to mcp.json",
    "agent mcp lock --update                  # accept a server's changed tools",
    "agent run --locked 'task'                # exit 3 if any tool or server changed since the lock",
    "# exit 0 written or up to date; 3 a tool or server changed (rerun with --update); 5 a server did not connect",
    "# --output json: { lock, written, changes: [{ server, tool?, kind, field?, before?, after? }] }; when refused,",
    "#   written: false, the refused changes and error: { code, exitCode, message, hint }",
  ],
  run: ({ args, rawArgs }) =>
    withServers(args, rawArgs, { progress: args.output !== "json" }, async (s) => {
      const down = s.states.filter((x) => x.status !== "connected" && x.status !== "disabled")
      if (down.length) {
        throw new McpConnectError(`cannot lock: ${down.map((x) => x.name).join(", ")} did not connect`, {
          hint: "agent mcp list shows why; a lock must cover every enabled server",
        })
      }
      const path = lockPath(s.ctx, args.lock, rawArgs)
      const previous = await readLock(path)
      const current = await snapshot(s.manager)
      const changes = previous ? diffLock(previous, current) : []
      // A server new to the lock is the user's own config edit; changed tools need --update.
      const blocking = changes.filter((c) => c.kind !== "server-added")
      if (blocking.length && !args.update) {
        const refused = new LockMismatchError(blocking, path)
        // json: the refused changes as data (the same shape a written lock reports), then exit 3.
        if (s.ctx.output === "json")
          printJson({ lock: path, written: false, changes: blocking, ...errorDocument(refused) })
        throw refused
      }
      const isSame =
        previous !== undefined && JSON.stringify(sorted(previous)) === JSON.stringify(sorted(current))
      if (!isSame) await writeLock(path, current)
      report(s, path, !isSame, changes, Object.keys(current.servers).length)
    }),
})

function report(s: Session, path: string, written: boolean, changes: LockChange[], servers: number) {
  if (s.ctx.output === "json") return printJson({ lock: path, written, changes })
  const what = written ? `wrote ${path} (${plural(servers, "server")})` : `${path} is up to date`
  printRaw(escapeTerminal(changes.length ? `${what}; accepted:\n${formatChanges(changes)}` : what))
}

function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted)
  if (typeof v !== "object" || v === null) return v
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
  )
}
