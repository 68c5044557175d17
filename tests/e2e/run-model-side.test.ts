// The model side of `agent run` on the compiled binary (issue 14): Anthropic prompt caching on
// the wire and in the report across a batch of runs, openai: through the Responses API with
// --reasoning-effort, and Bedrock credentials from the AWS chain (a shared-config profile, and
// CI's web identity through a fake STS on 127.0.0.1), each SigV4 request checked by the fixture.
// Every Bedrock case sets AWS_EC2_METADATA_DISABLED and a temp HOME, so the chain can never fall
// through to the instance metadata service or a developer's ~/.aws.
import { describe, expect, it } from "bun:test"
import { fakeModel, type FakeModel } from "../fixtures/model/server.ts"
import { fakeSts } from "../fixtures/model/sts.ts"
import { tmpdir } from "../helpers/tmp.ts"
import { config, modelEnv, report, run } from "./run-helpers.ts"

type Body = Record<string, any>

const addThenAnswer = () => [{ toolCalls: [{ name: "srv__add", args: { a: 2, b: 3 } }] }, { text: "5" }]

describe("compiled binary: Anthropic prompt caching", () => {
  it("marks system and tools, writes the cache in the first run and reads it in the next", async () => {
    await using t = await tmpdir()
    await using srv = await fakeModel([...addThenAnswer(), { text: "again" }])
    const args = ["--mcp", await config(t), "-m", "anthropic:claude-test", "--yes", "--system", "Be exact."]
    const first = report(await run(t, [...args, "-o", "json", "add 2 and 3"], modelEnv(srv)))
    expect(first.exitReason).toBe("completed")
    for (const r of srv.requests) {
      expect((r.body.system as Body[]).at(-1)!.cache_control).toEqual({ type: "ephemeral" })
      expect((r.body.tools as Body[]).at(-1)!.cache_control).toEqual({ type: "ephemeral" })
    }
    // Turn 1 wrote the prefix, turn 2 read it.
    expect(first.usage.cacheWriteTokens).toBeGreaterThan(0)
    expect(first.usage.cacheReadTokens).toBe(first.usage.cacheWriteTokens)
    // The next run of the batch reads it on its first turn.
    const second = report(await run(t, [...args, "-o", "json", "again"], modelEnv(srv)))
    expect(second.usage.cacheWriteTokens).toBe(0)
    expect(second.usage.cacheReadTokens).toBe(first.usage.cacheWriteTokens)
  }, 30_000)

  it("--no-prompt-cache sends no cache_control", async () => {
    await using t = await tmpdir()
    await using srv = await fakeModel([{ text: "ok" }])
    const args = [
      "--mcp",
      await config(t),
      "-m",
      "anthropic:claude-test",
      "--system",
      "S",
      "--no-prompt-cache",
    ]
    const doc = report(await run(t, [...args, "-o", "json", "hi"], modelEnv(srv)))
    expect(doc.exitReason).toBe("completed")
    expect(JSON.stringify(srv.requests[0]!.body)).not.toContain("cache_control")
    expect(doc.usage.cacheWriteTokens).toBe(0)
  }, 30_000)
})

describe("compiled binary: openai: through the Responses API", () => {
  it("posts to /v1/responses with --reasoning-effort and reports reasoning tokens", async () => {
    await using t = await tmpdir()
    await using srv = await fakeModel([
      {
        toolCalls: [{ name: "srv__add", args: { a: 2, b: 3 } }],
        usage: { input: 40, output: 30, reasoning: 25 },
      },
      { text: "5", usage: { input: 60, output: 5, reasoning: 2 } },
    ])
    const env = { OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: srv.openaiBaseUrl }
    const args = ["--mcp", await config(t), "-m", "openai:o4-mini", "--yes", "--reasoning-effort", "high"]
    const doc = report(await run(t, [...args, "--system", "Be exact.", "-o", "json", "add 2 and 3"], env))
    expect(doc).toMatchObject({ exitReason: "completed", result: "5", turns: 2 })
    expect(doc.usage).toMatchObject({ inputTokens: 100, outputTokens: 35, reasoningTokens: 27 })
    expect(srv.requests.map((r) => r.path)).toEqual(["/v1/responses", "/v1/responses"])
    const [first, second] = srv.requests.map((r) => r.body as Body)
    expect(first!.reasoning.effort).toBe("high")
    expect(first!.tools.find((x: Body) => x.name === "srv__add").type).toBe("function")
    expect(second!.input.find((i: Body) => i.type === "function_call_output")).toMatchObject({
      call_id: "call_0_0",
    })
  }, 30_000)

  it("refuses --reasoning-effort for a provider that does not take it (exit 2)", async () => {
    await using t = await tmpdir()
    await using srv = await fakeModel([{ text: "never" }])
    const args = ["--mcp", await config(t), "-m", "anthropic:claude-test", "--reasoning-effort", "high"]
    const r = await run(t, [...args, "hi"], modelEnv(srv))
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("--reasoning-effort is for openai: models")
    expect(srv.requests).toHaveLength(0)
  }, 30_000)
})

