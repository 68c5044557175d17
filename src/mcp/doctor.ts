import type { RemoteServer, Resolution } from "../config/index.ts"
import { escapeTerminal } from "../util/text.ts"
import { checkAuthChain } from "./doctor-auth.ts"
import { checkNetwork } from "./doctor-net.ts"
import { probeTransports } from "./doctor-probe.ts"
import { checkPromptsAndResources } from "./doctor-text.ts"
import { checkTools } from "./doctor-tools.ts"
import { errorText, finding, type Finding, type SchemaProvider, type ServerReport } from "./doctor-types.ts"
import type { ServerTools } from "./tools.ts"
import type { Manager, ServerState } from "./types.ts"

// `agent mcp doctor` (domain side): for each server, what its config resolved to, the network
// and TLS below it (remote), which MCP transports and session rules answer, the OAuth chain
// behind a 401, how the manager's own connect went (stdio: stderr tail on failure) and what
// the model would make of its tools. Read-only: nothing is registered, signed in or written.
// Returns data; the CLI prints it.

export interface DoctorOptions {
  /** Per network step and probe. */
  timeoutMs: number
  providers: SchemaProvider[]
}

export const DOCTOR_TIMEOUT_MS = 5_000

export async function diagnose(
  resolutions: Resolution[],
  states: ServerState[],
  manager: Manager,
  opts: DoctorOptions,
): Promise<ServerReport[]> {
  const toolFindings = await toolReport(states, manager, opts.providers)
  const textFindings = await checkPromptsAndResources(states, manager)
  return Promise.all(
    resolutions.map(async (r) => {
      const state = states.find((s) => s.name === r.entry.name)
      const findings: Finding[] = [...configFindings(r, state)]
      if (r.status === "ready" && r.server.transport !== "stdio")
        findings.push(...(await remoteFindings(r.server, opts.timeoutMs)))
      if (state && r.status === "ready") findings.push(...connectFindings(state))
      findings.push(...(toolFindings.get(r.entry.name) ?? []))
      findings.push(...(textFindings.get(r.entry.name) ?? []))
      return { name: r.entry.name, findings }
    }),
  )
}

function configFindings(r: Resolution, state: ServerState | undefined): Finding[] {
  const where = `defined in ${r.entry.file} (${r.entry.scope})`
  switch (r.status) {
    case "ready": {
      const s = r.server
      const what =
        s.transport === "stdio"
          ? `stdio: ${[s.command, ...s.args].join(" ")}`
          : `${s.transport === "auto" ? "remote (transport auto-detected)" : s.transport}: ${s.url}`
      return [finding("config", "ok", `${where}; ${escapeTerminal(what)}`)]
    }
    case "disabled":
      return [
        finding("config", "info", `${where}; disabled, so not checked`, 'remove "disabled": true to use it'),
      ]
    case "needs_approval":
      return [
        finding(
          "config",
          "warn",
          `${where}; not started: ${state?.status === "needs_approval" ? state.reason : "it needs approval"}`,
          state?.status === "needs_approval" ? state.hint : "run agent mcp approve",
        ),
      ]
    case "blocked":
      return [
        finding(
          "config",
          "error",
          `${where}; not started: ${escapeTerminal(r.blocked.message)}`,
          r.blocked.hint,
        ),
      ]
    default:
      return [
        finding(
          "config",
          "error",
          `${where}; cannot start: ${state?.status === "failed" ? state.error : r.status}`,
          state?.status === "failed" ? state.hint : undefined,
        ),
      ]
  }
}

async function remoteFindings(server: RemoteServer, timeoutMs: number): Promise<Finding[]> {
  let url: URL
  try {
    url = new URL(server.url)
  } catch (e: unknown) {
    return [finding("url", "error", `invalid server URL: ${errorText(e)}`, "fix the url in the config")]
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    return [finding("url", "error", `unsupported URL scheme ${url.protocol}`, "use https://")]
  const net = await checkNetwork(url, timeoutMs)
  if (!net.isReachable) return net.findings
  const probe = await probeTransports(url, server.headers, timeoutMs)
  const findings = [...net.findings, ...probe.findings]
  if (probe.challenge) {
    findings.push(finding("auth", "info", "the server answers 401: it needs authorization"))
    findings.push(...(await checkAuthChain(url, probe.challenge, server.oauth, net.isLoopback)))
  } else if (hasAuthorizationHeader(server)) {
    findings.push(finding("auth", "info", "a configured Authorization header was accepted"))
  }
  return findings
}

function hasAuthorizationHeader(server: RemoteServer): boolean {
  return Object.keys(server.headers).some((h) => h.toLowerCase() === "authorization")
}

function connectFindings(s: ServerState): Finding[] {
  switch (s.status) {
    case "connected": {
      const info = s.serverInfo ? `${s.serverInfo.name} ${s.serverInfo.version}` : "server info not reported"
      const session = s.sessionId ? ", with a session" : ""
      return [
        finding(
          "connect.mcp",
          "ok",
          escapeTerminal(
            `agent connects over ${s.transport}, protocol ${s.protocolVersion}${session} (${info}); ${s.counts.tools} tools, ${s.counts.prompts} prompts, ${s.counts.resources} resources in ${s.connectMs} ms`,
          ),
        ),
      ]
    }
    case "needs_auth":
      if (s.isApiKey)
        return [
          finding(
            "connect.mcp",
            "error",
            escapeTerminal(`agent cannot connect: ${s.reason ?? "the server wants an API key"}`),
            escapeTerminal(s.hint),
          ),
        ]
      return [
        finding(
          "connect.mcp",
          "warn",
          escapeTerminal(`not signed in${s.reason ? `: ${s.reason}` : ""}; tools were not checked`),
          s.hint,
        ),
      ]
    case "failed":
      return [
        finding(
          "connect.mcp",
          "error",
          escapeTerminal(`agent cannot connect: ${s.error}`),
          s.hint ? escapeTerminal(s.hint) : undefined,
        ),
      ]
    default:
      return []
  }
}

async function toolReport(
  states: ServerState[],
  manager: Manager,
  providers: SchemaProvider[],
): Promise<Map<string, Finding[]>> {
  if (!states.some((s) => s.status === "connected")) return new Map()
  try {
    const tools = await manager.tools()
    const servers: ServerTools[] = states
      .filter((s) => s.status === "connected")
      .map((s) => ({ server: s.name, tools: tools.filter((t) => t.server === s.name).map((t) => t.tool) }))
    return checkTools(servers, providers)
  } catch (e: unknown) {
    const failed = finding("tools", "error", `tools/list failed: ${errorText(e)}`)
    return new Map(states.filter((s) => s.status === "connected").map((s) => [s.name, [failed]]))
  }
}
