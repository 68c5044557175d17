import { homedir } from "node:os"
import { importFromPeer, PEERS, type Peer, type PeerImport } from "../../config/index.ts"
import { UsageError } from "../../util/errors.ts"
import { didYouMean } from "../../util/suggest.ts"
import { escapeTerminal, plural } from "../../util/text.ts"
import { command, commonArgs, outputArg } from "../command.ts"
import { createContext, repeated, type Ctx } from "../shared/context.ts"
import { resolveTarget, writeServers, type Target } from "../shared/config-write.ts"
import { policyFor } from "../shared/policy.ts"
import { documentJson, entryJson, jsonText } from "../shared/present.ts"
import { printJson, printRaw, printTable } from "../shared/output.ts"
import { literalSecrets, secretsToEnvArg } from "./edit.ts"
import { approveImport, importApprovalArgs } from "./import-approve.ts"

// `agent mcp import --from PEER [FILE]`: the peer knowledge lives in config/import.ts; this
// file picks the target, writes once (locked) and reports what happened to every server.

export default command({
  name: "import",
  description:
    "Import MCP servers from Claude Code, Claude Desktop, Cursor, VS Code, Kiro, Gemini CLI, opencode, Codex, Goose, Antigravity, Windsurf or Zed",
  args: {
    ...commonArgs,
    ...outputArg,
    // The list is too long for one help line: the values are in the description, checked in run().
    from: {
      type: "string",
      valueHint: "CLIENT",
      description: `Which tool's config to read: ${PEERS.join(", ")}`,
    },
    file: {
      type: "positional",
      required: false,
      description: "Read this file instead of the tool's default locations",
    },
    scope: {
      type: "string",
      valueHint: "user|project",
      description: "Where to write: user (default) or project (./.mcp.json)",
    },
    mcp: { type: "string", valueHint: "FILE", description: "Write this config file instead of a scope" },
    "dry-run": { type: "boolean", description: "Write nothing; print the resulting config" },
    force: { type: "boolean", description: "Replace servers that already exist under the same name" },
    ...importApprovalArgs,
    ...secretsToEnvArg,
  },
  examples: [
    "agent mcp import --from claude --dry-run",
    "agent mcp import --from vscode .vscode/mcp.json --scope project",
    "agent mcp import --from cursor   # shows every server and asks before writing",
    "agent mcp import --from codex --dry-run   # ~/.codex/config.toml [mcp_servers.*]",
    "agent mcp import --from goose --dry-run   # ~/.config/goose/config.yaml extensions",
    "agent mcp import --from gemini --force --yes --output json   # scripts: --yes is the approval",
  ],
  async run({ args, rawArgs }) {
    const ctx = createContext(args)
    const peer = args.from
    if (!PEERS.includes(peer as Peer)) {
      const near = peer ? didYouMean(peer, PEERS) : ""
      throw new UsageError(peer ? `unknown --from "${escapeTerminal(peer)}"${near}` : "--from is required", {
        hint: `one of: ${PEERS.join(", ")}`,
      })
    }
    const isDryRun = Boolean(args["dry-run"])
    const read = await importFromPeer(
      peer as Peer,
      { home: ctx.env.HOME || homedir(), cwd: ctx.cwd, env: ctx.env },
      args.file,
    )
    // I14: literal secrets are written only with a warning, or as ${VAR} with --secrets-to-env.
    const servers = read.servers.map((s) => ({
      ...s,
      entry: literalSecrets(ctx, s.name, s.entry, Boolean(args["secrets-to-env"])),
    }))
    const found: PeerImport = { ...read, servers }
    if (!found.files.some((f) => f.exists)) {
      throw new UsageError(
        `no ${peer} config found; looked in:\n${found.files.map((f) => `  ${escapeTerminal(f.file)}`).join("\n")}`,
        {
          hint: `pass the file: agent mcp import --from ${peer} FILE`,
        },
      )
    }
    const target = resolveTarget(ctx, args, { isDryRun })
    const entries = found.servers.map((s) => ({ name: s.name, entry: s.entry }))
    const existing = args.force ? "replace" : "skip"
    if (!isDryRun) {
      // I13: the servers that would be written are shown and approved before anything is.
      const planned = await writeServers(target, entries, { existing, dryRun: true, policy: policyFor(ctx) })
      const shown = found.servers.filter((s) => !planned.skipped.includes(s.name))
      await approveImport(
        ctx,
        { yes: args.yes, allowDangerousEnv: repeated(rawArgs, "allow-dangerous-env") },
        shown,
        target,
        found.inputs,
      )
    }
    // docs/policy.md: one server the policy forbids stops the whole import, before anything is written.
    const written = await writeServers(target, entries, {
      existing,
      dryRun: isDryRun,
      policy: policyFor(ctx),
    })
    const report = buildReport(found, target, written, isDryRun)
    if (ctx.output === "json") printJson(report)
    else printReport(ctx, report)
  },
})

