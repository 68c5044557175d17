#!/usr/bin/env bun
// For the conformance adapter: the mcp.json a user would write for an auth scenario, from
// MCP_CONFORMANCE_SCENARIO and MCP_CONFORMANCE_CONTEXT (JSON). Secrets never go into the file:
// it holds ${VAR} references, and stdout gets `export VAR='…'` lines for the adapter to eval
// before running agent with --approve-env VAR (the same path CI takes).
//   bun auth-config.ts FILE URL
import { writeFileSync } from "node:fs"

const [file, url] = process.argv.slice(2) as [string, string]
const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? ""
const ctx = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT || "{}") as Record<string, string | undefined>
const env: Record<string, string> = {}
const ref = (name: string, value: string) => ((env[name] = value), `\${${name}}`)

const oauth: Record<string, string> = {}
if (scenario === "auth/basic-cimd")
  oauth.clientMetadataUrl = "https://conformance-test.local/client-metadata.json"
if (ctx.client_id) oauth.clientId = ctx.client_id
if (ctx.client_secret) oauth.clientSecret = ref("CONFORMANCE_CLIENT_SECRET", ctx.client_secret)
if (scenario.startsWith("auth/client-credentials")) oauth.grant = "client_credentials"
if (scenario === "auth/client-credentials-jwt") {
  oauth.tokenEndpointAuthMethod = "private_key_jwt"
  // PEM on one line (\n escaped): agent reads `\n` back as newlines for oauth.privateKey.
  oauth.privateKey = ref("CONFORMANCE_PRIVATE_KEY", (ctx.private_key_pem ?? "").replace(/\n/g, "\\n"))
  if (ctx.signing_algorithm) oauth.signingAlgorithm = ctx.signing_algorithm
}
// auth/cross-app-access-* in 0.1.16; auth/enterprise-managed-authorization since 0.2.0.
if (scenario.startsWith("auth/cross-app-access") || scenario === "auth/enterprise-managed-authorization") {
  // Enterprise-Managed Authorization: the user's ID token (from their SSO) and the IdP client.
  oauth.grant = "cross_app_access"
  if (ctx.idp_token_endpoint) oauth.idpTokenEndpoint = ctx.idp_token_endpoint
  else if (ctx.idp_issuer) oauth.idpIssuer = ctx.idp_issuer
  if (ctx.idp_client_id) oauth.idpClientId = ctx.idp_client_id
  if (ctx.idp_id_token) oauth.idToken = ref("CONFORMANCE_ID_TOKEN", ctx.idp_id_token)
}
if (scenario === "auth/wif-jwt-bearer") {
  // Workload identity federation (SEP-1933): the CI's JWT in a ${VAR}, traded with the jwt-bearer grant.
  oauth.grant = "jwt_bearer"
  oauth.assertion = ref("CONFORMANCE_WORKLOAD_JWT", ctx.valid_jwt ?? "")
}
writeFileSync(
  file,
  `${JSON.stringify({ mcpServers: { conformance: { type: "http", url, oauth } } }, null, 2)}\n`,
)
for (const [k, v] of Object.entries(env)) console.log(`export ${k}='${v.replace(/'/g, `'\\''`)}'`)
console.log(
  `APPROVE='${Object.keys(env)
    .map((k) => `--approve-env ${k}`)
    .join(" ")}'`,
)
