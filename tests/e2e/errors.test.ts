import { describe, expect, it } from "bun:test"
import { join } from "node:path"
import { BROWSER_URL, startSessionServer } from "../fixtures/servers/http-session.ts"
import { STRICT_ERROR } from "../fixtures/servers/stdio-errors.ts"
import { BUN, ROOT, runCli, type CliResult } from "../helpers/cli.ts"
import { refusedPort } from "../helpers/ports.ts"
import { itUnless } from "../helpers/skip.ts"
import { tmpdir } from "../helpers/tmp.ts"

// Issue 12, "errors that say what to do next", on the compiled binary: a failed connect reads
// like `agent mcp doctor`'s diagnosis (same code: src/mcp/diagnose.ts calls doctor-net and
// doctor-auth), stdio failures name the cause, tool errors are whole, and every line on stderr
// is `error:`/`hint:`/`warning:`, never a consola badge.

const ERRORS = join(ROOT, "tests/fixtures/servers/stdio-errors.ts")
const NODE = Bun.which("node")

async function agent(
  args: string[],
  opts: { stdin?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  await using t = await tmpdir()
  return await runCli(args, { home: t.home, cwd: t.path, binary: true, timeoutMs: 60_000, ...opts })
}

/** No consola badge or icon anywhere on stderr: one style. */
function expectPlain(stderr: string) {
  expect(stderr).not.toMatch(/ (ERROR|WARN|INFO) |[ℹ✔✖⚠]/)
}

/** A 127.0.0.1 HTTP server answering every request with `res()`. */
function httpServer(res: (req: Request) => Response) {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: res })
  return { base: `http://127.0.0.1:${server.port}`, [Symbol.asyncDispose]: () => server.stop(true) }
}

describe("connection failures get doctor's diagnosis", () => {
  it("connection refused: nothing listens there; is the server running?", async () => {
    using dead = refusedPort()
    const call = await agent(["mcp", "call", "--url", `${dead.url}/mcp`, "echo"])
    expect(call.code).toBe(5)
    expect(call.stderr).toContain(
      `error: server "adhoc" is unavailable: nothing listens on 127.0.0.1:${dead.port} (connection refused: ECONNREFUSED)`,
    )
    expect(call.stderr).toContain("hint: is the server running")
    expectPlain(call.stderr)
    const tools = await agent(["mcp", "tools", "--url", `${dead.url}/mcp`])
    expect(tools.stderr).toContain(`nothing listens on 127.0.0.1:${dead.port}`)
    expectPlain(tools.stderr)
    const list = await agent(["mcp", "list", "--url", `${dead.url}/mcp`])
    expect(list.stdout).toContain("nothing listens on")
    expectPlain(list.stderr)
  }, 60_000)

  it("DNS failure: a .invalid host never resolves (RFC 6761)", async () => {
    const r = await agent(["mcp", "call", "--url", "https://agentrt-test.invalid/mcp", "echo"])
    expect(r.code).toBe(5)
    expect(r.stderr).toContain("cannot resolve agentrt-test.invalid")
    expect(r.stderr).toContain("hint: check the host name in the server URL")
  }, 60_000)

  itUnless(Bun.which("openssl") ? undefined : "openssl not installed")(
    "TLS failure: a self-signed certificate is named as such",
    async () => {
      await using t = await tmpdir()
      const ssl = Bun.spawnSync(
        [
          "openssl",
          "req",
          "-x509",
          "-newkey",
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:prime256v1",
          "-nodes",
          "-keyout",
          "k.pem",
          "-out",
          "c.pem",
          "-days",
          "2",
          "-subj",
          "/CN=self-signed",
          "-addext",
          "subjectAltName=IP:127.0.0.1",
        ],
        { cwd: t.path, stderr: "pipe" },
      )
      expect(ssl.exitCode).toBe(0)
      const server = Bun.serve({
        hostname: "127.0.0.1",
        port: 0,
        tls: { cert: await t.read("c.pem"), key: await t.read("k.pem") },
        fetch: () => new Response("no"),
      })
      try {
        const r = await agent(["mcp", "call", "--url", `https://127.0.0.1:${server.port}/mcp`, "echo"])
        expect(r.code).toBe(5)
        expect(r.stderr).toContain("the certificate for 127.0.0.1 is not trusted")
        expect(r.stderr).toContain("hint: a self-signed or intercepted certificate")
      } finally {
        server.stop(true)
      }
    },
    60_000,
  )

  it("404 on the MCP path: the status, not the HTML body", async () => {
    await using srv = httpServer(
      () =>
        new Response("<html><body><h1>Not Found</h1></body></html>", {
          status: 404,
          headers: { "content-type": "text/html" },
        }),
    )
    const r = await agent(["mcp", "call", "--url", `${srv.base}/wrong`, "echo"])
    expect(r.code).toBe(5)
    expect(r.stderr).toContain(`${srv.base}/wrong answered HTTP 404`)
    expect(r.stderr).toContain("hint: no MCP endpoint at this path")
    expect(r.stderr).not.toContain("<html")
  }, 60_000)

  it("a 401 without OAuth metadata is an API-key server: the header to set, never agent mcp auth", async () => {
    await using srv = httpServer(() => Response.json({ error: "missing api key" }, { status: 401 }))
    const r = await agent(["mcp", "call", "--url", `${srv.base}/mcp`, "echo"])
    expect(r.code).toBe(4)
    expect(r.stderr).toContain("publishes no OAuth metadata: it wants an API key")
    expect(r.stderr).toContain("--header 'Authorization: Bearer ${API_KEY}'")
    expect(r.stderr).toContain('"headers": { "Authorization": "Bearer ${API_KEY}" }')
    expect(r.stderr).not.toContain("run: agent mcp auth")
    const doctor = await agent(["mcp", "doctor", "--url", `${srv.base}/mcp`])
    expect(doctor.code).toBe(1)
    expect(doctor.stdout).toMatch(/error +auth\.kind +.*wants an API key/)
    expect(doctor.stdout).toContain("(something is broken)")
  }, 60_000)
})

