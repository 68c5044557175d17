import { join } from "node:path"
import { createConsola } from "consola"
import type { Resolution, ServerConfig } from "../../src/config/index.ts"
import { createManager, type Manager } from "../../src/mcp/index.ts"
import type { ManagerOptions } from "../../src/mcp/types.ts"

export const SERVERS = join(import.meta.dir, "../fixtures/servers")

const common = { disabled: false, autoApprove: [], disabledTools: [], required: false }

export function ready(name: string, server: ServerConfig): Resolution {
  return {
    status: "ready",
    entry: { name, scope: "user", file: "/tmp/mcp.json", server, fingerprint: name },
    server,
    secrets: [],
  } as Resolution
}

export function stdio(
  name: string,
  file: string,
  env: Record<string, string> = {},
  extra: Partial<ServerConfig> = {},
): Resolution {
  return ready(name, {
    ...common,
    transport: "stdio",
    command: process.execPath,
    args: [join(SERVERS, file)],
    env,
    ...extra,
  } as ServerConfig)
}

export function remote(
  name: string,
  url: string,
  transport: "http" | "sse" | "auto" = "auto",
  extra: Partial<ServerConfig> = {},
): Resolution {
  return ready(name, { ...common, transport, url, headers: {}, ...extra } as ServerConfig)
}

/** A log that keeps its lines, so tests can check warnings; nothing reaches the terminal. */
export function memoryLog(level = 4) {
  const lines: { level: number; tag: string; text: string }[] = []
  const log = createConsola({
    level,
    reporters: [
      { log: (o) => void lines.push({ level: o.level, tag: o.tag, text: o.args.map(String).join(" ") }) },
    ],
  })
  return { log, lines }
}

export async function manager(
  resolutions: Resolution[],
  opts: Partial<ManagerOptions> = {},
): Promise<Manager & { log: ReturnType<typeof memoryLog> }> {
  const mem = memoryLog()
  const m = createManager(resolutions, { log: mem.log, cwd: process.cwd(), parentEnv: process.env, ...opts })
  return Object.assign(m, { log: mem })
}

export const textOf = (r: { content?: unknown }) => (r.content as { text: string }[])[0]!.text

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
