import { describe, expect, it } from "bun:test"
import { isWarmCommand } from "../../src/cli/shared/daemon-client.ts"

// Which command lines go to the daemon (docs/daemon.md "Which commands use it").
describe("isWarmCommand", () => {
  it("sends serve on stdio and proxy to the daemon, not serve --http", () => {
    expect(isWarmCommand(["mcp", "serve"])).toBe(true)
    expect(isWarmCommand(["mcp", "serve", "--only", "a,b", "--mcp", "x.json"])).toBe(true)
    expect(isWarmCommand(["mcp", "proxy", "github"])).toBe(true)
    expect(isWarmCommand(["mcp", "serve", "--http", "8931"])).toBe(false)
    expect(isWarmCommand(["mcp", "serve", "--http=0"])).toBe(false)
    expect(isWarmCommand(["mcp", "serve", "--no-daemon"])).toBe(false)
    expect(isWarmCommand(["mcp", "proxy", "github", "--help"])).toBe(false)
  })

  it("keeps the commands it had, and leaves the others cold", () => {
    for (const verb of ["list", "tools", "call", "prompts", "prompt", "resources", "read"])
      expect(isWarmCommand(["mcp", verb])).toBe(true)
    expect(isWarmCommand(["run", "hi"])).toBe(true)
    for (const verb of ["add", "approve", "auth", "doctor"]) expect(isWarmCommand(["mcp", verb])).toBe(false)
  })
})
