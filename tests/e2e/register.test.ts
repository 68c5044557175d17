import { describe, expect, it } from "bun:test"
import { chmodSync, existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { BINARY } from "../helpers/binary.ts"
import { runCli } from "../helpers/cli.ts"
import { itUnless } from "../helpers/skip.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"

// The compiled binary registers itself, and a click on an agentrt:// link (xdg-open, gio)
// really reaches the registered program with the link as one argv element.
// Headless xdg-open (xdg-utils 1.1.3, no desktop detected) only consults the mime database
// when DISPLAY or WAYLAND_DISPLAY is set; it never connects to the display for this, so any
// value works. Without one it falls back to $BROWSER and text browsers and fails.
const LINK = "agentrt://mcp/install?name=x&config=eyJjb21tYW5kIjoibnB4In0%3D&q=$(id)`id`'a b'"
const XDG_MIME = Bun.which("xdg-mime")
const XDG_OPEN = Bun.which("xdg-open")
const GIO = Bun.which("gio")
const NO_XDG_MIME = XDG_MIME ? undefined : "xdg-mime is not installed (apt-get install xdg-utils)"
const NO_XDG_OPEN =
  NO_XDG_MIME ?? (XDG_OPEN ? undefined : "xdg-open is not installed (apt-get install xdg-utils)")
const NO_GIO = NO_XDG_MIME ?? (GIO ? undefined : "gio is not installed (apt-get install libglib2.0-bin)")

function xdgEnv(t: TmpDir): Record<string, string> {
  return {
    HOME: t.path,
    XDG_DATA_HOME: join(t.path, "data"),
    XDG_CONFIG_HOME: join(t.path, "config"),
    PATH: process.env.PATH ?? "/usr/bin:/bin",
  }
}

const agent = (t: TmpDir, args: string[]) =>
  runCli(args, { home: t.home, cwd: t.path, env: xdgEnv(t), binary: true })

/** A stand-in for agent that writes its argv, NUL-separated, next to itself. */
async function recorder(t: TmpDir, dir: string): Promise<{ path: string; argv: () => Promise<string[]> }> {
  const path = await t.write(join(dir, "rec"), `#!/bin/sh\nprintf '%s\\0' "$@" > "$(dirname "$0")/argv"\n`)
  chmodSync(path, 0o755)
  const out = join(t.path, dir, "argv")
  return {
    path,
    async argv() {
      for (let i = 0; i < 100 && !existsSync(out); i++) await Bun.sleep(50) // gio launches asynchronously
      return readFileSync(out, "utf8").split("\0").slice(0, -1)
    },
  }
}

describe("compiled binary: agentrt:// handler on Linux", () => {
  it("registers its own path by default", async () => {
    await using t = await tmpdir()
    const r = await agent(t, ["install", "--register", "-o", "json"])
    expect(r.code).toBe(0)
    expect(r.json<{ exec: string }>().exec).toBe(BINARY)
    const desktop = readFileSync(join(t.path, "data/applications/agentrt-url-handler.desktop"), "utf8")
    expect(desktop).toContain(`Exec=${BINARY} install --browser %u`)
    expect(desktop).toContain("MimeType=x-scheme-handler/agentrt;")
  })

  itUnless(NO_XDG_MIME)(
    "xdg-mime reports our .desktop file, and unregister restores the previous default",
    async () => {
      await using t = await tmpdir()
      const before =
        "[Default Applications]\nx-scheme-handler/agentrt=previous.desktop\ntext/html=firefox.desktop\n"
      await t.write("config/mimeapps.list", before)
      const reg = await agent(t, ["install", "--register"])
      expect(reg.code).toBe(0)
      expect(reg.stdout).toContain(
        "ran xdg-mime default agentrt-url-handler.desktop x-scheme-handler/agentrt",
      )
      const q = Bun.spawnSync([XDG_MIME!, "query", "default", "x-scheme-handler/agentrt"], {
        env: xdgEnv(t),
        stdout: "pipe",
      })
      expect(q.stdout.toString().trim()).toBe("agentrt-url-handler.desktop")

      const un = await agent(t, ["install", "--unregister"])
      expect(un.code).toBe(0)
      expect(un.stdout).toContain(`removed ${join(t.path, "data/applications/agentrt-url-handler.desktop")}`)
      expect(un.stdout).toContain("set x-scheme-handler/agentrt=previous.desktop")
      expect(existsSync(join(t.path, "data/applications/agentrt-url-handler.desktop"))).toBe(false)
      expect(await t.read("config/mimeapps.list")).toBe(before)
    },
  )

  itUnless(NO_XDG_OPEN)(
    "xdg-open on a link starts the registered program with `install --browser <link>`",
    async () => {
      await using t = await tmpdir()
      const rec = await recorder(t, "bin")
      expect((await agent(t, ["install", "--register", "--exec", rec.path])).code).toBe(0)
      // No XDG_CURRENT_DESKTOP: xdg-open's generic mode, which reads mimeapps.list + the .desktop file.
      const open = Bun.spawnSync([XDG_OPEN!, LINK], {
        env: { ...xdgEnv(t), DISPLAY: ":0" },
        stdout: "pipe",
        stderr: "pipe",
      })
      expect(open.stderr.toString()).toBe("")
      expect(open.exitCode).toBe(0)
      expect(await rec.argv()).toEqual(["install", "--browser", LINK])
    },
  )

  // xdg-utils 1.1.3's generic xdg-open splits Exec on spaces and ignores quotes, so a path with
  // a space is checked through GLib (what GNOME, most browsers and `gio open` use), which parses
  // the Desktop Entry quoting properly.
  itUnless(NO_GIO)("gio open reaches a binary whose path has a space, a quote and a $", async () => {
    await using t = await tmpdir()
    const rec = await recorder(t, 'my "agent" $dir')
    expect((await agent(t, ["install", "--register", "--exec", rec.path])).code).toBe(0)
    const open = Bun.spawnSync([GIO!, "open", LINK], { env: xdgEnv(t), stdout: "pipe", stderr: "pipe" })
    expect(open.stderr.toString()).toBe("")
    expect(await rec.argv()).toEqual(["install", "--browser", LINK])
  })
})
