import type { ServerCapabilities } from "@modelcontextprotocol/server"
import pkg from "../../../package.json" with { type: "json" }
import { createLog } from "../../util/log.ts"
import { command } from "../command.ts"
import { connectArgs, connectedServer, positionals, withServers } from "../shared/connect.ts"
import { warmRequest } from "../shared/warm.ts"
import { logLevel } from "./serve.ts"

// `agent mcp proxy NAME|URL`: a stdio bridge to one server, transparent (every name as the server
// gives it), that signs in, refreshes and stores tokens, and checks approvals the way every agent
// command does. A drop-in for `npx mcp-remote URL` (docs/serve.md).

export const proxy = command({
  name: "proxy",
  description:
    "Bridge one server (a config NAME or a URL) to stdio for another MCP client, with agent's sign-in, token store and approvals",
  args: {
    target: {
      type: "positional",
      required: false,
      valueHint: "NAME|URL",
      description: "A server from the config, or the URL of a remote server",
    },
    browser: {
      type: "boolean",
      negativeDescription:
        "Sign in without opening a browser: print the URL and read the redirect address pasted at a terminal",
    },
    ...connectArgs,
  },
  examples: [
    "agent mcp proxy github                                 # a configured server, on stdio",
    "agent mcp proxy https://mcp.example.com/mcp            # instead of: npx mcp-remote https://mcp.example.com/mcp",
    '# in a client config: {"command": "agent", "args": ["mcp", "proxy", "https://mcp.example.com/mcp"]}',
    "# sign in once ahead (headless): agent mcp auth --url https://mcp.example.com/mcp --no-browser",
    "# with `agent daemon start` running, proxies of one server share its connection and sign-in",
  ],
  async run({ args, rawArgs }) {
    const [target, extra] = positionals(args._, rawArgs)
    if (extra !== undefined)
      throw new (await import("../../util/errors.ts")).UsageError(`unexpected argument "${extra}"`)
    const isUrl = target !== undefined && /^https?:\/\//i.test(target)
    // Started by a client, stdin is its pipe: --no-browser cannot read a pasted address there, so
    // this run does not sign in (exit 4 names `agent mcp auth`, which signs in ahead at a terminal).
    const noBrowser = args.browser === false || rawArgs.includes("--no-browser")
    const cannotPaste = noBrowser && !process.stdin.isTTY
    const flags = { ...args, ...(isUrl && { url: target }), ...(cannotPaste && { interactive: false }) }
    const { createServeCore, serveOverLines, serveOverStdio } = await import("../../serve/index.ts")
    const core = createServeCore({
      mode: { kind: "transparent", server: "" },
      info: { name: "agent", version: pkg.version },
      log: createLog(logLevel(args)),
    })
    return withServers(
      flags,
      rawArgs,
      {
        ...(isUrl || target === undefined ? {} : { only: target }),
        isSingle: true,
        // The user asked for this server by configuring the proxy: sign in even without a terminal.
        signIn: cannotPaste ? {} : { isExplicit: true, noBrowser },
        ...core.hooks,
        onListChanged: core.events.listChanged,
        onLog: core.events.log,
      },
      async (s) => {
        const up = connectedServer(s, isUrl || target === undefined ? s.states[0]!.name : target)
        core.attach(s.manager, {
          mode: { kind: "transparent", server: up.name },
          info: up.serverInfo ?? { name: up.name, version: pkg.version },
          ...(up.instructions !== undefined && { instructions: up.instructions }),
          capabilities: mirrored(up.capabilities),
        })
        try {
          // Inside the daemon (docs/daemon.md "Serve and proxy through the daemon"): the caller's stdin/stdout, tunnelled.
          const warm = warmRequest()
          await (warm ? serveOverLines(core, warm.tunnel(), s.signal) : serveOverStdio(core, s.signal))
        } finally {
          await core.close()
        }
      },
    )
  },
})

/** What the upstream offers, offered again (list changes are always passed on). */
function mirrored(caps: ServerCapabilities | undefined): ServerCapabilities {
  return {
    ...(caps?.logging && { logging: {} }),
    ...(caps?.tools && { tools: { listChanged: true } }),
    ...(caps?.prompts && { prompts: { listChanged: true } }),
    ...(caps?.resources && { resources: { listChanged: true } }),
  }
}
