import type { Client, RequestOptions } from "@modelcontextprotocol/client"
import {
  SKILL_LIMITS,
  type Skill,
  SkillsClient,
  SkillVerificationError,
} from "@modelcontextprotocol/client/ext/skills"
import { SkillRejectedError } from "./error-classes.ts"
import type { ServerSkill, SkillContent, SkillListing } from "./types.ts"

// The MCP skills extension (SEP-2640, `io.modelcontextprotocol/skills`), host side, on the SDK's
// SkillsClient: skills/list walks every page and refuses malformed entries (kept aside with the
// reason); a read verifies the file against the entry: listed, size, sha256 digest, and for
// SKILL.md the frontmatter field by field. Nothing is read until someone asks for a skill: listing
// never retrieves a file (the spec's "no prefetch"), so a list costs one request per server.
// Loaded lazily through runtime.ts, like everything that imports the SDK.

/** The server declared the extension (in its initialize or server/discover result). */
export function offersSkills(client: Client): boolean {
  return new SkillsClient(client).supported
}

export async function listSkills(server: string, client: Client, ro: RequestOptions): Promise<SkillListing> {
  const skills = new SkillsClient(client, { skipInvalid: true })
  if (!skills.supported) return { skills: [], invalid: [] }
  const listing = await skills.list({}, ro)
  return {
    skills: listing.skills.map((entry) => describeSkill(server, entry)),
    invalid: listing.invalid.map((i) => ({ index: i.index, ...(i.uri && { uri: i.uri }), reason: i.reason })),
  }
}

/**
 * One file of a listed skill (`ref` relative to its root; default its SKILL.md), verified. A file
 * the entry lists over SKILL_LIMITS.bytes is refused before any request: hosts must accept skills
 * up to the limits, and a larger one is either a lie (the read would fail the size check after
 * pulling megabytes) or more than a model's context should take.
 */
export async function readSkillFile(
  skill: ServerSkill,
  client: Client,
  ref: string | undefined,
  ro: RequestOptions,
): Promise<SkillContent> {
  const listed = listedFile(skill.entry, ref)
  if (listed && listed.size > SKILL_LIMITS.bytes)
    throw rejected(
      skill,
      "size",
      listed.uri,
      `${listed.uri} is listed at ${listed.size} bytes, over the limit of ${SKILL_LIMITS.bytes} per skill, so it was not read`,
      undefined,
      "hosts need not accept a skill file over 16 MiB; ask the server's maintainers to split it",
    )
  try {
    const file = await new SkillsClient(client).read(skill.entry, ref, ro)
    const text = file.text ?? new TextDecoder().decode(file.bytes)
    return {
      uri: file.uri,
      text,
      bytes: file.bytes.byteLength,
      isVerified: file.verified,
      ...(file.mimeType !== undefined && { mimeType: file.mimeType }),
      ...(file.body !== undefined && { body: file.body }),
    }
  } catch (e: unknown) {
    if (e instanceof SkillVerificationError) throw rejected(skill, e.reason, e.uri, e.message, e)
    if (e instanceof TypeError) throw rejected(skill, "entry", skill.uri, e.message, e)
    throw e
  }
}

const HINTS: Record<SkillRejectedError["reason"], string> = {
  unlisted: "name a file the skill lists (`agent mcp skills SERVER --output json` shows them)",
  size: "the server sent other content than its skills/list entry describes; report it to the server's maintainers",
  digest:
    "the server sent other content than its skills/list entry describes; report it to the server's maintainers",
  frontmatter:
    "the SKILL.md does not say what the server's skills/list entry says about it; report it to the server's maintainers",
  entry: "the server's skills/list entry is malformed; report it to the server's maintainers",
}

function rejected(
  skill: ServerSkill,
  reason: SkillRejectedError["reason"],
  uri: string,
  detail: string,
  cause?: unknown,
  hint = HINTS[reason],
): SkillRejectedError {
  const what = reason === "unlisted" ? "has no such file" : `failed verification (${reason})`
  return new SkillRejectedError(
    skill.server,
    skill.name,
    reason,
    uri,
    `skill "${skill.name}" of server "${skill.server}" ${what}, not loaded: ${detail}`,
    { hint, ...(cause !== undefined && { cause }) },
  )
}

/** What commands and the model see of an entry: name, description, where, how big. */
export function describeSkill(server: string, entry: Skill): ServerSkill {
  const files = entry.resources === "dynamic" ? undefined : entry.resources
  return {
    server,
    name: entry.frontmatter.name,
    description: entry.frontmatter.description,
    uri: entry.uri,
    path: skillPath(entry.uri),
    ...(files && { files: files.length, size: files.reduce((n, f) => n + f.size, 0) }),
    entry,
  }
}

/** `skill://acme/pdf-processing/SKILL.md` → `acme/pdf-processing`: unique per server, unlike the name. */
export function skillPath(uri: string): string {
  try {
    const url = new URL(uri)
    return decodeURIComponent(`${url.host}${url.pathname}`.replace(/\/SKILL\.md$/, "").replace(/^\/+/, ""))
  } catch {
    return uri
  }
}

function listedFile(entry: Skill, ref: string | undefined) {
  if (entry.resources === "dynamic") return undefined
  try {
    const root = entry.uri.slice(0, -"SKILL.md".length)
    const target = new URL(ref ?? "SKILL.md", root).href
    return entry.resources.find((r) => new URL(r.uri).href === target)
  } catch {
    return undefined // the SDK refuses it as unlisted, with its own words
  }
}
