import { describe, expect, it } from "bun:test"
import * as v from "valibot"
import {
  checkTemplates,
  normalizeServer,
  referencedVariables,
  ServerFile,
  ServerName,
} from "../../src/config/index.ts"
import {
  findCatalogEntry,
  formatInstallLink,
  parseInstallLink,
  searchCatalog,
} from "../../src/install/index.ts"
import { CATALOG } from "../../src/install/catalog.ts"

describe("catalog", () => {
  it("ships at least 12 servers with unique, valid names", () => {
    expect(CATALOG.length).toBeGreaterThanOrEqual(12)
    const names = CATALOG.map((e) => e.name)
    expect(new Set(names).size).toBe(names.length)
    for (const name of names) expect(v.safeParse(ServerName, name).success).toBe(true)
  })

  for (const e of CATALOG) {
    it(`${e.name}: validates through the config schema and lists every variable it references`, () => {
      const parsed = v.safeParse(v.strictObject(ServerFile.entries), e.entry)
      expect(parsed.success).toBe(true)
      const normalized = normalizeServer(parsed.output as v.InferOutput<typeof ServerFile>)
      if (!normalized.ok) throw new Error(`${e.name}: ${normalized.problem.message}`)
      checkTemplates(normalized.server, (field, message) => {
        throw new Error(`${e.name} ${field.join(".")}: ${message}`)
      })
      const referenced = referencedVariables(normalized.server).sort()
      expect(e.variables.map((x) => x.name).sort()).toEqual(referenced)
      expect(e.auth === "token").toBe(referenced.length > 0)
      if (normalized.server.transport !== "stdio") expect(normalized.server.url).toStartWith("https://")
      expect(e.homepage).toStartWith("https://")
      for (const variable of e.variables) expect(variable.description.length).toBeGreaterThan(10)
    })

    it(`${e.name}: its install link round-trips`, () => {
      const r = parseInstallLink(formatInstallLink(e.name, e.entry, "agentrt"))
      expect(r.name).toBe(e.name)
      expect(r.entry).toEqual(e.entry)
    })
  }

  it("has the local and remote servers users expect", () => {
    const local = [
      "filesystem",
      "git",
      "memory",
      "fetch",
      "everything",
      "playwright",
      "sequential-thinking",
      "time",
    ]
    const remote = ["github", "notion", "linear", "sentry", "deepwiki", "context7"]
    for (const n of local) expect(findCatalogEntry(n)?.entry.command).toBeDefined()
    for (const n of remote) expect(findCatalogEntry(n)?.entry.url).toBeDefined()
    expect(findCatalogEntry("github")?.entry).toMatchObject({
      url: "https://api.githubcopilot.com/mcp/",
      headers: { Authorization: "Bearer ${GITHUB_TOKEN}" },
    })
    expect(findCatalogEntry("git")?.entry).toEqual({ command: "uvx", args: ["mcp-server-git"] })
    expect(findCatalogEntry("notion")?.auth).toBe("oauth")
    expect(findCatalogEntry("deepwiki")?.auth).toBe("none")
  })

  it("searches name, title and description case-insensitively", () => {
    expect(searchCatalog("GITHUB").map((e) => e.name)).toContain("github")
    expect(searchCatalog("browser").map((e) => e.name)).toContain("playwright")
    expect(searchCatalog("Sequential").map((e) => e.name)).toEqual(["sequential-thinking"])
    expect(searchCatalog("")).toHaveLength(CATALOG.length)
    expect(searchCatalog("no-such-server-anywhere")).toEqual([])
  })
})