const BEDROCK = "bedrock:anthropic.claude-3-5-sonnet-20241022-v2:0"
const PROFILE_KEY = { id: "AKIDPROFILE", secret: "profile-secret-key" }

async function bedrockRun(
  t: Awaited<ReturnType<typeof tmpdir>>,
  srv: FakeModel,
  env: Record<string, string>,
) {
  const args = ["--mcp", await config(t), "-m", BEDROCK, "--yes", "-o", "json", "add 2 and 3"]
  return run(t, args, {
    AWS_REGION: "eu-west-1",
    AWS_BEDROCK_BASE_URL: srv.url,
    AWS_EC2_METADATA_DISABLED: "true",
    ...env,
  })
}

describe("compiled binary: Bedrock with the AWS credential chain", () => {
  const profileFiles = async (t: Awaited<ReturnType<typeof tmpdir>>, secret: string) => ({
    AWS_PROFILE: "ci",
    AWS_CONFIG_FILE: await t.write(
      "aws/config",
      "[default]\nregion = us-east-1\n\n[profile ci]\nregion = eu-west-1\n",
    ),
    AWS_SHARED_CREDENTIALS_FILE: await t.write(
      "aws/credentials",
      `[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = nope\n\n[ci]\naws_access_key_id = ${PROFILE_KEY.id}\naws_secret_access_key = ${secret}\n`,
    ),
  })

  it("signs with the AWS_PROFILE's keys from the shared credentials file", async () => {
    await using t = await tmpdir()
    await using srv = await fakeModel(addThenAnswer(), {
      awsSecrets: { [PROFILE_KEY.id]: PROFILE_KEY.secret },
    })
    const doc = report(await bedrockRun(t, srv, await profileFiles(t, PROFILE_KEY.secret)))
    expect(doc).toMatchObject({ exitReason: "completed", result: "5", turns: 2 })
    for (const r of srv.requests)
      expect(r.headers.authorization).toStartWith(`AWS4-HMAC-SHA256 Credential=${PROFILE_KEY.id}/`)
  }, 30_000)

  it("fails as a model error when the profile's secret is wrong (the fixture checks signatures)", async () => {
    await using t = await tmpdir()
    await using srv = await fakeModel(addThenAnswer(), {
      awsSecrets: { [PROFILE_KEY.id]: PROFILE_KEY.secret },
    })
    const r = await bedrockRun(t, srv, await profileFiles(t, "not-the-secret"))
    const doc = report(r)
    expect(doc.exitReason).toBe("model_error")
    expect(doc.error).toContain("signature")
  }, 30_000)

  it("assumes the CI role with AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN at a local STS", async () => {
    await using t = await tmpdir()
    await using sts = await fakeSts()
    await using srv = await fakeModel(addThenAnswer(), {
      awsSecrets: { [sts.credentials.accessKeyId]: sts.credentials.secretAccessKey },
    })
    const doc = report(
      await bedrockRun(t, srv, {
        AWS_WEB_IDENTITY_TOKEN_FILE: await t.write("oidc-token", "the-ci-oidc-token"),
        AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/ci",
        AWS_ENDPOINT_URL_STS: sts.url,
      }),
    )
    expect(doc).toMatchObject({ exitReason: "completed", result: "5" })
    expect(sts.requests[0]).toMatchObject({
      Action: "AssumeRoleWithWebIdentity",
      RoleArn: "arn:aws:iam::123456789012:role/ci",
      WebIdentityToken: "the-ci-oidc-token",
    })
    for (const r of srv.requests) {
      expect(r.headers.authorization).toStartWith(
        `AWS4-HMAC-SHA256 Credential=${sts.credentials.accessKeyId}/`,
      )
      expect(r.headers["x-amz-security-token"]).toBe(sts.credentials.sessionToken)
    }
  }, 30_000)
})
