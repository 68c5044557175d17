#!/usr/bin/env bun
// A bare @modelcontextprotocol/client program as the conformance suite's client: the comparison
// row of docs/conformance.md, i.e. what the SDK does on its own when a program makes, per
// scenario, the same requests the agent adapter makes (scripts/conformance-client.sh), with the
// SDK's own providers for OAuth. Not agent; no agent code. Scenarios it has no mapping for
// (DPoP, workload identity, skills) exit 2.
//   npm run conformance -- --client "node_modules/.bin/bun scripts/conformance/sdk-client.ts"
import {
  Client,
  ClientCredentialsProvider,
  CrossAppAccessProvider,
  discoverAndRequestJwtAuthGrant,
  type OAuthClientInformationMixed,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
  type OAuthTokens,
  PrivateKeyJwtProvider,
  StreamableHTTPClientTransport,
  UnauthorizedError,
} from "@modelcontextprotocol/client"

const MAPPED =
  /^(auth\/.*|initialize|tools_call|sse-retry|elicitation-sep1034-client-defaults|request-metadata|sep-2322-client-request-state|http-standard-headers|http-custom-headers|http-invalid-tool-headers|json-schema-ref-no-deref|json-schema-2020-12-preservation)$/
const url = new URL(process.argv.at(-1)!)
const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? ""
// Every field the scenarios hand over; a scenario reads only the ones it provides ("" when absent).
interface Context {
  client_id: string
  client_secret: string
  private_key_pem: string
  signing_algorithm?: string
  idp_issuer: string
  idp_id_token: string
  idp_client_id: string
  toolCalls?: { name: string; arguments?: Record<string, unknown> }[]
}
const ctx: Context = {
  client_id: "",
  client_secret: "",
  private_key_pem: "",
  idp_issuer: "",
  idp_id_token: "",
  idp_client_id: "",
  ...(JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT || "{}") as Partial<Context>),
}

/** Authorization code flow in memory; the "browser" GETs the authorization URL and keeps the code. */
function browserProvider(): OAuthClientProvider & { callback?: URLSearchParams } {
  let info: OAuthClientInformationMixed | undefined = ctx.client_id
    ? { client_id: ctx.client_id, ...(ctx.client_secret && { client_secret: ctx.client_secret }) }
    : undefined
  let tokens: OAuthTokens | undefined
  let verifier = ""
  let discovery: OAuthDiscoveryState | undefined
  const p: OAuthClientProvider & { callback?: URLSearchParams } = {
    redirectUrl: "http://127.0.0.1:9/callback",
    ...(scenario === "auth/basic-cimd" && {
      clientMetadataUrl: "https://conformance-test.local/client-metadata.json",
    }),
    clientMetadata: {
      client_name: "bare-sdk-client",
      redirect_uris: ["http://127.0.0.1:9/callback"],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: ctx.client_secret ? "client_secret_basic" : "none",
    },
    clientInformation: () => info,
    saveClientInformation: (i) => void (info = i),
    tokens: () => tokens,
    saveTokens: (t) => void (tokens = t),
    saveCodeVerifier: (v) => void (verifier = v),
    codeVerifier: () => verifier,
    saveDiscoveryState: (s) => void (discovery = s),
    discoveryState: () => discovery,
    async redirectToAuthorization(authUrl) {
      const r = await fetch(authUrl, { redirect: "manual" })
      const location = r.headers.get("location")
      if (!location) throw new Error(`authorization answered ${r.status}`)
      p.callback = new URL(location).searchParams
    },
  }
  return p
}

function machineProvider(): OAuthClientProvider | undefined {
  if (scenario === "auth/client-credentials-jwt")
    return new PrivateKeyJwtProvider({
      clientId: ctx.client_id,
      privateKey: ctx.private_key_pem,
      algorithm: ctx.signing_algorithm ?? "ES256",
    })
  if (scenario === "auth/client-credentials-basic")
    return new ClientCredentialsProvider({ clientId: ctx.client_id, clientSecret: ctx.client_secret })
  if (scenario === "auth/enterprise-managed-authorization")
    return new CrossAppAccessProvider({
      clientId: ctx.client_id,
      clientSecret: ctx.client_secret,
      assertion: async (a) =>
        (
          await discoverAndRequestJwtAuthGrant({
            idpUrl: ctx.idp_issuer,
            audience: a.authorizationServerUrl,
            resource: a.resourceUrl,
            idToken: ctx.idp_id_token,
            clientId: ctx.idp_client_id,
            ...(a.scope && { scope: a.scope }),
            fetchFn: a.fetchFn,
          })
        ).jwtAuthGrant,
    })
  return undefined
}

