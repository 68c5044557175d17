// F06 child: one connection whose token store cannot save (the parent runs it on a full tmpfs).
// Lists tools (401 → refresh → the new pair is kept in memory), prints "once", waits for a line
// on stdin (the parent expires the access tokens meanwhile), lists again (a second refresh,
// which must send the unsaved refresh token, not the spent one in the file), prints "twice".
// bun refresh-unsaved-child.ts <stateDir> <serverUrl>
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { createOAuthProvider, createTokenStore } from "../../src/auth/index.ts"

const [stateDir, serverUrl] = process.argv.slice(2) as [string, string]
const warnings: string[] = []
const provider = createOAuthProvider({
  server: "fx",
  serverUrl,
  store: createTokenStore(stateDir),
  allowLoopback: true,
  onUnsavedRefresh: (e) => warnings.push(e.message),
})
const client = new Client({ name: "child", version: "1" })
await client.connect(
  new StreamableHTTPClientTransport(new URL(serverUrl), { authProvider: provider, fetch: provider.fetch }),
)
await client.listTools()
console.log(`once ${JSON.stringify(warnings)}`)
for await (const _ of console) break
await client.listTools()
await client.close()
console.log(`twice ${warnings.length}`)
