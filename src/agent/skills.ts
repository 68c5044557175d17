// Skills in a run (SEP-2640): the model is offered one `load_skill` tool whose description names
// every skill the servers list, with its description; nothing of a skill is read until the model
// calls it (the extension's "no prefetch"). A load reads the file through the manager, which
// verifies it against the server's entry (size, sha256 digest, SKILL.md frontmatter); a refused
// skill goes back to the model as an error, and the report records every load.
import type { LanguageModelV4FunctionTool } from "@ai-sdk/provider"
import * as v from "valibot"
import type { CallOptions, Manager, ServerSkill, SkillContent } from "../mcp/index.ts"
import { isAgentError } from "../util/errors.ts"
import { escapeTerminal } from "../util/text.ts"
import type { SkillLoad } from "./events.ts"
import { resultText } from "./tools.ts"

export const LOAD_SKILL = "load_skill"
/** A description this long is cut in the tool description (the spec allows 1,024 characters). */
const MAX_DESCRIPTION = 300

/** The loop's view of skills; the CLI backs it with the manager. */
export interface SkillSource {
  list(): Promise<{ skills: ServerSkill[]; warnings: string[] }>
  load(skill: ServerSkill, file: string | undefined, opts: CallOptions): Promise<SkillContent>
}

export function managerSkillSource(manager: Pick<Manager, "skills" | "readSkill">): SkillSource {
  return {
    async list() {
      const listings = await manager.skills()
      return {
        skills: listings.flatMap((l) => l.skills),
        warnings: listings.flatMap((l) =>
          l.invalid.map(
            (i) =>
              `server "${l.server}": skills/list entry #${i.index}${i.uri ? ` (${i.uri})` : ""} left out: ${i.reason}`,
          ),
        ),
      }
    },
    load: (skill, file, opts) => manager.readSkill(skill, file, opts),
  }
}

export interface SkillTool {
  spec: LanguageModelV4FunctionTool
  /** The skill ids offered (`server/name`). */
  ids: string[]
  run(
    args: Record<string, unknown>,
    ctx: { turn: number; signal: AbortSignal; timeoutMs?: number; maxTokens: number },
  ): Promise<{ text: string; isError: boolean }>
  loads(): SkillLoad[]
}

const Args = v.object({
  skill: v.pipe(v.string(), v.minLength(1)),
  file: v.optional(v.string()),
})

/** The load_skill tool over `skills`; undefined when there are none (nothing is offered then). */
export function createSkillTool(skills: ServerSkill[], source: SkillSource): SkillTool | undefined {
  if (skills.length === 0) return undefined
  const byId = new Map(skills.map((k) => [skillId(k, skills), k]))
  const ids = [...byId.keys()]
  const loads: SkillLoad[] = []
  const lines = [...byId].map(([id, k]) => `- ${escapeTerminal(id)}: ${shortDescription(k.description)}`)
  const spec: LanguageModelV4FunctionTool = {
    type: "function",
    name: LOAD_SKILL,
    description:
      "Load a skill: instructions for a kind of task, published by the connected MCP servers. " +
      "When the task matches a skill's description, load it before you start and follow it. " +
      "Returns its SKILL.md; a file it refers to (references/FORMS.md) loads with `file`.\n" +
      `Skills:\n${lines.join("\n")}`,
    inputSchema: {
      type: "object",
      properties: {
        skill: { type: "string", enum: ids, description: "The skill, as listed" },
        file: {
          type: "string",
          description: "A file of the skill, relative to its folder; default SKILL.md",
        },
      },
      required: ["skill"],
      additionalProperties: false,
    },
  }
  return {
    spec,
    ids,
    loads: () => loads.map((l) => ({ ...l })),
    async run(args, ctx) {
      const parsed = v.safeParse(Args, args)
      if (!parsed.success)
        return {
          text: `${LOAD_SKILL} needs {"skill": "server/name"}: ${parsed.issues[0].message}`,
          isError: true,
        }
      const { skill: id, file } = parsed.output
      const skill = byId.get(id) ?? uniqueByName(skills, id)
      if (!skill) return { text: `no skill "${id}"; the skills are: ${ids.join(", ")}`, isError: true }
      // Recorded when asked, so concurrent loads of one turn keep the model's order.
      const record: SkillLoad = {
        server: skill.server,
        name: skill.name,
        ...(file !== undefined && { file }),
        uri: skill.uri,
        turn: ctx.turn,
        bytes: 0,
        isVerified: false,
      }
      loads.push(record)
      try {
        const content = await source.load(skill, file, {
          signal: ctx.signal,
          ...(ctx.timeoutMs !== undefined && { timeoutMs: ctx.timeoutMs }),
        })
        Object.assign(record, { uri: content.uri, bytes: content.bytes, isVerified: content.isVerified })
        const text = withFiles(content, skill, file)
        return { text: resultText({ content: [{ type: "text", text }] }, ctx.maxTokens).text, isError: false }
      } catch (e: unknown) {
        if (ctx.signal.aborted) throw e
        const message = isAgentError(e) ? e.message : e instanceof Error ? e.message : String(e)
        record.error = message
        return { text: `${message}; do not rely on this skill`, isError: true }
      }
    },
  }
}

/** `server/name`, or `server/path` when two skills of one server share a name (SEP-2640: hosts disambiguate). */
export function skillId(k: ServerSkill, all: ServerSkill[]): string {
  const isShared = all.some((o) => o !== k && o.server === k.server && o.name === k.name)
  return `${k.server}/${isShared ? k.path : k.name}`
}

/** A bare name works too when exactly one skill carries it. */
function uniqueByName(skills: ServerSkill[], name: string): ServerSkill | undefined {
  const hits = skills.filter((k) => k.name === name)
  return hits.length === 1 ? hits[0] : undefined
}

/** P12: written out (`\x1b`, `\u202e`), so the model reads nothing a person reviewing the list cannot see. */
function shortDescription(d: string): string {
  const one = escapeTerminal(d.replace(/\s+/g, " ").trim())
  return one.length > MAX_DESCRIPTION ? `${one.slice(0, MAX_DESCRIPTION)}…` : one
}

/** SKILL.md, followed by the other files the skill lists, which the model may load next. */
function withFiles(content: SkillContent, skill: ServerSkill, file: string | undefined): string {
  if (file !== undefined || skill.entry.resources === "dynamic") return content.text
  const root = skill.uri.slice(0, -"SKILL.md".length)
  const others = skill.entry.resources.map((r) => r.uri).filter((u) => u !== skill.uri && u.startsWith(root))
  if (others.length === 0) return content.text
  const rel = others.map((u) => `- ${u.slice(root.length)}`)
  return `${content.text}\n\n[agent: files of this skill, loaded with ${LOAD_SKILL} {"skill", "file"}:\n${rel.join("\n")}]`
}
