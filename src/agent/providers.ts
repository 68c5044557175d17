// Model providers (docs/design.md §1, §9): `provider:model` → a LanguageModelV4 from the AI SDK
// provider packages. We only use their LanguageModel interface; the loop is ours (loop.ts).
// Keys and base URLs come from the `env` passed in, never from process.env directly: the
// provider packages fall back to process.env when a setting is undefined, so every setting
// is passed explicitly.
import type { LanguageModelV4, LanguageModelV4FunctionTool, SharedV4ProviderOptions } from "@ai-sdk/provider"
import { UsageError } from "../util/errors.ts"

export const PROVIDERS = ["anthropic", "openai", "google", "bedrock", "openai-compatible"] as const
export type ProviderName = (typeof PROVIDERS)[number]

export interface ModelSpec {
  provider: ProviderName
  modelId: string
}

export interface CreateModelOptions {
  /** --base-url; otherwise the provider's *_BASE_URL variable, otherwise its public endpoint. */
  baseUrl?: string
  env: Record<string, string | undefined>
}

export interface CreatedModel extends ModelSpec {
  model: LanguageModelV4
}

const SPEC_HINT = `use provider:model, e.g. anthropic:claude-sonnet-4-5 (providers: ${PROVIDERS.join(", ")})`

/** `--model` wins, then AGENT_MODEL, then the config file's default. */
export function resolveModelSpec(
  flag: string | undefined,
  env: Record<string, string | undefined>,
  configured?: string,
): string {
  const spec = flag || env.AGENT_MODEL || (configured && fromPeerSpelling(configured))
  if (!spec)
    throw new UsageError("no model chosen", { hint: `pass --model or set AGENT_MODEL; ${SPEC_HINT}` })
  return spec
}

/** opencode writes `anthropic/claude-sonnet-4-5` in its config's `model`; ours is `anthropic:…`. */
function fromPeerSpelling(spec: string): string {
  const slash = spec.indexOf("/")
  if (spec.includes(":") || slash <= 0) return spec
  return (PROVIDERS as readonly string[]).includes(spec.slice(0, slash))
    ? `${spec.slice(0, slash)}:${spec.slice(slash + 1)}`
    : spec
}

export function parseModelSpec(spec: string): ModelSpec {
  // Split on the first colon only: Bedrock ids contain colons (`anthropic.claude-…-v2:0`).
  const at = spec.indexOf(":")
  const provider = spec.slice(0, at)
  const modelId = spec.slice(at + 1)
  if (at <= 0 || !modelId) throw new UsageError(`model "${spec}" has no provider`, { hint: SPEC_HINT })
  if (!(PROVIDERS as readonly string[]).includes(provider)) {
    throw new UsageError(`unknown model provider "${provider}"`, { hint: SPEC_HINT })
  }
  return { provider: provider as ProviderName, modelId }
}

function requireVar(env: CreateModelOptions["env"], names: string[], provider: string): string {
  for (const n of names) if (env[n]) return env[n]!
  throw new UsageError(`${names[0]} is not set (needed for ${provider} models)`, {
    hint: `export ${names[0]}=… , or replay a recorded run with --replay FILE`,
  })
}

export async function createModel(spec: string, opts: CreateModelOptions): Promise<CreatedModel> {
  const parsed = parseModelSpec(spec)
  const model = await BUILDERS[parsed.provider](parsed.modelId, opts)
  return { ...parsed, model }
}

// Provider packages load lazily: `agent mcp list` never pays for five SDKs.
const BUILDERS: Record<ProviderName, (id: string, o: CreateModelOptions) => Promise<LanguageModelV4>> = {
  async anthropic(id, { baseUrl, env }) {
    const apiKey = requireVar(env, ["ANTHROPIC_API_KEY"], "anthropic")
    const { createAnthropic } = await import("@ai-sdk/anthropic")
    return createAnthropic({
      apiKey,
      baseURL: baseUrl ?? env.ANTHROPIC_BASE_URL ?? "https://api.anthropic.com/v1",
    })(id)
  },
  // The Responses API (POST /v1/responses), which reasoning models expect (reasoning effort,
  // reasoning-token usage). Proxies and gateways that speak only Chat Completions are what
  // `openai-compatible:` is for.
  async openai(id, { baseUrl, env }) {
    const apiKey = requireVar(env, ["OPENAI_API_KEY"], "openai")
    const { createOpenAI } = await import("@ai-sdk/openai")
    const baseURL = baseUrl ?? env.OPENAI_BASE_URL ?? "https://api.openai.com/v1"
    return createOpenAI({
      apiKey,
      baseURL,
      organization: env.OPENAI_ORG_ID,
      project: env.OPENAI_PROJECT_ID,
    }).responses(id)
  },
  async google(id, { baseUrl, env }) {
    const apiKey = requireVar(env, ["GOOGLE_GENERATIVE_AI_API_KEY", "GEMINI_API_KEY"], "google")
    const { createGoogleGenerativeAI } = await import("@ai-sdk/google")
    const baseURL =
      baseUrl ?? env.GOOGLE_GENERATIVE_AI_BASE_URL ?? "https://generativelanguage.googleapis.com/v1beta"
    return createGoogleGenerativeAI({ apiKey, baseURL })(id)
  },
  // Bedrock: a bearer API key (AWS_BEARER_TOKEN_BEDROCK), static keys from AWS_*, or else the
  // standard AWS credential chain (profiles incl. AWS_PROFILE, SSO cache, web identity,
  // container and instance metadata) as the AI SDK documents it: `credentialProvider` with
  // fromNodeProviderChain. The chain is loaded only then (docs/build.md: what it costs).
  async bedrock(id, { baseUrl, env }) {
    const region = requireVar(env, ["AWS_REGION", "AWS_DEFAULT_REGION"], "bedrock")
    const { createAmazonBedrock } = await import("@ai-sdk/amazon-bedrock")
    const common = {
      region,
      baseURL: baseUrl ?? env.AWS_BEDROCK_BASE_URL ?? `https://bedrock-runtime.${region}.amazonaws.com`,
    }
    if (env.AWS_BEARER_TOKEN_BEDROCK)
      return createAmazonBedrock({ ...common, apiKey: env.AWS_BEARER_TOKEN_BEDROCK })(id)
    if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY)
      return createAmazonBedrock({
        ...common,
        accessKeyId: env.AWS_ACCESS_KEY_ID,
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
        sessionToken: env.AWS_SESSION_TOKEN,
      })(id)
    return createAmazonBedrock({ ...common, credentialProvider: await credentialChain(env, region) })(id)
  },
  // Local servers (Ollama, vLLM, LM Studio) often need no key, so the key is optional here.
  async "openai-compatible"(id, { baseUrl, env }) {
    const baseURL = baseUrl ?? env.OPENAI_COMPATIBLE_BASE_URL
    if (!baseURL) {
      throw new UsageError("openai-compatible models need a base URL", {
        hint: "pass --base-url http://host:port/v1 (or set OPENAI_COMPATIBLE_BASE_URL)",
      })
    }
    const { createOpenAICompatible } = await import("@ai-sdk/openai-compatible")
    const apiKey = env.OPENAI_COMPATIBLE_API_KEY
    return createOpenAICompatible({ name: "openai-compatible", baseURL, apiKey, includeUsage: true })(id)
  },
}

