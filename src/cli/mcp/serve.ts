import { randomBytes } from "node:crypto"
import { join } from "node:path"
import pkg from "../../../package.json" with { type: "json" }
import type { ServerState } from "../../mcp/index.ts"
import { McpConnectError, UsageError } from "../../util/errors.ts"
import { createLog } from "../../util/log.ts"
import { escapeTerminal } from "../../util/text.ts"
import { command } from "../command.ts"
import { connectArgs, notConnectedError, withServers, type Session } from "../shared/connect.ts"
import { printJson, printRaw } from "../shared/output.ts"
import { warmRequest } from "../shared/warm.ts"
import { warnNotConnected } from "./tools.ts"

// `agent mcp serve`: agent's servers for every other MCP client (docs/serve.md). Approvals and
// sign-in happen first, as for any agent command; then one MCP server offers every connected
// server's tools, prompts and resources under agent's names, over stdio or loopback HTTP.

export const serve = command({
  name: "serve",
  description:
    "Serve every enabled server's tools, prompts and resources to another MCP client (stdio, or loopback HTTP with a token)",
  args: {
    http: {
      type: "string",
      valueHint: "[127.0.0.1:]PORT",
      description:
        "Streamable HTTP on 127.0.0.1:PORT (0: a free port) instead of stdio; clients need the bearer token it prints",
    },
    only: {
      type: "string",
      valueHint: "A,B",
      description: "Serve only these servers (comma-separated names from the config)",
    },
    "max-tool-output": {
      type: "string",
      valueHint: "TOKENS",
      description:
        "Tool results past this many tokens (≈4 chars each) are saved under the state dir; the client gets the head and a read_tool_output tool (off without it; a server's maxOutputTokens applies to that server then)",
    },
    ...connectArgs,
  },
  examples: [
    "agent mcp serve --mcp mcp.example.json            # stdio: what a client's config runs",
    "agent mcp serve --http 8931 --only github,fs      # http://127.0.0.1:8931/mcp, bearer token on stderr",
    "agent mcp serve --http 0                          # a free port; the URL is printed on stdout",
    "agent mcp serve --http 0 --output json            # stdout: {url, tokenFile, servers}",
    "agent mcp serve --max-tool-output 25000           # results past ≈25k tokens: the head + read_tool_output",
    '# in a client config: {"command": "agent", "args": ["mcp", "serve", "--mcp", "/path/to/mcp.json"]}',
    "# with `agent daemon start` running, every client's serve shares its held servers (--no-daemon: not)",
    "# exit 3 when a server needs approval and there is no terminal to ask at; exit 2 for a non-loopback --http",
  ],
  async run({ args, rawArgs }) {
    const {
      createServeCore,
      createServeLimit,
      listen,
      parseBind,
      serveOverLines,
      serveOverStdio,
      serveToken,
    } = await import("../../serve/index.ts")
    // Before anything connects: a bad address is a usage error (exit 2), not a late failure (L09).
    const bind = args.http !== undefined ? parseBind(args.http) : undefined
    const maxToolOutput = tokens(args["max-tool-output"])
    const among = (args.only ?? "")
      .split(",")
      .map((n) => n.trim())
      .filter(Boolean)
    if (among.length && (args.url !== undefined || rawArgs.includes("--")))
      throw new UsageError(
        "--only picks servers from the config; an ad hoc server (--url or -- COMMAND) is served alone",
      )
    const core = createServeCore({
      mode: { kind: "aggregate" },
      info: { name: "agent", version: pkg.version },
      log: createLog(logLevel(args)),
    })
    return withServers(
      args,
      rawArgs,
      { among, ...core.hooks, onListChanged: core.events.listChanged, onLog: core.events.log },
      async (s) => {
        checkStates(s, among)
        core.attach(s.manager, {
          instructions: instructionsOf(s.states),
          ...(maxToolOutput !== undefined && {
            limit: createServeLimit({
              maxTokens: maxToolOutput,
              perServer: Object.fromEntries(
                s.states.flatMap((x) =>
                  x.entry.server.maxOutputTokens !== undefined
                    ? [[x.name, x.entry.server.maxOutputTokens]]
                    : [],
                ),
              ),
              // One directory per serve, also when the daemon runs several in one process.
              dir: join(s.ctx.paths.stateDir, "serve", `${process.pid}-${randomBytes(3).toString("hex")}`),
            }),
          }),
        })
        try {
          // Inside the daemon (docs/daemon.md "Serve and proxy through the daemon"): the caller's stdin/stdout, tunnelled.
          const warm = warmRequest()
          if (!bind && warm) return void (await serveOverLines(core, warm.tunnel(), s.signal))
          if (!bind) return void (await serveOverStdio(core, s.signal))
          const { token, file } = await serveToken(s.ctx.paths.stateDir)
          const http = listen(bind, { core, token, log: s.ctx.log })
          try {
            const served = s.states.filter((x) => x.status === "connected").map((x) => x.name)
            if (s.ctx.output === "json") printJson({ url: http.url, tokenFile: file, servers: served })
            else printRaw(http.url)
            if (args.quiet !== true) process.stderr.write(howToConnect(http.url, token, file, s))
            await new Promise<void>((resolve) => s.signal.addEventListener("abort", () => resolve()))
          } finally {
            await http.close()
          }
        } finally {
          await core.close()
        }
      },
    )
  },
})

/** A server that needs approval stops the command (exit 3, with the hint); so does one named in --only that did not connect. */
function checkStates(s: Session, among: string[]): void {
  const blocked = s.states.find((x) => x.status === "needs_approval")
  if (blocked) throw notConnectedError(blocked, blocked.name)
  for (const name of among) {
    const x = s.states.find((st) => st.name === name)
    if (x?.status !== "connected") throw notConnectedError(x, name)
  }
  if (!s.states.some((x) => x.status === "connected"))
    throw new McpConnectError("no server connected: there is nothing to serve", {
      hint: "`agent mcp list` shows why each one did not",
    })
  warnNotConnected(s)
}

/** Each served server's own instructions, under its name: the client's model reads them as if it talked to each server. */
function instructionsOf(states: ServerState[]): string {
  const parts = states.flatMap((x) =>
    x.status === "connected" && x.instructions
      ? [`## ${x.name} (tools named ${x.name}__…)\n${x.instructions}`]
      : [],
  )
  return [
    "Tools, prompts and resources of the MCP servers configured in agent; tools and prompts are named server__name.",
    ...parts,
  ].join("\n\n")
}

function howToConnect(url: string, token: string, file: string, s: Session): string {
  const served = s.states.filter((x: ServerState) => x.status === "connected").map((x) => x.name)
  const snippet = JSON.stringify({
    mcpServers: { agent: { type: "http", url, headers: { Authorization: `Bearer ${token}` } } },
  })
  return (
    `agent mcp serve: ${escapeTerminal(served.join(", "))} on ${url} (Ctrl-C stops)\n` +
    `Clients must send this header (the token is kept in ${file}, readable only by you):\n` +
    `  Authorization: Bearer ${token}\n` +
    `A client config for it:\n  ${snippet}\n`
  )
}

/** --max-tool-output: a positive whole number of tokens, or undefined (no limit). */
function tokens(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--max-tool-output must be a positive whole number, got "${escapeTerminal(raw)}"`)
  return n
}

/** The same levels as every command's log (createContext): the core's debug lines show with -v. */
export function logLevel(args: { debug?: boolean; verbose?: boolean; quiet?: boolean }): number {
  return args.debug || (args.verbose && !args.quiet) ? 4 : args.quiet ? 0 : 3
}
