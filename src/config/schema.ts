import * as v from "valibot"

// The config file format: a superset of the common `mcpServers` JSON that also accepts the
// peers' spellings (docs/design.md §3), so existing Claude, Cursor, VS Code, Kiro, Gemini and opencode
// files work unchanged. These schemas describe the *file*; normalize.ts turns a validated
// entry into the canonical ServerConfig. `agent config schema` is generated from here.

const StringMap = v.record(v.string(), v.string())
const StringList = v.array(v.string())
const Milliseconds = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(86_400_000))

/** MCP protocol revisions a server can be pinned to (`protocolVersion`, `--protocol-version`). */
export const PROTOCOL_VERSIONS = [
  "2026-07-28",
  "2025-11-25",
  "2025-06-18",
  "2025-03-26",
  "2024-11-05",
] as const
export type ProtocolVersion = (typeof PROTOCOL_VERSIONS)[number]

export const OAuthFile = v.object({
  clientId: v.optional(v.pipe(v.string(), v.description("Pre-registered OAuth client id"))),
  clientSecret: v.optional(
    v.pipe(v.string(), v.description("Client secret; use a ${VAR} reference, never the value")),
  ),
  scopes: v.optional(v.union([StringList, v.string()])),
  callbackPort: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(65535))),
  grant: v.optional(
    v.pipe(
      v.picklist(["authorization_code", "client_credentials", "cross_app_access", "jwt_bearer"]),
      v.description(
        "cross_app_access: Enterprise-Managed Authorization (SEP-990): the ID token is exchanged at the identity provider for an ID-JAG, then for an access token. jwt_bearer: workload identity federation (RFC 7523, SEP-1933): a JWT from the CI (assertion, assertionFile or assertionFrom) is exchanged for an access token",
      ),
    ),
  ),
  clientMetadataUrl: v.optional(v.pipe(v.string(), v.description("Client ID metadata document URL (CIMD)"))),
  tokenEndpointAuthMethod: v.optional(
    v.picklist(["client_secret_basic", "client_secret_post", "private_key_jwt", "none"]),
  ),
  privateKey: v.optional(
    v.pipe(v.string(), v.description("PEM private key for private_key_jwt; use a ${VAR}")),
  ),
  signingAlgorithm: v.optional(v.string()),
  issuer: v.optional(
    v.pipe(
      v.string(),
      v.description("The authorization server's issuer URL; client credentials are sent only there"),
    ),
  ),
  // cross_app_access: the enterprise identity provider (IdP) that trades the user's ID token
  idpIssuer: v.optional(
    v.pipe(
      v.string(),
      v.description("cross_app_access: the IdP's issuer URL (its token endpoint is discovered)"),
    ),
  ),
  idpTokenEndpoint: v.optional(
    v.pipe(v.string(), v.description("cross_app_access: the IdP's token endpoint (instead of idpIssuer)")),
  ),
  idpClientId: v.optional(v.pipe(v.string(), v.description("cross_app_access: this client's id at the IdP"))),
  idpClientSecret: v.optional(
    v.pipe(v.string(), v.description("cross_app_access: this client's secret at the IdP; use a ${VAR}")),
  ),
  idToken: v.optional(
    v.pipe(
      v.string(),
      v.description("cross_app_access: the user's ID token from their enterprise sign-in; use a ${VAR}"),
    ),
  ),
  dpop: v.optional(
    v.pipe(
      v.boolean(),
      v.description(
        "DPoP sender-constrained tokens (RFC 9449): true always, false never; unset: when the authorization server advertises ES256 DPoP",
      ),
    ),
  ),
  // jwt_bearer (workload identity federation): where the workload's JWT comes from, one of three
  assertion: v.optional(
    v.pipe(v.string(), v.description("jwt_bearer: the workload's JWT; use a ${VAR}, never the value")),
  ),
  assertionFile: v.optional(
    v.pipe(
      v.string(),
      v.description(
        "jwt_bearer: a file holding the workload's JWT, read at each sign-in (e.g. a projected token)",
      ),
    ),
  ),
  assertionFrom: v.optional(
    v.pipe(
      v.picklist(["github-actions"]),
      v.description(
        "jwt_bearer: ask the CI for its OIDC token (GitHub Actions: needs `permissions: id-token: write`)",
      ),
    ),
  ),
  audience: v.optional(
    v.pipe(
      v.string(),
      v.description("jwt_bearer with assertionFrom: the audience of the CI's token (default: the issuer)"),
    ),
  ),
  // Peers' spellings (Kiro, Gemini)
  enabled: v.optional(v.boolean()),
  redirectUri: v.optional(v.string()),
})
export type OAuthFile = v.InferOutput<typeof OAuthFile>

export const TRANSPORT_TYPES = [
  "stdio",
  "http",
  "sse",
  // peers' spellings
  "streamable-http",
  "streamableHttp",
  "streamable_http",
  "local",
  "remote",
] as const

