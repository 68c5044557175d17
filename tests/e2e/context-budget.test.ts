// Issue 14 on the compiled binary, with the 300-tool fixture server: tool filters by glob and
// by each peer's spelling (shown as filtered, refused by `mcp call`, never offered by `run`),
// `agent mcp tools --tokens` against what the fake provider really receives, and automatic
// tool search on and off.
import { describe, expect, it } from "bun:test"
import { countTokens } from "gpt-tokenizer/encoding/o200k_base"
import * as v from "valibot"
import { fakeModel, type FakeModel } from "../fixtures/model/server.ts"
import { runCli } from "../helpers/cli.ts"
import { BUN } from "../helpers/cli.ts"
import { JSON_COMMANDS } from "../helpers/json-shapes.ts"
import { type TmpDir, tmpdir } from "../helpers/tmp.ts"
import { MANY_TOOLS, config, report, run } from "./run-helpers.ts"

type Body = Record<string, any>
const many = (extra: object = {}) => ({ command: BUN, args: [MANY_TOOLS], env: { TOOLS: "300" }, ...extra })
const mcp = (t: TmpDir, args: string[]) =>
  runCli(["mcp", ...args], { home: t.home, cwd: t.path, binary: true })

interface ToolsDoc {
  tools: { name: string; tokens?: number }[]
  filtered: { server: string; tool: string; filtered: { by: string; pattern?: string } }[]
  tokens?: {
    total: number
    provider: string
    method: string
    servers: { server: string; tools: number; tokens: number }[]
  }
}

async function tools(t: TmpDir, file: string, extra: string[] = []): Promise<ToolsDoc> {
  const r = await mcp(t, ["tools", "--mcp", file, "-o", "json", ...extra])
  expect(r.code).toBe(0)
  const doc = r.json<ToolsDoc>()
  expect(v.safeParse(JSON_COMMANDS["agent mcp tools"], doc).issues).toBeUndefined()
  return doc
}

