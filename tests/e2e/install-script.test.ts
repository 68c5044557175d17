// scripts/install.sh under dash (POSIX sh) against a static file server on 127.0.0.1 laid out
// like a release (agent-<target> + SHA256SUMS), installing the compiled dist/agent.
import { afterAll, beforeAll, describe, expect, it } from "bun:test"
import {
  chmodSync,
  copyFileSync,
  existsSync,
  linkSync,
  readFileSync,
  mkdirSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from "node:fs"
import { join } from "node:path"
import pkg from "../../package.json"
import { ensureBinary } from "../helpers/binary.ts"
import { ROOT } from "../helpers/cli.ts"
import { type TmpDir, tmpdir } from "../helpers/tmp.ts"

const SCRIPT = join(ROOT, "scripts/install.sh")
const glibc = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header
  ?.glibcVersionRuntime
const HOST_FILE = `agent-linux-${process.arch === "arm64" ? "arm64" : "x64"}${glibc ? "" : "-musl"}`

let tmp: TmpDir
let server: ReturnType<typeof Bun.serve>
const requested: string[] = []

beforeAll(async () => {
  tmp = await tmpdir()
  const binary = await ensureBinary()
  for (const release of ["good", "bad"]) {
    const dir = join(tmp.path, "www", release)
    mkdirSync(dir, { recursive: true })
    try {
      linkSync(binary, join(dir, HOST_FILE)) // 120 MB: a hard link when the file system allows
    } catch {
      copyFileSync(binary, join(dir, HOST_FILE))
    }
  }
  // Read, not Bun.mmap: a shared mapping counts as a writer until it is collected, and Linux then
  // refuses to start dist/agent (ETXTBSY) for the next test file.
  const sum = new Bun.CryptoHasher("sha256").update(readFileSync(binary)).digest("hex")
  writeFileSync(
    join(tmp.path, "www/good/SHA256SUMS"),
    `${"0".repeat(64)}  agent-other\n${sum}  ${HOST_FILE}\n`,
  )
  writeFileSync(
    join(tmp.path, "www/bad/SHA256SUMS"),
    `${sum.replace(/^./, (c) => (c === "a" ? "b" : "a"))}  ${HOST_FILE}\n`,
  )
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const path = decodeURIComponent(new URL(req.url).pathname)
      requested.push(path)
      const file = Bun.file(join(tmp.path, "www", path))
      return path.includes("..")
        ? new Response("no", { status: 400 })
        : file.exists().then((ok) => (ok ? new Response(file) : new Response("not found", { status: 404 })))
    },
  })
})

afterAll(async () => {
  await server?.stop(true)
  await tmp?.[Symbol.asyncDispose]()
})

async function install(
  release: string,
  opts: { installDir: string; env?: Record<string, string>; path?: string },
) {
  const proc = Bun.spawn(["sh", SCRIPT], {
    env: {
      PATH: opts.path ?? process.env.PATH ?? "/usr/bin:/bin",
      HOME: tmp.home,
      AGENTRT_DOWNLOAD_URL: `${server.url.origin}/${release}/`,
      AGENTRT_INSTALL_DIR: opts.installDir,
      ...opts.env,
    },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  })
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  return { code, stdout, stderr }
}

/** A directory of executables to put first on PATH. */
function fakeBin(name: string, scripts: Record<string, string>): string {
  const dir = join(tmp.path, "bin", name)
  mkdirSync(dir, { recursive: true })
  for (const [tool, body] of Object.entries(scripts)) {
    writeFileSync(join(dir, tool), `#!/bin/sh\n${body}\n`)
    chmodSync(join(dir, tool), 0o755)
  }
  return dir
}