// Where a server came from when `agent install NAME` took it from an MCP Registry (docs/registry.md):
// `agent mcp outdated`/`update` ask that registry again, and mcp.lock records it (I22).
export const RegistryOrigin = v.object({
  url: v.pipe(v.string(), v.description("The registry's base URL")),
  name: v.pipe(v.string(), v.description("The server's reverse-DNS name in the registry")),
  version: v.pipe(v.string(), v.description("The server version installed")),
  type: v.optional(
    v.pipe(v.string(), v.description("npm, pypi, oci, nuget, mcpb, or the remote's transport")),
  ),
  identifier: v.optional(v.pipe(v.string(), v.description("The package identifier or remote URL"))),
  digest: v.optional(v.pipe(v.string(), v.description("sha256:… of an mcpb file or an OCI image"))),
})
export type RegistryOrigin = v.InferOutput<typeof RegistryOrigin>

export const ServerFile = v.object({
  type: v.optional(v.picklist(TRANSPORT_TYPES)),
  command: v.optional(
    v.pipe(
      v.union([v.pipe(v.string(), v.minLength(1)), v.pipe(StringList, v.minLength(1))]),
      v.description("Program to run (local server). opencode's [command, ...args] array form is accepted"),
    ),
  ),
  args: v.optional(StringList),
  env: v.optional(StringMap),
  environment: v.optional(StringMap),
  cwd: v.optional(v.string()),
  envFile: v.optional(v.string()),
  url: v.optional(v.pipe(v.string(), v.description("Remote server URL (Streamable HTTP, or legacy SSE)"))),
  httpUrl: v.optional(v.string()),
  serverUrl: v.optional(v.string()),
  headers: v.optional(StringMap),
  oauth: v.optional(v.union([OAuthFile, v.boolean()])),
  oauthScopes: v.optional(StringList),
  disabled: v.optional(v.boolean()),
  enabled: v.optional(v.boolean()),
  autoApprove: v.optional(v.union([StringList, v.boolean()])),
  trust: v.optional(v.boolean()),
  includeTools: v.optional(
    v.pipe(
      StringList,
      v.description(
        "Offer only the tools whose names match one of these globs (* and ?); Codex's enabled_tools is read as this",
      ),
    ),
  ),
  excludeTools: v.optional(
    v.pipe(
      StringList,
      v.description(
        "Never offer or call the tools whose names match one of these globs (beats includeTools); Kiro's disabledTools and Codex's disabled_tools are read as this",
      ),
    ),
  ),
  // Peers' spellings of the two lists above (one spelling per list: two is an error)
  disabledTools: v.optional(StringList),
  enabled_tools: v.optional(StringList),
  disabled_tools: v.optional(StringList),
  timeout: v.optional(Milliseconds),
  maxOutputTokens: v.optional(
    v.pipe(
      v.number(),
      v.integer(),
      v.minValue(1),
      v.description(
        "agent run: this server's tool results past this many tokens (≈ 4 characters each) are saved to the run's directory and the model gets the head (default 25000; --max-tool-output overrides)",
      ),
    ),
  ),
  protocolVersion: v.optional(
    v.pipe(
      v.picklist(PROTOCOL_VERSIONS),
      v.description(
        "Pin the MCP protocol revision instead of negotiating it (2026-07-28 is stateless; 2025-* are sessions): no fallback to another",
      ),
    ),
  ),
  required: v.optional(v.boolean()),
  description: v.optional(v.string()),
  roots: v.optional(
    v.pipe(
      StringList,
      v.description(
        "Directories offered to this server as MCP roots (C09: none unless listed here or given with --root); a relative path resolves against the directory agent runs in",
      ),
    ),
  ),
  registry: v.optional(RegistryOrigin),
})
export type ServerFile = v.InferOutput<typeof ServerFile>

// VS Code `inputs`: values prompted by the editor. We map `${input:id}` to a variable.
export const InputFile = v.object({
  id: v.string(),
  type: v.optional(v.string()),
  description: v.optional(v.string()),
  password: v.optional(v.boolean()),
  default: v.optional(v.string()),
})

