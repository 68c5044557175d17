import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises"
import { tmpdir as osTmpdir } from "node:os"
import { dirname, join } from "node:path"

export interface TmpDir extends AsyncDisposable {
  /** The directory itself (realpath, so it compares equal to what a child process sees as its cwd). */
  path: string
  /** An AGENTRT_HOME inside `path`; created empty. Pass it to runCli so no test touches the real home. */
  home: string
  /** Writes `content` (objects as pretty JSON) to `rel`, creating parent folders; returns the absolute path. */
  write(rel: string, content: string | object): Promise<string>
  read(rel: string): Promise<string>
}

/** `await using t = await tmpdir()`: a fresh directory, removed with everything in it on dispose. */
export async function tmpdir(opts: { files?: Record<string, string | object> } = {}): Promise<TmpDir> {
  const path = await realpath(await mkdtemp(join(osTmpdir(), "agentrt-test-")))
  const home = join(path, "agentrt-home")
  await mkdir(home, { recursive: true, mode: 0o700 })
  const t: TmpDir = {
    path,
    home,
    async write(rel, content) {
      const file = join(path, rel)
      await mkdir(dirname(file), { recursive: true })
      await writeFile(file, typeof content === "string" ? content : `${JSON.stringify(content, null, 2)}\n`)
      return file
    },
    read: (rel) => readFile(join(path, rel), "utf8"),
    async [Symbol.asyncDispose]() {
      await rm(path, { recursive: true, force: true })
    },
  }
  for (const [rel, content] of Object.entries(opts.files ?? {})) await t.write(rel, content)
  return t
}
