import type { ServerSkill } from "../../mcp/index.ts"
import { UsageError } from "../../util/errors.ts"
import { escapeLine, escapeTerminal } from "../../util/text.ts"
import { didYouMean } from "../../util/suggest.ts"
import { command } from "../command.ts"
import { connectArgs, connectedServer, positionals, type Session, withServers } from "../shared/connect.ts"
import { printJson, printRaw, printTable } from "../shared/output.ts"
import { firstLine, safeText } from "./render-content.ts"
import { oneOrAll } from "./tools.ts"

// `agent mcp skills | skill`: the skills servers offer through the skills extension (SEP-2640).
// Listing reads no skill file; `skill` reads one and prints it only once it matched its entry
// (size, sha256 digest, SKILL.md frontmatter): the manager's readSkill refuses anything else (exit 1).

export const skills = command({
  name: "skills",
  description:
    "List the skills every connected server (or NAME) offers through the skills extension: name, files, size, description",
  args: {
    ...connectArgs,
    server: { type: "positional", required: false, valueHint: "NAME", description: "Only this server" },
  },
  examples: [
    "agent mcp skills --mcp mcp.json",
    "agent mcp skills docs --output json",
    "agent mcp skills --url http://127.0.0.1:8080/mcp   # ad hoc, without a config",
  ],
  run({ args, rawArgs }) {
    const [name] = positionals(args._, rawArgs)
    return withServers(args, rawArgs, { only: name }, async (s) => {
      oneOrAll(s, name)
      const listings = await s.manager.skills(name)
      warnInvalid(s, listings)
      const all = listings.flatMap((l) => l.skills)
      if (s.ctx.output === "json")
        return printJson({
          skills: all.map(skillJson),
          invalid: listings.flatMap((l) => l.invalid.map((i) => ({ server: l.server, ...i }))),
        })
      if (all.length === 0) return printRaw(noSkills(listings.length, name))
      printTable(
        all.map((k) => [k.server, label(k, all), files(k), size(k.size), firstLine(k.description)]),
        ["SERVER", "SKILL", "FILES", "SIZE", "DESCRIPTION"],
      )
    })
  },
})

export const skill = command({
  name: "skill",
  description:
    "Print one skill's SKILL.md (or --file, one of its files) after checking it against the server's entry: size, sha256 digest, frontmatter",
  args: {
    ...connectArgs,
    file: {
      type: "string",
      valueHint: "PATH",
      description: "A file of the skill, relative to its folder (references/FORMS.md); default SKILL.md",
    },
    server: {
      type: "positional",
      required: false,
      valueHint: "SERVER",
      description: "The server (may be omitted with an ad hoc server)",
    },
    skill: {
      type: "positional",
      required: false,
      valueHint: "NAME",
      description: "The skill's name, or its path when two share a name",
    },
  },
  examples: [
    "agent mcp skill docs pdf-processing --mcp mcp.json",
    "agent mcp skill docs pdf-processing --file references/FORMS.md",
    "agent mcp skill docs pdf-processing --output json",
  ],
  run({ args, rawArgs }) {
    const pos = positionals(args._, rawArgs)
    const isAdhoc = args.url !== undefined || rawArgs.includes("--")
    const [server, wanted] = isAdhoc && pos.length === 1 ? [undefined, pos[0]] : pos
    if (wanted === undefined || pos.length > 2)
      throw new UsageError("usage: agent mcp skill SERVER NAME [--file PATH]")
    return withServers(args, rawArgs, { only: server, isSingle: true }, async (s) => {
      const c = connectedServer(s, server ?? s.states[0]!.name)
      const found = await findSkill(s, c.name, wanted)
      const content = await s.manager.readSkill(found, args.file, {
        signal: s.signal,
        ...(s.timeoutMs !== undefined && { timeoutMs: s.timeoutMs }),
      })
      if (s.ctx.output === "json")
        return printJson({
          ...skillJson(found),
          file: {
            uri: content.uri,
            ...(content.mimeType !== undefined && { mimeType: content.mimeType }),
            bytes: content.bytes,
            isVerified: content.isVerified,
            text: content.text,
          },
        })
      if (!content.isVerified)
        s.ctx.log.warn(
          escapeLine(
            `skill "${found.name}" is dynamic: the server publishes no digest, so only its frontmatter was checked`,
          ),
        )
      printRaw(safeText(content.text))
    })
  },
})

/** The skill called `wanted` (its name, or its path) on `server`; a usage error naming the others. */
async function findSkill(s: Session, server: string, wanted: string): Promise<ServerSkill> {
  const [listing] = await s.manager.skills(server)
  if (!listing)
    throw new UsageError(`server "${escapeTerminal(server)}" offers no skills`, {
      hint: "it does not declare the io.modelcontextprotocol/skills extension",
    })
  warnInvalid(s, [listing])
  const byPath = listing.skills.filter((k) => k.path === wanted)
  const matches = byPath.length > 0 ? byPath : listing.skills.filter((k) => k.name === wanted)
  if (matches.length === 1) return matches[0]!
  if (matches.length > 1)
    throw new UsageError(
      `server "${escapeTerminal(server)}" has ${matches.length} skills called "${escapeTerminal(wanted)}"`,
      {
        hint: `name one by its path: ${matches.map((k) => escapeTerminal(k.path)).join(", ")}`,
      },
    )
  const names = listing.skills.map((k) => k.name)
  throw new UsageError(
    escapeTerminal(`server "${server}" has no skill "${wanted}"${didYouMean(wanted, names)}`),
    { hint: `\`agent mcp skills ${escapeTerminal(server)}\` lists them` },
  )
}

/** SEP-2640: a malformed entry is left out, not fatal; say so, or a shorter list looks complete. */
function warnInvalid(
  s: Session,
  listings: { server: string; invalid: { index: number; uri?: string; reason: string }[] }[],
) {
  for (const l of listings)
    for (const i of l.invalid)
      s.ctx.log.warn(
        escapeLine(
          `server "${l.server}": skills/list entry #${i.index}${i.uri ? ` (${i.uri})` : ""} left out: ${i.reason}`,
        ),
      )
}

function skillJson(k: ServerSkill) {
  return {
    server: k.server,
    name: k.name,
    description: k.description,
    path: k.path,
    uri: k.uri,
    ...(k.files !== undefined ? { files: k.files, size: k.size } : { dynamic: true }),
    frontmatter: k.entry.frontmatter,
  }
}

/** The name, or the path where names collide within a server (SEP-2640: hosts disambiguate). */
function label(k: ServerSkill, all: ServerSkill[]): string {
  return all.some((o) => o !== k && o.server === k.server && o.name === k.name) ? k.path : k.name
}

function files(k: ServerSkill): string {
  return k.files === undefined ? "dynamic" : String(k.files)
}

function size(bytes: number | undefined): string {
  if (bytes === undefined) return "-"
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

function noSkills(offering: number, name: string | undefined): string {
  if (name !== undefined && offering === 0)
    return `server "${escapeTerminal(name)}" offers no skills (it does not declare the skills extension)`
  return "no skills"
}
