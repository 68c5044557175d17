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
  opts: {
    binary?: boolean
    capabilities?: ConstructorParameters<typeof Client>[1]
    env?: Record<string, string>
  } = {},
): Promise<Connected> {
  const [command, ...rest] = await agentArgv(opts.binary)
  const transport = new StdioClientTransport({
    command: command!,
    args: [...rest, ...args],
    env: agentEnv(t.home, opts.env),
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

export interface HttpServe extends AsyncDisposable {
  url: string
  token: string
  stdout: () => string
  stderr: () => string
  proc: ReturnType<typeof Bun.spawn>
}

/** `agent mcp serve --http 0 …` as a child: the URL from stdout, the token from the header line on stderr. */
export async function startServeHttp(
  t: TmpDir,
  args: string[],
  opts: { binary?: boolean } = {},
): Promise<HttpServe> {
  const argv = await agentArgv(opts.binary)
  const proc = Bun.spawn([...argv, "mcp", "serve", "--http", "0", ...args], {
    cwd: t.path,
    env: agentEnv(t.home),
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  })
  let out = ""
  let err = ""
  const pump = async (s: ReadableStream<Uint8Array>, add: (x: string) => void) => {
    const dec = new TextDecoder()
    for await (const chunk of s) add(dec.decode(chunk))
  }
  void pump(proc.stdout, (x) => (out += x))
  void pump(proc.stderr, (x) => (err += x))
  const stop = async () => {
    proc.kill("SIGINT")
    await proc.exited
  }
  // stdout: the URL on a line, or with --output json one document holding it.
  const urlOf = (): string | undefined => {
    if (!out.startsWith("{")) return out.includes("\n") ? out.split("\n")[0] : undefined
    try {
      return (JSON.parse(out) as { url: string }).url
    } catch {
      return undefined // not all of the document yet
    }
  }
  for (const end = Date.now() + 20_000; !/Bearer \S+/.test(err) || !urlOf(); await Bun.sleep(25)) {
    if (Date.now() > end || proc.exitCode !== null) {
      await stop()
      throw new Error(
        `agent mcp serve --http did not start (exit ${proc.exitCode})\nstdout:\n${out}\nstderr:\n${err}`,
      )
    }
  }
  return {
    url: urlOf()!,
    stdout: () => out,
    token: /Bearer (\S+)/.exec(err)![1]!,
    stderr: () => err,
    proc,
    [Symbol.asyncDispose]: stop,
  }
}
