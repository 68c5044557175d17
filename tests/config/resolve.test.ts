import { describe, expect, it } from "bun:test"
import {
  loadConfig,
  openApprovals,
  resolveServers,
  type ApprovalQuestion,
  type Config,
} from "../../src/config/index.ts"
import { requireReady } from "../../src/config/resolve.ts"
import { redactSecrets } from "../../src/util/secrets.ts"
import { ApprovalRequiredError, ConfigError } from "../../src/util/errors.ts"
import { resolvePaths } from "../../src/util/paths.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"

const CANARY = "canary-s3cr3t-value-9f2c"

async function setup(t: TmpDir, doc: object, scope: "file" | "project" = "file"): Promise<Config> {
  const file = await t.write(scope === "project" ? ".mcp.json" : "mcp.json", doc)
  const paths = resolvePaths({ AGENTRT_HOME: t.home })
  return loadConfig({ paths, cwd: t.path, files: scope === "file" ? [file] : [], only: scope === "file" })
}
const store = (t: TmpDir) => openApprovals(resolvePaths({ AGENTRT_HOME: t.home }))

/** An env whose every read is recorded, to prove unapproved variables are never looked up. */
function spyEnv(values: Record<string, string>) {
  const reads: string[] = []
  const env = new Proxy(values, {
    get(target, key) {
      if (typeof key === "string") reads.push(key)
      return target[key as string]
    },
  }) as Record<string, string | undefined>
  return { env, reads }
}

function errorOf(fn: () => unknown): Error {
  try {
    fn()
  } catch (e: unknown) {
    return e as Error
  }
  throw new Error("expected a throw")
}

