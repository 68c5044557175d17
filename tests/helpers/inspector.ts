import { join } from "node:path"
import { ROOT } from "./cli.ts"

// The MCP Inspector CLI (@modelcontextprotocol/inspector-cli, a devDependency) as a client no
// one here wrote: `agent mcp serve` and `proxy` are tested against it.
const INSPECTOR_DIR = join(ROOT, "node_modules/@modelcontextprotocol/inspector-cli/build")

/** Runs the Inspector CLI; 1.0.3 reads its own package.json relative to its cwd, so it runs from its build folder. */
export async function inspector(args: string[], env: Record<string, string> = {}) {
  const proc = Bun.spawn(["node", join(INSPECTOR_DIR, "index.js"), ...args], {
    cwd: INSPECTOR_DIR,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
    stdout: "pipe",
    stderr: "pipe",
    timeout: 60_000,
  })
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  return { stdout, stderr, code }
}