describe("stdio servers that cannot start", () => {
  it("ENOENT: command `X` not found on PATH (or, for a path, no such file)", async () => {
    const r = await agent(["mcp", "call", "echo", "--", "agentrt-no-such-command"])
    expect(r.code).toBe(5)
    expect(r.stderr).toContain("is unavailable: command `agentrt-no-such-command` not found on PATH")
    expect(r.stderr).toContain("hint: install it, or give its full path")
    const path = await agent(["mcp", "call", "echo", "--", "/nonexistent-dir/agentrt-missing"])
    expect(path.code).toBe(5)
    expect(path.stderr).toContain(
      "is unavailable: could not start /nonexistent-dir/agentrt-missing: no such file",
    )
  }, 60_000)

  itUnless(NODE ? undefined : "node not on PATH")(
    "a Node server without its script: the Cannot find module line",
    async () => {
      await using t = await tmpdir()
      const missing = join(t.path, "gone.js")
      const r = await agent(["mcp", "call", "echo", "--", NODE!, missing])
      expect(r.code).toBe(5)
      expect(r.stderr).toContain(`hint: server stderr: Error: Cannot find module '${missing}'`)
      expect(r.stderr).not.toContain("Node.js v")
    },
    60_000,
  )

  it("non-JSON on stdout is reported at once, escaped, before the connect gives up", async () => {
    const r = await agent([
      "mcp",
      "call",
      "echo",
      "--connect-timeout",
      "2s",
      "--",
      "/bin/sh",
      "-c",
      "printf 'hello\\tworld\\n'; exec sleep 30",
    ])
    expect(r.code).toBe(5)
    const warning = r.stderr.indexOf('warning: server "adhoc" printed non-JSON on stdout: "hello\\tworld"')
    expect(warning).toBeGreaterThanOrEqual(0)
    expect(r.stderr.indexOf("error: ")).toBeGreaterThan(warning)
    expect(r.stderr).toContain(
      'hint: it printed non-JSON on stdout first: "hello\\tworld"; is this an MCP stdio server?',
    )
    expectPlain(r.stderr)
  }, 60_000)
})