describe("resolveServers", () => {
  it("blocks an unapproved variable without reading it, naming server and variable (C01)", async () => {
    await using t = await tmpdir()
    const config = await setup(t, {
      mcpServers: { aws: { command: "npx", args: ["aws-mcp", "--key=${AWS_SECRET}"] } },
    })
    const { env, reads } = spyEnv({ AWS_SECRET: CANARY })
    const [r] = await resolveServers(config.servers, { store: store(t), env })
    expect(r!.status).toBe("needs_approval")
    expect(r!.status === "needs_approval" && r!.variables).toEqual([
      {
        variable: "AWS_SECRET",
        fields: ["args[1]"],
        destination: "argument 2 of `npx aws-mcp --key=${AWS_SECRET}`",
      },
    ])
    expect(reads).not.toContain("AWS_SECRET")
    const e = errorOf(() => requireReady([r!]))
    expect(e).toBeInstanceOf(ApprovalRequiredError)
    expect((e as ApprovalRequiredError).exitCode).toBe(3)
    expect(e.message).toContain('server "aws"')
    expect(e.message).toContain("AWS_SECRET")
    expect((e as ApprovalRequiredError).hint).toContain("agent env approve AWS_SECRET --server aws")
    expect((e as ApprovalRequiredError).hint).toContain("--approve-env AWS_SECRET")
    expect(`${e.message}${(e as ApprovalRequiredError).hint}`).not.toContain(CANARY)
  })

  it("interpolates an approved variable and registers its value for redaction at every output (P03)", async () => {
    await using t = await tmpdir()
    // Its own value: the registry is per process, and the first name a value was read under is the one shown.
    const value = `${CANARY}-api-key`
    const config = await setup(t, {
      mcpServers: { api: { command: "npx", args: ["api"], env: { API_KEY: "${API_KEY}", MODE: "x" } } },
    })
    await store(t).approveEnv("API_KEY", config.servers[0]!)
    const [r] = requireReady(
      await resolveServers(config.servers, { store: store(t), env: { API_KEY: value } }),
    )
    expect(r!.server).toMatchObject({ command: "npx", env: { API_KEY: value, MODE: "x" } })
    expect(r!.secrets).toEqual([value])
    expect(redactSecrets(`failed with ${value} and ${value}`)).toBe(
      "failed with [redacted:API_KEY] and [redacted:API_KEY]",
    )
  })

  it("voids the approval when the command or args change (C03)", async () => {
    await using t = await tmpdir()
    const before = await setup(t, { mcpServers: { api: { command: "npx", args: ["good", "${K}"] } } })
    await store(t).approveEnv("K", before.servers[0]!)
    const after = await setup(t, { mcpServers: { api: { command: "npx", args: ["evil", "${K}"] } } })
    const [r] = await resolveServers(after.servers, { store: store(t), env: { K: CANARY } })
    expect(r!.status).toBe("needs_approval")
  })

  it("names the destination host of a ${TOKEN} in a remote url and never leaks the value (C06)", async () => {
    await using t = await tmpdir()
    const config = await setup(t, {
      mcpServers: {
        gh: { url: "https://api.github.com/mcp?token=${TOKEN}", headers: { Authorization: "Bearer ${GH}" } },
        anywhere: { url: "https://${HOST}/mcp" },
      },
    })
    const res = await resolveServers(config.servers, {
      store: store(t),
      env: { TOKEN: CANARY, GH: CANARY, HOST: CANARY },
    })
    const needs = res.flatMap((r) => (r.status === "needs_approval" ? r.variables : []))
    expect(needs.map((n) => [n.variable, n.destination])).toEqual([
      ["TOKEN", "part of the URL sent to api.github.com"],
      ["GH", "header Authorization sent to api.github.com"],
      ["HOST", "the server URL (the variable decides the host)"],
    ])
    const e = errorOf(() => requireReady(res)) as ApprovalRequiredError
    expect(`${e.message}\n${e.hint}`).not.toContain(CANARY)
    expect(e.message).toContain("api.github.com")
  })

  it("needs approval even with a default; the default applies only when the approved variable is unset", async () => {
    await using t = await tmpdir()
    const config = await setup(t, {
      mcpServers: { s: { command: "srv", args: ["--region=${REGION:-eu-west-1}"] } },
    })
    const [r0] = await resolveServers(config.servers, { store: store(t), env: {} })
    expect(r0!.status).toBe("needs_approval")
    const [r1] = await resolveServers(config.servers, {
      store: store(t),
      env: { REGION: "" },
      approveEnv: ["REGION"],
    })
    expect(r1!.status === "ready" && r1!.server).toMatchObject({ args: ["--region=eu-west-1"] })
    const [r2] = await resolveServers(config.servers, {
      store: store(t),
      env: { REGION: "us-east-2" },
      approveEnv: ["REGION"],
    })
    expect(r2!.status === "ready" && r2!.server).toMatchObject({ args: ["--region=us-east-2"] })
  })

  it("reports ${VAR:?message} and plain unset variables as unset (exit 2), never a string with ${", async () => {
    await using t = await tmpdir()
    const config = await setup(t, {
      mcpServers: {
        a: { command: "a", env: { DB: "${DB_URL:?set DB_URL to your database}" } },
        b: { url: "https://x.example/mcp", headers: { "X-Key": "${XKEY}" } },
      },
    })
    const res = await resolveServers(config.servers, {
      store: store(t),
      env: {},
      approveEnv: ["DB_URL", "XKEY"],
    })
    expect(res.map((r) => r.status)).toEqual(["unset", "unset"])
    expect(res[0]!.status === "unset" && res[0]!.missing).toEqual([
      { variable: "DB_URL", message: "set DB_URL to your database" },
    ])
    expect(JSON.stringify(res.map((r) => ("server" in r ? r.server : null)))).not.toContain("${")
    const e = errorOf(() => requireReady(res)) as ConfigError
    expect(e).toBeInstanceOf(ConfigError)
    expect(e.exitCode).toBe(2)
    expect(e.message).toContain("set DB_URL to your database")
    expect(e.message).toContain('server "b": XKEY is not set')
  })

  it("approves --approve-env variables for this run only, without storing them", async () => {
    await using t = await tmpdir()
    const config = await setup(t, { mcpServers: { s: { command: "s", args: ["${K}"] } } })
    const [r] = await resolveServers(config.servers, { store: store(t), env: { K: "v" }, approveEnv: ["K"] })
    expect(r!.status).toBe("ready")
    expect(store(t).envApprovals()).toEqual([])
  })

  it("skips disabled servers entirely", async () => {
    await using t = await tmpdir()
    const config = await setup(t, { mcpServers: { off: { command: "s", args: ["${K}"], disabled: true } } })
    const res = await resolveServers(config.servers, { store: store(t), env: {} })
    expect(res.map((r) => r.status)).toEqual(["disabled"])
    expect(requireReady(res)).toEqual([])
  })

  it("asks once per new variable, shows the input description, never the value, and stores a yes", async () => {
    await using t = await tmpdir()
    const config = await setup(t, {
      inputs: [
        { id: "gh-token", type: "promptString", description: "GitHub personal access token", password: true },
      ],
      servers: {
        gh: {
          url: "https://api.github.com/mcp",
          headers: { Authorization: "Bearer ${input:gh-token}", "X-T": "${input:gh-token}" },
        },
      },
    })
    const asked: ApprovalQuestion[] = []
    const prompt = async (q: ApprovalQuestion) => (asked.push(q), true)
    const [r] = await resolveServers(config.servers, {
      store: store(t),
      env: { GH_TOKEN: CANARY },
      prompt,
      inputs: config.inputs,
    })
    expect(r!.status === "ready" && r!.server).toMatchObject({
      headers: { Authorization: `Bearer ${CANARY}` },
    })
    expect(asked).toHaveLength(1)
    expect(asked[0]).toMatchObject({
      kind: "env",
      server: "gh",
      need: { variable: "GH_TOKEN", description: "GitHub personal access token" },
    })
    expect(JSON.stringify(asked)).not.toContain(CANARY)
    expect(
      store(t)
        .envApprovals()
        .map((a) => a.variable),
    ).toEqual(["GH_TOKEN"])
    await resolveServers(config.servers, {
      store: store(t),
      env: { GH_TOKEN: CANARY },
      prompt,
      inputs: config.inputs,
    })
    expect(asked).toHaveLength(1)
  })

  it("a 'no' leaves the server needing approval and stores nothing", async () => {
    await using t = await tmpdir()
    const config = await setup(t, { mcpServers: { s: { command: "s", args: ["${K}"] } } })
    const [r] = await resolveServers(config.servers, {
      store: store(t),
      env: { K: "v" },
      prompt: async () => false,
    })
    expect(r!.status).toBe("needs_approval")
    expect(store(t).envApprovals()).toEqual([])
  })

  it("requires trust for a project server, then shows what changed when its definition changes", async () => {
    await using t = await tmpdir()
    const v1 = await setup(t, { mcpServers: { fs: { command: "npx", args: ["fs", "."] } } }, "project")
    const [r1] = await resolveServers(v1.servers, { store: store(t), env: {} })
    expect(r1).toMatchObject({ status: "needs_approval", variables: [], project: { status: "new" } })
    const e = errorOf(() => requireReady([r1!])) as ApprovalRequiredError
    expect(e.exitCode).toBe(3)
    expect(e.hint).toContain("agent mcp approve fs")

    await store(t).approveProject(v1.servers[0]!)
    expect((await resolveServers(v1.servers, { store: store(t), env: {} }))[0]!.status).toBe("ready")

    const v2 = await setup(t, { mcpServers: { fs: { command: "npx", args: ["fs", "/"] } } }, "project")
    const asked: ApprovalQuestion[] = []
    const [r2] = await resolveServers(v2.servers, {
      store: store(t),
      env: {},
      prompt: async (q) => (asked.push(q), false),
    })
    expect(r2).toMatchObject({
      status: "needs_approval",
      project: { status: "changed", previous: { args: ["fs", "."] } },
    })
    expect(asked[0]).toMatchObject({
      kind: "project",
      status: "changed",
      diff: ['- args[1]: "."', '+ args[1]: "/"'],
    })
  })
})
