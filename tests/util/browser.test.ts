import { describe, expect, it } from "bun:test"
import { chmod, readFile } from "node:fs/promises"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { browserCommands, checkBrowserUrl, openBrowser } from "../../src/util/browser.ts"
import { AgentError } from "../../src/util/errors.ts"
import { descendants } from "../helpers/processes.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"

// A stand-in browser: writes each argv element on its own line. Only the opener is mocked.
async function recorder(t: TmpDir, name = "browser"): Promise<{ program: string; out: string }> {
  const out = join(t.path, `${name}.argv`)
  const program = await t.write(
    `bin/${name}`,
    `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > "${out}.tmp"\nmv "${out}.tmp" "${out}"\n`,
  )
  await chmod(program, 0o755)
  return { program, out }
}

async function recorded(file: string, timeoutMs = 5000): Promise<string[]> {
  const until = Date.now() + timeoutMs
  while (!existsSync(file)) {
    if (Date.now() > until) throw new Error(`the opener never ran (${file})`)
    await Bun.sleep(20)
  }
  return (await readFile(file, "utf8")).split("\n").slice(0, -1)
}

describe("checkBrowserUrl", () => {
  it("allows https anywhere and http only to loopback", () => {
    expect(checkBrowserUrl("https://auth.example.com/authorize?a=1").href).toBe(
      "https://auth.example.com/authorize?a=1",
    )
    for (const u of ["http://127.0.0.1:4312/install/x", "http://localhost:1/", "http://[::1]:8080/cb"]) {
      expect(checkBrowserUrl(u).protocol).toBe("http:")
    }
  })

  const refused = [
    "file:///etc/passwd",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "http://evil.example/authorize",
    "http://127.0.0.1.nip.io/",
    "ftp://example.com/",
    "vbscript:msgbox",
    "ms-settings:",
    "/relative/path",
    "not a url",
    "",
  ]
  for (const u of refused) {
    it(`refuses ${JSON.stringify(u)} with a usage error (O01)`, () => {
      let err: unknown
      try {
        checkBrowserUrl(u)
      } catch (e: unknown) {
        err = e
      }
      expect(err).toBeInstanceOf(AgentError)
      expect((err as AgentError).code).toBe("usage")
    })
  }
})

describe("browserCommands", () => {
  const href = "https://a.example/x"
  it("uses the OS opener when BROWSER is unset", () => {
    expect(browserCommands(href, { env: {}, platform: "linux" })).toEqual([["xdg-open", href]])
    expect(browserCommands(href, { env: {}, platform: "darwin" })).toEqual([["open", href]])
    expect(browserCommands(href, { env: {}, platform: "win32" })).toEqual([
      ["rundll32", "url.dll,FileProtocolHandler", href],
    ])
  })

  it("splits BROWSER on ':' and keeps each entry one program, even with spaces or shell syntax", () => {
    const env = { BROWSER: "/opt/My Browser/run:firefox;rm -rf ~::chromium" }
    expect(browserCommands(href, { env })).toEqual([
      ["/opt/My Browser/run", href],
      ["firefox;rm -rf ~", href],
      ["chromium", href],
    ])
  })

  it("replaces %s inside its own argv element, never reading $& in the URL as a pattern", () => {
    const tricky = "https://a.example/$&$1?q=%s"
    expect(browserCommands(tricky, { env: { BROWSER: "firefox --new-window %s" } })).toEqual([
      ["firefox", "--new-window", tricky],
    ])
    expect(browserCommands(href, { env: { BROWSER: "w3m --url=%s" } })).toEqual([["w3m", `--url=${href}`]])
  })
})

describe("openBrowser", () => {
  it('passes the re-serialised URL as one argv element; $(…) and "& never reach a shell (O02)', async () => {
    await using t = await tmpdir()
    const { program, out } = await recorder(t)
    const planted = join(t.path, "p")
    // ${IFS} instead of a space: URL serialisation keeps `$(`, `${}` and backticks in a query
    // but turns a space into %20, which would defuse the payload before any shell saw it.
    const url = `https://a.example/p?q=$(touch\${IFS}${planted})&x="&calc&y=\`touch\${IFS}${planted}\``
    expect(new URL(url).href).toContain(`$(touch\${IFS}${planted})`)
    await openBrowser(url, { env: { BROWSER: program, PATH: process.env.PATH } })
    const argv = await recorded(out)
    expect(argv).toEqual([new URL(url).href])
    expect(argv[0]).not.toContain('"')
    // A shell would have run the substitution before starting the opener, and the opener has run.
    expect(existsSync(planted)).toBe(false)
  })

  it("runs xdg-open from PATH on Linux when BROWSER is unset", async () => {
    await using t = await tmpdir()
    const { out } = await recorder(t, "xdg-open")
    await openBrowser("http://127.0.0.1:9/install/abc", {
      env: { PATH: `${join(t.path, "bin")}:/usr/bin:/bin` },
      platform: "linux",
    })
    expect(await recorded(out)).toEqual(["http://127.0.0.1:9/install/abc"])
  })

  it("never starts the opener for a refused scheme", async () => {
    await using t = await tmpdir()
    const { program, out } = await recorder(t)
    const before = descendants(process.pid)
    for (const u of [
      "file:///etc/passwd",
      "javascript:alert(1)",
      "data:text/html,x",
      "http://evil.example/",
    ]) {
      const err = await openBrowser(u, { env: { BROWSER: program } }).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(err).toBeInstanceOf(AgentError)
      expect((err as AgentError).exitCode).toBe(2)
    }
    // A started opener is still our child (running, or exited and unreaped) or it has written
    // its argv already: checking both needs no wait.
    expect(descendants(process.pid).filter((pid) => !before.includes(pid))).toEqual([])
    expect(existsSync(out)).toBe(false)
  })

  it("falls through BROWSER entries that cannot start, and reports when none can", async () => {
    await using t = await tmpdir()
    const { program, out } = await recorder(t)
    const missing = join(t.path, "no-such-browser")
    await openBrowser("https://a.example/", { env: { BROWSER: `${missing}:${program}` } })
    expect(await recorded(out)).toEqual(["https://a.example/"])
    const err = await openBrowser("https://a.example/", { env: { BROWSER: missing } }).catch(
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(AgentError)
    expect((err as AgentError).message).toContain("could not start a browser")
  })

  it("with watchMs, an opener that exits non-zero counts as failed and the next is tried", async () => {
    await using t = await tmpdir()
    const { program, out } = await recorder(t)
    const failing = await t.write("bin/failing", "#!/bin/sh\nexit 1\n")
    await chmod(failing, 0o755)
    await openBrowser("https://a.example/", { env: { BROWSER: `${failing}:${program}` }, watchMs: 5000 })
    expect(await recorded(out)).toEqual(["https://a.example/"])
    const err = await openBrowser("https://a.example/", { env: { BROWSER: failing }, watchMs: 5000 }).catch(
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(AgentError)
    expect((err as AgentError).message).toBe(`could not start a browser (${failing}: exited with code 1)`)
    // Without watchMs, starting is enough (the OAuth flow does not wait on its opener).
    await openBrowser("https://a.example/", { env: { BROWSER: failing } })
  })
})
