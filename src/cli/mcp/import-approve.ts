import { existsSync } from "node:fs"
import {
  checkServerForScope,
  findingText,
  parseConfigFile,
  parseConfigValue,
  type ImportedInput,
  type ServerConfig,
} from "../../config/index.ts"
import { describeInstall, safeLine } from "../../install/index.ts"
import { ApprovalRequiredError } from "../../util/errors.ts"
import { plural } from "../../util/text.ts"
import type { Ctx } from "../shared/context.ts"
import type { Entry, Target } from "../shared/config-write.ts"
import { confirm } from "../shared/prompt.ts"

// I13: import is an install. The files it reads (./.mcp.json, ./.cursor/mcp.json, …) are ones
// agent itself treats as untrusted, and the user config it writes is trusted, so every server is
// shown on the install screen and the user says yes once for all of them; `--yes` is the
// scripted yes. Without a terminal and without --yes nothing is written (exit 3).

export const importApprovalArgs = {
  yes: {
    type: "boolean",
    alias: "y",
    description: "Import without asking (needed without a terminal); the screen is still printed",
  },
  "allow-dangerous-env": {
    type: "string",
    valueHint: "NAME",
    description:
      "Let an imported server set NAME (PATH, NODE_OPTIONS, LD_PRELOAD…: variables that decide what runs) (repeatable)",
  },
} as const

export interface ToWrite {
  name: string
  entry: Entry
  source: string
}

/** Shows every server that would be written and returns once the user (or --yes) approved. */
export async function approveImport(
  ctx: Ctx,
  args: { yes?: boolean; allowDangerousEnv: string[] },
  servers: ToWrite[],
  target: Target,
  inputs: ImportedInput[],
): Promise<void> {
  if (servers.length === 0) return
  refuseDangerousEnv(servers, args.allowDangerousEnv)
  const existing = existingServers(target)
  const descriptions = Object.fromEntries(
    inputs.filter((i) => i.description).map((i) => [i.variable, i.description!]),
  )
  const screens = servers.map((s) => importScreen(s, target, existing.get(s.name), descriptions))
  const head = `${plural(servers.length, "server")} to import into ${target.file}:`
  process.stderr.write(
    `${safeLine(head)}\n${screens.map((lines) => lines.map((l) => `  ${l}`).join("\n")).join("\n\n")}\n`,
  )
  if (args.yes) return
  if (!ctx.isInteractive) {
    // I13: no terminal means nobody approved the import, as for install (I08).
    throw new ApprovalRequiredError(
      `nothing was imported: there is no terminal to ask, and --yes was not given`,
      {
        hint: "review the servers above, then re-run the same command with --yes",
      },
    )
  }
  const question = `Import ${servers.length === 1 ? `"${servers[0]!.name}"` : `these ${servers.length} servers`} into ${target.file}?`
  if (!(await confirm(question))) throw new ApprovalRequiredError("nothing was imported; nothing was written")
}

/**
 * I10 as for install: a peer's file (often a cloned project's) that sets PATH, NODE_OPTIONS,
 * LD_PRELOAD… is refused (exit 3, nothing written) unless the user typed --allow-dangerous-env NAME.
 */
function refuseDangerousEnv(servers: ToWrite[], allow: string[]): void {
  const refused = servers.flatMap((s) =>
    checkServerForScope(normalized(s), "link", { allow }).refused.map((f) => ({ name: s.name, f })),
  )
  if (!refused.length) return
  const names = [...new Set(refused.map((r) => r.f.variable))]
  throw new ApprovalRequiredError(
    `nothing was imported: ${refused.map((r) => `"${r.name}" sets ${findingText(r.f)}`).join("; ")}`,
    {
      hint: `if you trust the value, re-run with ${names.map((n) => `--allow-dangerous-env ${n}`).join(" ")}; the screen will show it in full`,
    },
  )
}

function normalized(s: ToWrite): ServerConfig {
  return parseConfigValue(
    { value: { mcpServers: { [s.name]: s.entry } }, locate: () => undefined },
    s.source,
    "file",
  ).servers[0]!.server
}

/** The install screen for one imported server; its first line says where it was read. */
function importScreen(
  s: ToWrite,
  target: Target,
  existing: ServerConfig | undefined,
  descriptions: Record<string, string>,
): string[] {
  const server = normalized(s)
  const used = JSON.stringify(s.entry)
  const envDescriptions = Object.fromEntries(Object.entries(descriptions).filter(([v]) => used.includes(v)))
  const lines = describeInstall(
    { name: s.name, entry: s.entry, server, source: "agentrt", envDescriptions },
    { file: target.file, existing },
  )
  lines[0] = safeLine(`server:  "${s.name}"  (imported from ${s.source})`)
  return lines
}

function existingServers(target: Target): Map<string, ServerConfig> {
  if (!existsSync(target.file)) return new Map()
  const parsed = parseConfigFile(target.file, target.scope)
  return new Map(parsed.servers.map((e) => [e.name, e.server]))
}
