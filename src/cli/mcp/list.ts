import type { ServerState } from "../../mcp/index.ts"
import { ExitCode } from "../../util/errors.ts"
import { escapeTerminal } from "../../util/text.ts"
import { command } from "../command.ts"
import {
  connectArgs,
  connectedServer,
  missingError,
  missingRequired,
  optionalName,
  withServers,
  type Session,
} from "../shared/connect.ts"
import { enforceLock, lockArgs } from "../shared/lock-check.ts"
import { settledText } from "../shared/progress.ts"
import { printJson, printRaw, printTable } from "../shared/output.ts"
import { shownUrl, targetJson } from "../shared/present.ts"

// `agent mcp list` and `agent mcp get NAME`: connect, then report what each server is and offers.

export const list = command({
  name: "list",
  description:
    "Connect to every enabled server in parallel; show each one's transport, protocol, status and counts",
  args: {
    ...connectArgs,
    strict: {
      type: "boolean",
      description: "Exit 5 unless every enabled server connected (4 when the missing ones only need sign-in)",
    },
    ...lockArgs,
  },
  examples: [
    "agent mcp list --mcp mcp.example.json",
    "agent mcp list --output json --no-interactive --approve-env GITHUB_TOKEN",
    "agent mcp list --strict                          # CI: fail when a server is down",
    "agent mcp list --url http://127.0.0.1:8080/mcp   # ad hoc, no config",
    "# exit 0; 5 with --strict when a server is not connected, or when a `required: true` or ad hoc one is not;",
    "#   4 instead when each of those servers only needs sign-in (agent mcp auth NAME)",
    "# --output json: { servers: [{ name, scope, file, status, transport, protocolVersion, sessionId?, counts, connectMs, error?, hint? }] }",
    "#   status: connected | needs_auth | needs_approval | failed | disabled | blocked (by policy: docs/policy.md)",
  ],
  run: ({ args, rawArgs }) =>
    withServers(args, rawArgs, { progress: true }, async (s) => {
      await enforceLock(s, args, rawArgs) // --locked: exit 3 when tools changed since mcp.lock
      if (s.ctx.output === "json") printJson({ servers: s.states.map(summary) })
      else if (s.states.length === 0)
        printRaw("no servers configured (add one with `agent mcp add`, or pass --mcp FILE)")
      else {
        printTable(s.states.map(row), [
          "NAME",
          "TRANSPORT",
          "PROTOCOL",
          "STATUS",
          "TOOLS",
          "PROMPTS",
          "RESOURCES",
          "TIME",
        ])
        for (const x of s.states) {
          const hint = "hint" in x ? x.hint : undefined
          if (hint) s.ctx.log.info(escapeTerminal(`${x.name}: ${hint}`))
        }
      }
      return strictCode(s, Boolean(args.strict))
    }),
})

/** 5 when a server that must connect did not; 4 when each such server only needs sign-in. */
function strictCode(s: Session, isStrict: boolean): number {
  const failing = isStrict
    ? s.states.filter((x) => x.status !== "connected" && x.status !== "disabled")
    : missingRequired(s.states)
  if (failing.length === 0) return ExitCode.ok
  const why = isStrict ? "--strict" : s.isAdhoc ? "the ad hoc server" : "required: true"
  s.ctx.log.error(
    escapeTerminal(
      `not connected (${why}): ${failing.map((x) => `${x.name} (${settledText(x)})`).join(", ")}`,
    ),
  )
  const err = missingError(failing, "server")
  if (err.code === "auth" && err.hint) s.ctx.log.info(escapeTerminal(err.hint))
  return ExitCode[err.code]
}

function configuredTransport(s: ServerState): string {
  if (s.status === "connected") return s.transport
  if (s.status === "failed" && s.transport) return s.transport
  return s.entry.server.transport
}

function row(s: ServerState): string[] {
  const connected = s.status === "connected"
  const status =
    s.status === "failed" ? `failed: ${clip(s.error.split("\n")[0]!, 60)}` : settledText(s).split(" (")[0]!
  return [
    s.name,
    configuredTransport(s),
    connected ? s.protocolVersion : "-",
    status,
    connected ? String(s.counts.tools) : "-",
    connected ? String(s.counts.prompts) : "-",
    connected ? String(s.counts.resources) : "-",
    connected ? duration(s.connectMs) : "-",
  ]
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s
}

function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`
}

export function summary(s: ServerState) {
  const base = {
    name: s.name,
    scope: s.entry.scope,
    file: s.entry.file,
    status: s.status,
    transport: configuredTransport(s),
  }
  if (s.status === "connected") {
    return {
      ...base,
      protocolVersion: s.protocolVersion,
      ...(s.sessionId !== undefined && { sessionId: s.sessionId }),
      counts: s.counts,
      connectMs: Math.round(s.connectMs),
    }
  }
  const problem =
    s.status === "failed"
      ? { error: s.error, ...(s.hint !== undefined && { hint: s.hint }) }
      : s.status === "needs_approval" || s.status === "blocked"
        ? { error: s.reason, hint: s.hint }
        : s.status === "needs_auth"
          ? { error: `sign-in required (${shownUrl(s.url)})`, hint: s.hint }
          : {}
  return { ...base, protocolVersion: null, counts: null, connectMs: null, ...problem }
}

export const get = command({
  name: "get",
  description:
    "Connect to one server; show what was negotiated: transport, protocol, session, server info, instructions, capabilities",
  args: {
    ...connectArgs,
    server: {
      type: "positional",
      required: false,
      valueHint: "NAME",
      description: "The server (optional with an ad hoc --url or -- COMMAND)",
    },
  },
  examples: [
    "agent mcp get everything --mcp mcp.example.json",
    "agent mcp get --url http://127.0.0.1:8080/mcp --output json",
    "# exit 5 when it does not connect (3: needs approval, 4: needs sign-in)",
  ],
  run({ args, rawArgs }) {
    const name = optionalName(args._, rawArgs)
    return withServers(args, rawArgs, { only: name, isSingle: true }, async (s) => {
      const c = connectedServer(s, name ?? s.states[0]!.name)
      const info = {
        ...summary(c),
        server: targetJson(c.entry.server),
        serverInfo: c.serverInfo ?? null,
        instructions: c.instructions ?? null,
        capabilities: c.capabilities ?? {},
      }
      if (s.ctx.output === "json") return printJson(info)
      const lines = [
        `${c.name} (${c.entry.file})`,
        `  transport:    ${c.transport}${c.entry.server.transport === "auto" ? " (auto-detected)" : ""}`,
        `  ${"url" in info.server ? `url:          ${info.server.url}` : `command:      ${[info.server.command, ...info.server.args].join(" ")}`}`,
        `  protocol:     ${c.protocolVersion}`,
        ...(c.sessionId ? [`  session:      ${c.sessionId}`] : []),
        `  server:       ${c.serverInfo ? `${c.serverInfo.name} ${c.serverInfo.version}` : "(not reported)"}`,
        `  capabilities: ${Object.keys(c.capabilities ?? {}).join(", ") || "none"}`,
        `  counts:       ${c.counts.tools} tools, ${c.counts.prompts} prompts, ${c.counts.resources} resources`,
        `  connected in: ${duration(c.connectMs)}`,
        ...(c.instructions ? ["  instructions:", ...c.instructions.split("\n").map((l) => `    ${l}`)] : []),
      ]
      printRaw(lines.map(escapeTerminal).join("\n"))
    })
  },
})