const provider = scenario.startsWith("auth/") ? (machineProvider() ?? browserProvider()) : undefined
let transport: StreamableHTTPClientTransport
let client: Client

async function connect(): Promise<void> {
  client = new Client(
    { name: "bare-sdk-client", version: "1.0.0" },
    {
      versionNegotiation: { mode: "auto" },
      capabilities: { elicitation: { form: { applyDefaults: true } } },
    },
  )
  client.setRequestHandler("elicitation/create", async () => ({ action: "accept", content: {} }))
  transport = new StreamableHTTPClientTransport(url, provider ? { authProvider: provider } : {})
  await client.connect(transport)
}

/** Runs `fn`; after a sign-in redirect, finishes it with the captured code and runs it again (3 tries). */
async function authed<T>(fn: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await fn()
    } catch (e: unknown) {
      const cb = (provider as { callback?: URLSearchParams } | undefined)?.callback
      if (!(e instanceof UnauthorizedError) || !cb || tries >= 3) throw e
      ;(provider as { callback?: URLSearchParams }).callback = undefined
      await transport.finishAuth(cb.get("code") ?? "", cb.get("iss") ?? undefined)
    }
  }
}

const call = (name: string, args: Record<string, unknown> = {}) =>
  authed(() => client.callTool({ name, arguments: args }))

type Schema = { required?: string[]; properties?: Record<string, { type?: unknown }> }

function argsFor(schema: Schema): Record<string, unknown> {
  const sample: Record<string, unknown> = {
    integer: 1,
    number: 1.5,
    boolean: true,
    object: {},
    array: [],
    null: null,
  }
  const out: Record<string, unknown> = {}
  for (const k of schema?.required ?? [])
    out[k] = sample[String(schema.properties?.[k]?.type)] ?? "conformance"
  return out
}

async function run(): Promise<void> {
  await authed(connect).catch(async (e: unknown) => {
    if (!(e instanceof UnauthorizedError)) throw e
    await connect() // the sign-in finished on the old transport: connect again with the tokens
  })
  const { tools } = await authed(() => client.listTools())
  switch (scenario) {
    case "initialize":
    case "request-metadata":
    case "json-schema-ref-no-deref":
      return
    case "tools_call":
      await call("add_numbers", { a: 5, b: 3 })
      return
    case "sse-retry":
      await call("test_reconnection")
      return
    case "elicitation-sep1034-client-defaults":
      await call("test_client_elicitation_defaults")
      return
    case "sep-2322-client-request-state":
      for (const t of [
        "test_mrtr_echo_state",
        "test_mrtr_no_state",
        "test_mrtr_unrelated",
        "test_mrtr_no_result_type",
      ])
        await call(t)
      return
    case "http-standard-headers":
      await call("test_headers")
      await call("my-hyphenated-tool")
      await client.listResources()
      await client.readResource({ uri: "file:///path/to/file%20name.txt" })
      await client.listPrompts()
      await client.getPrompt({ name: "test_prompt" })
      return
    case "http-custom-headers":
      for (const c of ctx.toolCalls ?? []) await call(c.name, c.arguments)
      return
    case "http-invalid-tool-headers":
      for (const t of tools) await call(t.name, argsFor(t.inputSchema as Schema))
      return
    case "json-schema-2020-12-preservation": {
      const focal = tools.find((t) => t.name === "json_schema_2020_12_tool")
      await call("json_schema_echo", { schema: focal?.inputSchema })
      return
    }
    default:
      if (tools[0]) await call(tools[0].name)
  }
}

if (!MAPPED.test(scenario) || /^auth\/(dpop|wif-)/.test(scenario)) {
  console.error(`sdk-client.ts: no mapping for scenario '${scenario}'`)
  process.exit(2)
}
try {
  await run()
  await client!.close()
  process.exit(0)
} catch (e: unknown) {
  console.error(e)
  process.exit(1)
}
