import { basename, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import type { ManagerOptions } from "./types.ts"

// MCP roots (spec: client/roots): the directories a server is told it may work in. A filesystem
// server such as server-filesystem replaces its configured directories with the roots it is
// given, so a root widens its sandbox. C09: none by default; only what the user listed.

export interface Root {
  uri: string
  name: string
}

/** The roots one server is offered: its own `roots` field plus `--root`, absolute, once each. */
export function rootsFor(own: string[] | undefined, opts: Pick<ManagerOptions, "cwd" | "roots">): Root[] {
  const dirs = [...new Set([...(own ?? []), ...(opts.roots ?? [])].map((d) => resolve(opts.cwd, d)))]
  return dirs.map((d) => ({ uri: pathToFileURL(d).href, name: basename(d) || d }))
}
