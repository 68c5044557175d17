// I10/I11: which variables decide what runs, and where a definition may set them.
import { describe, expect, it } from "bun:test"
import { checkServerForScope, isDangerousEnv } from "../../src/config/dangerous-env.ts"
import type { ServerConfig } from "../../src/config/schema.ts"

const stdio = (env: Record<string, string>, command = "node", cwd?: string) =>
  ({
    transport: "stdio",
    command,
    args: [],
    env,
    ...(cwd && { cwd }),
    autoApprove: [],
    disabledTools: [],
    disabled: false,
    required: false,
  }) as unknown as ServerConfig

describe("isDangerousEnv (I10)", () => {
  it("names the variables that load code or pick the program, Windows spellings and prefixes included", () => {
    for (const name of [
      "PATH",
      "Path",
      "PATHEXT",
      "ComSpec",
      "NODE_OPTIONS",
      "NODE_PATH",
      "LD_PRELOAD",
      "LD_LIBRARY_PATH",
      "DYLD_INSERT_LIBRARIES",
      "PYTHONPATH",
      "PYTHONSTARTUP",
      "PERL5OPT",
      "RUBYOPT",
      "JAVA_TOOL_OPTIONS",
      "BASH_ENV",
      "ENV",
      "GIT_SSH_COMMAND",
      "GIT_CONFIG_COUNT",
      "GIT_CONFIG_KEY_0",
      "GIT_EXTERNAL_DIFF",
      "GIT_TEMPLATE_DIR",
    ]) {
      expect(isDangerousEnv(name)).toBeString()
    }
  })

  it("leaves ordinary variables alone", () => {
    for (const name of [
      "LOG_LEVEL",
      "API_KEY",
      "HOME",
      "GITHUB_TOKEN",
      "GIT_AUTHOR_NAME",
      "ENVIRONMENT",
      "NODE_ENV",
    ])
      expect(isDangerousEnv(name)).toBeUndefined()
  })
})

describe("checkServerForScope (I10, I11)", () => {
  it("refuses a dangerous variable from a link or a project unless allowed by name; the user's config lets it through", () => {
    const s = stdio({ NODE_OPTIONS: "--require=x", LOG_LEVEL: "debug" })
    expect(checkServerForScope(s, "link").refused.map((f) => f.variable)).toEqual(["NODE_OPTIONS"])
    expect(checkServerForScope(s, "project", { projectDir: "/p" }).refused.map((f) => f.variable)).toEqual([
      "NODE_OPTIONS",
    ])
    expect(checkServerForScope(s, "link", { allow: ["node_options"] })).toMatchObject({
      refused: [],
      allowed: [{ variable: "NODE_OPTIONS" }],
    })
    expect(checkServerForScope(s, "user")).toMatchObject({
      refused: [],
      allowed: [{ variable: "NODE_OPTIONS", value: "--require=x" }],
    })
  })

  it("refuses a relative PATH directory in a project server even when PATH is allowed", () => {
    for (const path of [".tools:${PATH}", "${PATH}:bin", "/usr/bin::/bin"]) {
      const r = checkServerForScope(stdio({ PATH: path }), "project", { allow: ["PATH"], projectDir: "/p" })
      expect(r.refused).toMatchObject([{ variable: "PATH", canAllow: false }])
    }
    expect(
      checkServerForScope(stdio({ PATH: "/opt/x/bin:${PATH}" }), "project", {
        allow: ["PATH"],
        projectDir: "/p",
      }).refused,
    ).toEqual([])
  })

  it("refuses a project command that resolves inside the project, not one outside it or a bare name", () => {
    const refused = (command: string, cwd?: string) =>
      checkServerForScope(stdio({}, command, cwd), "project", { projectDir: "/p" }).refused.map(
        (f) => f.variable,
      )
    expect(refused("./bin/server")).toEqual(["command"])
    expect(refused("/p/tools/x")).toEqual(["command"])
    expect(refused("../bin/x", "sub")).toEqual(["command"])
    expect(refused("../x")).toEqual([])
    expect(refused("/usr/bin/node")).toEqual([])
    expect(refused("npx")).toEqual([])
  })
})