export const ConfigFile = v.object({
  $schema: v.optional(v.string()),
  mcpServers: v.optional(v.record(v.string(), ServerFile)),
  servers: v.optional(v.record(v.string(), ServerFile)),
  mcp: v.optional(v.record(v.string(), ServerFile)),
  inputs: v.optional(v.array(InputFile)),
  // opencode's tool switches, read for its files: `"github_delete_*": false` hides those MCP tools.
  tools: v.optional(
    v.pipe(
      v.record(v.string(), v.boolean()),
      v.description(
        "opencode's tool switches: globs on server_tool names; false adds the matching tools to that server's excludeTools",
      ),
    ),
  ),
  // `agent run`'s default model, used when neither --model nor AGENT_MODEL is given.
  // opencode's files carry `provider/model` here; agent run reads that spelling too.
  model: v.optional(
    v.pipe(
      v.string(),
      v.description(
        "Default model for `agent run` as provider:model, e.g. anthropic:claude-sonnet-4-5 (--model and AGENT_MODEL win)",
      ),
    ),
  ),
  registries: v.optional(
    v.pipe(
      v.array(v.string()),
      v.description(
        "MCP Registry base URLs that `agent install NAME` and `agent mcp search` ask, in order (default: the official one); read from the user config and --mcp files",
      ),
    ),
  ),
  // docs/daemon.md: read from the user config by the daemon and its small client (without this validator).
  daemon: v.optional(
    v.object({
      autoStart: v.optional(
        v.pipe(v.boolean(), v.description("Start the daemon on demand, as if every command had --daemon")),
      ),
      idleTimeout: v.optional(
        v.pipe(v.string(), v.description("Close a held server nobody used for this long (default 10m)")),
      ),
      exitAfter: v.optional(
        v.pipe(v.string(), v.description("Stop the daemon after this long without a request (default 1h)")),
      ),
    }),
  ),
})
export type ConfigFile = v.InferOutput<typeof ConfigFile>

/** Top-level keys that hold servers, in the order they are read. */
export const SERVER_KEYS = ["mcpServers", "servers", "mcp"] as const

export const KNOWN_TOP_KEYS = new Set(Object.keys(ConfigFile.entries))
export const KNOWN_SERVER_KEYS = new Set(Object.keys(ServerFile.entries))
export const KNOWN_OAUTH_KEYS = new Set(Object.keys(OAuthFile.entries))

// ---- canonical form (what the rest of the program uses) ----

export interface OAuthConfig {
  clientId?: string
  clientSecret?: string
  scopes?: string[]
  callbackPort?: number
  grant: "authorization_code" | "client_credentials" | "cross_app_access" | "jwt_bearer"
  clientMetadataUrl?: string
  tokenEndpointAuthMethod?: "client_secret_basic" | "client_secret_post" | "private_key_jwt" | "none"
  privateKey?: string
  signingAlgorithm?: string
  /** Pins the authorization server (client_credentials: the secret goes nowhere else). */
  issuer?: string
  idpIssuer?: string
  idpTokenEndpoint?: string
  idpClientId?: string
  idpClientSecret?: string
  idToken?: string
  /** DPoP (RFC 9449): true always, false never, unset when the AS advertises it. */
  dpop?: boolean
  /** jwt_bearer: the workload JWT itself (a resolved ${VAR}), a file holding it, or the CI to ask. */
  assertion?: string
  assertionFile?: string
  assertionFrom?: "github-actions"
  /** jwt_bearer with assertionFrom: the audience to ask the CI for (default: the AS issuer). */
  audience?: string
}

interface CommonServer {
  disabled: boolean
  /** Tool names run without asking; "*" means all. */
  autoApprove: string[]
  /** Globs on the server's own tool names: offer only these (undefined: all). src/mcp/filters.ts. */
  includeTools?: string[]
  /** Globs on the server's own tool names: never offered, never called (wins over includeTools). */
  excludeTools?: string[]
  /** Request timeout in milliseconds. */
  timeout?: number
  /** agent run: tool results past this many tokens spill to the run's directory. */
  maxOutputTokens?: number
  /** The protocol revision to speak, no negotiation (undefined: negotiate). */
  protocolVersion?: ProtocolVersion
  required: boolean
  description?: string
  /** Directories offered as MCP roots (C09: none by default), as written; the manager resolves them. */
  roots?: string[]
  /** Set by `agent install NAME` from an MCP Registry. */
  registry?: RegistryOrigin
}

export interface StdioServer extends CommonServer {
  transport: "stdio"
  command: string
  args: string[]
  env: Record<string, string>
  cwd?: string
}

export interface RemoteServer extends CommonServer {
  /** auto: Streamable HTTP first, legacy HTTP+SSE when that is refused (no explicit type). */
  transport: "http" | "sse" | "auto"
  url: string
  headers: Record<string, string>
  oauth?: OAuthConfig
}

export type ServerConfig = StdioServer | RemoteServer

/** Fields whose strings may hold `${VAR}` references (docs/design.md §4). Nothing else expands. */
export const INTERPOLATED_FIELDS = ["command", "args", "env", "cwd", "url", "headers", "oauth"] as const

/** Server names become tool-name prefixes and file keys, so keep them printable and short. */
export const ServerName = v.pipe(
  v.string(),
  v.minLength(1, "a server name cannot be empty"),
  v.maxLength(64, "a server name is at most 64 characters"),
  v.regex(
    /^[^\u0000-\u001f\u007f-\u009f/\\\u200b-\u200f\u202a-\u202e\u2066-\u2069]+$/,
    "a server name cannot hold control characters, bidi marks or slashes",
  ),
  v.check(
    (s) => s !== "." && s !== ".." && s.trim() === s,
    "a server name cannot be '.' or '..' or start or end with spaces",
  ),
  v.check((s) => !["__proto__", "constructor", "prototype"].includes(s), "that server name is reserved"),
)
