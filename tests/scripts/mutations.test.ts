// scripts/mutations.ts lists the breakages `npm run mutate` makes (before a release, not in CI):
// each `find` must occur exactly once in its file, or the mutation silently tests nothing. The
// list is checked here on every `npm test`, so a change to the code it names shows at once.
import { describe, expect, it } from "bun:test"
import { checkList } from "../../scripts/mutate.ts"
import { MUTATIONS } from "../../scripts/mutations.ts"

describe("scripts/mutations.ts", () => {
  it("names code that exists, once each, and test files that exist", async () => {
    expect(MUTATIONS.length).toBeGreaterThan(100)
    expect(await checkList(MUTATIONS)).toEqual([])
  })

  it("reports a find that no longer matches, and a missing test file", async () => {
    const [first] = MUTATIONS
    const problems = await checkList([
      { ...first!, find: "this text is in no file of the project", tests: ["tests/no-such.test.ts"] },
    ])
    expect(problems).toEqual([
      expect.stringContaining("`find` occurs 0 times"),
      expect.stringContaining("test file tests/no-such.test.ts does not exist"),
    ])
  })
})
