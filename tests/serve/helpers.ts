// Helpers for the `agent mcp serve` / `agent mcp proxy` tests: agent runs as a real child process
// (source or compiled binary) and real clients connect to it: the SDK client here, the MCP
// Inspector CLI and mcp-remote in the tests that use them.
import { Client } from "@modelcontextprotocol/client"
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio"
import { join } from "node:path"
import { agentArgv, agentEnv, BUN, ROOT } from "../helpers/cli.ts"
import type { TmpDir } from "../helpers/tmp.ts"

export const FIXTURES = join(ROOT, "tests/fixtures/servers")
export const BASIC = join(FIXTURES, "stdio-basic.ts")
export const AGENT_FIXTURE = join(FIXTURES, "stdio-agent.ts")

/** A config with the given stdio fixtures (name → fixture path), written to t/mcp.json. */
export function stdioConfig(t: TmpDir, servers: Record<string, string>, env: Record<string, string> = {}) {
  return t.write("mcp.json", {
    mcpServers: Object.fromEntries(
      Object.entries(servers).map(([name, file]) => [name, { command: BUN, args: [file], env }]),
    ),
  })
}

export interface Connected extends AsyncDisposable {
  client: Client
  stderr: () => string
}

/** The SDK client on `agent <args>` over stdio. */
export async function connectStdio(
  t: TmpDir,
  args: string[],
  opts: { binary?: boolean; capabilities?: ConstructorParameters<typeof Client>[1] } = {},
): Promise<Connected> {
  const [command, ...rest] = await agentArgv(opts.binary)
  const transport = new StdioClientTransport({
    command: command!,
    args: [...rest, ...args],
    env: agentEnv(t.home),
    cwd: t.path,
    stderr: "pipe",
  })
  let err = ""
  transport.stderr?.on("data", (d: Buffer) => {
    err += d.toString()
  })
  const client = new Client({ name: "serve-test", version: "1.0.0" }, opts.capabilities ?? {})
  try {
    await client.connect(transport)
  } catch (e: unknown) {
    await transport.close()
    throw new Error(`connect failed: ${String(e)}\nagent stderr:\n${err}`)
  }
  return {
    client,
    stderr: () => err,
    async [Symbol.asyncDispose]() {
      await client.close()
    },
  }
}

export const textOf = (r: unknown) =>
  ((r as { content: { type: string; text?: string }[] }).content ?? []).map((c) => c.text ?? "").join("")