describe.skipIf(process.platform !== "linux")("scripts/install.sh", () => {
  it("downloads the host's binary, checks its sha256, installs it and says how to add it to PATH", async () => {
    const dir = join(tmp.path, "good-install", "bin")
    const r = await install("good", { installDir: dir })
    expect(r.stderr).not.toContain("error")
    expect(r.code).toBe(0)
    expect(requested).toContain(`/good/${HOST_FILE}`)
    expect(readdirSync(dir)).toEqual(["agent"])
    const v = Bun.spawnSync([join(dir, "agent"), "--version"])
    expect(v.stdout.toString().trim()).toBe(pkg.version)
    expect(r.stderr).toContain(`installed agent ${pkg.version} to ${dir}/agent`)
    expect(r.stderr).toContain(`export PATH="${dir}:$PATH"`)
    // Once the directory is on PATH there is nothing to add.
    const again = await install("good", { installDir: dir, path: `${dir}:${process.env.PATH}` })
    expect(again.code).toBe(0)
    expect(again.stderr).not.toContain("not on your PATH")
  })

  it("refuses a checksum mismatch and leaves nothing in the install dir", async () => {
    const dir = join(tmp.path, "bad-install")
    mkdirSync(dir)
    const r = await install("bad", { installDir: dir })
    expect(r.code).not.toBe(0)
    expect(r.stderr).toContain(`checksum mismatch for ${HOST_FILE}`)
    expect(r.stderr).toContain("nothing was installed")
    expect(readdirSync(dir)).toEqual([])
  })

  it("stops with a clear error on an architecture with no build", async () => {
    const bin = fakeBin("riscv", {
      uname: 'case "$1" in -s) echo Linux ;; -m) echo riscv64 ;; *) echo Linux ;; esac',
    })
    const dir = join(tmp.path, "riscv-install")
    const r = await install("good", { installDir: dir, path: `${bin}:${process.env.PATH}` })
    expect(r.code).not.toBe(0)
    expect(r.stderr).toContain("unsupported architecture: riscv64")
    expect(existsSync(dir)).toBe(false)
  })

  it("stops with a clear error on an unknown operating system", async () => {
    const bin = fakeBin("plan9", { uname: 'case "$1" in -s) echo Plan9 ;; *) echo x86_64 ;; esac' })
    const r = await install("good", {
      installDir: join(tmp.path, "plan9"),
      path: `${bin}:${process.env.PATH}`,
    })
    expect(r.code).not.toBe(0)
    expect(r.stderr).toContain("unsupported operating system: Plan9")
  })

  it("asks for the musl build when ldd says musl, or when AGENTRT_LIBC=musl", async () => {
    const bin = fakeBin("alpine", { ldd: 'echo "musl libc (x86_64)" >&2; exit 1' })
    const r = await install("good", {
      installDir: join(tmp.path, "alpine"),
      path: `${bin}:${process.env.PATH}`,
    })
    expect(r.code).not.toBe(0)
    expect(r.stderr).toContain(`${HOST_FILE.replace(/-musl$/, "")}-musl is not listed in`)
    const forced = await install("good", {
      installDir: join(tmp.path, "forced"),
      env: { AGENTRT_LIBC: "musl" },
    })
    expect(forced.stderr).toContain("-musl is not listed in")
  })

  it.skipIf(!Bun.which("wget"))("works with wget when there is no curl", async () => {
    // PATH holds only what the script needs, wget instead of curl.
    const tools = [
      "sh",
      "uname",
      "ldd",
      "getconf",
      "grep",
      "awk",
      "mktemp",
      "rm",
      "chmod",
      "mkdir",
      "cp",
      "mv",
      "cut",
      "sha256sum",
      "wget",
    ]
    const dir = join(tmp.path, "bin", "wget-only")
    mkdirSync(dir, { recursive: true })
    for (const t of tools) {
      const found = Bun.which(t)
      if (found) symlinkSync(found, join(dir, t))
    }
    const installDir = join(tmp.path, "wget-install")
    const r = await install("good", { installDir, path: dir })
    expect(r.stderr).not.toContain("error")
    expect(r.code).toBe(0)
    expect(readdirSync(installDir)).toEqual(["agent"])
  })
})