describe("tool calls", () => {
  it("a tool error from the server is printed whole", async () => {
    const r = await agent(["mcp", "call", "strict", "--", BUN, ERRORS])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(STRICT_ERROR)
  }, 60_000)

  it("a 'requires browser-based authorization' error (-32042) shows the URL to open", async () => {
    await using srv = await startSessionServer()
    const r = await agent(["mcp", "call", "--url", srv.url, "browser"])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("This request requires browser-based authorization")
    expect(r.stderr).toContain(`hint: open ${BROWSER_URL} in a browser`)
  }, 60_000)

  it("fills required arguments that have a schema default, and says so with --verbose", async () => {
    const quiet = await agent(["mcp", "call", "shot", "--", BUN, ERRORS])
    expect(quiet.code).toBe(0)
    expect(quiet.stdout.trim()).toBe("scale=1")
    expect(quiet.stderr).not.toContain("default")
    const verbose = await agent(["mcp", "call", "shot", "--verbose", "--", BUN, ERRORS])
    expect(verbose.stdout.trim()).toBe("scale=1")
    expect(verbose.stderr).toContain("using the schema's default for scale=1")
    // An explicit value wins over the default.
    const given = await agent(["mcp", "call", "shot", "--arg", "scale=2", "--", BUN, ERRORS])
    expect(given.stdout.trim()).toBe("scale=2")
  }, 60_000)
})

describe("config commands", () => {
  it("add-json accepts comments and trailing commas, like config files", async () => {
    await using t = await tmpdir()
    const file = join(t.path, "mcp.json")
    const r = await runCli(
      [
        "mcp",
        "add-json",
        "fs",
        '{ "command": "npx", /* the package */ "args": ["-y", "pkg",], }',
        "--mcp",
        file,
      ],
      { home: t.home, cwd: t.path, binary: true },
    )
    expect(r.code).toBe(0)
    expect(JSON.parse(await t.read("mcp.json")).mcpServers.fs).toEqual({
      command: "npx",
      args: ["-y", "pkg"],
    })
  }, 60_000)

  it("a missing --mcp FILE: the hint names that file", async () => {
    await using t = await tmpdir()
    const file = join(t.path, "nope.json")
    const r = await runCli(["mcp", "list", "--mcp", file], { home: t.home, cwd: t.path, binary: true })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`error: config file ${file} does not exist`)
    expect(r.stderr).toContain(`--mcp ${file} -- COMMAND`)
    expect(r.stderr).not.toContain("--scope project")
  }, 60_000)
})

describe("--debug stacks", () => {
  // AGENTRT_TEST_INTERNAL_ERROR=1 is a test-only hook (src/cli/index.ts) that throws a plain Error
  // before any command runs: the path every unexpected failure takes to the top-level report.
  it("point at src/ files and lines, through the source maps beside the binary", async () => {
    const env = { AGENTRT_TEST_INTERNAL_ERROR: "1" }
    const debug = await agent(["mcp", "list", "--debug"], { env })
    expect(debug.code).toBe(1)
    expect(debug.stderr).toContain(
      "error: unexpected failure: internal error forced by AGENTRT_TEST_INTERNAL_ERROR",
    )
    expect(debug.stderr).toMatch(/^ +at .*\bsrc\/cli\/index\.ts:\d+:\d+, chunk-\w+\.js:\d+:\d+/m)
    const plain = await agent(["mcp", "list"], { env })
    expect(plain.stderr).toContain("hint: run again with --debug for details")
    expect(plain.stderr).not.toContain("src/cli/index.ts")
  }, 60_000)
})