interface Row {
  name: string
  action: "added" | "replaced" | "skipped"
  source: string
  reason?: string
  notes: string[]
  server?: unknown
}

function buildReport(
  found: PeerImport,
  target: Target,
  written: { doc: Record<string, unknown>; previous: Map<string, unknown>; skipped: string[] },
  isDryRun: boolean,
) {
  const rows: Row[] = []
  for (const s of found.servers) {
    if (written.skipped.includes(s.name)) {
      rows.push({
        name: s.name,
        action: "skipped",
        source: s.source,
        reason: `already in ${target.file}; --force replaces it`,
        notes: s.notes,
      })
      continue
    }
    rows.push({
      name: s.name,
      action: written.previous.has(s.name) ? "replaced" : "added",
      source: s.source,
      notes: s.notes,
      server: entryJson(s.entry),
    })
  }
  for (const s of found.skipped)
    rows.push({ name: s.name, action: "skipped", source: s.source, reason: s.reason, notes: [] })
  return {
    from: found.peer,
    files: found.files,
    target: { scope: target.scope, file: target.file },
    dryRun: isDryRun,
    imported: rows.filter((r) => r.action !== "skipped").map(({ reason: _r, ...r }) => r),
    skipped: rows
      .filter((r) => r.action === "skipped")
      .map(({ server: _s, notes: _n, action: _a, ...r }) => r),
    inputs: found.inputs,
    ...(isDryRun && { result: documentJson(written.doc) }),
  }
}

type Report = ReturnType<typeof buildReport>

function printReport(ctx: Ctx, report: Report) {
  const read = report.files.filter((f) => f.exists).map((f) => escapeTerminal(f.file))
  ctx.log.info(`read ${read.join(", ")}`)
  const rows = [
    ...report.imported.map((r) => [r.name, report.dryRun ? `would be ${r.action}` : r.action, r.source]),
    ...report.skipped.map((r) => [r.name, "skipped", r.source]),
  ]
  if (rows.length === 0) {
    printRaw(`no servers found in ${read.join(", ")}`)
    return
  }
  printTable(rows, ["NAME", "RESULT", "FROM"])
  const notes = [
    ...report.imported.flatMap((r) =>
      r.notes.map((n) => `  ${escapeTerminal(r.name)}: ${escapeTerminal(n)}`),
    ),
    ...report.skipped.map((r) => `  ${escapeTerminal(r.name)}: skipped: ${escapeTerminal(r.reason ?? "")}`),
  ]
  if (notes.length > 0) printRaw(`\nnotes:\n${notes.join("\n")}`)
  if (report.dryRun) {
    printRaw(`\n${escapeTerminal(report.target.file)} would become (env and header values masked):`)
    printRaw(jsonText(report.result))
    return
  }
  const n = report.imported.length
  ctx.log.success(
    `${plural(n, "server")} written to ${escapeTerminal(report.target.file)} (${report.target.scope})`,
  )
}
