// The MCP Registry's documents (API v0.1; server.json schema 2025-09-29 and later, camelCase):
//   GET /v0.1/servers?search=&cursor=&limit=     → { servers: [ServerResponse], metadata: { nextCursor?, count } }
//   GET /v0.1/servers/{name}/versions            → the same list, one entry per version
//   GET /v0.1/servers/{name}/versions/{version}  → ServerResponse ("latest" is a version)
// ServerResponse = { server: server.json, _meta: { "io.modelcontextprotocol.registry/official": { isLatest, status, … } } }.
// A registry is untrusted input (I20): every field is checked here, lengths are capped, and
// unknown fields are dropped (valibot's object()), so nothing unexpected reaches a config file.
import * as v from "valibot"

const Text = (max: number) => v.pipe(v.string(), v.maxLength(max))
const MAX_ITEMS = 64

export const Input = v.object({
  description: v.optional(Text(2000)),
  isRequired: v.optional(v.boolean()),
  isSecret: v.optional(v.boolean()),
  format: v.optional(Text(32)),
  value: v.optional(Text(4000)),
  default: v.optional(Text(4000)),
  placeholder: v.optional(Text(2000)),
  choices: v.optional(v.pipe(v.array(Text(400)), v.maxLength(MAX_ITEMS))),
})
export type Input = v.InferOutput<typeof Input>

const WithVariables = {
  ...Input.entries,
  variables: v.optional(v.record(Text(128), Input)),
}

export const Argument = v.variant("type", [
  v.object({
    ...WithVariables,
    type: v.literal("positional"),
    valueHint: v.optional(Text(128)),
    isRepeated: v.optional(v.boolean()),
  }),
  v.object({
    ...WithVariables,
    type: v.literal("named"),
    name: Text(256),
    isRepeated: v.optional(v.boolean()),
  }),
])
export type Argument = v.InferOutput<typeof Argument>

export const KeyValueInput = v.object({ ...WithVariables, name: Text(256) })
export type KeyValueInput = v.InferOutput<typeof KeyValueInput>

const List = <T extends v.GenericSchema>(item: T) => v.optional(v.pipe(v.array(item), v.maxLength(MAX_ITEMS)))

export const Transport = v.object({
  type: Text(64),
  url: v.optional(Text(4000)),
  headers: List(KeyValueInput),
})
export type Transport = v.InferOutput<typeof Transport>

export const Package = v.object({
  registryType: Text(32),
  registryBaseUrl: v.optional(Text(2000)),
  identifier: v.pipe(Text(2000), v.minLength(1)),
  version: v.optional(Text(255)),
  fileSha256: v.optional(v.pipe(v.string(), v.regex(/^[a-f0-9]{64}$/, "fileSha256 must be 64 hex digits"))),
  runtimeHint: v.optional(Text(64)),
  transport: v.optional(Transport),
  runtimeArguments: List(Argument),
  packageArguments: List(Argument),
  environmentVariables: List(KeyValueInput),
})
export type Package = v.InferOutput<typeof Package>

/** server.json. `name` is reverse-DNS: exactly one slash between namespace and server. */
export const ServerJson = v.object({
  name: v.pipe(v.string(), v.regex(/^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/, "not a reverse-DNS server name")),
  description: v.optional(Text(1000)),
  title: v.optional(Text(200)),
  version: v.pipe(Text(255), v.minLength(1)),
  status: v.optional(Text(32)),
  websiteUrl: v.optional(Text(2000)),
  repository: v.optional(v.object({ url: v.optional(Text(2000)), source: v.optional(Text(64)) })),
  packages: List(Package),
  remotes: List(Transport),
})
export type ServerJson = v.InferOutput<typeof ServerJson>

const OFFICIAL = "io.modelcontextprotocol.registry/official"

const Official = v.object({
  isLatest: v.optional(v.boolean()),
  status: v.optional(Text(32)),
  publishedAt: v.optional(Text(64)),
})

export const ServerResponse = v.object({
  server: ServerJson,
  _meta: v.optional(v.object({ [OFFICIAL]: v.optional(Official) })),
})

/** One registry entry as the rest of the code uses it. */
export interface RegistryServer {
  server: ServerJson
  isLatest?: boolean
  /** active, deprecated, deleted (the registry's status, else the document's). */
  status?: string
}

export function toRegistryServer(r: v.InferOutput<typeof ServerResponse>): RegistryServer {
  const official = r._meta?.[OFFICIAL]
  const status = official?.status ?? r.server.status
  return {
    server: r.server,
    ...(official?.isLatest !== undefined && { isLatest: official.isLatest }),
    ...(status !== undefined && { status }),
  }
}

export const ListMetadata = v.object({
  nextCursor: v.optional(Text(2000)),
  next_cursor: v.optional(Text(2000)),
  count: v.optional(v.number()),
})

export const ListResponse = v.object({
  servers: v.array(v.unknown()),
  metadata: v.optional(ListMetadata),
})