/** The schema rules a model needs (schema.ts), from our provider name or the SDK's provider id. */
export function schemaFlavor(provider: string): ProviderName {
  if (provider.startsWith("anthropic")) return "anthropic"
  if (provider.startsWith("openai.") || provider === "openai") return "openai"
  if (provider.startsWith("google")) return "google"
  if (provider.includes("bedrock")) return "bedrock"
  return "openai-compatible"
}

// Anthropic prompt caching: a breakpoint on the system prompt and one on the last tool
// definition caches everything before them (tools, then system), so the second turn of a run,
// and every run of a batch within the cache's 5 minutes, reads them at a tenth of the price.
// Other providers ignore the `anthropic` key (OpenAI and Gemini cache by themselves).
export const CACHE_BREAKPOINT: SharedV4ProviderOptions = {
  anthropic: { cacheControl: { type: "ephemeral" } },
}

export function markLastForCache(
  tools: LanguageModelV4FunctionTool[],
  isCached: boolean,
): LanguageModelV4FunctionTool[] {
  const last = tools.at(-1)
  if (!isCached || !last) return tools
  return [
    ...tools.slice(0, -1),
    { ...last, providerOptions: { ...last.providerOptions, ...CACHE_BREAKPOINT } },
  ]
}

export const REASONING_EFFORTS = ["low", "medium", "high"] as const

/** Per-provider request options from run flags: `{ providerOptions }` or nothing. */
export function modelOptions(
  provider: ProviderName,
  o: { reasoningEffort?: string },
): { providerOptions?: SharedV4ProviderOptions } {
  if (o.reasoningEffort === undefined) return {}
  if (!(REASONING_EFFORTS as readonly string[]).includes(o.reasoningEffort))
    throw new UsageError(`--reasoning-effort must be ${REASONING_EFFORTS.join(", ")}`, {
      hint: "e.g. --reasoning-effort high",
    })
  if (provider !== "openai")
    throw new UsageError(`--reasoning-effort is for openai: models, not ${provider}:`, {
      hint: "drop the flag, or use an openai: reasoning model (e.g. openai:o4-mini)",
    })
  return { providerOptions: { openai: { reasoningEffort: o.reasoningEffort } } }
}

/**
 * The AWS SDK's Node credential chain, with the settings it would read from process.env taken
 * from `env` instead where it lets us (profile, shared files, web identity). A chain that finds
 * nothing fails on the first model request, as a model error naming what it tried.
 */
async function credentialChain(
  env: CreateModelOptions["env"],
  region: string,
): Promise<() => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>> {
  const { fromNodeProviderChain } = await import("@aws-sdk/credential-providers")
  const chain = fromNodeProviderChain({
    ...(env.AWS_PROFILE && { profile: env.AWS_PROFILE }),
    ...(env.AWS_SHARED_CREDENTIALS_FILE && { filepath: env.AWS_SHARED_CREDENTIALS_FILE }),
    ...(env.AWS_CONFIG_FILE && { configFilepath: env.AWS_CONFIG_FILE }),
    ...(env.AWS_WEB_IDENTITY_TOKEN_FILE && { webIdentityTokenFile: env.AWS_WEB_IDENTITY_TOKEN_FILE }),
    ...(env.AWS_ROLE_ARN && { roleArn: env.AWS_ROLE_ARN }),
    ...(env.AWS_ROLE_SESSION_NAME && { roleSessionName: env.AWS_ROLE_SESSION_NAME }),
    // STS (web identity, assume-role profiles) in the run's region; AWS_ENDPOINT_URL_STS still applies.
    clientConfig: { region },
  })
  return async () => {
    const c = await chain()
    return {
      accessKeyId: c.accessKeyId,
      secretAccessKey: c.secretAccessKey,
      ...(c.sessionToken && { sessionToken: c.sessionToken }),
    }
  }
}