describe("compiled binary: tool filters, token figures, automatic tool search", () => {
  it("filters by glob and by each peer's spelling; filtered tools are listed with their rule", async () => {
    await using t = await tmpdir()
    const file = await config(t, {
      gem: many({ includeTools: ["tool_000??"], excludeTools: ["tool_0000*"] }),
      codex: many({ enabled_tools: ["tool_001*"], disabled_tools: ["tool_0019?"] }),
      kiro: many({ disabledTools: ["tool_00[0-9]*", "tool_0*"] }),
    })
    const doc = await tools(t, file)
    const offered = (s: string) => doc.tools.filter((x) => x.name.startsWith(`${s}__`)).length
    expect(offered("gem")).toBe(90) // tool_00010 … tool_00099
    expect(offered("codex")).toBe(90) // tool_00100 … tool_00189
    expect(offered("kiro")).toBe(0)
    expect(doc.filtered.find((f) => f.server === "gem" && f.tool === "tool_00003")?.filtered).toEqual({
      by: "excludeTools",
      pattern: "tool_0000*",
    })
    expect(doc.filtered.find((f) => f.server === "gem" && f.tool === "tool_00200")?.filtered).toEqual({
      by: "includeTools",
    })
    expect(doc.filtered.find((f) => f.server === "codex" && f.tool === "tool_00195")?.filtered).toEqual({
      by: "excludeTools",
      pattern: "tool_0019?",
    })
    expect(doc.filtered.filter((f) => f.server === "kiro")).toHaveLength(300)
    const text = await mcp(t, ["tools", "gem", "--mcp", file])
    expect(text.stdout).toMatch(/gem__tool_00003 +filtered by excludeTools "tool_0000\*"/)
    expect(text.stdout).toMatch(/gem__tool_00200 +filtered by includeTools \(no pattern matches\)/)

    const called = await mcp(t, ["call", "gem", "tool_00003", "--mcp", file])
    expect(called.code).toBe(2)
    expect(called.stderr).toContain(
      'tool "tool_00003" of server "gem" is filtered by excludeTools "tool_0000*"',
    )
    expect((await mcp(t, ["call", "gem", "tool_00042", "--mcp", file])).code).toBe(0)
  }, 60_000)

  it("refuses a list written under two spellings (exit 2)", async () => {
    await using t = await tmpdir()
    const file = await config(t, { s: many({ excludeTools: ["a"], disabled_tools: ["b"] }) })
    const r = await mcp(t, ["tools", "--mcp", file])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("disabled_tools")
  }, 30_000)

  it("never offers a filtered tool to the model; --tools/--exclude-tools narrow one run", async () => {
    await using t = await tmpdir()
    const file = await config(t, { m: many({ excludeTools: ["tool_001*"] }) })
    await using srv = await fakeModel([{ text: "a" }, { text: "b" }])
    const env = { ANTHROPIC_API_KEY: "k", ANTHROPIC_BASE_URL: srv.anthropicBaseUrl }
    const model = ["-m", "anthropic:claude-test", "--no-tool-search", "-o", "json"]
    expect((await run(t, ["--mcp", file, ...model, "hi"], env)).code).toBe(0)
    const names = (i: number) => (srv.requests[i]!.body.tools as Body[]).map((x) => x.name as string)
    expect(names(0)).toHaveLength(200)
    expect(names(0)).not.toContain("m__tool_00100")
    const r = await run(
      t,
      [
        "--mcp",
        file,
        ...model,
        "--tools",
        "m:tool_000*,m__tool_0010?",
        "--exclude-tools",
        "m__tool_0000*",
        "hi",
      ],
      env,
    )
    expect(r.code).toBe(0)
    expect(names(1)).toHaveLength(90) // tool_00010 … tool_00099 (tool_0010? is excluded by the config)
    expect(report(r).toolDefinitions?.tools).toBe(90)
  }, 60_000)

  const wire: [string, string[], (srv: FakeModel) => Record<string, string>, (b: Body) => unknown][] = [
    [
      "anthropic",
      ["anthropic:claude-test"],
      (s) => ({ ANTHROPIC_API_KEY: "k", ANTHROPIC_BASE_URL: s.anthropicBaseUrl }),
      // eager_input_streaming is a request option of the AI SDK and cache_control (on the last tool:
      // prompt caching) a cache marker, not text the model reads
      (b) => b.tools.map(({ eager_input_streaming: _, cache_control: __, ...rest }: Body) => rest),
    ],
    [
      "openai",
      ["openai:gpt-test"],
      (s) => ({ OPENAI_API_KEY: "k", OPENAI_BASE_URL: s.openaiBaseUrl }),
      (b) => b.tools,
    ],
    [
      "google",
      ["google:gemini-test"],
      (s) => ({ GOOGLE_GENERATIVE_AI_API_KEY: "k", GOOGLE_GENERATIVE_AI_BASE_URL: s.googleBaseUrl }),
      (b) => b.tools.flatMap((x: Body) => x.functionDeclarations ?? []),
    ],
    [
      "bedrock",
      ["bedrock:claude-test"],
      (s) => ({ AWS_REGION: "us-east-1", AWS_BEARER_TOKEN_BEDROCK: "k", AWS_BEDROCK_BASE_URL: s.url }),
      (b) => b.toolConfig.tools,
    ],
  ]
  it.each(wire)(
    "%s: --tokens matches the tools in the request the provider receives",
    async (provider, [spec], env, pick) => {
      await using t = await tmpdir()
      const file = await config(t, { m: many() })
      const doc = await tools(t, file, ["--tokens", "--model", spec!])
      await using srv = await fakeModel([{ text: "ok" }])
      const r = await run(t, ["--mcp", file, "-m", spec!, "--no-tool-search", "-o", "json", "hi"], env(srv))
      expect(r.code).toBe(0)
      const json = JSON.stringify(pick(srv.requests[0]!.body))
      // The same JSON, measured the same way (the estimate, characters / 4), so the figures agree exactly.
      const sent = Math.ceil(json.length / 4)
      expect(doc.tokens!.method).toContain("estimate")
      // OpenAI's own tokenizer (o200k, a devDependency: not in the binary) agrees within 10% here.
      if (provider === "openai") expect(Math.abs(countTokens(json) - sent) / sent).toBeLessThan(0.1)
      expect(doc.tokens!.total).toBe(sent)
      expect(doc.tokens!.servers).toEqual([{ server: "m", tools: 300, tokens: expect.any(Number) }])
      expect(doc.tools.reduce((n, x) => n + x.tokens!, 0)).toBe(doc.tokens!.servers[0]!.tokens)
      expect(report(r).toolDefinitions?.tokens).toBe(doc.tokens!.total)
    },
    60_000,
  )

  it("turns tool search on by itself past the share of the context, and says why; --no-tool-search forces it off", async () => {
    await using t = await tmpdir()
    const file = await config(t, { m: many() })
    await using srv = await fakeModel([{ text: "a" }, { text: "b" }, { text: "c" }])
    const env = { OPENAI_COMPATIBLE_API_KEY: "k" }
    const base = ["--mcp", file, "-m", "openai-compatible:local", "--base-url", `${srv.url}/v1`, "-o", "json"]
    // An unknown local model is taken as 32k: 10% of it is far less than 300 definitions.
    const on = await run(t, [...base, "hi"], env)
    expect(on.code).toBe(0)
    const rep = report(on)
    expect(rep.toolSearch?.budgetTokens).toBe(3200)
    expect(rep.toolSearch?.reason).toContain("10% of the model's 32000-token context")
    expect((srv.requests[0]!.body.tools as Body[]).map((x) => x.function.name)).toEqual(["search_tools"])
    // A share large enough for them all: no search.
    const wide = await run(t, [...base, "--tool-search-share", "90", "hi"], env)
    expect(report(wide).toolSearch).toBeUndefined()
    expect(srv.requests[1]!.body.tools).toHaveLength(300)
    const off = await run(t, [...base, "--no-tool-search", "hi"], env)
    expect(report(off).toolSearch).toBeUndefined()
    expect(srv.requests[2]!.body.tools).toHaveLength(300)
    // In text mode the reason is on stderr too.
    srv.push({ text: "d" })
    const text = await run(t, [...base.slice(0, -2), "hi"], env)
    expect(text.stderr).toContain("warning: tool search on: the 300 tool definitions take")
  }, 60_000)
})
