// Sequential tools/call round trips, in this process: the product's manager (createManager
// from src/mcp, as `agent run` uses it) against a bare SDK Client on the same server. Spawning
// `agent mcp call` per call would measure process start-up, not call overhead.
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { loadConfig, openApprovals, resolveServers } from "../../src/config/index.ts"
import { createManager } from "../../src/mcp/index.ts"
import { createLog } from "../../src/util/log.ts"
import { resolvePaths } from "../../src/util/paths.ts"

export type Target = { stdio: { command: string } } | { http: { url: string } }
export interface CallResult {
  /** Microseconds per call, one value per block. */
  productUs: number[]
  baselineUs: number[]
  calls: number
}

const WARMUP = 100

async function productCaller(
  target: Target,
  home: string,
): Promise<{ call: () => Promise<unknown>; close: () => Promise<void> }> {
  const file = join(home, "calls.json")
  const server =
    "stdio" in target ? { command: target.stdio.command } : { type: "http", url: target.http.url }
  writeFileSync(file, JSON.stringify({ mcpServers: { bench: server } }))
  const paths = resolvePaths({ AGENTRT_HOME: home })
  const config = loadConfig({ paths, cwd: home, files: [file], only: true })
  const resolutions = await resolveServers(config.servers, { store: openApprovals(paths), env: {} })
  const manager = createManager(resolutions, { log: createLog(1), cwd: home, parentEnv: process.env })
  const [state] = await manager.connect()
  if (state?.status !== "connected")
    throw new Error(`product: bench server did not connect: ${JSON.stringify(state)}`)
  return { call: () => manager.callTool("bench", "echo", { text: "ping" }), close: () => manager.close() }
}

async function baselineCaller(
  target: Target,
): Promise<{ call: () => Promise<unknown>; close: () => Promise<void> }> {
  // Same protocol and capabilities as the manager's clients (src/mcp/handlers.ts): on 2026-07-28
  // every request carries the client's capabilities, which the server parses, so a baseline on
  // 2025-11-25 with none would charge the protocol to the product. What is left is our overhead.
  const client = new Client(
    { name: "baseline-calls", version: "1.0.0" },
    {
      versionNegotiation: { mode: "auto" },
      capabilities: {
        roots: { listChanged: true },
        elicitation: { form: { applyDefaults: true }, url: {} },
        sampling: {},
      },
    },
  )
  const transport =
    "stdio" in target
      ? new StdioClientTransport({ command: target.stdio.command, stderr: "ignore" })
      : new StreamableHTTPClientTransport(new URL(target.http.url))
  await client.connect(transport)
  return {
    call: () => client.callTool({ name: "echo", arguments: { text: "ping" } }),
    close: () => client.close(),
  }
}

async function timeCalls(call: () => Promise<unknown>, n: number): Promise<number> {
  const t0 = performance.now()
  for (let i = 0; i < n; i++) await call()
  return performance.now() - t0
}

/** `calls` round trips per side in `blocks` interleaved blocks after a warm-up, both connected at once. */
export async function measureCalls(
  target: Target,
  home: string,
  calls: number,
  blocks: number,
): Promise<CallResult> {
  const product = await productCaller(target, home)
  const baseline = await baselineCaller(target)
  try {
    await timeCalls(product.call, WARMUP)
    await timeCalls(baseline.call, WARMUP)
    const productUs: number[] = []
    const baselineUs: number[] = []
    const per = Math.ceil(calls / blocks)
    for (let b = 0; b < blocks; b++) {
      productUs.push(((await timeCalls(product.call, per)) / per) * 1000)
      baselineUs.push(((await timeCalls(baseline.call, per)) / per) * 1000)
    }
    return { productUs, baselineUs, calls: per * blocks }
  } finally {
    await product.close()
    await baseline.close()
  }
}
