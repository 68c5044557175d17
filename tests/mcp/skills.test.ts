// The skills extension (SEP-2640) through the manager, against fixture servers built with the
// server SDK's skills extension: listing reads nothing; a read is used only once it matches the
// server's entry (size, sha256 digest, SKILL.md frontmatter), and a listed size over the limit is
// refused before any request (P13).
import { describe, expect, it } from "bun:test"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { SkillRejectedError } from "../../src/mcp/index.ts"
import { ESCAPE_DESCRIPTION, LIVE, MALFORMED_URI, PDF_FORMS, PDF_SKILL } from "../fixtures/servers/skills.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { manager, stdio } from "./helpers.ts"

const reads = (file: string) =>
  existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : []

async function skillsOf(mode: "honest" | "hostile", readsFile: string) {
  const m = await manager([
    stdio("srv", "stdio-skills.ts", { SKILLS_MODE: mode, READS_FILE: readsFile }),
    stdio("plain", "stdio-basic.ts"),
  ])
  await m.connect()
  return m
}

describe("skills (SEP-2640) through the manager", () => {
  it("lists the skills of servers that declare the extension, reading no skill file", async () => {
    await using t = await tmpdir()
    const file = join(t.path, "reads")
    await using m = await skillsOf("honest", file)
    const listings = await m.skills()
    expect(listings.map((l) => l.server)).toEqual(["srv"]) // stdio-basic declares no skills
    const [listing] = listings
    expect(listing!.invalid).toEqual([])
    expect(listing!.skills.map((k) => [k.name, k.path, k.files])).toEqual([
      ["code-review", "code-review", 1],
      ["pdf-processing", "pdf-processing", 2],
    ])
    const pdf = listing!.skills.find((k) => k.name === "pdf-processing")!
    expect(pdf.size).toBe(Buffer.byteLength(PDF_SKILL) + Buffer.byteLength(PDF_FORMS))
    expect(pdf.description).toBe("Extract, fill, and assemble PDF documents")
    expect(reads(file)).toEqual([])
    // A second list is the cached one: still nothing read.
    await m.skills("srv")
    expect(reads(file)).toEqual([])
  }, 30_000)

  it("reads SKILL.md and a listed file once they match the entry; a file the skill does not list is refused unread", async () => {
    await using t = await tmpdir()
    const file = join(t.path, "reads")
    await using m = await skillsOf("honest", file)
    const pdf = (await m.skills("srv"))[0]!.skills.find((k) => k.name === "pdf-processing")!
    const manifest = await m.readSkill(pdf)
    expect(manifest).toMatchObject({
      uri: "skill://pdf-processing/SKILL.md",
      text: PDF_SKILL,
      isVerified: true,
    })
    expect(manifest.body?.trim()).toStartWith("# PDF processing")
    const forms = await m.readSkill(pdf, "references/FORMS.md")
    expect(forms).toMatchObject({ text: PDF_FORMS, isVerified: true, bytes: Buffer.byteLength(PDF_FORMS) })
    const before = reads(file).length
    const unlisted = await m.readSkill(pdf, "../code-review/SKILL.md").catch((e: unknown) => e)
    expect(unlisted).toBeInstanceOf(SkillRejectedError)
    expect((unlisted as SkillRejectedError).reason).toBe("unlisted")
    expect((unlisted as SkillRejectedError).exitCode).toBe(2)
    expect(reads(file).length).toBe(before)
  }, 30_000)

  it("P13: refuses a SKILL.md whose digest, size or frontmatter differs from the entry, and one listed over 16 MiB without reading it", async () => {
    await using t = await tmpdir()
    const file = join(t.path, "reads")
    await using m = await skillsOf("hostile", file)
    const [listing] = await m.skills("srv")
    const byName = (n: string) => listing!.skills.find((k) => k.name === n)!
    // A malformed entry is kept aside with the reason; the rest of the listing stands.
    expect(listing!.invalid).toEqual([
      {
        index: 6,
        uri: MALFORMED_URI,
        reason: expect.stringContaining('must match the last path segment "mismatch"'),
      },
    ])
    expect(listing!.skills).toHaveLength(6)
    const refusal = async (n: string) => {
      const e = await m.readSkill(byName(n)).catch((x: unknown) => x)
      expect(e).toBeInstanceOf(SkillRejectedError)
      return e as SkillRejectedError
    }
    expect((await refusal("tampered")).reason).toBe("digest")
    expect((await refusal("bloated")).reason).toBe("size")
    const impostor = await refusal("impostor")
    expect(impostor.reason).toBe("frontmatter")
    expect(impostor.message).toContain('SKILL.md has "Exfiltrate credentials"')
    expect(impostor.exitCode).toBe(1)
    const huge = await refusal("huge")
    expect(huge.reason).toBe("size")
    expect(reads(file)).not.toContain("skill://huge/SKILL.md")
    expect(reads(file)).toContain("skill://tampered/SKILL.md")
    // The escapes skill is honest: its description arrives as the server wrote it (escaping is the sinks' job).
    expect(byName("escapes").description).toBe(ESCAPE_DESCRIPTION)
    expect((await m.readSkill(byName("escapes"))).isVerified).toBe(true)
    // A "dynamic" skill lists no files: no size or digest to check, but its frontmatter still is.
    expect(byName("live-notes").entry.resources).toBe("dynamic")
    expect([byName("live-notes").files, byName("live-notes").size]).toEqual([undefined, undefined])
    expect(await m.readSkill(byName("live-notes"))).toMatchObject({ text: LIVE, isVerified: false })
  }, 30_000)

  it("a server whose skills/list fails is left out with a warning; named on its own, its error is the answer", async () => {
    await using m = await manager([
      stdio("good", "stdio-skills.ts"),
      stdio("broken", "stdio-skills.ts", { SKILLS_MODE: "broken" }),
    ])
    await m.connect()
    expect((await m.skills()).map((l) => l.server)).toEqual(["good"])
    expect(m.log.lines.map((l) => l.text)).toContain(
      'could not list skills: server "broken": the skills index is corrupt',
    )
    expect(await m.skills("broken").catch((e: unknown) => String(e))).toContain("the skills index is corrupt")
  }, 30_000)
})
