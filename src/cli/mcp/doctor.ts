import { normalizeSchema, type ProviderName } from "../../agent/index.ts"
import { openApprovals, resolveServers, type Resolution } from "../../config/index.ts"
import {
  isBroken,
  loadDoctor,
  type Finding,
  type SchemaProvider,
  type ServerReport,
} from "../../mcp/index.ts"
import { ExitCode } from "../../util/errors.ts"
import { escapeTerminal } from "../../util/text.ts"
import { command } from "../command.ts"
import { repeated } from "../shared/context.ts"
import { adhocServer } from "../shared/adhoc.ts"
import { connectArgs, optionalName, withServers, type Session } from "../shared/connect.ts"
import { printJson, printRaw } from "../shared/output.ts"

// `agent mcp doctor [NAME | --url URL]`: probes servers and explains what it finds, each
// finding ok/info/warn/error with a fix hint. Exit 1 when any finding is an error.
// Read-only: never prompts, approves, registers an OAuth client or starts a sign-in.

const PROVIDERS: ProviderName[] = ["anthropic", "openai", "google", "bedrock"]
const MARK: Record<Finding["severity"], string> = {
  ok: "ok   ",
  info: "info ",
  warn: "warn ",
  error: "error",
}

export default command({
  name: "doctor",
  description:
    "Probe one server or all of them: DNS/TLS, transports and protocol, sessions, the OAuth chain, tool names and schemas per model provider",
  args: {
    ...connectArgs,
    server: {
      type: "positional",
      required: false,
      valueHint: "NAME",
      description: "Only this server (default: every configured one)",
    },
  },
  examples: [
    "agent mcp doctor --mcp mcp.example.json",
    "agent mcp doctor github",
    "agent mcp doctor --url https://mcp.example.com/mcp --output json",
    "# exit 0 when nothing is broken (warnings allowed), 1 when any finding is an error",
    "# --output json: { servers: [{ name, findings: [{ check, severity: ok|info|warn|error, message, hint? }] }] }",
  ],
  run({ args, rawArgs }) {
    const name = optionalName(args._, rawArgs)
    // interactive: false — no approval prompt and no inline sign-in: a doctor only looks.
    return withServers(
      { ...args, interactive: false },
      rawArgs,
      { only: name, progress: args.output !== "json" },
      async (s) => {
        const { diagnose, DOCTOR_TIMEOUT_MS } = await loadDoctor()
        const reports = await diagnose(await resolutions(s, args, rawArgs), s.states, s.manager, {
          timeoutMs: s.timeoutMs ?? DOCTOR_TIMEOUT_MS,
          providers: providers(),
        })
        if (s.ctx.output === "json") printJson({ servers: reports })
        else printRaw(render(reports))
        if (!isBroken(reports)) return ExitCode.ok
        // Text output ends with the verdict; json gets it on stderr, so exit 1 is never silent.
        if (s.ctx.output === "json") {
          const broken = reports
            .filter((r) => r.findings.some((f) => f.severity === "error"))
            .map((r) => r.name)
          s.ctx.log.error(
            escapeTerminal(`something is broken: ${broken.join(", ")} (see the error findings)`),
          )
        }
        return ExitCode.failure
      },
    )
  },
})

/**
 * The interpolated definitions (URL and headers as sent). withServers already resolved and
 * approved them; resolving again without a prompt gives the same answer and writes nothing.
 */
async function resolutions(
  s: Session,
  args: { url?: string; type?: string; name?: string },
  rawArgs: string[],
): Promise<Resolution[]> {
  if (s.isAdhoc) return [adhocServer(args, rawArgs)!]
  return resolveServers(
    s.states.map((x) => x.entry),
    {
      store: openApprovals(s.ctx.paths),
      env: s.ctx.env,
      approveEnv: repeated(rawArgs, "approve-env"),
      ...(s.config?.policy && { policy: s.config.policy }),
    },
  )
}

function providers(): SchemaProvider[] {
  return PROVIDERS.map((p) => ({ name: p, normalize: (schema: unknown) => normalizeSchema(schema, p) }))
}

export function render(reports: ServerReport[]): string {
  if (reports.length === 0) return "no servers configured (add one with `agent mcp add`, or pass --mcp FILE)"
  const lines: string[] = []
  const counts = { error: 0, warn: 0 }
  for (const r of reports) {
    lines.push(escapeTerminal(r.name))
    for (const f of r.findings) {
      if (f.severity === "error" || f.severity === "warn") counts[f.severity]++
      lines.push(`  ${MARK[f.severity]}  ${escapeTerminal(f.check).padEnd(20)}  ${escapeTerminal(f.message)}`)
      if (f.hint && f.severity !== "ok") lines.push(`  ${" ".repeat(29)}hint: ${escapeTerminal(f.hint)}`)
    }
    lines.push("")
  }
  const verdict = counts.error ? "something is broken" : counts.warn ? "working, with warnings" : "all good"
  lines.push(
    `${reports.length} server${reports.length === 1 ? "" : "s"}: ${counts.error} error${counts.error === 1 ? "" : "s"}, ${counts.warn} warning${counts.warn === 1 ? "" : "s"} (${verdict})`,
  )
  return lines.join("\n")
}
