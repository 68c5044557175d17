// One `agent`-like process on the shared token file: connects (401 on the expired token →
// refresh) and lists tools. bun refresh-child.ts <stateDir> <serverUrl>
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { createOAuthProvider, createTokenStore } from "../../src/auth/index.ts"

const [stateDir, serverUrl] = process.argv.slice(2) as [string, string]
const provider = createOAuthProvider({
  server: "fx",
  serverUrl,
  store: createTokenStore(stateDir),
  allowLoopback: true,
})
const client = new Client({ name: "child", version: "1" })
await client.connect(
  new StreamableHTTPClientTransport(new URL(serverUrl), { authProvider: provider, fetch: provider.fetch }),
)
const { tools } = await client.listTools()
await client.close()
console.log(tools.length > 0 ? "ok" : "no tools")
