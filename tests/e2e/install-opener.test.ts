// `agent install --browser` when the opener fails (a BROWSER that exits 1, or one that does not
// exist), on the compiled binary: it says so at once on stderr; at a terminal the question moves
// there, without one the URL is printed and the page still answers until the install timeout.
import { describe, expect, it } from "bun:test"
import { existsSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { ensureBinary } from "../helpers/binary.ts"
import { runCliTty } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"

const LINK = `agentrt://mcp/install?name=mem&config=${Buffer.from(JSON.stringify({ command: "npx", args: ["-y", "@modelcontextprotocol/server-memory"] })).toString("base64url")}`
const userConfig = (t: TmpDir) => join(t.home, "config", "mcp.json")

describe("compiled binary: install --browser with a failing opener", () => {
  it("without a terminal: says so at once, prints a live URL, and exits 3 when nobody answers", async () => {
    for (const opener of ["/bin/false", "/nonexistent/browser"]) {
      await using t = await tmpdir()
      const bin = await ensureBinary()
      await using proc = Bun.spawn([bin, "install", "--browser", LINK], {
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          AGENTRT_HOME: t.home,
          HOME: t.path,
          BROWSER: opener,
          AGENTRT_INSTALL_TIMEOUT_MS: "4000",
        },
        cwd: t.path,
        stdin: "ignore",
        stdout: "pipe",
        stderr: "pipe",
      })
      // Read stderr as it comes: the failure and the URL are there while the page still waits.
      let stderr = ""
      let url: string | undefined
      const reader = proc.stderr.getReader()
      while (url === undefined) {
        const { value, done } = await reader.read()
        if (done) break
        stderr += new TextDecoder().decode(value)
        url = stderr.match(
          /open this page yourself to answer: (http:\/\/127\.0\.0\.1:\d+\/install\/[0-9a-f-]+)/,
        )?.[1]
      }
      expect(stderr).toContain("could not start a browser")
      expect(stderr).toContain(opener)
      expect(url).toBeDefined()
      const page = await fetch(url!)
      expect(page.status).toBe(200)
      expect(await page.text()).toContain("mem")
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        stderr += new TextDecoder().decode(value)
      }
      expect(await proc.exited).toBe(3)
      expect(stderr).toContain("no answer in the browser in time; nothing was written")
      expect(stderr.indexOf("could not start a browser")).toBeLessThan(
        stderr.indexOf("no answer in the browser"),
      )
      expect(existsSync(userConfig(t))).toBe(false)
      expect(await readFile(join(t.home, "state", "logs", "install.log"), "utf8")).toContain(
        "could not start a browser",
      )
    }
  }, 60_000)

  it("at a terminal: says so and asks there instead; yes installs", async () => {
    await using t = await tmpdir()
    const r = await runCliTty(["install", "--browser", LINK], {
      home: t.home,
      cwd: t.path,
      env: { BROWSER: "/bin/false" },
      binary: true,
      input: ["y"],
      timeoutMs: 30_000,
    })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(
      "could not start a browser (/bin/false: exited with code 1); asking here instead",
    )
    expect(r.stdout).toContain('Install "mem" into')
    const written = JSON.parse(await readFile(userConfig(t), "utf8"))
    expect(written.mcpServers.mem).toEqual({
      command: "npx",
      args: ["-y", "@modelcontextprotocol/server-memory"],
    })
  }, 40_000)
})
